import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower, Upper
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FUND_MANAGERS = "fund_managers"
HR_OFFICERS = "hr_officers"

# --- one identity per agency and person (DOMAIN.md, "Integrity rules") ---------------------
# An agency code is stored upper-case and trimmed, of A-Z 0-9 - _ only, and unique without
# regard to case; usernames and employee IDs are unique without regard to case. Every way in
# (forms, API, admin, imports, services) normalises the same way and names the identity that
# already exists; the database constraints below are the last guard.
_AGENCY_CODE = re.compile(r"[A-Z0-9_-]+")


def normalise_agency_code(value) -> str:
    """The stored form of an agency code: trimmed and upper-case (`" moh "` is `MOH`)."""
    return str(value or "").strip().upper()


def agency_code_problem(value) -> str | None:
    """Why `value` cannot be an agency code once normalised, or None when it can."""
    code = normalise_agency_code(value)
    if not code:
        return gettext("An agency needs a short code, e.g. MOH.")
    if not _AGENCY_CODE.fullmatch(code) or not code.isascii():
        return gettext(
            "“%(code)s” is not a valid agency code: use only the letters A–Z, "
            "the digits 0–9, - and _ (e.g. MOH)."
        ) % {"code": str(value).strip()}
    return None


def validate_agency_code(value) -> None:
    problem = agency_code_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid")


def agencies_with_code(code, *, exclude_pk=None):
    """The agencies whose code is `code` without regard to case (at most one, unless the
    database predates the rule: see people/checks.py and `manage.py merge_agencies`)."""
    found = Agency.objects.annotate(_code=Upper("code")).filter(
        _code=Upper(Value(normalise_agency_code(code))))
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("pk")


def agency_code_taken_message(existing: "Agency") -> str:
    return f"An agency with code {existing.code} already exists: {existing.name}."


def person_label(person: "User") -> str:
    """A person as an error message names them: full name, username and employee ID."""
    details = ", ".join(
        [person.username] + ([f"employee ID {person.employee_id}"] if person.employee_id else [])
    )
    name = person.get_full_name()
    return f"{name} ({details})" if name else details


def username_taken_message(existing: "User") -> str:
    return f"A person with username {existing.username} already exists: {person_label(existing)}."


def employee_id_taken_message(existing: "User") -> str:
    return (f"A person with employee ID {existing.employee_id} already exists: "
            f"{person_label(existing)}.")


class Agency(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AGENCY = "agency", _("Agency")
        DZONGKHAG = "dzongkhag", _("Dzongkhag")
        THROMDE = "thromde", _("Thromde")
        PRIVATE = "private", _("Private sector")
        CSO = "cso", _("Civil society organisation")
        OTHER = "other", _("Other")

    code = models.CharField(
        max_length=20, validators=[validate_agency_code],
        help_text=_("Short code, e.g. MOH: the letters A–Z, digits, - and _; stored upper-case."),
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                Upper("code"), name="people_agency_code_unique_any_case",
                violation_error_message="An agency with this code already exists.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.code = normalise_agency_code(self.code)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        self.code = normalise_agency_code(self.code)
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        if self.code and not agency_code_problem(self.code):
            existing = agencies_with_code(self.code, exclude_pk=self.pk).first()
            if existing is not None:
                raise ValidationError({"code": agency_code_taken_message(existing)},
                                      code="unique")


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    employee_id = models.CharField(max_length=50, unique=True, null=True, blank=True)
    position_title = models.CharField(max_length=200, blank=True)
    position_level = models.CharField(max_length=50, blank=True)
    # Raised by "Sign out everywhere": part of the session hash, so every session signed in
    # before it no longer verifies (get_session_auth_hash) and Django ends it.
    # db_default: rows written by code that predates the field (older migrations) get 0 too.
    sessions_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # The interface's language this person chose (settings.LANGUAGES; people/language.py);
    # empty: never chosen, the language cookie or the browser's decides.
    language = models.CharField(
        _("language"), max_length=10, blank=True, default="", db_default="",
        choices=[("en-gb", "English"), ("dz", "རྫོང་ཁ")],
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        indexes = [
            # The HR list of civil servants (rewards.selectors.people_with_record_summary), in
            # name order a page at a time, read from here instead of sorting everyone (issue 16).
            models.Index(fields=["last_name", "first_name", "username"], name="user_name_order"),
            # The position levels the HR list offers as a filter: a few values, each found
            # here (rewards.selectors.position_levels) instead of reading every person.
            models.Index(fields=["position_level"], name="user_position_level"),
            # The people of an agency and nothing else, read from the index alone: the
            # proposals an agency's people lead, asked on every filtered Reviewing figure
            # (analytics.facts.agency_digests, issue 17).
            models.Index(fields=["agency", "id"], name="user_agency_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("username"), name="people_user_username_unique_any_case",
                violation_error_message="A person with this username already exists.",
            ),
            models.UniqueConstraint(
                Lower("employee_id"), name="people_user_employee_id_unique_any_case",
                violation_error_message="A person with this employee ID already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # An empty employee_id means "not known": stored as NULL so uniqueness holds.
        if not self.employee_id:
            self.employee_id = None
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.employee_id:
            self.employee_id = None
        errors = {}
        if self.username:
            existing = users_with_username(self.username, exclude_pk=self.pk).first()
            if existing is not None:
                errors["username"] = ValidationError(username_taken_message(existing),
                                                     code="unique")
        if self.employee_id:
            existing = users_with_employee_id(self.employee_id, exclude_pk=self.pk).first()
            if existing is not None:
                errors["employee_id"] = ValidationError(employee_id_taken_message(existing),
                                                        code="unique")
        if errors:
            raise ValidationError(errors)

    # --- sessions: a password change or "Sign out everywhere" ends the other sessions ------
    def _session_hash(self, secret=None) -> str:
        if not self.sessions_version:  # sessions signed in before the version existed stay
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "people.User.get_session_auth_hash", f"{self.password}:{self.sessions_version}",
            secret=secret, algorithm="sha256",
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _in_group(self, name: str) -> bool:
        cache = self.__dict__.setdefault("_group_names", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self.__dict__["_group_names"] = cache
        return name in cache

    @property
    def is_fund_manager(self) -> bool:
        return self.is_active and self._in_group(FUND_MANAGERS)

    @property
    def is_hr_officer(self) -> bool:
        return self.is_active and self._in_group(HR_OFFICERS)


def users_with_username(username, *, exclude_pk=None):
    """The people whose username is `username` without regard to case."""
    found = User.objects.annotate(_username=Lower("username")).filter(
        _username=Lower(Value(str(username))))
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("pk")


def users_with_employee_id(employee_id, *, exclude_pk=None):
    """The people whose employee ID is `employee_id` without regard to case."""
    found = User.objects.annotate(_employee_id=Lower("employee_id")).filter(
        _employee_id=Lower(Value(str(employee_id))))
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("pk")


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`). A person may hold several, one per script or
    device; each is refused once older than `API_TOKEN_MAX_AGE` or unused for `API_TOKEN_IDLE`
    (`people.tokens`). Only a SHA-256 digest of the key is stored: the key itself is shown
    once, when the token is made, and cannot be read back."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, so its owner can tell their tokens apart (not enough to use).
    starts_with = models.CharField(max_length=8, editable=False)
    created = models.DateTimeField(db_index=True)
    # Written at most once a minute; empty until the token is used a minute after it was made.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.starts_with}… of {self.user}"
