"""The proposal's page links to the money: the summary PDF, the fund manager's fund and decline
forms, the award with its letter and tranche schedule, the outcome form for the lead and team,
and the outcome itself (a result that did not work as hoped is shown with respect)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fund.factories import FundFactory, RoundFactory
from fund.models import Award, Tranche
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import OutcomeReport
from reviews.models import Panel

pytestmark = pytest.mark.django_db

D = Decimal
FUND_LINK = 'id="fund-link"'
DECLINE_LINK = 'id="decline-link"'
OUTCOME_LINK = 'id="outcome-link"'
CLOSE_LINK = 'id="close-link"'
LEARNING_LINK = 'id="learning-link"'


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class People:
    """lead, team, manager (fund manager), hr (HR officer), chair (of the round's panel)."""


@pytest.fixture
def people():
    p = People()
    p.lead = UserFactory(username="lead")
    p.team = UserFactory(username="team")
    p.manager = UserFactory(username="manager", fund_manager=True)
    p.hr = UserFactory(username="hr", hr_officer=True)
    p.chair = UserFactory(username="chair")
    p.round = RoundFactory(max_award=D("1000000.00"))
    Panel.objects.create(round=p.round, name="Panel", chair=p.chair)
    return p


def proposal_in(people, state: str, **fields):
    proposal = ProposalFactory(round=people.round, lead=people.lead, **{state: True}, **fields)
    TeamMemberFactory(proposal=proposal, user=people.team)
    return proposal


def award_for(proposal, approved_by, *states, amount="600000.00"):
    """An award whose tranches share the amount equally, one per given state."""
    award = Award.objects.create(proposal=proposal, amount=D(amount), approved_by=approved_by,
                                 conditions="Report each milestone.")
    part = D(amount) / len(states)
    for i, state in enumerate(states, start=1):
        Tranche.objects.create(award=award, sequence=i, amount=part, state=state,
                               due_on=datetime.date(2027, 1, 1) + datetime.timedelta(days=90 * i),
                               milestone=f"Milestone {i}: running in gewog {i}")
    return award


def outcome_for(proposal, by, result):
    return OutcomeReport.objects.create(
        proposal=proposal, result=result, summary="What happened.", indicators="Measured.",
        amount_spent=D("500000.00"), citizen_feedback="Citizens spoke.", next_step="iterate",
        submitted_by=by,
    )


def page(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- the summary PDF ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["lead", "team", "manager", "hr"])
def test_every_viewer_gets_the_summary_pdf(client, people, role):
    proposal = proposal_in(people, "submitted")
    text = page(client, getattr(people, role), proposal)
    assert f'href="/api/v1/proposals/{proposal.pk}/summary.pdf"' in text


# --- funding decisions -----------------------------------------------------------------------
def test_the_fund_manager_may_fund_or_decline_a_recommended_proposal(client, people):
    proposal = proposal_in(people, "recommended")
    text = page(client, people.manager, proposal)
    assert f'href="{reverse("awards:fund", args=[proposal.pk])}"' in text
    assert f'href="{reverse("awards:decline", args=[proposal.pk])}"' in text


@pytest.mark.parametrize("role", ["lead", "team", "hr", "chair"])
def test_nobody_else_sees_fund_or_decline(client, people, role):
    proposal = proposal_in(people, "recommended")
    text = page(client, getattr(people, role), proposal)
    assert FUND_LINK not in text and DECLINE_LINK not in text
    assert "/awards/fund/" not in text and "/awards/decline/" not in text


def test_a_fund_manager_on_the_team_is_conflicted(client, people):
    proposal = proposal_in(people, "recommended")
    TeamMemberFactory(proposal=proposal, user=(insider := UserFactory(fund_manager=True)))
    text = page(client, insider, proposal)
    assert FUND_LINK not in text and DECLINE_LINK not in text


@pytest.mark.parametrize("state", ["in_review", "funded", "declined"])
def test_fund_and_decline_only_while_recommended(client, people, state):
    text = page(client, people.manager, proposal_in(people, state))
    assert FUND_LINK not in text and DECLINE_LINK not in text


# --- the award and its tranches --------------------------------------------------------------
def test_the_applicant_sees_the_award_and_the_tranche_schedule(client, people):
    proposal = proposal_in(people, "funded")
    award = award_for(proposal, people.manager, Tranche.State.REPORTED, Tranche.State.RELEASED,
                      Tranche.State.SCHEDULED)
    text = page(client, people.lead, proposal)
    currency = proposal.round.fund.currency
    assert f"{currency} 600,000.00" in text
    assert f"{currency} 400,000.00" in text  # released so far: the reported and released ones
    assert f'href="{reverse("awards:detail", args=[award.pk])}"' in text
    assert f'href="/api/v1/awards/{award.pk}/letter.pdf"' in text
    assert "Tranche schedule" in text
    for i in (1, 2, 3):
        assert f"Milestone {i}: running in gewog {i}" in text
    for state in ("reported", "released", "scheduled"):
        assert f'class="badge badge-{state}"' in text
    assert "Report each milestone." in text


def test_no_award_section_before_funding(client, people):
    text = page(client, people.lead, proposal_in(people, "recommended"))
    assert 'id="award"' not in text and "Tranche schedule" not in text


# --- the outcome -----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["lead", "team"])
def test_the_lead_and_team_report_the_outcome_of_a_funded_proposal(client, people, role):
    proposal = proposal_in(people, "funded")
    award_for(proposal, people.manager, Tranche.State.RELEASED)
    text = page(client, getattr(people, role), proposal)
    assert f'href="{reverse("awards:outcome", args=[proposal.pk])}" id="outcome-link"' in text


@pytest.mark.parametrize("role", ["manager", "hr", "chair"])
def test_others_are_not_offered_the_outcome_form(client, people, role):
    proposal = proposal_in(people, "funded")
    award_for(proposal, people.manager, Tranche.State.RELEASED)
    assert OUTCOME_LINK not in page(client, getattr(people, role), proposal)


def test_no_outcome_form_once_reported(client, people):
    proposal = proposal_in(people, "outcome_reported")
    award_for(proposal, people.manager, Tranche.State.REPORTED)
    outcome_for(proposal, people.team, OutcomeReport.Result.SUCCEEDED)
    assert OUTCOME_LINK not in page(client, people.team, proposal)


def test_did_not_succeed_is_shown_with_respect(client, people):
    proposal = proposal_in(people, "outcome_reported")
    award_for(proposal, people.manager, Tranche.State.REPORTED)
    outcome_for(proposal, people.team, OutcomeReport.Result.DID_NOT_SUCCEED)
    text = page(client, people.lead, proposal)
    assert "Did not work as hoped — learning shared" in text
    assert 'class="badge badge-did_not_succeed"' in text
    assert "fail" not in text.lower().replace("fail-safe", "")
    assert f'href="{reverse("awards:outcome", args=[proposal.pk])}"' in text


@pytest.mark.parametrize("role, invited", [("lead", True), ("team", True), ("manager", False),
                                           ("hr", False)])
def test_the_lead_and_team_are_invited_to_share_a_learning(client, people, role, invited):
    proposal = proposal_in(people, "outcome_reported")
    award_for(proposal, people.manager, Tranche.State.REPORTED)
    outcome_for(proposal, people.team, OutcomeReport.Result.DID_NOT_SUCCEED)
    text = page(client, getattr(people, role), proposal)
    link = f'href="{reverse("rewards:learning_create")}?proposal={proposal.pk}"'
    assert (link in text) is invited


@pytest.mark.parametrize("role, may_close", [("manager", True), ("lead", False), ("hr", False)])
def test_only_the_fund_manager_is_offered_to_close(client, people, role, may_close):
    proposal = proposal_in(people, "outcome_reported")
    award_for(proposal, people.manager, Tranche.State.REPORTED)
    outcome_for(proposal, people.lead, OutcomeReport.Result.SUCCEEDED)
    assert (CLOSE_LINK in page(client, getattr(people, role), proposal)) is may_close


# --- queries ---------------------------------------------------------------------------------
def test_the_page_queries_do_not_grow_with_tranches(client, people, django_assert_num_queries):
    few = proposal_in(people, "outcome_reported")
    award_for(few, people.manager, Tranche.State.REPORTED)
    outcome_for(few, people.lead, OutcomeReport.Result.PARTLY_SUCCEEDED)
    many = proposal_in(people, "outcome_reported")
    award_for(many, people.manager, *[Tranche.State.REPORTED] * 6)
    outcome_for(many, people.lead, OutcomeReport.Result.PARTLY_SUCCEEDED)
    client.force_login(people.lead)
    client.get(reverse("proposals:detail", args=[few.pk]))  # warm up sessions and caches
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("proposals:detail", args=[few.pk]))
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(reverse("proposals:detail", args=[many.pk]))
    assert len(baseline.captured_queries) <= 16  # the stepper reads the transition log once


# --- the fund's page and the outcome page ------------------------------------------------------
def test_the_fund_page_links_its_money(client, people):
    fund = FundFactory()
    client.force_login(people.lead)
    text = client.get(reverse("fund:detail", args=[fund.pk])).content.decode()
    assert f'href="{reverse("awards:fund_money", args=[fund.pk])}"' in text


@pytest.mark.parametrize("role, invited", [("lead", True), ("team", True), ("manager", False)])
def test_the_outcome_page_invites_the_team_to_share_a_learning(client, people, role, invited):
    proposal = proposal_in(people, "outcome_reported")
    award_for(proposal, people.manager, Tranche.State.REPORTED)
    outcome_for(proposal, people.team, OutcomeReport.Result.DID_NOT_SUCCEED)
    client.force_login(getattr(people, role))
    text = client.get(reverse("awards:outcome", args=[proposal.pk])).content.decode()
    link = f'href="{reverse("rewards:learning_create")}?proposal={proposal.pk}"'
    assert text.count(link) == (1 if invited else 0)


def test_the_team_is_offered_the_milestone_report_of_a_released_tranche(client, people):
    """A released tranche waits for its milestone report: the proposal page says so to the
    lead and team (it links to the form on the award page), and to nobody else."""
    proposal = proposal_in(people, "funded")
    award = award_for(proposal, people.manager, "reported", "released", "scheduled")
    released = award.tranches.get(sequence=2)
    for viewer in (people.lead, people.team):
        client.force_login(viewer)
        page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
        assert 'id="milestone-link-2"' in page and f"#tranche-{released.pk}-actions" in page
        assert 'id="milestone-link-1"' not in page and 'id="milestone-link-3"' not in page
    for viewer in (people.manager, people.hr):
        client.force_login(viewer)
        page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
        assert "milestone-link" not in page
