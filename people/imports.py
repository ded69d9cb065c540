"""Agencies and civil servants from the HR system, once only (DOMAIN.md: Import and export).

One identity per agency and person: a code is matched without regard to case (`moh` is
MOH, and updates it), and so is an employee ID; a row whose username is another person's,
in any case, is refused naming that person. Civil servants whose agency changed are
announced (`people.signals.agency_changed`) once per import, inside its transaction.
"""

import secrets
from collections import defaultdict

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower, Upper
from django.utils.translation import gettext

from datafiles.tables import RowError, RowProblems, TableImport, check_length

from .models import (
    Agency,
    User,
    agency_code_problem,
    normalise_agency_code,
    person_label,
)
from .services import announce_agency_changes

_CHUNK = 5000


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _agencies_by_code() -> dict[str, list[tuple[int, str, str]]]:
    """{upper-case code: [(pk, code, name), ...]}: one each, unless the database predates
    the rule (two agencies whose codes differ only by case: see people/checks.py)."""
    found = defaultdict(list)
    for pk, code, name in Agency.objects.order_by("pk").values_list("pk", "code", "name"):
        found[normalise_agency_code(code)].append((pk, code, name))
    return found


def _ambiguous(code: str, agencies: list[tuple[int, str, str]]) -> str:
    listed = "; ".join(f"{name} ({existing})" for _, existing, name in agencies)
    return gettext(
        "Several agencies have the code %(code)s without regard to case: %(listed)s. "
        "An administrator merges them first (manage.py merge_agencies)."
    ) % {"code": code, "listed": listed}


class AgencyImport(TableImport):
    """Agencies keyed by `code`: `code,name,kind`."""

    kind = "agencies"
    headers = ("code", "name", "kind")
    key_field = "code"
    compared = ("name", "kind")

    _kinds = {k.lower(): k for k in Agency.Kind.values} | {
        label.lower(): value for value, label in Agency.Kind.choices
    }

    def prepare(self, rows) -> None:
        self.agencies = _agencies_by_code()

    def clean_row(self, row: dict) -> dict:
        problems = {}
        # The key is normalised before matching: `moh` is the agency MOH, not a second one.
        code, name = normalise_agency_code(row["code"]), row["name"].strip()
        kind_text = row["kind"].strip().lower()
        if not code:
            problems["code"] = gettext("The agency code is missing.")
        elif agency_code_problem(code):
            problems["code"] = agency_code_problem(row["code"])
        elif len(self.agencies.get(code, ())) > 1:
            problems["code"] = _ambiguous(code, self.agencies[code])
        if not name:
            problems["name"] = gettext("The agency name is missing.")
        kind = self._kinds.get(kind_text) if kind_text else Agency.Kind.AGENCY
        if kind is None:
            problems["kind"] = gettext(
                "“%(kind)s” is not a kind of agency; use one of %(kinds)s."
            ) % {"kind": row["kind"], "kinds": ", ".join(Agency.Kind.values)}
        if "code" not in problems:
            check_length(problems, Agency, "code", code, gettext("The code"))
        check_length(problems, Agency, "name", name, gettext("The name"))
        if problems:
            raise RowProblems(problems)
        return {"code": code, "name": name, "kind": kind}

    def existing(self, keys: list) -> dict:
        found = {}
        for chunk in _chunks(keys):
            rows = Agency.objects.annotate(_code=Upper("code")).filter(_code__in=chunk)
            found.update({normalise_agency_code(a.code): a for a in rows})
        return found

    def build(self, values: dict) -> Agency:
        return Agency(**values)


class CivilServantImport(TableImport):
    """Civil servants keyed by `employee_id`; `agency` is the agency's code, or blank for none.

    New people get no usable password: an administrator invites them (password reset).
    """

    kind = "civil servants"
    # Matched without regard to case (`e001` is E001); the stored ID keeps its case.
    headers = (
        "employee_id", "username", "first_name", "last_name", "email", "agency",
        "position_title", "position_level",
    )
    key_field = "employee_id"
    compared = (
        "username", "first_name", "last_name", "email", "agency_id", "position_title",
        "position_level",
    )
    _username = UnicodeUsernameValidator()

    def prepare(self, rows) -> None:
        self.agencies = _agencies_by_code()

    def clean_row(self, row: dict) -> dict:
        problems = {}
        values = {name: row[name].strip() for name in self.headers}
        if not values["employee_id"]:
            problems["employee_id"] = gettext("The employee ID is missing.")
        if not values["username"]:
            problems["username"] = gettext("The username is missing.")
        else:
            try:
                self._username(values["username"])
            except ValidationError:
                problems["username"] = gettext(
                    "“%(username)s” is not a valid username: letters, digits "
                    "and @ . + - _ only."
                ) % {"username": values["username"]}
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                problems["email"] = gettext("“%(email)s” is not an email address.") % {
                    "email": values["email"]}
        # A blank agency is no agency (User.agency may be empty, and the export writes it
        # blank), so what /data/export/ gives imports back unchanged.
        code = values.pop("agency")
        found = self.agencies.get(normalise_agency_code(code), []) if code else []
        if code and not found:
            problems["agency"] = gettext("No agency has the code “%(code)s”.") % {"code": code}
        elif len(found) > 1:
            problems["agency"] = _ambiguous(normalise_agency_code(code), found)
        values["agency_id"] = found[0][0] if found else None
        for name in ("employee_id", "username", "first_name", "last_name", "email",
                     "position_title", "position_level"):
            if name not in problems:
                check_length(problems, User, name, values[name])
        if problems:
            raise RowProblems(problems)
        return values

    def existing(self, keys: list) -> dict:
        """{employee ID as in the file: the person}, matched without regard to case."""
        by_lower = {}
        lowered = sorted({key.lower() for key in keys})
        for chunk in _chunks(lowered):
            people = (User.objects.annotate(_key=Lower("employee_id")).filter(_key__in=chunk)
                      .order_by())
            by_lower.update({u.employee_id.lower(): u for u in people})
        found = {key: by_lower[key.lower()] for key in keys if key.lower() in by_lower}
        # Whose agency was what, to announce those an import moves (`write`).
        self.agency_was = {u.pk: u.agency_id for u in by_lower.values()}
        return found

    def check_file(self, cleaned, existing) -> list[RowError]:
        """One identity per person, in the file and in the database, without regard to case:
        an employee ID appears once; a username belongs to one person."""
        errors, seen_ids, seen_names, taken = [], {}, {}, []
        owners = {}  # {lower-case username: the pk of the person who has it}
        for chunk in _chunks(sorted({v["username"].lower() for _, v in cleaned})):
            owners.update(User.objects.annotate(_name=Lower("username"))
                          .filter(_name__in=chunk).order_by().values_list("_name", "pk"))
        for number, values in cleaned:
            employee_id, name = values["employee_id"], values["username"]
            first = seen_ids.setdefault(employee_id.lower(), (number, employee_id))
            if first[0] != number:
                errors.append(RowError(
                    number, "employee_id",
                    gettext("“%(key)s” appears again (first on row %(first)s, as “%(as)s”).")
                    % {"key": employee_id, "first": first[0], "as": first[1]},
                ))
                continue
            first = seen_names.setdefault(name.lower(), number)
            if first != number:
                errors.append(RowError(
                    number, "username",
                    gettext("“%(key)s” appears again (first on row %(first)s).") % {
                        "key": name, "first": first}
                ))
                continue
            owner, person = owners.get(name.lower()), existing.get(employee_id)
            if owner is not None and (person is None or owner != person.pk):
                taken.append((number, name, owner))
        named = {}
        for chunk in _chunks(sorted({owner for _, _, owner in taken})):
            named.update(User.objects.in_bulk(chunk))
        errors += [
            RowError(number, "username",
                     gettext("“%(name)s” already belongs to another person: %(person)s.") % {
                         "name": name, "person": person_label(named[owner])})
            for number, name, owner in taken
        ]
        return sorted(errors, key=lambda e: e.row)

    def write(self, new: list, changed: list, fields: set[str]) -> None:
        super().write(new, changed, fields)
        if "agency_id" in fields:
            announce_agency_changes(
                people=[u.pk for u in changed if u.agency_id != self.agency_was.get(u.pk)],
                actor=self.actor,
            )

    def build(self, values: dict) -> User:
        # What set_unusable_password() stores, with one random call instead of forty.
        return User(**values, is_active=True,
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30))
