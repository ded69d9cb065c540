"""Celery queues by kind of work (settings.CELERY_TASK_ROUTES; docs/scaling.md, "Queues").

- `mail`: notifications and their emails (many, small, waiting on the mail server);
- `documents`: PDFs (a round portfolio: long, memory-hungry);
- `files`: imports and exports (long, reading many rows);
- `default`: everything else (closing rounds, sweeps, picking up left-behind jobs).

One worker with no `-Q` consumes all four (CELERY_TASK_QUEUES names them all); at scale each
queue gets workers of its own, so a 500-page PDF never delays a password-reset email:

    celery -A config worker -Q default,mail -c 4
    celery -A config worker -Q documents -c 1 --max-tasks-per-child 10
    celery -A config worker -Q files -c 2

A job (`jobs.run_job`) goes where its kind says (JOB_KIND_QUEUES; a kind not listed goes to
`files`). The kind is read when the task is sent, only with a broker: tasks run in-process
without one, and then no queue is chosen at all.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

QUEUES = ("default", "mail", "documents", "files")

TASK_QUEUES = {
    "notifications.notify_transition": "mail",
    "notifications.notify_event": "mail",
    "notifications.send_reminders": "mail",
    "notifications.resend_notifications": "mail",
}
JOB_KIND_QUEUES = {
    "round_portfolio": "documents",
    "import": "files",
    "export": "files",
}
JOB_DEFAULT_QUEUE = "files"


def job_queue(job_id) -> str:
    """The queue of a job's kind; `files` when the kind is unknown or cannot be read."""
    try:
        from jobs.models import Job

        kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    except Exception:  # the database is unreachable: the job still goes somewhere that runs it
        logger.warning("Could not read the kind of job %s; sending it to %s", job_id,
                       JOB_DEFAULT_QUEUE, exc_info=True)
        return JOB_DEFAULT_QUEUE
    return JOB_KIND_QUEUES.get(kind or "", JOB_DEFAULT_QUEUE)


def route_task(name, args, kwargs, options, task=None, **kw):
    """A Celery router: {"queue": ...} for every task of the product, None for others."""
    if name == "jobs.run_job":
        job_id = (kwargs or {}).get("job_id", args[0] if args else None)
        return {"queue": job_queue(job_id)}
    if name in TASK_QUEUES:
        return {"queue": TASK_QUEUES[name]}
    return None  # CELERY_TASK_DEFAULT_QUEUE: `default`
