"""The innovation record: who sees it, what it holds (never review scores), the dossier,
and the fail-safe rule on the record page, the HR list and the dossier."""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from people.factories import AgencyFactory, UserFactory
from proposals.models import OutcomeReport
from rewards.factories import LearningFactory
from rewards.permissions import can_view_record

from .conftest import SECRET_PANEL_NOTE, SECRET_SCORE, fund_with_outcome

CONTRIBUTION = "Did not work as hoped — learning shared"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def main_html(response) -> str:
    body = response.content.decode()
    return body[body.index("<main"):body.index("</main>")]


@pytest.mark.parametrize("role,allowed", [
    ("lead", True), ("fund_manager", True), ("hr_officer", True), ("reviewer", False),
    ("civil_servant", False), ("team_member", False), ("anonymous", False),
])
def test_who_may_see_a_record(world, role, allowed):
    assert can_view_record(world.user(role), world.lead) is allowed


def test_record_page_holds_the_whole_record(world, client_for):
    body = main_html(client_for(world.hr_officer).get(f"/people/{world.lead.pk}/record/"))
    for text in ["SMS queue at district hospitals", "Lead", "BTN 500,000.00", CONTRIBUTION,
                 "Older patients missed SMS calls", "Learning champion", "Nominated"]:
        assert text in body, text


def test_record_shows_reviews_as_a_count_and_rounds_never_scores(world, client_for, api_for):
    """HR sees how many reviews the reviewer completed, in which rounds, never the scores."""
    hr = world.hr_officer
    round_title = world.proposal.round.title
    page = main_html(client_for(hr).get(f"/people/{world.reviewer.pk}/record/"))
    assert "1 review completed" in page and round_title in page
    api = api_for(hr).get(f"/api/v1/people/{world.reviewer.pk}/innovation-record/").json()
    assert api["reviews_completed"] == {
        "count": 1, "rounds": [{"id": world.proposal.round_id, "title": round_title, "count": 1}]}
    pdf = pdf_text(client_for(hr).get(f"/people/{world.reviewer.pk}/dossier.pdf").content)
    assert "1 review completed" in pdf
    # Neither the reviewer's nor the reviewed lead's record shows a score or a panel comment.
    lead_page = main_html(client_for(hr).get(f"/people/{world.lead.pk}/record/"))
    lead_api = str(api_for(hr).get(f"/api/v1/people/{world.lead.pk}/innovation-record/").json())
    for text in (page, str(api), pdf, lead_page, lead_api):
        assert str(SECRET_SCORE) not in text and SECRET_PANEL_NOTE not in text
        assert "score" not in text.lower()


def test_dossier_reads_back_names_and_amounts(world, client_for):
    response = client_for(world.hr_officer).get(f"/api/v1/people/{world.lead.pk}/dossier.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ["Pema Choden", "Ministry of Health", "SMS queue at district hospitals",
                     "BTN 500,000.00", "Older patients missed SMS calls", "Learning champion",
                     CONTRIBUTION]:
        assert expected in text, expected


# --- the fail-safe rule --------------------------------------------------------------------------
@pytest.fixture
def two_people(db):
    """Same agency, same award; Dorji's experiment did not work (learning shared), Yangzom's
    succeeded. Dorji sorts first by name."""
    agency = AgencyFactory(code="GOV")
    tried = UserFactory(first_name="Dorji", last_name="Agay", agency=agency)
    succeeded = UserFactory(first_name="Yangzom", last_name="Zam", agency=agency)
    for person, result in ((tried, OutcomeReport.Result.DID_NOT_SUCCEED),
                           (succeeded, OutcomeReport.Result.SUCCEEDED)):
        proposal = fund_with_outcome(lead=person, result=result, amount=Decimal("400000.00"),
                                     title=f"Pilot by {person.first_name}")
        LearningFactory(title=f"Learning by {person.first_name}", proposal=proposal,
                        created_by=person, kind="failure" if person is tried else "success")
    return tried, succeeded


def _outcome_markup(html: str) -> list[str]:
    return re.findall(r'<span class="outcome">', html)


def test_fail_safe_on_the_record_page(two_people, client_for):
    tried, succeeded = two_people
    client = client_for(UserFactory(hr_officer=True))
    tried_html = main_html(client.get(f"/people/{tried.pk}/record/"))
    succeeded_html = main_html(client.get(f"/people/{succeeded.pk}/record/"))
    assert CONTRIBUTION in tried_html
    assert "fail" not in tried_html.lower()
    for marker in ("danger", "error", "red", "warning"):
        assert f"badge-{marker}" not in tried_html and f"outcome-{marker}" not in tried_html
    # The same structure and the same neutral style for both outcomes.
    assert _outcome_markup(tried_html) == _outcome_markup(succeeded_html) != []
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", tried_html) == re.findall(
        r"<h2[^>]*>(.*?)</h2>", succeeded_html)


def test_fail_safe_on_the_people_list(two_people, client_for):
    tried, succeeded = two_people
    html = main_html(client_for(UserFactory(hr_officer=True)).get("/people/", {"agency": tried.agency_id}))
    rows = re.findall(r'<tr class="person">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    # Ordered by name, not by results: Dorji Agay comes first.
    assert "Dorji" in rows[0] and "Yangzom" in rows[1]

    def cells(row):
        return re.sub(r"<a [^>]*>.*?</a>", "NAME", row, flags=re.S)

    # Every cell but the name is identical: nothing marks one below the other.
    assert cells(rows[0]) == cells(rows[1])
    assert "fail" not in html.lower()


def test_fail_safe_in_the_dossier(two_people, client_for):
    tried, succeeded = two_people
    client = client_for(UserFactory(hr_officer=True))
    tried_pdf = pdf_text(client.get(f"/people/{tried.pk}/dossier.pdf").content)
    succeeded_pdf = pdf_text(client.get(f"/people/{succeeded.pk}/dossier.pdf").content)
    assert CONTRIBUTION in tried_pdf
    assert "fail" not in tried_pdf.lower()
    assert "BTN 400,000.00" in tried_pdf and "BTN 400,000.00" in succeeded_pdf
    sections = ["Proposals led and joined", "Outcome results", "Learnings shared",
                "Reviews completed", "Recognitions", "Nominations"]
    for text in (tried_pdf, succeeded_pdf):
        positions = [text.index(s) for s in sections]
        assert positions == sorted(positions)


def test_fail_safe_in_the_api(two_people, api_for):
    tried, _ = two_people
    data = api_for(UserFactory(fund_manager=True)).get(
        f"/api/v1/people/{tried.pk}/innovation-record/").json()
    [proposal] = data["proposals"]
    assert proposal["outcome"]["label"] == CONTRIBUTION
    assert proposal["learnings_shared"] == 1


def test_people_list_filters(world, client_for):
    client = client_for(world.hr_officer)

    def names(**params):
        html = main_html(client.get("/people/", params))
        return set(re.findall(r'/people/(\d+)/record/', html))

    assert names(has_recognition="yes") == {str(world.lead.pk)}
    assert names(has_nomination="yes") == {str(world.lead.pk)}
    assert str(world.lead.pk) not in names(has_nomination="no")
    assert names(agency=world.agency.pk) == {str(world.lead.pk)}
    world.reviewer.position_level = "P1"
    world.reviewer.save()
    assert names(position_level="P1") == {str(world.reviewer.pk)}
