"""Write side of people: agencies and users, keyed by their natural keys.

`agency_get_or_create` and `user_get_or_create` are idempotent: called twice with the
same key they return the existing row and change nothing (the demo seed and imports rely
on that).
"""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Agency, User


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
