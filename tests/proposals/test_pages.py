"""The proposal pages: lists, the guided form, the proposal's page and its action buttons."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import (
    AttachmentFactory,
    BudgetLineFactory,
    ProposalFactory,
    TeamMemberFactory,
)
from proposals.models import Proposal
from proposals.people_search import person_label
from reviews.models import Panel
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, user):
    client.force_login(user)
    return client


def transition_url(proposal, name):
    return reverse("proposals:transition", args=[proposal.pk, name])


def page_text(response) -> str:
    return response.content.decode()


# --- my proposals ------------------------------------------------------------------------------


def test_my_proposals_lists_those_i_lead_or_join_with_badges(client):
    me = UserFactory()
    led = ProposalFactory(lead=me, title="Queue signs at hospitals")
    joined = ProposalFactory(submitted=True, title="Mobile libraries")
    TeamMemberFactory(proposal=joined, user=me)
    ProposalFactory(title="Someone else's draft")

    response = login(client, me).get(reverse("proposals:mine"))

    assert response.status_code == 200
    text = page_text(response)
    assert led.title in text and joined.title in text
    assert "Someone else" not in text
    assert 'class="badge badge-submitted"' in text
    assert "Team member" in text and "Lead" in text


def test_my_proposals_filter_by_state_and_round(client):
    me = UserFactory()
    round_a, round_b = RoundFactory(), RoundFactory()
    ProposalFactory(lead=me, round=round_a, title="Alpha draft")
    ProposalFactory(lead=me, round=round_b, submitted=True, title="Beta submitted")
    login(client, me)

    by_state = page_text(client.get(reverse("proposals:mine"), {"state": "submitted"}))
    assert "Beta submitted" in by_state and "Alpha draft" not in by_state

    by_round = page_text(client.get(reverse("proposals:mine"), {"round": round_a.pk}))
    assert "Alpha draft" in by_round and "Beta submitted" not in by_round


def test_my_proposals_ignores_nonsense_filters_and_pages(client):
    me = UserFactory()
    ProposalFactory(lead=me, title="Still listed")
    response = login(client, me).get(
        reverse("proposals:mine"), {"state": "bogus", "round": "x", "page": "zzz"}
    )
    assert response.status_code == 200
    assert "Still listed" in page_text(response)


def test_my_proposals_paginate(client):
    me = UserFactory()
    round_ = RoundFactory()
    ProposalFactory.create_batch(25, lead=me, round=round_)
    login(client, me)
    first = client.get(reverse("proposals:mine"))
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 20
    second = client.get(reverse("proposals:mine"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_anonymous_is_sent_to_login(client):
    for url in [reverse("proposals:mine"), reverse("proposals:create"),
                reverse("proposals:queue")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


# --- the guided form ---------------------------------------------------------------------------


def form_data(round_=None, **overrides):
    data = {
        "title": "SMS queue at Gidakom hospital",
        "summary": "Patients get an SMS when it is their turn.",
        "problem": "Long, uncertain waits.",
        "hypothesis": "Visible queues halve perceived waiting.",
        "success_criteria": "Satisfaction from 2/5 to 4/5.",
        "approach": "Co-design, run three months, compare.",
        "citizen_engagement": "Patient panels design the messages.",
        "expected_outcomes": "A design other hospitals can copy.",
        "requested_amount": "1,000.50",
        "duration_months": "6",
        "team-TOTAL_FORMS": "2",
        "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "50",
        "team-0-user": "",
        "team-0-role": "",
        "team-1-user": "",
        "team-1-role": "",
        "budget-TOTAL_FORMS": "3",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "100",
        "budget-0-category": "engagement",
        "budget-0-description": "Workshops",
        "budget-0-amount": "600.25",
        "budget-1-category": "equipment",
        "budget-1-description": "SMS gateway",
        "budget-1-amount": "400.25",
        "budget-2-category": "",
        "budget-2-description": "",
        "budget-2-amount": "",
    }
    if round_ is not None:
        data["round"] = str(round_.pk)
    data.update(overrides)
    return data


def test_new_proposal_page_offers_open_rounds_and_preselects(client):
    open_round = RoundFactory(title="Open call 2026")
    RoundFactory(closed=True, title="Closed call 2025")
    response = login(client, UserFactory()).get(
        reverse("proposals:create"), {"round": open_round.pk}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Open call 2026" in text and "Closed call 2025" not in text
    assert f'<option value="{open_round.pk}" selected>' in text
    assert 'data-budget-amount' in text and "js/budget.js" in text


def test_new_proposal_page_says_when_no_round_is_open(client):
    RoundFactory(closed=True)
    response = login(client, UserFactory()).get(reverse("proposals:create"))
    assert "No round is open" in page_text(response)


def test_create_a_draft_with_team_partners_and_budget(client):
    round_ = RoundFactory()
    me, colleague = UserFactory(), UserFactory(employee_id="E-1001")
    partner = AgencyFactory(code="MOE", name="Ministry of Education")
    data = form_data(
        round_, partner_agencies=[str(partner.pk)], **{"team-0-user": "E-1001",
                                                       "team-0-role": "Data analyst"}
    )

    response = login(client, me).post(reverse("proposals:create"), data)

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.lead == me and proposal.state == Proposal.State.DRAFT
    assert proposal.requested_amount == Decimal("1000.50")
    assert list(proposal.partner_agencies.all()) == [partner]
    assert [(m.user, m.role) for m in proposal.team.all()] == [(colleague, "Data analyst")]
    assert sorted(line.amount for line in proposal.budget_lines.all()) == [
        Decimal("400.25"), Decimal("600.25")
    ]


def test_bad_input_keeps_what_was_typed_and_says_why(client):
    round_ = RoundFactory()
    data = form_data(round_, title="", duration_months="0", **{
        "budget-1-amount": "lots", "budget-2-description": "Printing",
        "team-0-user": "nobody-like-this", "team-0-role": "Designer",
    })

    response = login(client, UserFactory()).post(reverse("proposals:create"), data)

    assert response.status_code == 400
    assert not Proposal.objects.exists()
    text = page_text(response)
    assert "Your draft is not saved yet" in text
    assert "Fill in “Title”." in text
    assert "The duration must be at least 1 month." in text
    assert "The amount of a budget line must be written in figures" in text
    for default in ("This field is required.", "Ensure this value", "Enter a number."):
        assert default not in text
    assert "Choose a category." in text and "Give the amount." in text
    assert "Nobody active is known as “nobody-like-this”." in text
    # what was typed is still there
    assert 'value="lots"' in text and 'value="Printing"' in text
    assert 'value="nobody-like-this"' in text and 'value="Designer"' in text
    assert "Patient panels design the messages." in text
    assert 'aria-invalid="true"' in text


def test_service_refusals_show_next_to_the_team_and_keep_input(client):
    round_ = RoundFactory()
    me = UserFactory(username="pema")
    data = form_data(round_, **{"team-0-user": "pema", "team-0-role": "Lead again"})

    response = login(client, me).post(reverse("proposals:create"), data)

    assert response.status_code == 400
    assert not Proposal.objects.exists()
    text = page_text(response)
    assert "leads the proposal and need not be added to the team." in text
    assert 'value="Lead again"' in text and 'value="600.25"' in text


def test_a_closed_round_cannot_be_chosen(client):
    closed = RoundFactory(closed=True)
    response = login(client, UserFactory()).post(reverse("proposals:create"), form_data(closed))
    assert response.status_code == 400
    assert not Proposal.objects.exists()
    assert "This round is not open for proposals any more" in page_text(response)


def test_a_mangled_formset_is_an_error_not_a_crash(client):
    data = form_data(RoundFactory())
    del data["budget-TOTAL_FORMS"]
    response = login(client, UserFactory()).post(reverse("proposals:create"), data)
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_edit_shows_saved_values_and_replaces_lines_and_team(client):
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, role="Analyst")
    login(client, proposal.lead)  # the lead writes the team (consent: it invites)

    page = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert page.status_code == 200
    text = page_text(page)
    assert proposal.hypothesis in text and "Co-design workshops" in text
    assert f'value="{escape(person_label(member.user))}"' in text  # by name and agency

    other = UserFactory()
    data = form_data(requested_amount="300", **{
        "team-TOTAL_FORMS": "1", "team-0-user": other.username, "team-0-role": "Designer",
        "budget-TOTAL_FORMS": "1", "budget-0-category": "travel",
        "budget-0-description": "Field visits", "budget-0-amount": "300",
    })
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.requested_amount == Decimal("300")
    assert [(line.category, line.amount) for line in proposal.budget_lines.all()] == [
        ("travel", Decimal("300.00"))
    ]
    # The missing member is removed, the new one invited: rows are kept, never deleted.
    assert [(m.user, m.state) for m in proposal.team.all()] == [
        (member.user, "removed"), (other, "invited")
    ]


def test_a_team_member_edits_the_draft_but_not_the_team(client):
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal, role="Analyst")
    login(client, member.user)  # an accepted member may edit too

    page = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert page.status_code == 200
    text = page_text(page)
    assert "Only the lead" in text and 'name="team-TOTAL_FORMS"' not in text

    data = form_data(requested_amount="300", **{
        "budget-TOTAL_FORMS": "1", "budget-0-category": "travel",
        "budget-0-description": "Field visits", "budget-0-amount": "300",
    })
    for key in [k for k in data if k.startswith("team-")]:
        del data[key]
    response = client.post(reverse("proposals:edit", args=[proposal.pk]), data)

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.requested_amount == Decimal("300")
    assert [(m.user, m.state) for m in proposal.team.all()] == [(member.user, "accepted")]


def test_edit_refuses_others_and_submitted_proposals(client):
    draft = ProposalFactory()
    submitted = ProposalFactory(submitted=True)
    url = reverse("proposals:edit", args=[draft.pk])

    assert login(client, UserFactory()).get(url).status_code == 404
    assert login(client, UserFactory(fund_manager=True)).get(url).status_code == 404
    hr = UserFactory(hr_officer=True)
    assert login(client, hr).get(reverse("proposals:edit", args=[submitted.pk])).status_code == 403
    assert login(client, hr).post(
        reverse("proposals:edit", args=[submitted.pk]), form_data()
    ).status_code == 403

    response = login(client, submitted.lead).get(reverse("proposals:edit", args=[submitted.pk]))
    assert response.status_code == 302
    followed = client.get(response.url)
    assert "can no longer be edited" in page_text(followed)


def test_revision_requested_is_editable_by_the_lead(client):
    proposal = ProposalFactory(revision_requested=True)
    response = login(client, proposal.lead).get(reverse("proposals:edit", args=[proposal.pk]))
    assert response.status_code == 200


# --- the proposal's page -----------------------------------------------------------------------


def test_detail_shows_everything_with_money_and_history(client):
    proposal = ProposalFactory(ready=True, title="Queue signs")
    member = TeamMemberFactory(proposal=proposal, role="Nurse in charge")
    login(client, proposal.lead)
    client.post(transition_url(proposal, "submit"))

    response = client.get(reverse("proposals:detail", args=[proposal.pk]))

    text = page_text(response)
    assert response.status_code == 200
    assert proposal.success_criteria in text and proposal.citizen_engagement in text
    assert "Nurse in charge" in text and str(member.user) in text
    assert "Co-design workshops" in text
    assert "BTN 500,000.00" in text  # requested amount and budget total
    assert 'class="badge badge-submitted"' in text
    assert "History" in text and "Submit" in text
    assert "Withdraw" in text  # the lead may still withdraw
    assert "Edit the proposal" not in text


def test_detail_lists_what_is_missing_before_submitting(client):
    proposal = ProposalFactory(title="Half done")
    response = login(client, proposal.lead).get(reverse("proposals:detail", args=[proposal.pk]))
    text = page_text(response)
    assert "Before you can submit" in text
    assert escape(
        "This round needs at least 2 agencies on the proposal (the lead's and the partners'); "
        "it has 1.") in text


def test_submit_is_not_offered_while_its_conditions_are_unmet(client):
    """Only actions the viewer may take now are offered: the same condition check the service
    uses disables the button and points it at the reasons."""
    lonely = AgencyFactory()
    proposal = ProposalFactory(ready=True, partners=[], lead=UserFactory(agency=lonely))
    url = reverse("proposals:detail", args=[proposal.pk])
    text = page_text(login(client, proposal.lead).get(url))
    assert "Before you can submit" in text
    assert 'id="submit-blocked"' in text and 'aria-disabled="true"' in text
    assert 'aria-describedby="not-ready"' in text
    assert transition_url(proposal, "submit") not in text

    ready = ProposalFactory(ready=True)
    text = page_text(login(client, ready.lead).get(reverse("proposals:detail", args=[ready.pk])))
    assert transition_url(ready, "submit") in text and 'id="submit-blocked"' not in text


def test_my_proposals_offers_a_new_proposal_only_to_those_who_may_draft(client):
    text = page_text(login(client, UserFactory(hr_officer=True)).get(reverse("proposals:mine")))
    assert "You have no proposals yet." in text
    assert reverse("proposals:create") not in text
    assert "Start a new proposal" not in text and "Start one" not in text

    text = page_text(login(client, UserFactory()).get(reverse("proposals:mine")))
    assert "Start a new proposal" in text and "Start one" in text


def test_detail_is_hidden_from_those_who_may_not_see_it(client):
    draft = ProposalFactory()
    url = reverse("proposals:detail", args=[draft.pk])
    assert login(client, UserFactory()).get(url).status_code == 404
    assert login(client, UserFactory(fund_manager=True)).get(url).status_code == 404
    assert login(client, UserFactory(hr_officer=True)).get(url).status_code == 404
    assert login(client, UserFactory()).get(
        reverse("proposals:detail", args=[999999])
    ).status_code == 404


def test_hr_officer_sees_a_submitted_proposal_but_no_buttons(client):
    proposal = ProposalFactory(submitted=True)
    response = login(client, UserFactory(hr_officer=True)).get(
        reverse("proposals:detail", args=[proposal.pk])
    )
    assert response.status_code == 200
    assert response.context["actions"] == []
    assert response.context["can_edit"] is False
    assert response.context["upload_form"] is None


# --- each transition through the page ----------------------------------------------------------


def test_lead_submits_a_ready_proposal(client):
    proposal = ProposalFactory(ready=True)
    response = login(client, proposal.lead).post(transition_url(proposal, "submit"))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    assert TransitionLog.objects.for_object(proposal).get().actor == proposal.lead
    assert f"You submitted “{proposal.title}”" in page_text(client.get(response.url))


def test_submit_refused_by_a_condition_shows_the_reason(client):
    lonely = AgencyFactory()
    proposal = ProposalFactory(ready=True, partners=[], lead=UserFactory(agency=lonely))

    response = login(client, proposal.lead).post(transition_url(proposal, "submit"))

    assert response.status_code == 400
    assert escape(
        "This round needs at least 2 agencies on the proposal (the lead's and the partners'); "
        "it has 1.") in page_text(response)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DRAFT


def test_submit_refused_when_budget_and_max_award_do_not_fit(client):
    proposal = ProposalFactory(ready=True, round=RoundFactory(max_award=Decimal("100000")))
    BudgetLineFactory(proposal=proposal, amount=Decimal("1.00"))

    response = login(client, proposal.lead).post(transition_url(proposal, "submit"))

    text = page_text(response)
    assert response.status_code == 400
    assert "above this round&#x27;s maximum award of 100,000.00" in text
    assert "they must be equal" in text


def test_only_the_lead_submits(client):
    proposal = ProposalFactory(ready=True)
    member = TeamMemberFactory(proposal=proposal)
    response = login(client, member.user).post(transition_url(proposal, "submit"))
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DRAFT


def test_a_transition_the_state_does_not_allow_shows_a_message(client):
    proposal = ProposalFactory(submitted=True)
    response = login(client, proposal.lead).post(transition_url(proposal, "submit"))
    assert response.status_code == 409
    assert "cannot be done now: the proposal is “Submitted”" in page_text(response)


def test_unknown_transition_is_404_and_get_is_not_allowed(client):
    proposal = ProposalFactory(ready=True)
    login(client, proposal.lead)
    assert client.post(transition_url(proposal, "teleport")).status_code == 404
    assert client.post(transition_url(proposal, "fund")).status_code == 404
    assert client.get(transition_url(proposal, "submit")).status_code == 405


def test_a_hidden_proposal_is_404_for_any_transition(client):
    proposal = ProposalFactory(ready=True)
    response = login(client, UserFactory()).post(transition_url(proposal, "submit"))
    assert response.status_code == 404


def test_lead_withdraws_with_an_optional_note(client):
    proposal = ProposalFactory(submitted=True)
    response = login(client, proposal.lead).post(
        transition_url(proposal, "withdraw"), {"note": "Merged with another team."}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN
    assert TransitionLog.objects.for_object(proposal).get().note == "Merged with another team."


def test_fund_manager_screens_out_only_with_a_reason(client):
    proposal = ProposalFactory(submitted=True)
    manager = UserFactory(fund_manager=True)
    login(client, manager)

    refused = client.post(transition_url(proposal, "screen_out"), {"reason": "  "})
    assert refused.status_code == 400
    text = page_text(refused)
    assert "Say why the proposal is ineligible." in text
    assert "<details class=\"action\" open>" in text  # the short form stays open

    done = client.post(transition_url(proposal, "screen_out"), {"reason": "Outside the theme."})
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.INELIGIBLE
    assert TransitionLog.objects.for_object(proposal).get().note == "Outside the theme."


def test_fund_manager_sends_to_review_but_not_on_their_own_proposal(client):
    manager = UserFactory(fund_manager=True)
    theirs = ProposalFactory(submitted=True)
    own = ProposalFactory(submitted=True, lead=manager)
    login(client, manager)

    assert client.post(transition_url(theirs, "send_to_review")).status_code == 302
    theirs.refresh_from_db()
    assert theirs.state == Proposal.State.IN_REVIEW

    assert client.post(transition_url(own, "send_to_review")).status_code == 403
    own.refresh_from_db()
    assert own.state == Proposal.State.SUBMITTED


@pytest.mark.parametrize("name", ["screen_out", "send_to_review"])
def test_screening_is_refused_to_others(client, name):
    proposal = ProposalFactory(submitted=True)
    member = TeamMemberFactory(proposal=proposal)
    for user in [proposal.lead, member.user, UserFactory(hr_officer=True)]:
        response = login(client, user).post(transition_url(proposal, name), {"reason": "x"})
        assert response.status_code == 403
    assert login(client, UserFactory()).post(transition_url(proposal, name)).status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED


def test_chair_requests_a_revision_only_with_a_message(client):
    proposal = ProposalFactory(in_review=True)
    chair = UserFactory()
    Panel.objects.create(round=proposal.round, name="Panel A", chair=chair)
    login(client, chair)

    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert [a["name"] for a in page.context["actions"]] == ["request_revision"]

    refused = client.post(transition_url(proposal, "request_revision"), {"message": ""})
    assert refused.status_code == 400
    assert "Tell the applicant what to revise." in page_text(refused)

    done = client.post(transition_url(proposal, "request_revision"),
                       {"message": "Add a control group."})
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.REVISION_REQUESTED


def test_request_revision_is_refused_to_fund_managers(client):
    proposal = ProposalFactory(in_review=True)
    response = login(client, UserFactory(fund_manager=True)).post(
        transition_url(proposal, "request_revision"), {"message": "Please"}
    )
    assert response.status_code == 403


# --- the fund manager's queue ------------------------------------------------------------------


def test_queue_lists_submitted_proposals_with_buttons(client):
    waiting = ProposalFactory(submitted=True, title="Waiting one")
    ProposalFactory(in_review=True, title="Already in review")
    ProposalFactory(title="Just a draft")
    response = login(client, UserFactory(fund_manager=True)).get(reverse("proposals:queue"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Waiting one" in text
    assert "Already in review" not in text and "Just a draft" not in text
    assert transition_url(waiting, "send_to_review") in text
    assert transition_url(waiting, "screen_out") in text


def test_queue_filters_by_round_and_agency(client):
    round_ = RoundFactory()
    moh = AgencyFactory(code="MOH")
    ProposalFactory(submitted=True, round=round_, title="In the round")
    ProposalFactory(submitted=True, title="Elsewhere", lead=UserFactory(agency=moh))
    ProposalFactory(submitted=True, title="Partnered", partners=[moh, AgencyFactory()])
    login(client, UserFactory(fund_manager=True))

    by_round = page_text(client.get(reverse("proposals:queue"), {"round": round_.pk}))
    assert "In the round" in by_round and "Elsewhere" not in by_round
    by_agency = page_text(client.get(reverse("proposals:queue"), {"agency": moh.pk}))
    assert "Elsewhere" in by_agency and "In the round" not in by_agency
    assert "Partnered" in by_agency and "2 proposals" in by_agency  # once each


def test_queue_actions_return_to_the_queue(client):
    proposal = ProposalFactory(submitted=True)
    login(client, UserFactory(fund_manager=True))
    queue = reverse("proposals:queue") + "?page=1"
    response = client.post(transition_url(proposal, "send_to_review"), {"next": queue})
    assert response.status_code == 302 and response.url == queue
    evil = client.post(transition_url(ProposalFactory(submitted=True), "send_to_review"),
                       {"next": "https://evil.example/"})
    assert evil.url.startswith("/proposals/")


@pytest.mark.parametrize("role", ["civil_servant", "hr_officer"])
def test_queue_is_only_for_fund_managers(client, role):
    user = UserFactory(hr_officer=True) if role == "hr_officer" else UserFactory()
    assert login(client, user).get(reverse("proposals:queue")).status_code == 403


# --- query counts: the same for 10 and 200 rows ------------------------------------------------


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm per-process caches (content types) so that only the rows differ
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_proposals_queries_do_not_grow_with_rows(client):
    me = UserFactory()
    round_ = RoundFactory()
    login(client, me)
    ProposalFactory.create_batch(5, lead=me, round=round_)
    for proposal in ProposalFactory.create_batch(5, round=round_):
        TeamMemberFactory(proposal=proposal, user=me)
    at_10 = _count_queries(client, reverse("proposals:mine"))
    ProposalFactory.create_batch(190, lead=me, round=round_)
    at_200 = _count_queries(client, reverse("proposals:mine"))
    assert at_10 == at_200


def test_queue_queries_do_not_grow_with_rows(client):
    round_ = RoundFactory()
    lead = UserFactory()
    manager = UserFactory(fund_manager=True)
    login(client, manager)
    ProposalFactory.create_batch(10, submitted=True, round=round_, lead=lead)
    at_10 = _count_queries(client, reverse("proposals:queue"))
    ProposalFactory.create_batch(190, submitted=True, round=round_, lead=lead)
    at_200 = _count_queries(client, reverse("proposals:queue"))
    assert at_10 == at_200


# --- the admin ---------------------------------------------------------------------------------


def test_admin_shows_a_proposal_with_read_only_state_and_history(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    proposal = ProposalFactory(ready=True)
    AttachmentFactory(proposal=proposal)
    login(client, proposal.lead).post(transition_url(proposal, "submit"), {"note": "Ready."})

    response = login(client, admin).get(
        reverse("admin:proposals_proposal_change", args=[proposal.pk])
    )

    text = page_text(response)
    assert response.status_code == 200
    assert 'name="state"' not in text  # read-only
    assert "Ready." in text and "submit" in text  # the history
    assert reverse("proposals:attachment", args=[proposal.pk, proposal.attachments.get().pk]) in text
    assert "Co-design workshops" in text  # budget line inline


def test_admin_transition_log_is_read_only(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    proposal = ProposalFactory(ready=True)
    login(client, proposal.lead).post(transition_url(proposal, "submit"))
    log = TransitionLog.objects.get()
    login(client, admin)

    assert client.get(reverse("admin:workflow_transitionlog_changelist")).status_code == 200
    assert client.get(reverse("admin:workflow_transitionlog_add")).status_code == 403
    assert client.get(reverse("admin:workflow_transitionlog_delete", args=[log.pk])).status_code == 403
    change = client.post(reverse("admin:workflow_transitionlog_change", args=[log.pk]),
                         {"note": "rewritten"})
    assert change.status_code == 403
    log.refresh_from_db()
    assert log.note == ""
