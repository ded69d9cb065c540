"""An id the requesting user may not see gets the answer of an id that does not exist.

Issue 12, item 7: `POST /api/v1/assignments/` with someone else's draft answered with the
draft's title ("“…” is draft"), and ids are sequential, so any chair could list every title.
The kind, not the example: every body field and filter taking a related object's id, every
object in a URL, resolves the id only among what the user may see. Each test sends an
invisible id and an id that does not exist and expects the same status and the same body
(DRF's `does_not_exist` message names the id that was sent, so ids are normalised).
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from fund.factories import FundFactory, RoundFactory
from fund.models import Award
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import PanelFactory
from rewards.factories import RecognitionFactory

from .conftest import client_for

V1 = "/api/v1"
MISSING = 987_654
SECRET = "Secret draft about the census"


def _text(response) -> str:
    """The body with the id that was sent left out (answers may repeat it)."""
    text = response.content.decode()
    text = re.sub(r'pk \\?"\d+\\?"', 'pk "<id>"', text)
    return re.sub(r"\b(Proposal|Learning|Recognition) \d+\b", r"\1 <id>", text)


def assert_same_answer(hidden, missing, *secrets):
    """The same status and body for the hidden object as for no object at all."""
    assert hidden.status_code == missing.status_code, (hidden.content, missing.content)
    assert _text(hidden) == _text(missing)
    for secret in (SECRET, *secrets):
        assert secret not in hidden.content.decode()


@pytest.fixture
def ctx(db):
    round_ = RoundFactory(closed=True)
    panel = PanelFactory(round=round_)
    other_round = RoundFactory(closed=True)
    fm = UserFactory(fund_manager=True)
    stranger = UserFactory()
    draft = ProposalFactory(round=round_, title=SECRET)  # someone else's draft
    submitted = ProposalFactory(round=round_, submitted=True, title="Submitted, not yours")
    funded = ProposalFactory(round=round_, funded=True, title="Funded, not yours")
    award = Award.objects.create(proposal=funded, amount=Decimal("1000.00"), approved_by=fm,
                                 approved_at=timezone.now())
    return {
        "round": round_, "panel": panel, "chair": panel.chair,
        "member": panel.members.first(), "fm": fm, "stranger": stranger, "draft": draft,
        "submitted": submitted, "funded": funded, "award": award,
        "other_panel": PanelFactory(round=other_round),
        "draft_round": RoundFactory(draft=True, title="Unannounced round"),
        "inactive_fund": FundFactory(is_active=False, name="Dormant fund"),
        "retired": UserFactory(is_active=False, first_name="Retired", last_name="Person"),
    }


def _due() -> str:
    return (timezone.localdate() + timedelta(days=10)).isoformat()


# --- ids in a body ------------------------------------------------------------------------


def test_assigning_someone_elses_draft_is_answered_like_no_proposal(ctx):
    """The issue's example: the answer named the draft's title and state."""
    api = client_for(ctx["chair"])

    def post(proposal_id):
        return api.post(f"{V1}/assignments/", {
            "proposal": proposal_id, "reviewer": ctx["member"].pk, "panel": ctx["panel"].pk,
            "due_on": _due()}, format="json")

    hidden, missing = post(ctx["draft"].pk), post(MISSING)
    assert hidden.status_code == 400
    assert_same_answer(hidden, missing, "draft")


@pytest.mark.parametrize("field", ["panel", "reviewer"])
def test_assignment_panel_and_reviewer_ids_are_found_only_among_what_the_user_sees(ctx, field):
    api = client_for(ctx["chair"])
    hidden_id = {"panel": ctx["other_panel"].pk, "reviewer": ctx["retired"].pk}[field]

    def post(value):
        body = {"proposal": ctx["draft"].pk, "reviewer": ctx["member"].pk,
                "panel": ctx["panel"].pk, "due_on": _due(), field: value}
        return api.post(f"{V1}/assignments/", body, format="json")

    assert_same_answer(post(hidden_id), post(MISSING), ctx["other_panel"].name, "Retired")


def test_a_panels_chair_is_found_only_among_active_people(ctx):
    api = client_for(ctx["fm"])

    def post(chair):
        return api.post(f"{V1}/panels/", {"round": ctx["round"].pk, "name": "Second panel",
                                          "chair": chair}, format="json")

    assert_same_answer(post(ctx["retired"].pk), post(MISSING), "Retired")


def test_a_panel_in_a_draft_round_the_user_may_not_see(ctx):
    api = client_for(ctx["stranger"])

    def post(round_id):
        return api.post(f"{V1}/panels/", {"round": round_id, "name": "P",
                                          "chair": ctx["stranger"].pk}, format="json")

    assert_same_answer(post(ctx["draft_round"].pk), post(MISSING), "Unannounced")


def test_a_learning_on_a_proposal_the_writer_may_not_see(ctx):
    api = client_for(ctx["stranger"])

    def post(proposal_id):
        return api.post(f"{V1}/learnings/", {
            "title": "What we learned", "what_we_tried": "a", "what_happened": "b",
            "what_we_learned": "c", "kind": "mixed", "proposal": proposal_id}, format="json")

    hidden, missing = post(ctx["draft"].pk), post(MISSING)
    assert hidden.status_code == 400
    assert_same_answer(hidden, missing)


def test_a_recognition_naming_a_proposal_the_user_may_not_see(ctx):
    api = client_for(ctx["stranger"])

    def post(proposal_id):
        return api.post(f"{V1}/recognitions/", {
            "recipient": ctx["member"].pk, "kind": "innovation_award", "citation": "Well done.",
            "proposals": [proposal_id]}, format="json")

    assert_same_answer(post(ctx["submitted"].pk), post(MISSING), "Submitted, not yours")


@pytest.mark.parametrize("field", ["nominee", "proposals", "recognitions"])
def test_a_nomination_names_only_people_and_evidence_the_nominator_may_see(ctx, field):
    nominee = ctx["submitted"].lead
    hidden = {
        "nominee": ctx["retired"].pk,
        "proposals": [ctx["submitted"].pk],
        "recognitions": [RecognitionFactory(recipient=nominee).pk],
    }[field]
    api = client_for(ctx["stranger"])

    def post(value):
        body = {"nominee": nominee.pk, "justification": "Led three pilots."}
        body[field] = value
        return api.post(f"{V1}/nominations/", body, format="json")

    missing = MISSING if field == "nominee" else [MISSING]
    assert_same_answer(post(hidden), post(missing), "Retired", "Submitted, not yours")


def test_a_proposals_team_names_only_active_people(ctx):
    api = client_for(ctx["stranger"])

    def post(user_id):
        return api.post(f"{V1}/proposals/", {
            "round": ctx["round"].pk, "title": "Mine",
            "team": [{"user": user_id, "role": "Analyst"}]}, format="json")

    assert_same_answer(post(ctx["retired"].pk), post(MISSING), "Retired")


def test_a_proposal_in_a_draft_round(ctx):
    api = client_for(ctx["stranger"])

    def post(round_id):
        return api.post(f"{V1}/proposals/", {"round": round_id, "title": "Mine"}, format="json")

    assert_same_answer(post(ctx["draft_round"].pk), post(MISSING), "Unannounced")


# --- ids in filters --------------------------------------------------------------------------


@pytest.mark.parametrize("who, path, hidden", [
    ("chair", "assignments/?proposal={}", "draft"),
    ("chair", "assignments/?panel={}", "other_panel"),
    ("stranger", "proposals/?round={}", "draft_round"),
    ("stranger", "panels/?round={}", "draft_round"),
    ("stranger", "rounds/?fund={}", "inactive_fund"),
    ("stranger", "tranches/?award={}", "award"),
])
def test_filtering_by_an_id_the_user_may_not_see_is_filtering_by_no_id(ctx, who, path, hidden):
    """Before: 200 and an empty list for a hidden id, 400 for an unknown one."""
    api = client_for(ctx[who])
    hidden_response = api.get(f"{V1}/{path.format(ctx[hidden].pk)}")
    missing_response = api.get(f"{V1}/{path.format(MISSING)}")
    assert missing_response.status_code == 400
    assert_same_answer(hidden_response, missing_response)


# --- ids in the URL --------------------------------------------------------------------------


@pytest.mark.parametrize("path, hidden", [
    ("funds/{}/contributions/", "inactive_fund"),
    ("rounds/{}/ranking/", "draft_round"),
    ("rounds/{}/portfolio.pdf", "draft_round"),
    ("proposals/{}/summary.pdf", "draft"),
    ("proposals/{}/", "draft"),
    ("proposals/{}/reviews/", "draft"),
    ("awards/{}/letter.pdf", "award"),
    ("awards/{}/", "award"),
    ("rounds/{}/criteria/", "draft_round"),
])
def test_an_object_the_user_may_not_see_is_a_404_like_no_object(ctx, path, hidden):
    api = client_for(ctx["stranger"])
    hidden_response = api.get(f"{V1}/{path.format(ctx[hidden].pk)}")
    missing_response = api.get(f"{V1}/{path.format(MISSING)}")
    assert missing_response.status_code == 404
    assert_same_answer(hidden_response, missing_response, "Unannounced", "Dormant")


def test_a_transition_on_a_proposal_the_user_may_not_see(ctx):
    api = client_for(ctx["chair"])
    hidden = api.post(f"{V1}/proposals/{ctx['draft'].pk}/transitions/submit/", {}, format="json")
    missing = api.post(f"{V1}/proposals/{MISSING}/transitions/submit/", {}, format="json")
    assert missing.status_code == 404
    assert_same_answer(hidden, missing)


# --- the same on the pages -------------------------------------------------------------------


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_manual_assignment_form_never_takes_an_unseen_proposal(ctx):
    page = _page(ctx["chair"])
    url = f"/reviews/panels/{ctx['panel'].pk}/plan/"

    def post(proposal_id):
        return page.post(url, {"action": "add", "add-proposal": proposal_id,
                               "add-reviewer": ctx["member"].pk, "add-due_on": _due()})

    hidden, missing = post(ctx["draft"].pk), post(MISSING)
    assert hidden.status_code == missing.status_code
    assert SECRET not in hidden.content.decode()
    assert SECRET not in page.get(url).content.decode()  # nor is it offered
    assert "Choose one of the options offered" in hidden.content.decode()


def test_an_agency_conflicted_chair_is_not_offered_the_proposal_to_assign(ctx):
    """In review in the chair's round, but the chair's agency partners it."""
    conflicted = ProposalFactory(round=ctx["round"], in_review=True, title="Partnered by chair",
                                 partners=[ctx["chair"].agency])
    page = _page(ctx["chair"])
    url = f"/reviews/panels/{ctx['panel'].pk}/plan/"
    assert "Partnered by chair" not in page.get(url).content.decode()
    response = page.post(url, {"action": "add", "add-proposal": conflicted.pk,
                               "add-reviewer": ctx["member"].pk, "add-due_on": _due()})
    assert "Partnered by chair" not in response.content.decode()


def test_an_accepted_plan_naming_an_unseen_proposal_is_refused_like_an_unknown_one(ctx):
    page = _page(ctx["chair"])
    url = f"/reviews/panels/{ctx['panel'].pk}/plan/"

    def post(proposal_id):
        return page.post(url, {"plan-due_on": _due(),
                               "pair": [f"{proposal_id}-{ctx['member'].pk}"]})

    hidden, missing = post(ctx["draft"].pk), post(MISSING)
    assert hidden.status_code == missing.status_code == 200
    for response in (hidden, missing):
        assert "A proposal or reviewer in the plan no longer exists." in response.content.decode()
    assert SECRET not in hidden.content.decode()


@pytest.mark.parametrize("path", ["/proposals/?round={}"])
def test_a_list_filtered_by_a_draft_round_says_what_it_says_of_an_unknown_round(ctx, path):
    page = _page(ctx["stranger"])
    hidden = page.get(path.format(ctx["draft_round"].pk))
    missing = page.get(path.format(MISSING))
    assert hidden.status_code == missing.status_code == 200
    assert "Unannounced" not in hidden.content.decode()
    assert "Choose one of the options offered" in hidden.content.decode()
    assert "Choose one of the options offered" in missing.content.decode()


@pytest.mark.parametrize("path", ["/reviews/rounds/{}/ranking/", "/reviews/rounds/{}/panels/new/"])
def test_pages_of_a_draft_round_are_a_404_for_those_who_may_not_see_it(ctx, path):
    page = _page(ctx["stranger"])
    assert page.get(path.format(ctx["draft_round"].pk)).status_code == 404
    assert page.get(path.format(MISSING)).status_code == 404
