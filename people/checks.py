"""`manage.py check` lists identities that the rule "one identity per agency and person"
(DOMAIN.md) forbids but that predate it: agencies whose codes differ only by case (or by
spaces around them), and people whose usernames or employee IDs differ only by case.

Once migration people.0004 is applied the database refuses such rows; before it (0003
stops while they exist) this check names them and the command that merges the agencies.
The check reads the database; when there is none yet, or no table, it says nothing.
"""

from collections import defaultdict
from pathlib import Path

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Count
from django.db.models.functions import Lower


def _database_ready(alias: str) -> bool:
    connection = connections[alias]
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and ":memory:" not in name \
            and "mode=memory" not in name and not Path(name).exists():
        return False  # no database yet: do not create an empty file by asking
    from .models import Agency

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return Agency._meta.db_table in tables


def duplicate_agencies() -> list[list]:
    """Groups of agencies whose codes are the same once trimmed and upper-cased."""
    from .models import Agency, normalise_agency_code

    groups = defaultdict(list)
    for agency in Agency.objects.order_by("pk"):
        groups[normalise_agency_code(agency.code)].append(agency)
    return [group for _, group in sorted(groups.items()) if len(group) > 1]


def duplicate_people(field: str) -> list[list]:
    """Groups of people whose `field` (username or employee_id) differs only by case."""
    from .models import User

    keys = list(
        User.objects.exclude(**{f"{field}__isnull": True}).exclude(**{field: ""})
        .annotate(_key=Lower(field)).values("_key").annotate(n=Count("pk")).filter(n__gt=1)
        .values_list("_key", flat=True)
    )
    if not keys:
        return []
    groups = defaultdict(list)
    for person in User.objects.annotate(_key=Lower(field)).filter(_key__in=keys).order_by("pk"):
        groups[person._key].append(person)
    return [group for _, group in sorted(groups.items())]


def merge_target(group: list):
    """The agency of a group to keep: the one already stored as the rule says, else the first."""
    from .models import normalise_agency_code

    return next((a for a in group if a.code == normalise_agency_code(a.code)), group[0])


@checks.register("people")
def check_one_identity(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    if app_configs is not None and not any(c.label == "people" for c in app_configs):
        return []
    alias = (databases or [DEFAULT_DB_ALIAS])[0]
    try:
        if not _database_ready(alias):
            return []
        agencies = duplicate_agencies()
        usernames, employee_ids = duplicate_people("username"), duplicate_people("employee_id")
    except DatabaseError:
        return []  # no database to read (e.g. not reachable): nothing to say about its rows
    found = []
    for group in agencies:
        target = merge_target(group)
        commands = "; ".join(f"manage.py merge_agencies '{a.code}' '{target.code}'"
                             for a in group if a.pk != target.pk)
        found.append(checks.Warning(
            "Agencies with the same code without regard to case: "
            + "; ".join(f"“{a.code}” {a.name} (id {a.pk}"
                        f"{'' if a.is_active else ', inactive'})" for a in group) + ".",
            hint=f"Merge them into one, keeping the others deactivated: {commands}.",
            id="people.W001",
        ))
    for field, label, code in (("username", "username", "people.W002"),
                               ("employee_id", "employee ID", "people.W003")):
        for group in usernames if field == "username" else employee_ids:
            found.append(checks.Warning(
                f"People with the same {label} without regard to case: "
                + "; ".join(f"“{getattr(p, field)}” {p.get_full_name() or p.username} "
                            f"(id {p.pk})" for p in group) + ".",
                hint=f"Change the {label} of all but one of them in the admin.",
                id=code,
            ))
    return found
