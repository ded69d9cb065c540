"""Write side of people: agencies and users, keyed by their natural keys.

`agency_get_or_create` and `user_get_or_create` are idempotent: called twice with the
same key they return the existing row and change nothing (the demo seed and imports rely
on that). Keys are matched without regard to case (one identity per agency and person):
`moh` finds MOH, `PEMA` finds pema. `invite_people` emails people without a usable password
a link to set one. `announce_agency_changes` is how every writer of `User.agency` tells
the floors above (conflicts of interest); `agency_merge` joins a duplicate agency into
another (`manage.py merge_agencies`).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.utils.translation import gettext, ngettext

from datafiles.tables import TableImport

from .invitations import invitation_email
from .models import (
    Agency,
    User,
    agencies_with_code,
    agency_code_problem,
    normalise_agency_code,
    users_with_username,
)
from .signals import agency_changed

logger = logging.getLogger(__name__)


def agency_get_or_create(
    *, code: str, name: str, kind: str = Agency.Kind.AGENCY
) -> tuple[Agency, bool]:
    """The agency with this `code`, created with `name` and `kind` if it does not exist."""
    problem = agency_code_problem(code)
    if problem:
        raise ValidationError({"code": problem})
    code = normalise_agency_code(code)
    if kind not in Agency.Kind.values:
        raise ValidationError({"kind": gettext("“%(kind)s” is not a kind of agency.") % {
            "kind": kind}})
    agency = agencies_with_code(code).first()
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
    """The user with this `username` (in any case); created with the given fields and
    password if missing, refused (naming the existing person) if the `employee_id` is
    someone else's.

    An existing user is left as it is, except that missing `groups` are added (so a role
    given by the seed is never lost). A superuser is also staff.
    """
    user = users_with_username(username).first()
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


def announce_agency_changes(*, people: Iterable[int], actor=None) -> list[int]:
    """Tell the floors above that these people's agencies changed (`people.signals`), once
    for the whole batch. Call it inside the transaction that changed them, with only the
    ids whose agency really changed; nothing is sent for none. Returns the ids sent."""
    ids = sorted(set(people))
    if ids:
        agency_changed.send(sender=User, people=ids, actor=actor)
    return ids


@transaction.atomic
def user_set_agency(*, actor, user: User, agency: Agency | None) -> bool:
    """Move `user` to `agency` (None: no agency); announced when it is a change."""
    if user.agency_id == (agency.pk if agency else None):
        return False
    user.agency = agency
    user.save(update_fields=["agency"])
    announce_agency_changes(people=[user.pk], actor=actor)
    return True


# --- merging a duplicate agency ---------------------------------------------------------
@dataclass
class AgencyMerge:
    """What `agency_merge` moved (or would move, for a dry run) from `source` to `target`.

    `moved` holds (description, ids of the rows that now point at the target), one entry
    per relation to Agency; `people` the users whose agency changed; `partnered` the pks of
    the objects whose many-to-many link moved (e.g. proposals' partner agencies), by model.
    """

    source: Agency
    target: Agency
    dry_run: bool
    source_code: str = ""
    retired_code: str = ""
    moved: list[tuple[str, list]] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    partnered: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "Would move" if self.dry_run else "Moved"
        out = []
        for what, ids in self.moved:
            shown = ", ".join(map(str, ids[:20])) + (f" and {len(ids) - 20} more"
                                                     if len(ids) > 20 else "")
            out.append(f"{verb} {len(ids)} {what}" + (f" (ids {shown})" if ids else "") + ".")
        deactivate = "Would deactivate" if self.dry_run else "Deactivated"
        out.append(
            f"{deactivate} {self.source.name} ({self.source_code}), whose code "
            f"{'would become' if self.dry_run else 'is now'} {self.retired_code}; it is kept, "
            f"not deleted. {'Everything it has would then be' if self.dry_run else 'Everything it had is now'} "
            f"{self.target.name} ({self.target.code})'s."
        )
        return out


def _retired_code(agency: Agency) -> str:
    """A code for a merged agency that no longer clashes: e.g. MOH-MERGED7."""
    for candidate in (f"{normalise_agency_code(agency.code)}-MERGED{agency.pk}",
                      f"MERGED-{agency.pk}"):
        if (len(candidate) <= Agency._meta.get_field("code").max_length
                and not agency_code_problem(candidate)
                and not agencies_with_code(candidate, exclude_pk=agency.pk).exists()):
            return candidate
    return f"M{agency.pk}"[:20]


def agency_merge(*, source: Agency, target: Agency, actor=None, dry_run: bool = False,
                 announce: bool = True) -> AgencyMerge:
    """Join `source` into `target`: every row that refers to `source` (users, contributions,
    proposals' partner agencies, whatever has a foreign key or many-to-many to Agency) now
    refers to `target`; `source` is deactivated and its code retired (never deleted: it may
    be in the transition log and in documents). One transaction; the people whose agency
    changed are announced once (unless `announce` is False: the caller announces
    `result.people`). A dry run says what would move and changes nothing."""
    if source.pk == target.pk:
        raise ValidationError(gettext("An agency cannot be merged into itself."))
    result = AgencyMerge(source=source, target=target, dry_run=dry_run,
                         source_code=source.code, retired_code=_retired_code(source))
    with transaction.atomic():
        for relation in Agency._meta.related_objects:
            model = relation.related_model
            label = "people" if model is User else model._meta.verbose_name_plural
            if relation.many_to_many:
                through = relation.through
                m2m = relation.field
                owner, to_agency = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
                links = through._base_manager.filter(**{to_agency: source.pk})
                owners = sorted(links.values_list(f"{owner}_id", flat=True))
                result.moved.append((f"{label} ({m2m.name})", owners))
                result.partnered[model] = owners
                if not dry_run and owners:
                    # Those already linked to the target keep one link.
                    both = through._base_manager.filter(
                        **{to_agency: target.pk, f"{owner}_id__in": owners}
                    ).values_list(f"{owner}_id", flat=True)
                    links.filter(**{f"{owner}_id__in": list(both)}).delete()
                    links.update(**{to_agency: target.pk})
            else:
                name = relation.field.name
                rows = model._base_manager.filter(**{name: source.pk})
                ids = sorted(rows.values_list("pk", flat=True))
                result.moved.append((f"{label} ({name})", ids))
                if model is User:
                    result.people = ids
                if not dry_run and ids:
                    if relation.one_to_one and model._base_manager.filter(
                            **{name: target.pk}).exists():
                        raise ValidationError(
                            gettext("Both agencies have a %(verbose_name)s; merge it first.") % {
                                "verbose_name": model._meta.verbose_name}
                        )
                    rows.update(**{name: target.pk})
        if not dry_run:
            source.is_active = False
            source.code = result.retired_code
            source.save(update_fields=["is_active", "code"])
            if announce:
                announce_agency_changes(people=result.people, actor=actor)
    return result


# --- invitations ----------------------------------------------------------------------------
@dataclass
class Invitations:
    """Who was sent an invitation, and who was not and why (their own username only)."""

    sent: list[User] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)
    NAMED = 20  # the summary names this many of those skipped, then counts the rest

    def summary(self) -> str:
        sent = len(self.sent)
        text = ngettext("Sent %(count)d invitation.", "Sent %(count)d invitations.", sent) % {
            "count": sent}
        if self.skipped:
            shown = self.skipped[:self.NAMED]
            reasons = ", ".join(f"{user.username} ({reason})" for user, reason in shown)
            more = len(self.skipped) - len(shown)
            if more:
                reasons += " " + gettext("and %(more)d more") % {"more": more}
            text += " " + gettext("Not sent to %(count)d: %(reasons)s.") % {
                "count": len(self.skipped), "reasons": reasons}
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
        raise PermissionDenied(gettext("Only fund managers and administrators may invite people."))
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
