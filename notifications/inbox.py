"""What the inbox shows: titles that say who or what, and tasks that are done.

A notification is stored with the title it was sent with (the email's subject). The page
says more, from the object as it is now, so old rows benefit too: "Nomination of Karma Dorji
to endorse" rather than "Nomination to endorse", "Review of “Mobile clinics” due 12 Dec 2026".
Names are shown only where the recipient's own page shows them (a fund manager sees the
nominee of a nomination to endorse); a reviewer's name is never shown (blind review).

Some notifications ask the recipient to do something ("to endorse", "to screen", "assigned
for review"). `TASKS` says, for each kind, whom it asks and when it is done: once the action
was taken, or is no longer possible. A done task is marked done and read (`settle`, run after
every transition of its object, in its transaction, and for a person's older rows when they
open the page), so it
leaves the unread count; the page shows it as "Done".

Everything here is bounded: `decorate` loads the objects of a page of notifications with one
query per kind of object, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow.display import day

from .models import Notification


# --- who is asked, and when it is done -----------------------------------------------------------
def _applicant_ids(proposal) -> set[int]:
    team = proposal.team.all()  # prefetched by `_load`
    return {proposal.lead_id, *(m.user_id for m in team if m.state == "accepted")}


def _proposal(subject):
    label = subject._meta.label_lower
    if label == "proposals.proposal":
        return subject
    if label == "fund.tranche":
        return subject.award.proposal
    return getattr(subject, "proposal", None)


def _not_applicant(subject, user_id: int) -> bool:
    return user_id not in _applicant_ids(_proposal(subject))


def _applicant(subject, user_id: int) -> bool:
    return user_id in _applicant_ids(_proposal(subject))


@dataclass(frozen=True)
class Task:
    """`asks(subject, user_id)`: whether this notification asks its recipient to act;
    `done(subject)`: whether that is done, or can no longer be done."""

    asks: Callable[[Any, int], bool]
    done: Callable[[Any], bool]


def _state_left(*states: str) -> Callable[[Any], bool]:
    return lambda subject: subject.state not in states


_REVIEW = Task(asks=lambda a, uid: a.reviewer_id == uid, done=_state_left("assigned"))
_INVITATION = Task(asks=lambda row, uid: row.user_id == uid, done=_state_left("invited"))

TASKS: dict[str, Task] = {
    "proposals.proposal.submit": Task(_not_applicant, _state_left("submitted")),
    "proposals.proposal.send_to_review": Task(_not_applicant, _state_left("in_review")),
    "proposals.proposal.recommend": Task(_not_applicant, _state_left("recommended")),
    "proposals.proposal.report_outcome": Task(_not_applicant, _state_left("outcome_reported")),
    "proposals.proposal.request_revision": Task(_applicant, _state_left("revision_requested")),
    "reminder.outcome_report_due": Task(_applicant, _state_left("funded")),
    "fund.tranche.release": Task(_applicant, _state_left("released")),
    "fund.tranche.report_milestone": Task(_not_applicant, _state_left("reported")),
    "reviews.assignment.created": _REVIEW,
    "reminder.review_due": _REVIEW,
    "reminder.review_overdue": _REVIEW,
    "proposals.teammember.invite": _INVITATION,
    "rewards.learningauthor.invite": _INVITATION,
    "rewards.nomination.created": Task(lambda n, uid: uid != n.nominated_by_id,
                                       _state_left("nominated")),
    "rewards.nomination.endorse": Task(lambda n, uid: uid != n.nominated_by_id,
                                       _state_left("endorsed")),
}


# --- titles from the object ----------------------------------------------------------------------
def _nominee(nomination) -> str:
    return str(nomination.nominee)


def _review_title(assignment, notification) -> str:
    title = assignment.proposal.title
    if assignment.state != "assigned":
        return gettext("Review of “%(title)s”") % {"title": title}
    if assignment.due_on and assignment.due_on < timezone.localdate():
        return gettext("Review of “%(title)s” overdue since %(day)s") % {
            "title": title, "day": day(assignment.due_on)}
    return gettext("Review of “%(title)s” due %(day)s") % {
        "title": title, "day": day(assignment.due_on)}


# Whole sentences per step, so that a translation never builds one from pieces.
_YOUR_NOMINATION = {
    "created": _("Your nomination of {nominee} was created"),
    "endorsed": _("Your nomination of {nominee} was endorsed"),
    "granted": _("Your nomination of {nominee} was granted"),
    "not granted": _("Your nomination of {nominee} was not granted"),
}
_NOMINATION = {
    "created": _("Nomination of {nominee} to endorse"),
    "endorsed": _("Nomination of {nominee} to decide"),
    "granted": _("Nomination of {nominee} granted"),
    "not granted": _("Nomination of {nominee} not granted"),
}


def _nomination_title(verb: str) -> Callable[[Any, Notification], str]:
    def title(nomination, notification) -> str:
        if notification.recipient_id == nomination.nominated_by_id:
            return str(_YOUR_NOMINATION[verb]).format(nominee=_nominee(nomination))
        if notification.recipient_id == nomination.nominee_id:
            return notification.title
        return str(_NOMINATION[verb]).format(nominee=_nominee(nomination))
    return title


TITLES: dict[str, Callable[[Any, Notification], str]] = {
    "reviews.assignment.created": _review_title,
    "reminder.review_due": _review_title,
    "reminder.review_overdue": _review_title,
    "rewards.nomination.created": _nomination_title("created"),
    "rewards.nomination.endorse": _nomination_title("endorsed"),
    "rewards.nomination.grant": _nomination_title("granted"),
    "rewards.nomination.not_grant": _nomination_title("not granted"),
}

# How each kind of object is loaded, so that its title and task read no further rows.
LOAD: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # select_related, prefetch
    "proposals.proposal": ((), ("team",)),
    "reviews.assignment": (("proposal",), ()),
    "proposals.teammember": (("proposal",), ()),
    "rewards.learningauthor": ((), ()),
    "rewards.nomination": (("nominee",), ()),
    "fund.tranche": (("award__proposal",), ("award__proposal__team",)),
}


def _load(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The objects named by (content type id, object id), one query per kind of object."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in pairs:
        if content_type_id and object_id:
            wanted[content_type_id].add(object_id)
    found: dict[tuple[int, int], Any] = {}
    for content_type_id, ids in wanted.items():
        content_type = ContentType.objects.get_for_id(content_type_id)
        label = f"{content_type.app_label}.{content_type.model}"
        if label not in LOAD:
            continue
        related, prefetch = LOAD[label]
        rows = content_type.model_class()._base_manager.filter(pk__in=ids)
        if related:
            rows = rows.select_related(*related)
        if prefetch:
            rows = rows.prefetch_related(*prefetch)
        found.update({(content_type_id, row.pk): row for row in rows})
    return found


def _task_done(notification: Notification, subject) -> bool:
    task = TASKS.get(notification.kind)
    return bool(task and subject is not None and task.asks(subject, notification.recipient_id)
                and task.done(subject))


# The proposal each kind of object belongs to, read from what `_load` already fetched.
_PROPOSAL_ID: dict[str, Callable[[Any], int | None]] = {
    "proposals.proposal": lambda subject: subject.pk,
    "proposals.teammember": lambda subject: subject.proposal_id,
    "reviews.assignment": lambda subject: subject.proposal_id,
    "fund.tranche": lambda subject: subject.award.proposal_id,
}


def _proposal_id(subject) -> int | None:
    read = _PROPOSAL_ID.get(subject._meta.label_lower) if subject is not None else None
    return read(subject) if read else None


def _closed_to(viewer, proposal_ids: set[int]) -> set[int]:
    """Which of these proposals `viewer` may no longer see (one query, whatever the number):
    an invitation that lapsed, a team member removed, a conflict declared."""
    if not proposal_ids:
        return set()
    from proposals.selectors import proposals_visible_to

    visible = set(proposals_visible_to(viewer).filter(pk__in=proposal_ids)
                  .values_list("pk", flat=True))
    return proposal_ids - visible


def decorate(notifications: Iterable[Notification], *, viewer=None) -> list[Notification]:
    """The page's notifications with `display_title` (from the object, else as sent),
    `is_done` (a task done now, or marked done before) and, given the `viewer`,
    `no_longer_open` (its proposal is one the viewer may no longer see: the page says so
    and gives no link that would answer "not found")."""
    rows = list(notifications)
    subjects = _load((n.content_type_id, n.object_id) for n in rows)
    proposal_of = {n.pk: _proposal_id(subjects.get((n.content_type_id, n.object_id)))
                   for n in rows}
    closed = (_closed_to(viewer, {pk for pk in proposal_of.values() if pk})
              if viewer is not None else set())
    for n in rows:
        subject = subjects.get((n.content_type_id, n.object_id))
        title = TITLES.get(n.kind)
        n.display_title = (title(subject, n) if title and subject is not None else n.title)[:200]
        n.is_done = n.done_at is not None or _task_done(n, subject)
        n.no_longer_open = proposal_of[n.pk] in closed
    return rows


# --- marking done tasks done -------------------------------------------------------------------------
SETTLE_AT_ONCE = 500  # a page view settles at most this many of a person's older rows


def _settle(candidates) -> int:
    rows = list(candidates.filter(kind__in=TASKS, done_at__isnull=True)
                .only("pk", "kind", "recipient_id", "content_type_id", "object_id")
                .order_by("-created_at", "-pk")[:SETTLE_AT_ONCE])
    subjects = _load((n.content_type_id, n.object_id) for n in rows)
    done = [n.pk for n in rows if _task_done(n, subjects.get((n.content_type_id, n.object_id)))]
    if not done:
        return 0
    now = timezone.now()
    Notification.objects.filter(pk__in=done, read_at__isnull=True).update(read_at=now)
    return Notification.objects.filter(pk__in=done).update(done_at=now)


def settle(*, content_type_id: int, object_id: int) -> int:
    """Mark done (and read) every notification about this object whose task is done."""
    return _settle(Notification.objects.filter(content_type_id=content_type_id,
                                               object_id=object_id))


def settle_for(*, user) -> int:
    """Mark done (and read) the user's unread tasks that are done (older rows included)."""
    return _settle(Notification.objects.filter(Q(recipient=user), read_at__isnull=True))


def on_transition_settle(log) -> None:
    """The `workflow.services.on_transition` listener, inside the transition's transaction
    (the object is saved in its new state): the tasks it finished leave everyone's unread
    count, or stay as they were if the change rolls back."""
    if log.content_type_id and log.object_id:
        settle(content_type_id=log.content_type_id, object_id=log.object_id)
