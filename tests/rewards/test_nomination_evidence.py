"""A nomination's evidence: only the nominee's own work that the nominator may see, on every
path (service, API, page); and the nomination page names only what its viewer may see."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from rewards import services
from rewards.factories import LearningFactory, NominationFactory, RecognitionFactory
from rewards.models import Nomination

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Confidential queue experiment at Gelephu"


@pytest.fixture
def people():
    return {
        "deki": UserFactory(username="deki", first_name="Deki", last_name="Zam"),
        "sangay": UserFactory(username="sangay", first_name="Sangay", last_name="Yeshi"),
        "pema": UserFactory(username="pema", first_name="Pema", last_name="Choden"),
        "fm": UserFactory(fund_manager=True),
        "hr": UserFactory(hr_officer=True),
    }


def _nominate(actor, nominee, **evidence):
    return services.nomination_create(actor=actor, nominee=nominee,
                                      justification="Led a cross-agency pilot.", **evidence)


def _refused(field, actor, nominee, **evidence) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        _nominate(actor, nominee, **evidence)
    assert not Nomination.objects.exists()
    return refused.value.message_dict[field]


# --- the service ---------------------------------------------------------------------------------
def test_a_proposal_neither_the_nominees_nor_visible_is_refused_by_id(people):
    theirs = ProposalFactory(in_review=True, lead=people["pema"], title=SECRET_TITLE)
    [message] = _refused("proposals", people["deki"], people["sangay"], proposals=[theirs])
    assert f"Proposal {theirs.pk}" in message and SECRET_TITLE not in message


def test_the_nominees_own_proposal_that_the_nominator_may_not_see_is_refused(people):
    joined = ProposalFactory(in_review=True, lead=people["pema"], title=SECRET_TITLE)
    TeamMemberFactory(proposal=joined, user=people["sangay"])
    [message] = _refused("proposals", people["deki"], people["sangay"], proposals=[joined])
    assert f"Proposal {joined.pk}" in message


def test_a_proposal_the_nominator_sees_but_the_nominee_is_not_on_is_refused(people):
    deki_own = ProposalFactory(closed=True, lead=people["deki"])
    _refused("proposals", people["deki"], people["sangay"], proposals=[deki_own])


def test_a_draft_is_not_evidence_even_for_its_team(people):
    draft = ProposalFactory(lead=people["sangay"])
    TeamMemberFactory(proposal=draft, user=people["deki"])
    _refused("proposals", people["deki"], people["sangay"], proposals=[draft])


def test_every_refused_item_is_named(people):
    a = ProposalFactory(in_review=True, lead=people["pema"])
    b = ProposalFactory(in_review=True, lead=people["pema"])
    messages = _refused("proposals", people["deki"], people["sangay"], proposals=[a, b])
    assert len(messages) == 2
    assert f"Proposal {a.pk}" in messages[0] and f"Proposal {b.pk}" in messages[1]


def test_proposals_led_or_joined_that_the_nominator_sees_are_accepted(people):
    led = ProposalFactory(closed=True, lead=people["sangay"])
    TeamMemberFactory(proposal=led, user=people["deki"])
    joined = ProposalFactory(in_review=True, lead=people["deki"])
    TeamMemberFactory(proposal=joined, user=people["sangay"])
    nomination = _nominate(people["deki"], people["sangay"], proposals=[led, joined])
    assert set(nomination.proposals.all()) == {led, joined}


def test_a_fund_manager_names_any_submitted_proposal_of_the_nominee(people):
    led = ProposalFactory(in_review=True, lead=people["sangay"])
    nomination = _nominate(people["fm"], people["sangay"], proposals=[led])
    assert list(nomination.proposals.all()) == [led]


def test_learnings_only_the_nominees(people):
    theirs = LearningFactory(created_by=people["sangay"])
    coauthored = LearningFactory(created_by=people["pema"],
                                 authors=[people["pema"], people["sangay"]])
    someone_elses = LearningFactory(created_by=people["pema"])
    [message] = _refused("learnings", people["deki"], people["sangay"],
                         learnings=[theirs, someone_elses])
    assert f"Learning {someone_elses.pk}" in message
    nomination = _nominate(people["deki"], people["sangay"], learnings=[theirs, coauthored])
    assert set(nomination.learnings.all()) == {theirs, coauthored}


def test_recognitions_only_the_nominees_and_only_if_the_nominator_may_see_them(people):
    theirs = RecognitionFactory(recipient=people["sangay"], awarded_by=people["fm"])
    someone_elses = RecognitionFactory(recipient=people["pema"])
    # A civil servant does not see a colleague's recognitions (only the recipient, FMs, HR).
    [message] = _refused("recognitions", people["deki"], people["sangay"], recognitions=[theirs])
    assert f"Recognition {theirs.pk}" in message
    _refused("recognitions", UserFactory(fund_manager=True), people["sangay"],
             recognitions=[someone_elses])
    nomination = _nominate(UserFactory(fund_manager=True), people["sangay"],
                           recognitions=[theirs])
    assert list(nomination.recognitions.all()) == [theirs]


# --- the API -------------------------------------------------------------------------------------
def test_api_refuses_the_audited_nomination_with_400_naming_each_item(people):
    """deki named pema's proposal in review and every recognition in the system: 201 before."""
    secret = ProposalFactory(in_review=True, lead=people["pema"], title=SECRET_TITLE)
    recognitions = [RecognitionFactory(recipient=people["pema"]),
                    RecognitionFactory(recipient=people["sangay"])]
    api = APIClient()
    api.force_authenticate(people["deki"])
    response = api.post("/api/v1/nominations/", {
        "nominee": people["sangay"].pk, "justification": "Great colleague.",
        "proposals": [secret.pk], "recognitions": [r.pk for r in recognitions],
    }, format="json")
    assert response.status_code == 400
    body = response.json()
    assert f"Proposal {secret.pk}" in body["proposals"][0]
    assert [f"Recognition {r.pk}" in m for r, m in zip(recognitions, body["recognitions"],
                                                      strict=True)] == [True, True]
    assert SECRET_TITLE not in response.content.decode()
    assert not Nomination.objects.exists()


def test_api_accepts_evidence_the_nominator_may_name(people):
    learning = LearningFactory(created_by=people["sangay"])
    api = APIClient()
    api.force_authenticate(people["deki"])
    response = api.post("/api/v1/nominations/", {
        "nominee": people["sangay"].pk, "justification": "Shared what failed.",
        "learnings": [learning.pk]}, format="json")
    assert response.status_code == 201 and response.json()["learnings"] == [learning.pk]


# --- the pages -----------------------------------------------------------------------------------
def test_page_refuses_evidence_it_did_not_offer(client, people):
    secret = ProposalFactory(in_review=True, lead=people["pema"], title=SECRET_TITLE)
    client.force_login(people["deki"])
    response = client.post("/nominations/new/", {
        "nominee": people["sangay"].pk, "justification": "Great colleague.",
        "proposals": [secret.pk]})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert SECRET_TITLE not in response.content.decode()
    assert not Nomination.objects.exists()


def test_page_offers_only_what_the_service_accepts(client, people):
    visible = ProposalFactory(closed=True, lead=people["sangay"], title="Shared pilot")
    TeamMemberFactory(proposal=visible, user=people["deki"])
    hidden = ProposalFactory(in_review=True, lead=people["sangay"], title=SECRET_TITLE)
    theirs = LearningFactory(created_by=people["sangay"], title="What the pilot taught")
    other = LearningFactory(created_by=people["pema"], title="Someone else's learning")
    client.force_login(people["deki"])
    body = client.get("/nominations/new/", {"nominee": people["sangay"].pk}).content.decode()
    assert "Shared pilot" in body and SECRET_TITLE not in body
    assert "What the pilot taught" in body and "Someone else&#x27;s learning" not in body
    response = client.post("/nominations/new/", {
        "nominee": people["sangay"].pk, "justification": "Great colleague.",
        "proposals": [visible.pk], "learnings": [theirs.pk]})
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert list(nomination.proposals.all()) == [visible]
    assert list(nomination.learnings.all()) == [theirs]
    assert hidden.pk and other.pk


@pytest.mark.parametrize(("viewer", "sees_title"), [
    ("deki", False), ("sangay", True), ("fm", True), ("hr", True),
])
def test_detail_page_names_only_evidence_its_viewer_may_see(client, people, viewer, sees_title):
    """Evidence saved before the rule (or by an admin) still never shows a hidden title."""
    proposal = ProposalFactory(in_review=True, lead=people["pema"], title=SECRET_TITLE)
    TeamMemberFactory(proposal=proposal, user=people["sangay"])
    nomination = NominationFactory(nominee=people["sangay"], nominated_by=people["deki"])
    nomination.proposals.set([proposal])
    client.force_login(people[viewer])
    response = client.get(f"/nominations/{nomination.pk}/")
    assert response.status_code == 200
    assert (SECRET_TITLE in response.content.decode()) is sees_title


def test_detail_page_hides_a_recognition_its_viewer_may_not_see(client, people):
    recognition = RecognitionFactory(recipient=people["sangay"], kind="collaboration")
    nomination = NominationFactory(nominee=people["sangay"], nominated_by=people["deki"])
    nomination.recognitions.set([recognition])
    client.force_login(people["deki"])
    assert "Collaboration" not in client.get(f"/nominations/{nomination.pk}/").content.decode()
    client.force_login(people["hr"])
    assert "Collaboration" in client.get(f"/nominations/{nomination.pk}/").content.decode()


def test_detail_page_hides_a_proposal_from_a_conflicted_chair_who_is_nominator(client, people):
    """A chair sees proposals in review in their round unless their agency is on it."""
    from reviews.models import Panel

    proposal = ProposalFactory(in_review=True, lead=people["sangay"], title=SECRET_TITLE)
    chair = UserFactory(agency=people["sangay"].agency)
    Panel.objects.create(round=proposal.round, name="Panel A", chair=chair)
    nomination = NominationFactory(nominee=people["sangay"], nominated_by=chair)
    nomination.proposals.set([proposal])
    client.force_login(chair)
    assert SECRET_TITLE not in client.get(f"/nominations/{nomination.pk}/").content.decode()
