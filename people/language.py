"""The language of the interface a person chose (issue 18; README "Languages").

The switcher in the layout (templates/base.html) POSTs to `set_language`, Django's own view
(django.views.i18n), which sets the language cookie that `LocaleMiddleware` reads for every
visitor; signed in, the choice is also saved on the person (`User.language`), so it follows
them to another browser. `UserLanguageMiddleware` (after `LocaleMiddleware` and sign-in) puts a
signed-in person's saved language before the cookie and the browser's Accept-Language, and at
sign-in a person who never chose keeps the language they chose as a visitor.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def supported(code) -> str | None:
    """`code` when it is one of the interface's languages (settings.LANGUAGES), else None."""
    code = str(code or "").strip().lower()
    return code if code in dict(settings.LANGUAGES) else None


def language_of(user) -> str:
    """The language `user` chose for the interface, else the fund's (LANGUAGE_CODE): what is
    written for them outside their own request (notices, invitations, stored figures)."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


VISITOR_CHOICE = "language_chosen_as_visitor"


@require_POST
def set_language(request):
    """Django's `set_language`, for the languages of `LANGUAGES` only (another code changes
    nothing and goes back, never an error), saving a signed-in person's choice."""
    code = supported(request.POST.get("language"))
    if "language" in request.POST and request.POST["language"] != code:
        request.POST = request.POST.copy()
        if code is None:
            del request.POST["language"]  # Django's view then only goes back
        else:
            request.POST["language"] = code  # as LANGUAGES spells it ("EN-GB": "en-gb")
    response = django_set_language(request)
    user = request.user
    if code and not user.is_authenticated and hasattr(request, "session"):
        # Chosen in this visit: kept at sign-in (a cookie alone may be the last person's).
        request.session[VISITOR_CHOICE] = code
    if code and user.is_authenticated and user.language != code:
        get_user_model().objects.filter(pk=user.pk).update(language=code)
        user.language = code
    return response


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the cookie and the browser's (no query:
    the field is on the user row that signing in reads anyway); the cookie is brought in line
    with it, so the browser keeps the person's language once they sign out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        code = None
        if user is not None and user.is_authenticated:
            code = supported(getattr(user, "language", ""))
            if code and code != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(code)
                request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if code and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            set_language_cookie(response, code)
        return response


def set_language_cookie(response, code: str) -> None:
    """The language cookie as Django's `set_language` sets it (settings.LANGUAGE_COOKIE_*)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@receiver(user_logged_in, dispatch_uid="people.language.signed_in")
def _keep_visitor_language(sender, request, user, **kwargs):
    """At sign-in, a person who never chose a language keeps the one they chose as a visitor
    in this visit (the session's, which signing out clears): never the cookie alone, which on
    a shared computer may be the last person's (found by an outsider's attack)."""
    if request is None or getattr(user, "language", None) != "":
        return
    session = getattr(request, "session", None)
    code = supported(session.get(VISITOR_CHOICE)) if session is not None else None
    if code:
        get_user_model().objects.filter(pk=user.pk).update(language=code)
        user.language = code
