"""A long piece of work run off the request: a report to render, a large file to import.

A job moves queued → running → ready (or failed), only by the product itself (see
`jobs.services`); each move is a transition, logged like every other.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflow.services import rule

from .storage import job_storage


def nobody(instance, user) -> bool:
    """Jobs are moved by the product (`run_transition(..., system=True)`), never by a person."""
    return False


@rule()
def has_outcome(job):
    if not job.result and not job.report:
        return "A ready job has a result file or a report."
    return None


def result_path(instance, filename: str) -> str:
    return f"results/job-{instance.pk}/{filename}"


class Job(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        ROUND_PORTFOLIO = "round_portfolio", _("Round portfolio report (PDF)")
        IMPORT = "import", _("Import of a file")
        EXPORT = "export", _("Export of data (CSV, XLSX or 360Giving)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    FINISHED_STATES = (State.READY, State.FAILED)

    kind = models.CharField(max_length=30, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    title = models.CharField(max_length=300, help_text=_("What the job makes, in the fund's words."))
    params = models.JSONField(default=dict, blank=True)
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followups",
        help_text=_("For a confirmed import: the dry run it applies."),
    )
    state = FSMField(default=State.QUEUED, choices=State.choices, protected=True)
    result = models.FileField(storage=job_storage, upload_to=result_path, blank=True,
                              max_length=300)
    result_name = models.CharField(max_length=200, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    report = models.JSONField(default=dict, blank=True,
                              help_text=_("What the job found, e.g. an import's counts and row errors."))
    viewer_fingerprint = models.CharField(
        max_length=64, blank=True,
        help_text=_("What the owner could see when the job read the data (jobs.viewer); the "
                    "file is given only while it is unchanged."),
    )
    error = models.TextField(blank=True, help_text=_("Shown to the owner when the job failed."))
    error_detail = models.TextField(blank=True, help_text=_("For administrators: the exception."))
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_recent"),
            models.Index(fields=["state", "created_at"], name="job_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES

    @transition(field=state, source=State.QUEUED, target=State.RUNNING, permission=nobody)
    def start(self):
        pass

    @transition(field=state, source=State.RUNNING, target=State.READY,
                conditions=[has_outcome], permission=nobody)
    def finish(self):
        pass

    @transition(field=state, source=[State.QUEUED, State.RUNNING], target=State.FAILED,
                permission=nobody)
    def fail(self):
        pass
