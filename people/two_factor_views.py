"""Two-factor sign-in pages: the code step of signing in, and setting it up, the recovery
codes and turning it off (the rule: people/two_factor.py)."""

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import two_factor
from .throttling import is_locked_out, lockout_response


class CodeForm(forms.Form):
    otp = forms.CharField(
        label=_("Code"), max_length=40, strip=True,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your "
                    "recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "spellcheck": "false", "autocapitalize": "off"}),
    )


class SetupForm(forms.Form):
    otp = forms.CharField(
        label=_("Code from the app"), max_length=12, strip=True,
        help_text=_("The 6 digits the app shows for “Innovation Fund” now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


# --- signing in --------------------------------------------------------------------------------
class SignInView(auth_views.LoginView):
    """The password step; a person with two-factor sign-in on is then asked for a code
    (login_code) before any session is made."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_device(user):
            return super().form_valid(form)
        return _code_page(self.request, pending=two_factor.pending_token(user),
                          next_url=self.get_redirect_url(), form=CodeForm())


def _code_page(request, *, pending, next_url, form, status=200):
    return render(request, "registration/login_code.html",
                  {"pending": pending, "next": next_url, "form": form}, status=status)


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return ""


@sensitive_post_parameters("otp", "pending")
@csrf_protect
@never_cache
def login_code(request):
    """The second step: the code, for the person the signed `pending` field names."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method != "POST":
        return redirect("login")
    next_url = _safe_next(request, request.POST.get("next", ""))
    user = two_factor.pending_user(request.POST.get("pending"))
    if user is None:
        messages.error(request, gettext("Signing in took longer than 10 minutes, or the form was "
                       "changed: enter your username and password again."))
        target = reverse("login") + (f"?{urlencode({'next': next_url})}" if next_url else "")
        return redirect(target)
    credentials = {"username": user.get_username()}
    if is_locked_out(request, credentials):
        return lockout_response(request, None, credentials)
    form = CodeForm(request.POST)
    code = form.data.get("otp", "")
    check = two_factor.second_step(request=request, user=user, code=code, sender=__name__)
    if not check.ok:
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, None, credentials)
        form.is_valid()
        form.errors.clear()
        form.add_error("otp", check.page_message)
        return _code_page(request, pending=request.POST.get("pending"), next_url=next_url,
                          form=form)
    user.otp_device = check.device  # django-otp keeps it in the new session
    auth_login(request, user, backend=user.backend)
    two_factor.mark_verified(request, check.device)
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


# --- the account's two-factor pages ----------------------------------------------------------
def _status_context(user):
    return {
        "on": two_factor.has_device(user),
        "required": two_factor.is_required(user),
        "why_required": two_factor.why_required(user) if two_factor.is_required(user) else "",
        "codes_left": two_factor.recovery_codes_left(user),
        "authenticator": two_factor.authenticator(user),
    }


@login_required
@require_GET
def status(request):
    if request.session.get(two_factor.SESSION_NEW_CODES):  # not shown yet (a double click)
        return redirect("two_factor_codes")
    return render(request, "people/two_factor/status.html", _status_context(request.user))


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG: no style attributes, sized by the stylesheet."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"',
                 '<svg class="qr-code" role="img" aria-label="QR code to scan with your '
                 'authenticator app"', svg, count=1)
    return svg


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
@sensitive_post_parameters("otp")
def setup(request):
    user = request.user
    if two_factor.has_device(user):
        messages.info(request, gettext("Two-factor sign-in is already on for your account."))
        return redirect("two_factor")
    key = two_factor.setup_secret(request)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The device, the end of the person's other sessions and this session's new state
        # are stored together: a request running at the same time sees all or none of them.
        with transaction.atomic():
            device, codes = two_factor.two_factor_enable(actor=user, key=key,
                                                         code=form.cleaned_data["otp"])
            if device is not None:
                two_factor.keep_session(request, user)
                request.session.pop(two_factor.SESSION_SETUP_KEY, None)
                two_factor.mark_verified(request, device)
                request.session[two_factor.SESSION_NEW_CODES] = codes
                request.session.save()
        if device is not None:
            messages.success(request, gettext("Two-factor sign-in is on. From now on you sign in "
                             "with your password and a code from the app. You are signed out "
                             "everywhere else."))
            return redirect("two_factor_codes")
        if two_factor.has_device(user):  # set up meanwhile by the same form sent twice
            messages.info(request, gettext("Two-factor sign-in is already on for your account."))
            return redirect("two_factor")
        form.add_error("otp", gettext("That code is not the one the app shows now. Check that the "
                       "app added “Innovation Fund” and type the 6 digits it shows; if the "
                       "code is about to change, wait for the next one."))
    device = TOTPDevice(user=user, key=key)
    secret = b32encode(bytes.fromhex(key)).decode()
    return render(request, "people/two_factor/setup.html", {
        "form": form,
        "qr_svg": mark_safe(qr_svg(device.config_url)),  # made here from the secret
        "secret": _grouped(secret),
        "required": two_factor.is_required(user),
        "why_required": two_factor.why_required(user) if two_factor.is_required(user) else "",
    })


def _locked_out(request, user):
    """The lockout page when this account or address is locked out of signing in: a page
    that checks a code is refused then, as the sign-in page is."""
    credentials = {"username": user.get_username()}
    if getattr(request, "axes_locked_out", False) or is_locked_out(request, credentials):
        return lockout_response(request, None, credentials)
    return None


@login_required
@sensitive_post_parameters("otp")
def codes(request):
    """New recovery codes are shown once, on the page after they are made. Making them asks
    for the authenticator's code (not a recovery code: one would otherwise buy ten); a wrong
    code is a failed sign-in."""
    user = request.user
    if not two_factor.has_device(user):
        messages.info(request, gettext("Recovery codes come with two-factor sign-in: set it up first."))
        return redirect("two_factor")
    form = CodeForm(request.POST if request.method == "POST" else None)
    form.fields["otp"].help_text = ("The 6-digit code your authenticator app shows now (a "
                                    "recovery code does not make new ones).")
    new_codes = None
    if request.method == "POST":
        if refused := _locked_out(request, user):
            return refused
        check = two_factor.check_code(request=request, user=user, code=form.data.get("otp"),
                                      sender=__name__, recovery=False)
        if check.ok:
            request.session[two_factor.SESSION_NEW_CODES] = two_factor.new_recovery_codes(
                actor=user, request=request)
            messages.success(request, gettext("New recovery codes are made; the old ones no longer "
                             "work."))
            return redirect("two_factor_codes")
        if refused := _locked_out(request, user):
            return refused
        form.is_valid()
        form.errors.clear()
        form.add_error("otp", "That code is wrong or has expired: enter the 6-digit code "
                       "your authenticator app shows now." if check.problem == two_factor.WRONG else
                       "Enter the 6-digit code your authenticator app shows now.")
    else:
        new_codes = request.session.pop(two_factor.SESSION_NEW_CODES, None)
    return render(request, "people/two_factor/codes.html", {
        "new_codes": new_codes, "codes_left": two_factor.recovery_codes_left(user),
        "count": two_factor.RECOVERY_CODE_COUNT, "form": form,
    })


@login_required
@sensitive_post_parameters("otp")
def turn_off(request):
    user = request.user
    if not two_factor.has_device(user):
        messages.info(request, gettext("Two-factor sign-in is not on for your account."))
        return redirect("two_factor")
    form = CodeForm(request.POST if request.method == "POST" else None)
    refusal = ""
    status_code = 200
    if two_factor.is_required(user):
        refusal = two_factor.two_factor_disable(actor=user, code="")
        status_code = 403 if request.method == "POST" else 200
    elif request.method == "POST":
        if refused := _locked_out(request, user):
            return refused
        problem = two_factor.two_factor_disable(actor=user, code=form.data.get("otp", ""),
                                                request=request)
        if refused := _locked_out(request, user):
            return refused
        if problem is None:
            two_factor.keep_session(request, user)  # the person's other sessions ended
            two_factor.mark_off(request)
            messages.success(request, gettext("Two-factor sign-in is off: you sign in with your "
                             "password alone."))
            return redirect("two_factor")
        form.is_valid()
        form.errors.clear()
        form.add_error("otp", problem)
    return render(request, "people/two_factor/off.html", {"form": form, "refusal": refusal},
                  status=status_code)
