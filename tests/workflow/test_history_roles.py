"""The history the applicant reads names roles, not the people of the panel (issue 12, item 8).

The chair who recommended is also a reviewer: naming them in the history told the applicant
who reviewed them. For the lead and team, and for anyone with a conflict of interest, every
step taken from outside the team names the role ("the panel chair", "a fund manager", "a
reviewer"); assignment transitions never show at all. Everyone else reads the names. One
function, `proposals.history.history_for`, presents the history everywhere.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from fund.models import Award
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.history import FUND_MANAGER, PANEL_CHAIR, history_for
from reviews.factories import AssignmentFactory, PanelFactory
from workflow.models import TransitionLog


def _log(subject, transition, actor, note="", from_state="x", to_state="y"):
    return TransitionLog.objects.create(subject=subject, transition=transition, actor=actor,
                                        note=note, from_state=from_state, to_state=to_state)


@pytest.fixture
def story(db):
    lead = UserFactory(first_name="Pema", last_name="Lead")
    member = UserFactory(first_name="Karma", last_name="Member")
    chair = UserFactory(first_name="Tashi", last_name="Chairperson")
    fm = UserFactory(first_name="Sonam", last_name="Manager", fund_manager=True)
    proposal = ProposalFactory(lead=lead, recommended=True, title="Queue lights")
    TeamMemberFactory(proposal=proposal, user=member)
    panel = PanelFactory(round=proposal.round, chair=chair)
    # The chair reviewed the proposal too, then recommended it.
    assignment = AssignmentFactory(proposal=proposal, panel=panel, reviewer=chair, submitted=True)
    _log(proposal, "submit", lead, from_state="draft", to_state="submitted")
    _log(proposal, "send_to_review", fm, from_state="submitted", to_state="in_review")
    _log(assignment, "submit_review", chair, from_state="assigned", to_state="submitted")
    _log(proposal, "recommend", chair, note="Strong public value.",
         from_state="in_review", to_state="recommended")
    return SimpleNamespace(lead=lead, member=member, chair=chair, fm=fm, proposal=proposal,
                           panel=panel, assignment=assignment)


def _labels(viewer, obj) -> dict[str, str]:
    return {e.transition: e.actor_label for e in history_for(viewer, obj)}


def _history_section(page: str) -> str:
    start = page.index('id="history-heading"')
    return page[start:page.index("</section>", start)]


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["lead", "member"])
def test_the_applicant_reads_roles_for_the_panels_and_the_fund_managers_steps(story, who):
    labels = _labels(getattr(story, who), story.proposal)
    assert labels == {
        "submit": str(story.lead),  # the team's own step keeps its name
        "send_to_review": FUND_MANAGER,
        "recommend": PANEL_CHAIR,
    }


def test_the_applicant_never_sees_an_assignments_history(story):
    assert history_for(story.lead, story.assignment) == []
    assert history_for(story.member, story.assignment) == []


def test_those_without_a_conflict_read_the_names(story):
    labels = _labels(story.fm, story.proposal)
    assert labels["recommend"] == str(story.chair)
    assert labels["send_to_review"] == str(story.fm)
    assert [e.transition for e in history_for(story.fm, story.assignment)] == ["submit_review"]


def test_a_conflicted_viewer_reads_roles_too(story):
    colleague = UserFactory(fund_manager=True, agency=story.lead.agency)
    labels = _labels(colleague, story.proposal)
    assert labels["recommend"] == PANEL_CHAIR and labels["send_to_review"] == FUND_MANAGER
    assert history_for(colleague, story.assignment) == []


def test_nobody_signed_in_reads_no_names(story):
    assert _labels(None, story.proposal)["recommend"] == PANEL_CHAIR


@pytest.mark.parametrize("url", ["/proposals/{}/", "/reviews/proposals/{}/"])
def test_the_proposal_pages_history_names_no_one_from_the_panel_to_the_applicant(story, url):
    section = _history_section(_page(story.lead, url.format(story.proposal.pk)))
    assert "by the panel chair" in section and "by a fund manager" in section
    assert "Strong public value." in section  # the rationale is written for the applicant
    for person in (story.chair, story.fm):
        assert person.first_name not in section and person.last_name not in section
    assert str(story.lead) in section


def test_the_proposal_pages_history_names_the_chair_to_a_fund_manager(story):
    section = _history_section(_page(story.fm, f"/proposals/{story.proposal.pk}/"))
    assert str(story.chair) in section and str(story.fm) in section


def test_the_award_pages_history_names_the_role_to_the_applicant(story):
    award = Award.objects.create(proposal=story.proposal, amount=Decimal("1000.00"),
                                 approved_by=story.fm, approved_at=timezone.now())
    _log(award, "cancel", story.fm, note="Budget withdrawn.", from_state="active",
         to_state="cancelled")
    section = _history_section(_page(story.lead, f"/awards/{award.pk}/"))
    assert "by a fund manager" in section and "Sonam" not in section
