"""Read side of notifications: a person's inbox, and what is due for a reminder."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from .models import Notification

REVIEW_DUE_WITHIN_DAYS = 3


def notifications_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody else's, ever."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def assignments_due_for_reminder(*, today: date) -> QuerySet:
    """Reviews not yet submitted (nor declined by a conflict) that are due within
    `REVIEW_DUE_WITHIN_DAYS` days or overdue."""
    from reviews.models import Assignment

    return (
        Assignment.objects.filter(
            state=Assignment.State.ASSIGNED,
            due_on__lte=today + timedelta(days=REVIEW_DUE_WITHIN_DAYS),
        )
        .select_related("reviewer", "proposal", "proposal__round")
        .order_by("due_on", "pk")
    )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def outcome_report_due_on(proposal) -> date:
    """A funded experiment reports its outcome at the award's end: the later of its last
    tranche's due date and the approval date plus the proposal's duration."""
    approved = timezone.localtime(proposal.award.approved_at).date()
    end = _add_months(approved, proposal.duration_months or 0)
    last_tranche = getattr(proposal, "last_tranche_due", None)
    return max(end, last_tranche) if last_tranche else end


def outcome_reports_due(*, today: date) -> list:
    """Funded proposals without an outcome report whose award has ended."""
    from proposals.models import Proposal

    funded = (
        Proposal.objects.filter(
            state=Proposal.State.FUNDED, award__isnull=False, outcome_report__isnull=True
        )
        .select_related("award", "round")
        .annotate(
            last_tranche_due=Max(
                "award__tranches__due_on", filter=~Q(award__tranches__state="cancelled")
            )
        )
        .order_by("pk")
    )
    return [p for p in funded if outcome_report_due_on(p) <= today]
