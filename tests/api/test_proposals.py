"""proposals/: who sees what, create and update with nested parts, bad input never a 500."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import AttachmentFactory, ProposalFactory
from proposals.models import Proposal

pytestmark = pytest.mark.django_db
LIST = "/api/v1/proposals/"


def detail(proposal):
    return f"{LIST}{proposal.pk}/"


@pytest.fixture
def partners(db):
    return [AgencyFactory(code="MOE"), AgencyFactory(code="GNHC")]


def new_proposal_body(round_, partners, member, **overrides):
    body = {
        "round": round_.pk,
        "title": "SMS queue at Phuentsholing hospital",
        "summary": "A visible queue.",
        "requested_amount": "300000.00",
        "duration_months": 6,
        "partner_agencies": [a.pk for a in partners],
        "team": [{"user": member.pk, "role": "Data analyst"}],
        "budget_lines": [
            {"category": "engagement", "description": "Workshops", "amount": "100000.00"},
            {"category": "equipment", "description": "Screens", "amount": "200000.00"},
        ],
    }
    body.update(overrides)
    return body


# --- create ---------------------------------------------------------------------------------


def test_create_makes_the_requester_lead_and_writes_the_parts(api, people, open_round, partners):
    body = new_proposal_body(open_round, partners, people["member"])
    response = api(people["lead"]).post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["lead"] == people["lead"].pk and data["state"] == "draft"
    assert data["requested_amount"] == "300000.00"
    assert sorted(data["partner_agencies"]) == sorted(a.pk for a in partners)
    assert data["team"] == [{"user": people["member"].pk, "role": "Data analyst"}]
    assert [line["amount"] for line in data["budget_lines"]] == ["100000.00", "200000.00"]
    assert data["budget_total"] == "300000.00"
    assert data["available_transitions"] == ["submit", "withdraw"]
    proposal = Proposal.objects.get(pk=data["id"])
    assert proposal.lead == people["lead"] and proposal.budget_lines.count() == 2


def test_created_proposal_can_be_submitted_through_the_api(api, people, open_round, partners):
    body = new_proposal_body(
        open_round, partners, people["member"], problem="p", hypothesis="h",
        success_criteria="s", approach="a", citizen_engagement="c", expected_outcomes="e",
    )
    client = api(people["lead"])
    pk = client.post(LIST, body, format="json").json()["id"]
    response = client.post(f"{LIST}{pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"budget_lines": [{"category": "travel", "description": "Bus", "amount": "-5.00"}]},
         "budget_lines"),
        ({"budget_lines": [{"category": "travel", "description": "Bus", "amount": "0"}]},
         "budget_lines"),
        ({"budget_lines": [{"category": "travel", "description": "Bus", "amount": "abc"}]},
         "budget_lines"),
        ({"budget_lines": [{"category": "travel", "description": "Bus", "amount": "1.234"}]},
         "budget_lines"),
        ({"budget_lines": [{"category": "rockets", "description": "x", "amount": "1.00"}]},
         "budget_lines"),
        ({"budget_lines": [{"category": "travel", "description": "", "amount": "1.00"}]},
         "budget_lines"),
        ({"budget_lines": "many"}, "budget_lines"),
        ({"budget_lines": [1, 2]}, "budget_lines"),
        ({"partner_agencies": [999999]}, "partner_agencies"),
        ({"partner_agencies": ["abc"]}, "partner_agencies"),
        ({"partner_agencies": 3}, "partner_agencies"),
        ({"team": [{"user": 999999, "role": "x"}]}, "team"),
        ({"team": [{"user": "abc"}]}, "team"),
        ({"team": [{"role": "no user"}]}, "team"),
        ({"round": 999999}, "round"),
        ({"round": "abc"}, "round"),
        ({"round": None}, "round"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"requested_amount": "lots"}, "requested_amount"),
        ({"requested_amount": "-1.00"}, "requested_amount"),
        ({"requested_amount": "1e999"}, "requested_amount"),
        ({"requested_amount": "NaN"}, "requested_amount"),
        ({"duration_months": 0}, "duration_months"),
        ({"duration_months": 10**12}, "duration_months"),
        ({"duration_months": "six"}, "duration_months"),
    ],
)
def test_bad_input_is_400_with_the_field(api, people, open_round, partners, overrides, field):
    body = new_proposal_body(open_round, partners, people["member"], **overrides)
    response = api(people["lead"]).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Proposal.objects.exists()


def test_the_lead_on_their_own_team_is_400(api, people, open_round, partners):
    body = new_proposal_body(open_round, partners, people["member"],
                             team=[{"user": people["lead"].pk, "role": "Lead"}])
    response = api(people["lead"]).post(LIST, body, format="json")
    assert response.status_code == 400
    assert "team" in response.json()


def test_an_inactive_partner_agency_is_400(api, people, open_round):
    closed = AgencyFactory(code="OLD", is_active=False)
    body = new_proposal_body(open_round, [closed], people["member"])
    response = api(people["lead"]).post(LIST, body, format="json")
    assert response.status_code == 400
    assert "partner_agencies" in response.json()


@pytest.mark.parametrize("state", ["closed", "archived"])
def test_create_in_a_round_not_open_is_400(api, people, partners, state):
    round_ = RoundFactory(**{state: True})
    response = api(people["lead"]).post(
        LIST, new_proposal_body(round_, partners, people["member"]), format="json"
    )
    assert response.status_code == 400
    assert "round" in response.json()


def test_a_draft_round_is_unknown_to_applicants(api, people, partners):
    round_ = RoundFactory(draft=True)
    response = api(people["lead"]).post(
        LIST, new_proposal_body(round_, partners, people["member"]), format="json"
    )
    assert response.status_code == 400
    assert response.json()["round"] == ["There is no such record, or not one you may use."]


@pytest.mark.parametrize("raw", ["{oops", "[]", '"a string"', "1"])
def test_malformed_bodies_are_400(api, people, raw):
    response = api(people["lead"]).post(LIST, raw, content_type="application/json")
    assert response.status_code == 400


def test_hr_officer_cannot_create(api, people, open_round, partners):
    body = new_proposal_body(open_round, partners, people["member"])
    assert api(people["hr_officer"]).post(LIST, body, format="json").status_code == 403
    assert not Proposal.objects.exists()


# --- update ---------------------------------------------------------------------------------


def test_lead_patches_and_replaces_budget_lines(api, people, draft):
    lines = [{"category": "staff", "description": "Allowances", "amount": "500000.00"}]
    response = api(people["lead"]).patch(
        detail(draft), {"budget_lines": lines, "title": "New title"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "New title"
    assert response.json()["budget_lines"] == lines
    assert draft.budget_lines.count() == 1
    assert draft.partner_agencies.count() == 1  # untouched when not sent


def test_team_member_edits_too(api, people, draft):
    response = api(people["member"]).patch(detail(draft), {"summary": "Sharper"}, format="json")
    assert response.status_code == 200
    assert Proposal.objects.get(pk=draft.pk).summary == "Sharper"


def test_put_replaces_content(api, people, draft):
    response = api(people["lead"]).put(
        detail(draft), {"title": "Put title", "partner_agencies": []}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["partner_agencies"] == []


def test_put_without_title_is_400(api, people, draft):
    assert api(people["lead"]).put(detail(draft), {"summary": "x"}, format="json").status_code == 400


def test_round_cannot_be_changed(api, people, draft):
    other = RoundFactory()
    api(people["lead"]).patch(detail(draft), {"round": other.pk}, format="json")
    assert Proposal.objects.get(pk=draft.pk).round_id == draft.round_id


def test_update_with_bad_lines_is_400_and_keeps_the_old_ones(api, people, draft):
    lines = [{"category": "staff", "description": "x", "amount": "-1"}]
    response = api(people["lead"]).patch(detail(draft), {"budget_lines": lines}, format="json")
    assert response.status_code == 400
    assert draft.budget_lines.count() == 2


@pytest.mark.parametrize(
    "role, status", [("stranger", 404), ("fund_manager", 404), ("hr_officer", 403)]
)
def test_others_cannot_edit_a_draft(api, people, draft, role, status):
    response = api(people[role]).patch(detail(draft), {"title": "Mine"}, format="json")
    assert response.status_code == status
    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def test_fund_manager_cannot_edit_a_submitted_proposal(api, people, open_round):
    proposal = ProposalFactory(submitted=True, round=open_round, lead=people["lead"])
    response = api(people["fund_manager"]).patch(detail(proposal), {"title": "x"}, format="json")
    assert response.status_code == 403


def test_lead_cannot_edit_once_submitted(api, people, open_round):
    proposal = ProposalFactory(submitted=True, round=open_round, lead=people["lead"])
    response = api(people["lead"]).patch(detail(proposal), {"title": "Late"}, format="json")
    assert response.status_code == 400
    assert "can no longer be edited" in response.json()["non_field_errors"][0]


def test_lead_edits_again_when_a_revision_is_requested(api, people, open_round):
    proposal = ProposalFactory(revision_requested=True, round=open_round, lead=people["lead"])
    response = api(people["lead"]).patch(detail(proposal), {"title": "Revised"}, format="json")
    assert response.status_code == 200


def test_delete_is_not_offered(api, people, draft):
    assert api(people["lead"]).delete(detail(draft)).status_code == 405


# --- reading --------------------------------------------------------------------------------


def ids(response):
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_who_sees_which_proposals(api, people, open_round, draft):
    submitted = ProposalFactory(submitted=True, round=open_round, submitted_at=timezone.now())
    assert ids(api(people["lead"]).get(LIST)) == {draft.pk}
    assert ids(api(people["member"]).get(LIST)) == {draft.pk}
    assert ids(api(people["stranger"]).get(LIST)) == set()
    assert ids(api(people["fund_manager"]).get(LIST)) == {submitted.pk}
    assert ids(api(people["hr_officer"]).get(LIST)) == {submitted.pk}
    assert api(people["stranger"]).get(detail(submitted)).status_code == 404
    assert api(people["fund_manager"]).get(detail(draft)).status_code == 404
    assert api(people["fund_manager"]).get(detail(submitted)).status_code == 200


def test_list_is_paginated_with_money_and_times(api, people, open_round):
    ProposalFactory.create_batch(27, ready=True, round=open_round, lead=people["lead"])
    body = api(people["lead"]).get(LIST).json()
    assert body["count"] == 27 and len(body["results"]) == 25
    assert body["next"].endswith("?page=2") and body["previous"] is None
    row = body["results"][0]
    assert row["requested_amount"] == "500000.00"
    assert row["created_at"].endswith("+06:00")  # ISO 8601 with offset (Asia/Thimphu)
    second = api(people["lead"]).get(body["next"]).json()
    assert len(second["results"]) == 2
    assert api(people["lead"]).get(LIST + "?page=9").status_code == 404


def test_filters_state_round_and_lead_agency(api, people, open_round):
    manager = api(people["fund_manager"])
    other_round = RoundFactory()
    agency = AgencyFactory(code="MOAL")
    a = ProposalFactory(submitted=True, round=open_round, lead=UserFactory(agency=agency))
    b = ProposalFactory(in_review=True, round=other_round)
    assert ids(manager.get(LIST, {"state": "submitted"})) == {a.pk}
    assert ids(manager.get(LIST, {"round": other_round.pk})) == {b.pk}
    assert ids(manager.get(LIST, {"agency": agency.pk})) == {a.pk}
    for bad in ({"state": "nonsense"}, {"round": "abc"}, {"agency": "99999"}):
        assert manager.get(LIST, bad).status_code == 400, bad


# --- attachments ----------------------------------------------------------------------------


def pdf(name="plan.pdf", data=b"%PDF-1.4 a plan"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_lead_attaches_a_pdf(api, people, draft):
    response = api(people["lead"]).post(
        f"{detail(draft)}attachments/", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "plan.pdf" and response.json()["size"] == 15
    listed = api(people["lead"]).get(detail(draft)).json()["attachments"]
    assert [a["name"] for a in listed] == ["plan.pdf"]


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream"),
        SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
    ],
)
def test_refused_uploads_are_400(api, people, draft, upload):
    response = api(people["lead"]).post(
        f"{detail(draft)}attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not draft.attachments.exists()


def test_too_large_upload_is_400(api, people, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = api(people["lead"]).post(
        f"{detail(draft)}attachments/", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == 400
    assert "limit" in response.json()["file"][0]


def test_upload_without_file_is_400(api, people, draft):
    response = api(people["lead"]).post(f"{detail(draft)}attachments/", {}, format="multipart")
    assert response.status_code == 400


@pytest.mark.parametrize("role, status", [("stranger", 404), ("hr_officer", 403)])
def test_others_cannot_attach(api, people, draft, role, status):
    response = api(people[role]).post(
        f"{detail(draft)}attachments/", {"file": pdf()}, format="multipart"
    )
    assert response.status_code == status


def test_attachment_urls_point_at_the_checked_download(api, people, draft):
    from proposals.api import attachment_url

    attachment = AttachmentFactory(proposal=draft)
    listed = api(people["lead"]).get(detail(draft)).json()["attachments"]
    assert listed[0]["id"] == attachment.pk
    assert listed[0]["content_type"] == "application/pdf"
    expected = attachment_url(attachment)
    assert expected == f"/proposals/{draft.pk}/attachments/{attachment.pk}/"
    assert listed[0]["url"] == f"http://testserver{expected}"


def test_budget_total_is_a_decimal_string(api, people, draft):
    assert api(people["lead"]).get(detail(draft)).json()["budget_total"] == "500000.00"
    assert Decimal(api(people["lead"]).get(detail(draft)).json()["budget_total"]) == draft.budget_total
