"""Before the constraints of 0004 (one identity per agency and person, DOMAIN.md):

- agency codes are trimmed and upper-cased where that makes no clash;
- if two agencies would then share a code, or two people share a username or an employee ID
  without regard to case, the migration stops (changing nothing) and names them, so that an
  operator merges the agencies (`manage.py merge_agencies SOURCE_CODE TARGET_CODE`) or
  corrects the people, then runs `manage.py migrate` again (README, "One identity per
  agency and person"). Nothing is merged silently.
"""

from collections import defaultdict

from django.core.management.base import CommandError
from django.db import migrations
from django.db.models import Count
from django.db.models.functions import Lower


def _clashing_agencies(Agency) -> list[list]:
    groups = defaultdict(list)
    for agency in Agency.objects.order_by("pk").only("pk", "code", "name"):
        groups[agency.code.strip().upper()].append(agency)
    return [group for _, group in sorted(groups.items()) if len(group) > 1]


def _clashing_people(User, field: str) -> list[list]:
    lowered = (
        User.objects.exclude(**{f"{field}__isnull": True}).exclude(**{field: ""})
        .annotate(_key=Lower(field)).values("_key").annotate(n=Count("pk")).filter(n__gt=1)
        .values_list("_key", flat=True)
    )
    keys = list(lowered)
    if not keys:
        return []
    people = defaultdict(list)
    for person in (User.objects.annotate(_key=Lower(field)).filter(_key__in=keys)
                   .order_by("pk")):
        people[person._key].append(person)
    return [group for _, group in sorted(people.items())]


def normalise_and_check(apps, schema_editor):
    Agency = apps.get_model("people", "Agency")
    User = apps.get_model("people", "User")

    clashes = _clashing_agencies(Agency)
    clashing = {a.pk for group in clashes for a in group}
    for agency in Agency.objects.only("pk", "code"):
        code = agency.code.strip().upper()
        if agency.pk not in clashing and agency.code != code:
            Agency.objects.filter(pk=agency.pk).update(code=code)

    lines = []
    for group in clashes:
        names = "; ".join(f"“{a.code}” {a.name} (id {a.pk})" for a in group)
        target = next((a for a in group if a.code == a.code.strip().upper()), group[0])
        sources = [a for a in group if a.pk != target.pk]
        commands = " and ".join(
            f"manage.py merge_agencies '{a.code}' '{target.code}'" for a in sources
        )
        lines.append(f"- agencies with the code {target.code.strip().upper()}: {names}. "
                     f"Merge them, e.g. {commands}.")
    for field, label in (("username", "username"), ("employee_id", "employee ID")):
        for group in _clashing_people(User, field):
            names = "; ".join(
                f"“{getattr(p, field)}” {(p.first_name + ' ' + p.last_name).strip() or p.username}"
                f" (id {p.pk})" for p in group
            )
            lines.append(f"- people with the same {label} without regard to case: {names}. "
                         f"Change the {label} of all but one in the admin.")
    if lines:
        raise CommandError(
            "Migration people.0003 stopped and changed nothing: agencies and people must be "
            "one identity each (codes, usernames and employee IDs unique without regard to "
            "case), and these are not:\n" + "\n".join(lines)
            + "\nThen run `manage.py migrate` again. `manage.py check` lists what remains."
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0002_role_groups")]
    operations = [migrations.RunPython(normalise_and_check, migrations.RunPython.noop)]
