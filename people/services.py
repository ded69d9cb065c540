"""Write side of people: agencies and users, keyed by their natural keys.

`agency_get_or_create` and `user_get_or_create` are idempotent: called twice with the
same key they return the existing row and change nothing (the demo seed and imports rely
on that). `invite_people` emails people without a usable password a link to set one.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.template.defaultfilters import pluralize

from workflow.datafiles import TableImport

from .invitations import invitation_email
from .models import Agency, User

logger = logging.getLogger(__name__)


def agency_get_or_create(
    *, code: str, name: str, kind: str = Agency.Kind.AGENCY
) -> tuple[Agency, bool]:
    """The agency with this `code`, created with `name` and `kind` if it does not exist."""
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"code": "An agency needs a short code, e.g. MOH."})
    if kind not in Agency.Kind.values:
        raise ValidationError({"kind": f"“{kind}” is not a kind of agency."})
    agency = Agency.objects.filter(code=code).first()
    if agency:
        return agency, False
    agency = Agency(code=code, name=(name or "").strip(), kind=kind)
    agency.full_clean()
    agency.save()
    return agency, True


@transaction.atomic
def user_get_or_create(
    *,
    username: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    agency: Agency | None = None,
    employee_id: str | None = None,
    position_title: str = "",
    position_level: str = "",
    groups: tuple[str, ...] | list[str] = (),
    is_superuser: bool = False,
) -> tuple[User, bool]:
    """The user with this `username`; created with the given fields and password if missing.

    An existing user is left as it is, except that missing `groups` are added (so a role
    given by the seed is never lost). A superuser is also staff.
    """
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(
            username=username, first_name=first_name, last_name=last_name, email=email,
            agency=agency, employee_id=employee_id or None, position_title=position_title,
            position_level=position_level, is_superuser=is_superuser, is_staff=is_superuser,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    for name in groups:
        group, _ = Group.objects.get_or_create(name=name)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
    user.__dict__.pop("_group_names", None)
    return user, created


# --- invitations ----------------------------------------------------------------------------
@dataclass
class Invitations:
    """Who was sent an invitation, and who was not and why (their own username only)."""

    sent: list[User] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)
    NAMED = 20  # the summary names this many of those skipped, then counts the rest

    def summary(self) -> str:
        text = f"Sent {len(self.sent)} invitation{pluralize(len(self.sent))}."
        if self.skipped:
            shown = self.skipped[:self.NAMED]
            reasons = ", ".join(f"{user.username} ({reason})" for user, reason in shown)
            more = len(self.skipped) - len(shown)
            text += f" Not sent to {len(self.skipped)}: {reasons}{f' and {more} more' if more else ''}."
        return text


def may_invite_people(user) -> bool:
    """Inviting people is for those who bring them in: fund managers and administrators."""
    return TableImport.may_import(user)


def invite_people(*, actor, users: Iterable[User]) -> Invitations:
    """Email each person who is active, has an email address and has no usable password yet
    (e.g. created by an import) a link to set their password; skip the others, saying why.

    Only fund managers and administrators may invite. Each email names only its recipient's
    own account. Nothing is written: the link works until the password is set.
    """
    if not may_invite_people(actor):
        raise PermissionDenied("Only fund managers and administrators may invite people.")
    result = Invitations()
    connection = None
    for user in users:
        if not user.is_active:
            result.skipped.append((user, "is not active"))
        elif user.has_usable_password():
            result.skipped.append((user, "already has a password"))
        elif not user.email:
            result.skipped.append((user, "has no email address"))
        else:
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                connection.send_messages([invitation_email(user)])
            except Exception:
                logger.exception("The invitation to user %s could not be sent", user.pk)
                result.skipped.append((user, "the email could not be sent"))
                continue
            result.sent.append(user)
    if connection is not None:
        connection.close()
    return result
