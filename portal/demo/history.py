"""The demo's story, dated: its transitions ran when `seed_demo` ran, so every step of its
history said "today", while its awards, rounds and tranches carry the past the story tells
(an award approved in July). The analytics then read −170 days from recommendation to award,
and a new user saw reviews of a pilot funded in July fall due in December (found by a new
user's walkthrough). `date_the_story` spreads each proposal's history, in the order it
happened, over the time the story gives it, and moves the dates that go with it (submission,
reviews submitted and due, team invitations).

For a funded proposal the award's approval is the anchor: what came before it spreads over
the 60 days before, ending two weeks before it (the panel's recommendation), what came after over the days from a week after it to yesterday (a
tranche's release on its due date when that falls in between). Any other proposal's history
spreads from five days after its round opened to the earlier of yesterday and 40 days after
it closed. Run again, it dates the same story again, relative to today.

The transition log is append-only (workflow/models.py refuses `update`): only this builder,
dating the story it has just written and before anyone reads it, moves `at`, through
Django's plain QuerySet (`_set_at`). Nothing else in the product may.
"""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from fund.models import Award, Tranche
from proposals.models import Proposal, TeamMember
from reviews.models import Assignment, Review
from workflow.models import TransitionLog

BEFORE_AWARD = timedelta(days=60)
AFTER_AWARD = timedelta(days=7)
AFTER_OPENING = timedelta(days=5)
AFTER_CLOSING = timedelta(days=40)
TO_AWARD = timedelta(days=14)  # from the panel's recommendation to the award
REVIEW_TIME = timedelta(days=21)  # an assignment falls due this long after it was made
DRAFTING = timedelta(days=3)  # a proposal was drafted this long before its first step


def _spread(logs: list, start: datetime, end: datetime) -> None:
    """Give `logs` (in the order they happened) times evenly from `start` to `end`."""
    if not logs:
        return
    end = max(end, start)
    step = (end - start) / max(1, len(logs) - 1) if len(logs) > 1 else timedelta(0)
    for i, log in enumerate(logs):
        log.at = start + step * i


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _logs_of(proposal: Proposal, types: dict) -> list:
    """The proposal's own history and what happened to its team, reviews, award and tranches,
    in the order it happened (log ids)."""
    members = TeamMember.objects.filter(proposal=proposal).values_list("pk", flat=True)
    assignments = Assignment.objects.filter(proposal=proposal).values_list("pk", flat=True)
    award = Award.objects.filter(proposal=proposal).first()
    tranches = Tranche.objects.filter(award=award).values_list("pk", flat=True) if award else []
    wanted = [(types["proposal"], [proposal.pk]), (types["teammember"], list(members)),
              (types["assignment"], list(assignments)), (types["tranche"], list(tranches)),
              (types["award"], [award.pk] if award else [])]
    logs = []
    for content_type, ids in wanted:
        if ids:
            logs += list(TransitionLog.objects.filter(content_type=content_type,
                                                      object_id__in=ids))
    return sorted(logs, key=lambda log: log.pk), award


def date_the_story(proposals) -> int:
    """Date the history of `proposals` (see the module); the number of log rows dated."""
    now = timezone.now()
    yesterday = now - timedelta(days=1)
    types = {m: ContentType.objects.get(app_label=a, model=m) for a, m in (
        ("proposals", "proposal"), ("proposals", "teammember"), ("reviews", "assignment"),
        ("fund", "tranche"), ("fund", "award"))}
    dated = []
    for proposal in Proposal.objects.filter(pk__in=[p.pk for p in proposals]).select_related(
            "round"):
        logs, award = _logs_of(proposal, types)
        if not logs:
            continue
        funded = next((i for i, log in enumerate(logs) if log.content_type_id ==
                       types["proposal"].pk and log.transition == "fund"), None)
        if award is not None and funded is not None:
            anchor = award.approved_at
            _spread(logs[:funded], anchor - BEFORE_AWARD, anchor - TO_AWARD)
            logs[funded].at = anchor
            after = logs[funded + 1:]
            _spread(after, min(anchor + AFTER_AWARD, yesterday), yesterday)
            due = dict(Tranche.objects.filter(award=award).values_list("pk", "due_on"))
            for log in after:  # a release on its due date, where that keeps the order
                if log.content_type_id == types["tranche"].pk and log.transition == "release":
                    on_due = _day_start(due[int(log.object_id)])
                    if anchor < on_due < log.at:
                        log.at = on_due
            _keep_order(after)
        else:
            start = proposal.round.opens_at + AFTER_OPENING
            _spread(logs, min(start, yesterday), min(yesterday, proposal.round.closes_at
                                                     + AFTER_CLOSING))
        dated += logs
        _dates_that_go_with_it(proposal, logs, types)
    for log in dated:
        _set_at(log.pk, log.at)
    return len(dated)


def _set_at(pk: int, at: datetime) -> None:
    """Move one log row of the demo's story (see the module: the log is otherwise
    append-only)."""
    QuerySet(model=TransitionLog).filter(pk=pk).update(at=at)


def _keep_order(logs: list) -> None:
    """No log earlier than the one before it (a release moved to its due date stays in line)."""
    for before, log in zip(logs, logs[1:], strict=False):
        if log.at < before.at:
            log.at = before.at


def _dates_that_go_with_it(proposal: Proposal, logs: list, types: dict) -> None:
    """The proposal's drafting (before its first step) and submission, its reviews' submission
    and due dates, its team's invitation and acceptance: the dates of the logs that record
    them."""
    proposal_type, assignment_type, member_type = (types["proposal"], types["assignment"],
                                                   types["teammember"])
    submits = [log.at for log in logs if log.content_type_id == proposal_type.pk
               and log.transition == "submit"]
    if logs:  # drafted before anything happened to it (its stepper's "Drafted" date)
        first = min(log.at for log in logs) - DRAFTING
        Proposal.objects.filter(pk=proposal.pk, created_at__gt=first).update(created_at=first)
    if submits:
        Proposal.objects.filter(pk=proposal.pk).update(submitted_at=submits[-1])
    sent = [log.at for log in logs if log.content_type_id == proposal_type.pk
            and log.transition == "send_to_review"]
    for log in logs:
        if log.content_type_id == assignment_type.pk and log.transition == "submit_review":
            Review.objects.filter(assignment_id=log.object_id).update(submitted_at=log.at)
        elif log.content_type_id == member_type.pk and log.transition == "invite":
            TeamMember.objects.filter(pk=log.object_id).update(invited_at=log.at)
        elif log.content_type_id == member_type.pk and log.transition == "accept":
            TeamMember.objects.filter(pk=log.object_id).update(accepted_at=log.at)
    if sent:
        due = timezone.localtime(sent[0] + REVIEW_TIME).date()
        Assignment.objects.filter(proposal=proposal, due_on__gt=due).filter(
            state=Assignment.State.SUBMITTED).update(due_on=due)


def date_the_rounds(rounds) -> None:
    """A round's opening and closing, in its history, when the round says they happened."""
    round_type = ContentType.objects.get(app_label="fund", model="round")
    for round_ in rounds:
        for log in TransitionLog.objects.filter(content_type=round_type, object_id=round_.pk):
            when = {"open": round_.opens_at, "close": round_.closes_at}.get(log.transition)
            if when is not None and when <= timezone.now():
                _set_at(log.pk, when)
