"""Which transitions notify whom: the notice table, read through the task that applies it."""

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notify_event, notify_transition
from people.factories import UserFactory
from proposals.factories import TeamMemberFactory
from proposals.services import proposal_screen_out, proposal_submit

from .builders import award_for, logged, make_assignment

PROPOSAL_ROWS = [
    ("submit", {"lead", "member", "manager"}),
    ("screen_out", {"lead", "member"}),
    ("send_to_review", {"lead", "member", "chair"}),
    ("request_revision", {"lead", "member"}),
    ("recommend", {"lead", "member", "manager"}),
    ("reject", {"lead", "member"}),
    ("fund", {"lead", "member"}),
    ("decline", {"lead", "member"}),
    ("report_outcome", {"manager"}),
    ("close", {"lead", "member"}),
    ("withdraw", {"manager"}),  # a submitted proposal leaves the fund managers' work
]


def told(world, **filters) -> set[str]:
    names = {getattr(world, n).pk: n for n in vars(world) if hasattr(getattr(world, n), "username")}
    return {names.get(pk, f"user {pk}") for pk in
            Notification.objects.filter(**filters).values_list("recipient", flat=True)}


@pytest.mark.parametrize("transition, expected", PROPOSAL_ROWS)
def test_each_proposal_transition_tells_the_right_people(world, transition, expected):
    log = logged(world.proposal, transition, actor=world.manager)

    notify_transition(log_id=log.pk)

    assert told(world) == expected
    assert {n.kind for n in Notification.objects.all()} <= {f"proposals.proposal.{transition}"}
    assert len(mail.outbox) == len(expected)


def test_a_submission_gives_the_team_a_receipt_and_the_managers_a_proposal_to_screen(world):
    notify_transition(log_id=logged(world.proposal, "submit", actor=world.lead).pk)

    receipt = Notification.objects.get(recipient=world.lead)
    assert receipt.title == "Proposal received: Queue lights at Gidakom"
    assert receipt.url == f"/proposals/{world.proposal.pk}/"
    assert receipt.content_type.model == "proposal" and receipt.object_id == world.proposal.pk
    to_screen = Notification.objects.get(recipient=world.manager)
    assert to_screen.title == "New proposal to screen: Queue lights at Gidakom"
    assert {m.to[0] for m in mail.outbox} == {world.lead.email, world.member.email,
                                              world.manager.email}


def test_a_fund_manager_on_the_team_gets_the_receipt_but_not_the_screening_task(world):
    TeamMemberFactory(proposal=world.proposal, user=world.manager)

    notify_transition(log_id=logged(world.proposal, "submit", actor=world.lead).pk)

    (only,) = Notification.objects.filter(recipient=world.manager)
    assert only.title.startswith("Proposal received")


def test_a_chair_with_a_conflict_is_not_told_a_proposal_waits_for_the_panel(world):
    world.chair.agency = world.lead.agency
    world.chair.save()

    notify_transition(log_id=logged(world.proposal, "send_to_review", actor=world.manager).pk)

    assert "chair" not in told(world)


def test_a_round_opening_is_news_to_every_active_civil_servant(world):
    UserFactory(username="retired", is_active=False)
    notify_transition(log_id=logged(world.round, "open", actor=world.manager).pk)

    assert told(world, kind="fund.round.open") == {
        "lead", "member", "manager", "hr", "chair", "reviewer", "other_reviewer", "outsider"}
    assert not Notification.objects.filter(recipient__username="retired").exists()
    assert "takes proposals until" in Notification.objects.first().body


def test_a_round_closing_tells_managers_and_teams_whose_draft_missed_it(world):
    from proposals.factories import ProposalFactory

    late = ProposalFactory(round=world.round, lead=UserFactory(username="late"))
    notify_transition(log_id=logged(world.round, "close").pk)

    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "manager", "late"}
    assert late.state == "draft"


def test_a_released_tranche_tells_the_team_the_amount(world):
    award = award_for(world.proposal, by=world.manager, tranche_due_in_days=(30, 90))
    tranche = award.tranches.get(sequence=1)

    notify_transition(log_id=logged(tranche, "release", actor=world.manager).pk)

    assert told(world) == {"lead", "member"}
    notice = Notification.objects.get(recipient=world.lead)
    assert notice.title == "Tranche 1 released: Queue lights at Gidakom"
    assert "BTN 250,000.00" in notice.body


def test_a_reported_milestone_tells_the_fund_managers(world):
    tranche = award_for(world.proposal, by=world.manager).tranches.get()
    notify_transition(log_id=logged(tranche, "report_milestone", actor=world.member).pk)
    assert told(world) == {"manager"}


def test_an_assignment_tells_the_reviewer_they_are_assigned(world):
    assignment = make_assignment(world, world.reviewer, due_in_days=10)

    notify_event(label="reviews.assignment", pk=assignment.pk, event="created")

    (notice,) = Notification.objects.all()
    assert notice.recipient == world.reviewer
    assert notice.title == "Assigned for review: Queue lights at Gidakom"
    assert notice.kind == "reviews.assignment.created"


def test_a_submitted_review_tells_the_panel_chair(world):
    assignment = make_assignment(world, world.reviewer)
    notify_transition(log_id=logged(assignment, "submit_review", actor=world.reviewer).pk)
    assert told(world) == {"chair"}


@pytest.mark.parametrize("transition, expected", [
    ("endorse", {"hr", "outsider"}),
    ("grant", {"member", "outsider"}),
    ("not_grant", {"member", "outsider"}),
])
def test_nominations_tell_hr_the_nominee_and_the_nominator(world, transition, expected):
    from rewards.models import Nomination

    nomination = Nomination.objects.create(
        nominee=world.member, nominated_by=world.outsider, justification="Led three pilots.",
        decision_reason="Not this cycle.",
    )
    notify_transition(log_id=logged(nomination, transition, actor=world.hr).pk)
    assert told(world) == expected
    if transition == "not_grant":
        assert "Reason: Not this cycle." in Notification.objects.get(recipient=world.member).body


def test_a_new_nomination_asks_fund_managers_to_endorse_it(world):
    from rewards.models import Nomination

    nomination = Nomination.objects.create(
        nominee=world.member, nominated_by=world.outsider, justification="Led three pilots.",
    )
    notify_event(label="rewards.nomination", pk=nomination.pk, event="created")
    assert told(world) == {"manager"}


def test_a_model_that_does_not_exist_yet_can_have_a_row(world, monkeypatch):
    from notifications import notices

    monkeypatch.setitem(notices.EVENT_NOTICES, ("later.thing", "created"), [])
    assert notify_event(label="later.thing", pk=1, event="created") == 0


def test_the_real_services_notify_once_the_transaction_commits(
    world, django_capture_on_commit_callbacks
):
    from proposals.factories import ProposalFactory

    draft = ProposalFactory(ready=True, lead=world.lead, round=world.round)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        proposal_submit(proposal=draft, actor=world.lead)
    # One for the notifications (search finds the similar work in another, its own; with a
    # shared cache, notifications.unread renews the unread counts' version in a third).
    assert len([c for c in callbacks
                if getattr(c, "__module__", "").startswith("notifications")
                and getattr(c, "__module__", "") != "notifications.unread"]) == 1, callbacks
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "lead", "manager"}

    with django_capture_on_commit_callbacks(execute=True):
        proposal_screen_out(proposal=draft, actor=world.manager, reason="Outside the theme.")
    notice = Notification.objects.get(recipient=world.lead, kind="proposals.proposal.screen_out")
    assert notice.body.endswith("Reason: Outside the theme.")
    assert mail.outbox[-1].subject == "Proposal not eligible: " + draft.title
    assert "Reason: Outside the theme." in mail.outbox[-1].body


def test_a_transition_nobody_hears_about_enqueues_nothing(world, django_capture_on_commit_callbacks):
    from fund.factories import RoundFactory
    from fund.services import round_archive, round_close

    finished = RoundFactory(fund=world.round.fund)  # archived only once nothing is on its way
    round_close(round_=finished, actor=world.manager)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        round_archive(round_=finished, actor=world.manager)
    assert callbacks == []
    assert not Notification.objects.exists()


def test_a_withdrawn_draft_tells_nobody(world):
    from proposals.factories import ProposalFactory

    draft = ProposalFactory(lead=world.lead, ready=True)
    assert draft.submitted_at is None
    log = logged(draft, "withdraw", actor=world.lead)
    notify_transition(log_id=log.pk)
    assert not Notification.objects.filter(kind="proposals.proposal.withdraw").exists()
