"""The applicant's journey on the proposal's page (issue 15): what the reviewers said is one
link away once there is something to read, and a revision request is at the top of the page,
with what was asked and what to do, not only in the history at the bottom."""

import pytest
from django.urls import reverse

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from proposals.services import proposal_request_revision
from proposals.views import FEEDBACK_STATES
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Review
from reviews.permissions import DECIDED_STATES

pytestmark = pytest.mark.django_db

LINK = 'id="reviewers-said-link"'


def test_the_feedback_states_are_the_reviews_rule():
    assert set(FEEDBACK_STATES) == set(DECIDED_STATES)


def _page(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_is_led_to_what_the_reviewers_said(client):
    proposal = ProposalFactory(rejected=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    page = _page(client, proposal.lead, proposal)
    assert LINK in page
    assert reverse("reviews:proposal", args=[proposal.pk]) in page
    # The link leads to the comments themselves.
    reviews = client.get(reverse("reviews:proposal", args=[proposal.pk])).content.decode()
    assert "Clear hypothesis; measure waiting times directly." in reviews


def test_an_accepted_team_member_sees_the_link_too(client):
    proposal = ProposalFactory(recommended=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    member = TeamMemberFactory(proposal=proposal).user
    assert LINK in _page(client, member, proposal)


def test_no_link_when_the_reviewers_left_nothing_for_the_applicant(client):
    proposal = ProposalFactory(rejected=True)
    assignment = AssignmentFactory(proposal=proposal, submitted=True)
    Review.objects.filter(assignment=assignment).update(comment_to_applicant="")
    assert LINK not in _page(client, proposal.lead, proposal)


def test_no_link_before_the_panel_decides(client):
    proposal = ProposalFactory(in_review=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    assert LINK not in _page(client, proposal.lead, proposal)


def test_no_link_without_any_review(client):
    proposal = ProposalFactory(rejected=True)
    assert LINK not in _page(client, proposal.lead, proposal)


def test_the_link_is_for_the_applicants(client):
    proposal = ProposalFactory(rejected=True)
    AssignmentFactory(proposal=proposal, submitted=True)
    assert LINK not in _page(client, UserFactory(fund_manager=True), proposal)


def _revision_requested():
    proposal = ProposalFactory(in_review=True)
    chair = UserFactory()
    panel = PanelFactory(round=proposal.round, chair=chair)
    AssignmentFactory(proposal=proposal, panel=panel, submitted=True)
    proposal_request_revision(
        proposal=proposal, actor=chair, message="Please add a control group in Paro."
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REVISION_REQUESTED
    return proposal, chair


def test_a_revision_request_is_at_the_top_of_the_page(client):
    proposal, chair = _revision_requested()
    page = _page(client, proposal.lead, proposal)
    assert 'id="revision-request"' in page
    top = page.index('id="revision-request"')
    assert top < page.index('id="experiment-heading"')  # above the proposal, not in the history
    panel = page[top:page.index("</section>", top)]
    assert "Please add a control group in Paro." in panel
    assert "By when:" in panel
    assert reverse("proposals:edit", args=[proposal.pk]) in panel
    assert "submit it again" in panel
    assert str(chair) not in panel  # blind: the applicant reads "the panel chair"
    assert "the panel chair" in panel


def test_a_revision_request_is_not_shown_to_others_nor_after_it_is_answered(client):
    proposal, chair = _revision_requested()
    assert 'id="revision-request"' not in _page(client, UserFactory(fund_manager=True), proposal)
    Proposal.objects.filter(pk=proposal.pk).update(state=Proposal.State.SUBMITTED)
    assert 'id="revision-request"' not in _page(client, proposal.lead, proposal)


# --- the form's messages, in the fund's words -------------------------------------------------

DJANGO_DEFAULTS = (
    "This field is required.", "Ensure this value", "Enter a number.", "Enter a whole number.",
    "Select a valid choice", "is not a number", "duration months", "duration_months",
    "requested_amount",
)


@pytest.mark.parametrize("typed, expected", [
    ({"duration_months": "0"}, "The duration must be at least 1 month."),
    ({"duration_months": "two"}, "Write the duration as a whole number of months"),
    ({"duration_months": "61"}, "The duration can be at most 60 months"),
    ({"requested_amount": "0"}, "The requested amount must be more than zero."),
    ({"requested_amount": "-500"}, "The requested amount must be more than zero."),
    ({"requested_amount": "lots"}, "The requested amount must be written in figures"),
    ({"title": ""}, "Fill in “Title”."),
    ({"title": "x" * 201}, "“Title” can be at most 200 characters long (it has 201)."),
])
def test_the_proposal_form_speaks_plainly(typed, expected):
    from proposals.forms import ProposalForm
    data = {"title": "Queue cards", **typed}
    form = ProposalForm(data)
    assert not form.is_valid()
    text = " ".join(m for found in form.errors.values() for m in found)
    assert expected in text
    for default in DJANGO_DEFAULTS:
        assert default not in text


@pytest.mark.parametrize("amount, expected", [
    ("-500", "The amount of a budget line must be more than zero."),
    ("0.001", "at most two figures after the point"),
])
def test_a_budget_line_speaks_plainly(amount, expected):
    from proposals.forms import BudgetLineForm
    form = BudgetLineForm({"category": "staff", "description": "Printing", "amount": amount})
    assert not form.is_valid()
    text = " ".join(form.errors["amount"])
    assert expected in text
    for default in DJANGO_DEFAULTS:
        assert default not in text


def test_submitting_names_missing_fields_as_the_form_does():
    from proposals.rules import required_fields_filled
    proposal = ProposalFactory(duration_months=None)
    errors = required_fields_filled.errors(proposal)
    assert errors["duration_months"] == ["Fill in “Duration in months” before submitting."]


# --- a refused upload is seen ----------------------------------------------------------------


@pytest.mark.parametrize("name, content, expected", [
    ("notes.exe", b"MZ binary", "is not an accepted type"),
    ("big.pdf", b"%PDF-1.4 " + b"x" * 2048, "the limit is"),
])
def test_a_refused_upload_comes_back_with_its_message_in_sight(client, settings, name, content,
                                                                expected):
    from django.core.files.uploadedfile import SimpleUploadedFile
    settings.ATTACHMENT_MAX_BYTES = 1024
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    detail = reverse("proposals:detail", args=[proposal.pk])
    page = client.get(detail).content.decode()
    # The form is sent to an address that ends at the attachments: the answer opens there.
    action = reverse("proposals:attachment_add", args=[proposal.pk]) + "#attachments"
    assert f'action="{action}"' in page

    response = client.post(reverse("proposals:attachment_add", args=[proposal.pk]),
                           {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    page = response.content.decode()
    section = page[page.index('<section id="attachments"'):]
    section = section[:section.index("</section>")]
    summary = section[section.index('id="attachment-errors"') - 60:]
    assert 'class="error-summary" role="alert" tabindex="-1" id="attachment-errors"' in section
    assert 'href="#id_file"' in summary and expected in summary
    # ... and next to the field, in the same section.
    field = section[section.index('class="upload"'):]
    assert expected in field
    assert "js/error-summary.js" in page
    assert not proposal.attachments.exists()


def test_the_budget_script_does_not_call_a_negative_amount_not_a_number():
    from pathlib import Path

    from django.conf import settings
    script = (Path(settings.BASE_DIR) / "static" / "js" / "budget.js").read_text()
    assert "not a number" not in script
    assert "every amount must be more than zero" in script
