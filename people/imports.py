"""Agencies and civil servants from the HR system, once only (DOMAIN.md: Import and export)."""

import secrets

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from workflow.datafiles import RowError, RowProblems, TableImport, check_length

from .models import Agency, User

_CHUNK = 5000


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class AgencyImport(TableImport):
    """Agencies keyed by `code`: `code,name,kind`."""

    kind = "agencies"
    headers = ("code", "name", "kind")
    key_field = "code"
    compared = ("name", "kind")

    _kinds = {k.lower(): k for k in Agency.Kind.values} | {
        label.lower(): value for value, label in Agency.Kind.choices
    }

    def clean_row(self, row: dict) -> dict:
        problems = {}
        code, name = row["code"].strip(), row["name"].strip()
        kind_text = row["kind"].strip().lower()
        if not code:
            problems["code"] = "The agency code is missing."
        if not name:
            problems["name"] = "The agency name is missing."
        kind = self._kinds.get(kind_text) if kind_text else Agency.Kind.AGENCY
        if kind is None:
            problems["kind"] = (
                f"“{row['kind']}” is not a kind of agency; use one of "
                f"{', '.join(Agency.Kind.values)}."
            )
        check_length(problems, Agency, "code", code, "The code")
        check_length(problems, Agency, "name", name, "The name")
        if problems:
            raise RowProblems(problems)
        return {"code": code, "name": name, "kind": kind}

    def existing(self, keys: list) -> dict:
        found = {}
        for chunk in _chunks(keys):
            found.update({a.code: a for a in Agency.objects.filter(code__in=chunk)})
        return found

    def build(self, values: dict) -> Agency:
        return Agency(**values)


class CivilServantImport(TableImport):
    """Civil servants keyed by `employee_id`; `agency` is the agency's code, or blank for none.

    New people get no usable password: an administrator invites them (password reset).
    """

    kind = "civil servants"
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
        self.agencies = dict(Agency.objects.values_list("code", "id"))

    def clean_row(self, row: dict) -> dict:
        problems = {}
        values = {name: row[name].strip() for name in self.headers}
        if not values["employee_id"]:
            problems["employee_id"] = "The employee ID is missing."
        if not values["username"]:
            problems["username"] = "The username is missing."
        else:
            try:
                self._username(values["username"])
            except ValidationError:
                problems["username"] = (
                    f"“{values['username']}” is not a valid username: letters, digits "
                    "and @ . + - _ only."
                )
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                problems["email"] = f"“{values['email']}” is not an email address."
        # A blank agency is no agency (User.agency may be empty, and the export writes it
        # blank), so what /data/export/ gives imports back unchanged.
        code = values.pop("agency")
        if code and code not in self.agencies:
            problems["agency"] = f"No agency has the code “{code}”."
        values["agency_id"] = self.agencies.get(code) if code else None
        for name in ("employee_id", "username", "first_name", "last_name", "email",
                     "position_title", "position_level"):
            if name not in problems:
                check_length(problems, User, name, values[name])
        if problems:
            raise RowProblems(problems)
        return values

    def existing(self, keys: list) -> dict:
        found = {}
        for chunk in _chunks(keys):
            found.update({u.employee_id: u for u in User.objects.filter(employee_id__in=chunk)})
        return found

    def check_file(self, cleaned, existing) -> list[RowError]:
        """A username belongs to one person: in the file and in the database."""
        errors, seen = [], {}
        usernames = [v["username"] for _, v in cleaned]
        owners = {}
        for chunk in _chunks(usernames):
            owners.update(
                User.objects.filter(username__in=chunk).values_list("username", "employee_id")
            )
        for number, values in cleaned:
            name = values["username"]
            if name in seen:
                errors.append(RowError(
                    number, "username", f"“{name}” appears again (first on row {seen[name]})."
                ))
                continue
            seen[name] = number
            owner = owners.get(name, values["employee_id"])
            if name in owners and owner != values["employee_id"]:
                errors.append(RowError(
                    number, "username", f"“{name}” already belongs to another person."
                ))
        return errors

    def build(self, values: dict) -> User:
        # What set_unusable_password() stores, with one random call instead of forty.
        return User(**values, is_active=True,
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30))
