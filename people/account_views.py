"""The "Sign-in and API tokens" page (/account/security/): the signed-in person's API tokens,
each with a Revoke button, and "Sign out everywhere". The rules are people/tokens.py and
people/sessions.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from workflow.ids import parse_id

from .sessions import SIGNED_OUT_EVERYWHERE, is_privileged, sign_out_everywhere
from .tokens import expires_at, token_revoke, tokens_of


def _duration(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@login_required
def account_security(request):
    tokens = [{"token": token, "expires_at": expires_at(token)}
              for token in tokens_of(user=request.user, request=request)]
    privileged = is_privileged(request.user)
    return render(request, "account/security.html", {
        "tokens": tokens,
        "privileged": privileged,
        "session_age": _duration(settings.PRIVILEGED_SESSION_AGE if privileged
                                 else settings.SESSION_COOKIE_AGE),
        "session_idle": _duration(settings.PRIVILEGED_SESSION_IDLE),
        "token_max_age": _duration(int(settings.API_TOKEN_MAX_AGE.total_seconds())),
        "token_idle": _duration(int(settings.API_TOKEN_IDLE.total_seconds())),
    })


@login_required
@require_POST
def revoke_token(request, pk):
    if parse_id(pk) is None:  # beyond the database's integers: no such token (never a 500)
        raise Http404(gettext("No such API token."))
    if token_revoke(actor=request.user, token_id=pk, request=request):
        messages.success(request, gettext("The API token is revoked: a script or device using it is "
                                  "refused from now on."))
    else:
        messages.error(request, gettext("This API token was not revoked: it is not one of yours, or it "
                                "was already revoked or had expired."))
    return redirect("account_security")


@login_required
@require_POST
def sign_out_everywhere_view(request):
    count = sign_out_everywhere(actor=request.user, request=request)
    tokens = "none were left" if not count else f"{count} token{'s' if count != 1 else ''}"
    messages.success(request, SIGNED_OUT_EVERYWHERE.format(tokens=tokens))
    return redirect("login")
