"""Read side of jobs: a job is its owner's alone; what it made is re-checked at every read."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .kinds import KINDS
from .models import Job
from .viewer import viewer_fingerprint


def jobs_visible_to(user) -> QuerySet[Job]:
    """The jobs `user` may see: their own (the same rule as `can_view_job`)."""
    if not (user and user.is_authenticated):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def can_view_job(user, job: Job) -> bool:
    return bool(user and user.is_authenticated and user.is_active and job.owner_id == user.pk)


def sight_changed(user, job: Job) -> bool:
    """Whether what `user` may see changed since `job` read the data for them (jobs.viewer):
    a conflict of interest, a review to write, a role, a team. Then its file is not given."""
    if not KINDS[job.kind].as_seen_by_owner or job.state != Job.State.READY:
        return False
    # A file made before fingerprints were kept: nobody knows what its owner could see then.
    return not job.viewer_fingerprint or viewer_fingerprint(user) != job.viewer_fingerprint


def can_read_result(user, job: Job) -> bool:
    """The owner, while they may still see what the job is about (e.g. the round's portfolio)
    and what they may see is what it was when the job read the data."""
    return (can_view_job(user, job) and KINDS[job.kind].may_read(user, job)
            and not sight_changed(user, job))


def waiting_jobs(owner, kind: str) -> QuerySet[Job]:
    """`owner`'s jobs of `kind` still waiting or running that a repeated request may be sent
    to instead of starting the same work again (a double click, a reload, a client asking
    again): those started at most settings.JOBS_REUSE_SECONDS ago (120 by default), newest
    first. An older one may have died with its process (a server restart while it ran in a
    thread) and would be waited on until `run_pending_jobs` fails it: the request starts anew.
    """
    since = timezone.now() - timedelta(seconds=int(getattr(settings, "JOBS_REUSE_SECONDS", 120)))
    return (Job.objects.filter(owner=owner, kind=kind, created_at__gte=since,
                               state__in=(Job.State.QUEUED, Job.State.RUNNING))
            .order_by("-created_at", "-pk"))
