"""Read side of notifications: a person's inbox, and what is due for a reminder."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from .models import Notification

REVIEW_DUE_WITHIN_DAYS = 3


def _about_conflicted_reviews(user) -> Q:
    """Notifications about the review of a proposal the user now has a conflict with (and is
    not an applicant on): sent before the conflict arose, they are no longer shown (DOMAIN.md:
    a conflicted viewer gets no notifications about it). The reviewer's own assignment
    notices stay."""
    from django.contrib.contenttypes.models import ContentType

    from proposals.conflicts import conflict_q
    from proposals.models import Proposal, TeamMember
    from reviews.models import Assignment

    applicant = Q(lead=user) | Q(pk__in=TeamMember.objects.accepted().filter(user=user)
                                 .values("proposal"))
    conflicted = Proposal.objects.filter(conflict_q(user)).exclude(applicant).values("pk")
    others = Assignment.objects.filter(proposal__in=conflicted).exclude(reviewer=user)
    proposal_type = ContentType.objects.get_for_model(Proposal)
    assignment_type = ContentType.objects.get_for_model(Assignment)
    return (Q(content_type=proposal_type, object_id__in=conflicted)
            | Q(content_type=assignment_type, object_id__in=others.values("pk")))


def notifications_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody else's, ever; none about the
    review of a proposal they now have a conflict with."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user).exclude(_about_conflicted_reviews(user))
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    """How many of `notifications_for(user)` are unread; from the cache while nothing it
    depends on changed (notifications/unread.py)."""
    from .unread import cached_count

    if not (user and user.is_authenticated):
        return 0
    return cached_count(user, lambda: notifications_for(user=user, unread=True).count())


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
