"""A person's first password: the link that sets it, the invitation that carries it, and
the list of people an import created, kept in the session until they are invited.

People created by an import have no usable password. They get in by the password-reset
pages of Django (config/urls.py), reached from an invitation (`services.invite_people`)
or by asking for a link on the sign-in page.
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from workflow.mail import email_subject

from .models import User

IMPORTED_PEOPLE = "imported_people_to_invite"  # session key: employee IDs of one import


def set_password_url(user: User) -> str:
    """The absolute address of the page where `user` sets a password (valid once, for
    PASSWORD_RESET_TIMEOUT; it stops working as soon as the password changes)."""
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    return settings.SITE_URL.rstrip("/") + path


def invitation_email(user: User) -> EmailMessage:
    """The invitation: the person's own name, username and link, and nothing else."""
    context = {
        "user": user, "link": set_password_url(user), "site": settings.SITE_URL.rstrip("/"),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    # In the person's own language (people/language.py), never the inviting request's.
    from django.utils import translation

    from .language import language_of

    with translation.override(language_of(user)):
        subject = render_to_string("registration/invite_subject.txt", context)
        body = render_to_string("registration/invite_email.txt", context)
    return EmailMessage(
        subject=email_subject(subject), body=body,
        from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
    )


class SetPasswordRequestForm(PasswordResetForm):
    """"Forgot your password or first time here?": Django's form leaves out people without
    a usable password; here they are the ones who need it most (imported, not yet invited).
    The link goes to the address on record, as an invitation would."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Links point at SITE_URL, as in every email of the fund, not at the request's host.
        context["site_url"] = settings.SITE_URL.rstrip("/")
        # In the account holder's language, never the asker's (anyone may ask for a reset).
        from django.utils import translation

        from .language import language_of

        with translation.override(language_of(context.get("user"))):
            super().send_mail(subject_template_name, email_template_name, context, *args,
                              **kwargs)

    def get_users(self, email):
        email_field = User.get_email_field_name()
        return (
            user for user in User._default_manager.filter(
                **{f"{email_field}__iexact": email, "is_active": True})
            if user.email and user.email.lower() == email.lower()
        )


# --- the people of the last import, until they are invited -----------------------------
def remember_imported_people(request, employee_ids: list[str]) -> None:
    if employee_ids:
        request.session[IMPORTED_PEOPLE] = list(employee_ids)
    else:
        request.session.pop(IMPORTED_PEOPLE, None)


def take_imported_people(request) -> list[str]:
    """The employee IDs remembered by the last import, forgotten as they are taken."""
    return request.session.pop(IMPORTED_PEOPLE, None) or []
