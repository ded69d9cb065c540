"""Handing notifications to the background once the change that causes them commits.

`on_transition_enqueue` (registered with `workflow.services.on_transition` in apps.py) and
`announce` (objects created without a transition) ask for `transaction.on_commit(...)`, so
nothing moves for a rolled-back change; the hook sends the task (tasks.py) to the broker,
and when the broker is down `enqueue` logs it and runs the service in-process, emails left
for `resend_notifications` (see services.py and docs/background-work.md).
"""

import logging

from django.db import transaction

from workflow.models import TransitionLog

from . import notices as table
from . import services, tasks
from .services import label_of

logger = logging.getLogger("notifications.services")


# --- enqueueing, safe against a broker that is down -------------------------------------------------
def enqueue(task, fallback, **kwargs) -> None:
    """Send `task` to the broker; if that fails, log it and create the rows here, unemailed.

    Never raises: this runs after the user's change committed, which must stand.
    """
    try:
        task.delay(**kwargs)
    except Exception:
        logger.exception("Could not enqueue %s(%s); notifying in-process, emails left for "
                         "resend_notifications", task.name, kwargs)
        try:
            fallback(email=False, **kwargs)
        except Exception:
            logger.exception("Notifying in-process failed too for %s(%s)", task.name, kwargs)


def on_transition_enqueue(log: TransitionLog) -> None:
    """The `workflow.services.on_transition` listener: enqueue after the commit, not before."""
    if not table.notices_for_transition(label_of(log.content_type), log.transition):
        return
    log_id = log.pk
    transaction.on_commit(
        lambda: enqueue(tasks.notify_transition, services.notify_transition, log_id=log_id), robust=True
    )


def announce(*, instance, event: str = "created") -> None:
    """Tell the notice table's audience for (model, event) once the transaction commits."""
    label = instance._meta.label_lower
    if not table.notices_for_event(label, event):
        return
    pk = instance.pk
    transaction.on_commit(
        lambda: enqueue(tasks.notify_event, services.notify_event, label=label, pk=pk, event=event),
        robust=True,
    )
