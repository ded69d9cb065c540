"""Bounded input (issue 13, example 6): titles 200 characters, long texts 20,000, imports
50,000 rows, in every channel; texts stored before the rule are kept."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from people.factories import UserFactory
from people.imports import AgencyImport
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from proposals.services import proposal_update
from proposals.services.drafting import proposal_screen_out
from reviews import services as reviews
from reviews.factories import AssignmentFactory
from workflow.bounds import IMPORT_ROWS_MAX, LONG_TEXT_MAX, TITLE_MAX

pytestmark = pytest.mark.django_db

DZONGKHA = "བཀྲ་ཤིས་བདེ་ལེགས།"


def test_a_long_text_over_the_limit_is_refused_by_the_service_and_the_api():
    draft = ProposalFactory(ready=True)
    with pytest.raises(ValidationError) as error:
        proposal_update(actor=draft.lead, proposal=draft, summary="x" * (LONG_TEXT_MAX + 1))
    assert "summary" in error.value.message_dict
    api = APIClient()
    api.force_authenticate(draft.lead)
    response = api.patch(f"/api/v1/proposals/{draft.pk}/",
                         {"problem": "y" * (LONG_TEXT_MAX + 1)}, format="json")
    assert response.status_code == 400 and "problem" in response.json()
    proposal_update(actor=draft.lead, proposal=draft, summary="x" * LONG_TEXT_MAX)
    assert len(Proposal.objects.get(pk=draft.pk).summary) == LONG_TEXT_MAX


def test_titles_count_characters_not_bytes():
    draft = ProposalFactory(ready=True)
    title = (DZONGKHA * 20)[:TITLE_MAX]
    assert len(title.encode()) > TITLE_MAX  # far more bytes than characters
    proposal_update(actor=draft.lead, proposal=draft, title=title)
    assert Proposal.objects.get(pk=draft.pk).title == title
    with pytest.raises(ValidationError):
        proposal_update(actor=draft.lead, proposal=draft, title=title + "x")


def test_a_review_comment_over_the_limit_is_refused():
    assignment = AssignmentFactory()
    criteria = list(assignment.proposal.round.criteria.all())
    with pytest.raises(ValidationError) as error:
        reviews.review_save(assignment=assignment, actor=assignment.reviewer,
                            scores=[{"criterion": c.pk, "value": 3} for c in criteria],
                            recommendation="fund",
                            comment_to_panel="z" * (LONG_TEXT_MAX + 1))
    assert "comment_to_panel" in error.value.message_dict


def test_a_transition_note_over_the_limit_is_refused():
    proposal = ProposalFactory(submitted=True)
    manager = UserFactory(fund_manager=True)
    with pytest.raises(ValidationError) as error:
        proposal_screen_out(proposal=proposal, actor=manager, reason="r" * (LONG_TEXT_MAX + 1))
    assert "20,000 characters" in str(error.value)
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"


def test_a_text_stored_before_the_rule_is_kept():
    proposal = ProposalFactory(submitted=True)
    Proposal.objects.filter(pk=proposal.pk).update(summary="s" * (LONG_TEXT_MAX + 10))
    proposal = Proposal.objects.get(pk=proposal.pk)
    proposal_screen_out(proposal=proposal, actor=UserFactory(fund_manager=True),
                        reason="Out of scope.")
    assert len(Proposal.objects.get(pk=proposal.pk).summary) == LONG_TEXT_MAX + 10


def test_an_import_over_the_row_limit_is_refused_before_it_is_read_whole():
    lines = ["code,name,kind"] + [f"A{i},Agency {i},agency"
                                  for i in range(IMPORT_ROWS_MAX + 1)]
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(ValidationError) as error:
        AgencyImport(system=True).run(data, "agencies.csv", dry_run=True)
    assert "more than 50,000 rows" in str(error.value)


def test_a_null_character_is_refused_in_every_channel_not_a_500():
    draft = ProposalFactory(ready=True)
    with pytest.raises(ValidationError) as error:
        proposal_update(actor=draft.lead, proposal=draft, title="Queue\x00lights")
    assert "null character" in str(error.value)
    api = APIClient()
    api.force_authenticate(draft.lead)
    response = api.patch(f"/api/v1/proposals/{draft.pk}/", {"summary": "a\x00b"},
                         format="json")
    assert response.status_code == 400
