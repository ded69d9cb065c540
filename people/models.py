from django.contrib.auth.models import AbstractUser
from django.db import models

FUND_MANAGERS = "fund_managers"
HR_OFFICERS = "hr_officers"


class Agency(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", "Ministry"
        AGENCY = "agency", "Agency"
        DZONGKHAG = "dzongkhag", "Dzongkhag"
        THROMDE = "thromde", "Thromde"
        PRIVATE = "private", "Private sector"
        CSO = "cso", "Civil society organisation"
        OTHER = "other", "Other"

    code = models.CharField(max_length=20, unique=True, help_text="Short code, e.g. MOH.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    employee_id = models.CharField(max_length=50, unique=True, null=True, blank=True)
    position_title = models.CharField(max_length=200, blank=True)
    position_level = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # An empty employee_id means "not known": stored as NULL so uniqueness holds.
        if not self.employee_id:
            self.employee_id = None
        super().save(*args, **kwargs)

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
