"""The review pages: scoring form, declaring a conflict, the plan, deciding, a new panel.
Refusals show the service's message on the page and keep what was typed."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from people.factories import UserFactory
from proposals.models import Proposal
from reviews import services
from reviews.models import Assignment, Panel, Review
from workflow.models import TransitionLog

from .conftest import full_scores


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form_data(criteria, value=4, **extra):
    data = {f"criterion_{c.pk}": value for c in criteria}
    data.update({"recommendation": "fund", "comment_to_applicant": "Measure it.",
                 "comment_to_panel": "Budget is high."})
    data.update(extra)
    return data


def test_assignment_page_shows_proposal_rubric_and_live_score(scene):
    a = scene.assignments[0]
    page = _client(a.reviewer).get(f"/reviews/assignments/{a.pk}/").content.decode()
    assert scene.proposal.hypothesis in page
    for criterion in scene.criteria:
        assert criterion.name in page and criterion.description in page
    assert 'id="weighted-score"' in page and "js/review.js" in page
    assert "Comment to the panel (confidential)" in page
    assert f'name="criterion_{scene.criteria[0].pk}" value="5"' in page


def test_save_then_submit_from_the_page(scene):
    a = scene.assignments[0]
    client = _client(a.reviewer)
    response = client.post(f"/reviews/assignments/{a.pk}/", _form_data(scene.criteria, 3,
                                                                       save="1"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == Assignment.State.ASSIGNED and a.review.weighted_score == 60
    response = client.post(f"/reviews/assignments/{a.pk}/", _form_data(scene.criteria, 5,
                                                                       submit="1"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == Assignment.State.SUBMITTED and a.review.weighted_score == 100
    page = client.get(f"/reviews/assignments/{a.pk}/").content.decode()
    assert "100.00" in page and "name=\"submit\"" not in page


def test_missing_score_keeps_what_was_typed(scene):
    a = scene.assignments[0]
    data = _form_data(scene.criteria, comment_to_applicant="Keep this text")
    del data[f"criterion_{scene.criteria[1].pk}"]
    response = _client(a.reviewer).post(f"/reviews/assignments/{a.pk}/", {**data,
                                                                          "submit": "1"})
    page = _text(response)
    assert response.status_code == 200
    assert "Score “Novelty” from 1 to 5." in page and "Keep this text" in page
    assert not Review.objects.exists()


def test_out_of_range_score_on_the_page_is_refused(scene):
    a = scene.assignments[0]
    data = _form_data(scene.criteria)
    data[f"criterion_{scene.criteria[0].pk}"] = 9
    response = _client(a.reviewer).post(f"/reviews/assignments/{a.pk}/", data)
    assert response.status_code == 200 and "Choose one of the options offered" in _text(response)
    assert not Review.objects.exists()


def test_service_refusal_shows_on_the_page(scene):
    a = scene.assignments[0]
    scene.proposal.partner_agencies.add(a.reviewer.agency)
    response = _client(a.reviewer).post(f"/reviews/assignments/{a.pk}/",
                                        _form_data(scene.criteria, submit="1"))
    assert response.status_code == 200
    assert "a partner agency of this proposal" in _text(response)


def test_declare_conflict_page(scene):
    a = scene.assignments[0]
    client = _client(a.reviewer)
    response = client.post(f"/reviews/assignments/{a.pk}/conflict/", {"reason": ""})
    assert "Say what the conflict of interest is." in _text(response)
    response = client.post(f"/reviews/assignments/{a.pk}/conflict/", {"reason": "My cousin"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.state == Assignment.State.CONFLICT and a.conflict_reason == "My cousin"
    # Sent again (another tab) or opened again: no form, no refusal, what it means.
    again = client.post(f"/reviews/assignments/{a.pk}/conflict/", {"reason": "Again"},
                        follow=True)
    assert "You already declared a conflict of interest" in again.content.decode()
    assert again.redirect_chain[-1][0] == "/reviews/"
    opened = client.get(f"/reviews/assignments/{a.pk}/conflict/")
    assert opened.status_code == 302
    a.refresh_from_db()
    assert a.conflict_reason == "My cousin"


def test_my_assignments_due_nearest_first(scene):
    from proposals.factories import ProposalFactory
    from reviews.factories import AssignmentFactory

    reviewer = scene.members[0]
    soon = AssignmentFactory(reviewer=reviewer, panel=scene.panel,
                             proposal=ProposalFactory(round=scene.round, in_review=True,
                                                      title="Due soon"),
                             due_on=timezone.localdate() + timedelta(days=1))
    page = _client(reviewer).get("/reviews/").content.decode()
    assert page.index(soon.proposal.title) < page.index(scene.proposal.title)


def test_chair_home_shows_decisions_waiting(scene):
    for a in scene.assignments:
        services.assignment_submit_review(
            assignment=a, actor=a.reviewer,
            review={"scores": full_scores(scene.criteria), "recommendation": "fund"})
    page = _client(scene.chair).get("/reviews/").content.decode()
    assert "Waiting for the panel" in page and scene.proposal.title in page


def test_plan_page_accept_and_manual_assign(scene):
    from proposals.factories import ProposalFactory

    newcomer = ProposalFactory(round=scene.round, in_review=True)
    client = _client(scene.chair)
    page = client.get(f"/reviews/panels/{scene.panel.pk}/plan/").content.decode()
    assert newcomer.title in page and 'name="pair"' in page
    plan = services.assignment_plan(panel=scene.panel, actor=scene.chair)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    pairs = [f"{p}-{r}" for p, r in plan.pairs]
    response = client.post(f"/reviews/panels/{scene.panel.pk}/plan/",
                           {"action": "accept", "pair": pairs[:2], "plan-due_on": due})
    assert response.status_code == 302
    assert Assignment.objects.filter(proposal=newcomer).count() == 2
    # a manual assignment of a conflicted person is refused with the reason
    scene.panel.members.add(scene.team_member)
    response = client.post(f"/reviews/panels/{scene.panel.pk}/plan/", {
        "action": "add", "add-proposal": scene.proposal.pk,
        "add-reviewer": scene.team_member.pk, "add-due_on": due})
    assert response.status_code == 200
    assert "on this proposal's team" in _text(response)


def test_decide_page(scene):
    client = _client(scene.chair)
    url = f"/reviews/proposals/{scene.proposal.pk}/"
    response = client.post(url, {"decision": "recommend", "rationale": "Strong"})
    assert response.status_code == 200
    assert "needs 3 submitted reviews" in _text(response)
    for a in scene.assignments:
        services.assignment_submit_review(
            assignment=a, actor=a.reviewer,
            review={"scores": full_scores(scene.criteria), "recommendation": "fund"})
    response = client.post(url, {"decision": "recommend", "rationale": ""})
    assert "Give the panel's rationale" in _text(response)
    response = client.post(url, {"decision": "recommend", "rationale": "Clear public value"})
    assert response.status_code == 302
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == Proposal.State.RECOMMENDED
    assert TransitionLog.objects.for_object(scene.proposal).get().note == "Clear public value"
    # a reviewer posting a decision is refused, not a 500
    response = _client(scene.members[0]).post(url, {"decision": "reject", "rationale": "x"})
    assert response.status_code in (200, 403)
    scene.proposal.refresh_from_db()
    assert scene.proposal.state == Proposal.State.RECOMMENDED


def test_new_panel_page(scene):
    client = _client(scene.fund_manager)
    url = f"/reviews/rounds/{scene.round.pk}/panels/new/"
    response = client.post(url, {"name": "Health panel", "chair": scene.chair.pk,
                                 "members": [scene.hr_officer.pk]})
    assert response.status_code == 200 and "HR officer" in _text(response)
    response = client.post(url, {"name": "Health panel", "chair": scene.chair.pk,
                                 "members": [m.pk for m in scene.members]})
    assert response.status_code == 302
    panel = Panel.objects.get(name="Health panel")
    assert set(panel.members.all()) == set(scene.members)


@pytest.mark.parametrize("role", ["chair", "fund_manager"])
def test_panel_page_lists_members_with_agencies(scene, role):
    page = _client(getattr(scene, role)).get(f"/reviews/panels/{scene.panel.pk}/").content
    page = page.decode()
    for member in scene.members:
        assert member.agency.code in page
    assert "from 4 agencies" in page


def test_hr_officer_cannot_sit_on_a_panel(scene):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.panel_create(actor=scene.fund_manager, round_=scene.round, name="P",
                              chair=UserFactory(hr_officer=True))
