"""The exports of reviews, awards and learnings (and proposals, now scoped to the viewer):
headers, what they leave out, and a constant number of queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fund.models import Award, Tranche
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory
from rewards.factories import LearningFactory
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(response) -> bytes:
    """The file, streamed or not (a streamed body can be read only once: kept)."""
    if not hasattr(response, "_read_body"):
        response._read_body = response.getvalue()
    return response._read_body


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


def header(response) -> list[str]:
    return body(response).decode("utf-8-sig").splitlines()[0].split(",")


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200 and body(response)[:2] == b"PK"
    book = load_workbook(io.BytesIO(body(response)), read_only=True)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        body(response)  # a streamed file reads its rows as it is sent
    return len(queries)


# --- reviews --------------------------------------------------------------------------------
def submitted_review(**kwargs):
    reviewer = UserFactory(first_name="Karma", last_name="Yeshi", agency=AgencyFactory(code="RVA"))
    return AssignmentFactory(submitted=True, reviewer=reviewer, **kwargs)


def test_review_export_has_scores_by_criterion_and_never_the_comment_to_panel(client,
                                                                            fund_manager):
    assignment = submitted_review()
    client.force_login(fund_manager)
    response = client.get("/data/export/reviews.csv")
    columns = header(response)
    assert columns[:7] == ["proposal_id", "proposal", "round", "reviewer", "reviewer_agency",
                           "recommendation", "weighted_score"]
    assert columns[-2:] == ["comment_to_applicant", "submitted_at"]
    assert "score: Public value" in columns and "score: Learning potential" in columns
    assert columns.index("score: Public value") < columns.index("score: Novelty")
    [row] = rows(response)
    assert row["proposal"] == assignment.proposal.title
    assert row["reviewer"] == "Karma Yeshi" and row["reviewer_agency"] == "RVA"
    assert row["score: Public value"] == "4" and row["recommendation"] == "fund"
    assert row["weighted_score"] == "80.00"
    text = body(response).decode("utf-8-sig")
    assert "budget for SMS looks high" not in text  # comment_to_panel: confidential
    assert "comment_to_panel" not in text
    assert "Clear hypothesis" in text


def test_the_option_without_reviewer_names_really_leaves_them_out(client, fund_manager):
    submitted_review()
    client.force_login(fund_manager)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/data/export/reviews.{fmt}?without_reviewer_names=1")
        if fmt == "csv":
            text = body(response).decode("utf-8-sig")
            assert "reviewer" not in header(response)
            assert "reviewer_agency" not in header(response)
            assert "Karma" not in text and "Yeshi" not in text and "RVA" not in text
            assert header(response)[:3] == ["proposal_id", "proposal", "round"]
        else:
            table = xlsx_rows(response)
            cells = " ".join(str(c) for row in table for c in row if c is not None)
            assert "Karma" not in cells and "Yeshi" not in cells and "RVA" not in cells
            assert "reviewer" not in table[0] and "weighted_score" in table[0]


def test_review_export_leaves_out_drafts_conflicts_and_unseen_proposals(client):
    moh = AgencyFactory(code="MOH")
    manager = UserFactory(fund_manager=True, agency=moh)
    shown = submitted_review()
    AssignmentFactory(review=True)  # a review still being written
    conflicted = submitted_review(proposal=ProposalFactory(
        in_review=True, lead=UserFactory(agency=moh), title="From the manager's own agency"))
    client.force_login(manager)
    exported = rows(client.get("/data/export/reviews.csv"))
    assert [r["proposal"] for r in exported] == [shown.proposal.title]
    assert conflicted.proposal.title not in {r["proposal"] for r in exported}


def test_review_export_of_one_round(client, fund_manager):
    first, second = submitted_review(), submitted_review()
    client.force_login(fund_manager)
    exported = rows(client.get(f"/data/export/reviews.csv?round={second.proposal.round_id}"))
    assert [r["proposal"] for r in exported] == [second.proposal.title]
    assert first.proposal.title not in str(exported)


def test_review_export_makes_a_constant_number_of_queries(client, fund_manager):
    client.force_login(fund_manager)
    for _ in range(2):
        submitted_review()
    few = count_queries(client, "/data/export/reviews.csv")
    for _ in range(12):
        submitted_review()
    many = count_queries(client, "/data/export/reviews.csv")
    assert few == many
    assert len(rows(client.get("/data/export/reviews.csv"))) == 14


# --- awards ---------------------------------------------------------------------------------
def make_award(manager, *, parts=("300000.00", "200000.00"), released=1):
    proposal = ProposalFactory(funded=True)
    award = Award.objects.create(proposal=proposal, amount=sum(Decimal(p) for p in parts),
                                 approved_by=manager, conditions="Report each milestone.")
    for i, part in enumerate(parts, start=1):
        tranche = Tranche.objects.create(
            award=award, sequence=i, amount=Decimal(part),
            state="released" if i <= released else "scheduled",
            due_on=datetime.date(2027, 1, 1) + datetime.timedelta(days=90 * i),
            milestone=f"Milestone {i}",
        )
        if i <= released:
            TransitionLog.objects.create(
                content_type=ContentType.objects.get_for_model(Tranche), object_id=tranche.pk,
                transition="release", from_state="scheduled", to_state="released", actor=manager,
            )
    return award


AWARD_HEADER = [
    "award_id", "proposal_id", "proposal", "round", "fund", "currency", "lead", "lead_agency",
    "award_amount", "award_state", "approved_by", "approved_on", "tranche", "tranche_amount",
    "due_on", "tranche_state", "released_on", "milestone",
]


def test_award_export_has_one_row_per_tranche(client, fund_manager):
    award = make_award(fund_manager)
    client.force_login(fund_manager)
    response = client.get("/data/export/awards.csv")
    assert header(response) == AWARD_HEADER
    first, second = rows(response)
    assert first["award_id"] == second["award_id"] == str(award.pk)
    assert first["award_amount"] == second["award_amount"] == "500000.00"
    assert (first["tranche"], first["tranche_amount"], first["tranche_state"]) == (
        "1", "300000.00", "released")
    assert first["released_on"] and second["released_on"] == ""
    assert second["due_on"] == "2027-06-30" and second["milestone"] == "Milestone 2"
    assert first["currency"] == "BTN" and first["proposal"] == award.proposal.title
    table = xlsx_rows(client.get("/data/export/awards.xlsx"))
    assert list(table[0]) == AWARD_HEADER
    assert table[1][AWARD_HEADER.index("tranche_amount")] == 300000  # a number a sum can use


def test_award_export_makes_a_constant_number_of_queries(client, fund_manager):
    client.force_login(fund_manager)
    make_award(fund_manager)
    few = count_queries(client, "/data/export/awards.csv")
    for _ in range(10):
        make_award(fund_manager, parts=("100.00", "200.00", "300.00"), released=2)
    many = count_queries(client, "/data/export/awards.csv")
    assert few == many
    assert len(rows(client.get("/data/export/awards.csv"))) == 32


# --- learnings ------------------------------------------------------------------------------
LEARNING_HEADER = [
    "id", "title", "kind", "visibility", "proposal_id", "proposal", "authors", "author_agencies",
    "tags", "what_we_tried", "what_happened", "what_we_learned", "published_at",
]


def test_learning_export_headers_and_rows(client, fund_manager):
    author = UserFactory(first_name="Dechen", last_name="Lhamo", agency=AgencyFactory(code="GNH"))
    LearningFactory(failure=True, title="SMS queues", authors=[author], tags=["health", "sms"])
    client.force_login(fund_manager)
    response = client.get("/data/export/learnings.csv")
    assert header(response) == LEARNING_HEADER
    [row] = rows(response)
    assert (row["title"], row["kind"], row["authors"], row["author_agencies"], row["tags"]) == (
        "SMS queues", "failure", "Dechen Lhamo", "GNH", "health;sms")
    assert xlsx_rows(client.get("/data/export/learnings.xlsx"))[0] == tuple(LEARNING_HEADER)


def test_learning_export_makes_a_constant_number_of_queries(client, fund_manager):
    client.force_login(fund_manager)
    LearningFactory(tags=["a"])
    few = count_queries(client, "/data/export/learnings.csv")
    for i in range(15):
        LearningFactory(tags=[f"t{i}", "shared"], authors=UserFactory.create_batch(2),
                        proposal=ProposalFactory(funded=True))
    many = count_queries(client, "/data/export/learnings.csv")
    assert few == many


# --- proposals: what the viewer may see -----------------------------------------------------
def test_proposal_export_leaves_out_drafts_and_stays_constant(client, fund_manager):
    client.force_login(fund_manager)
    ProposalFactory(ready=True, title="Someone's private draft")
    ProposalFactory.create_batch(3, submitted=True)
    few = count_queries(client, "/data/export/proposals.csv")
    ProposalFactory.create_batch(20, in_review=True)
    many = count_queries(client, "/data/export/proposals.csv")
    assert few == many
    exported = rows(client.get("/data/export/proposals.csv"))
    assert len(exported) == 23 and "Someone's private draft" not in str(exported)


def test_text_that_a_spreadsheet_would_run_is_neutralised(client, fund_manager):
    ProposalFactory(submitted=True, title='=HYPERLINK("http://evil.example","Click")')
    client.force_login(fund_manager)
    [row] = rows(client.get("/data/export/proposals.csv"))
    assert row["title"].startswith("'=HYPERLINK")
    # In XLSX the text is kept as typed, in a string cell (never a formula).
    book = load_workbook(io.BytesIO(client.get("/data/export/proposals.xlsx").getvalue()))
    title = book.worksheets[0].cell(row=2, column=2)
    assert title.value == '=HYPERLINK("http://evil.example","Click")' and title.data_type == "s"


def test_the_exports_page_lists_the_new_exports(client, fund_manager):
    client.force_login(fund_manager)
    page = client.get("/data/export/").getvalue().decode()
    for kind in ("reviews", "awards", "learnings"):
        assert f"/data/export/{kind}.csv" in page and f"/data/export/{kind}.xlsx" in page
    assert 'name="without_reviewer_names"' in page


# --- links from the list pages --------------------------------------------------------------
def test_list_pages_link_their_exports_for_fund_managers_only(client, fund_manager,
                                                              civil_servant):
    from fund.factories import RoundFactory
    from reviews.factories import PanelFactory

    round_ = RoundFactory()
    panel = PanelFactory(round=round_, chair=UserFactory())
    pages = {
        "/proposals/queue/": "/data/export/proposals.csv",
        f"/reviews/rounds/{round_.pk}/ranking/": "/data/export/reviews.csv",
        f"/reviews/panels/{panel.pk}/": f"/data/export/reviews.csv?round={round_.pk}",
        "/awards/": "/data/export/awards.csv",
        "/learnings/": "/data/export/learnings.csv",
    }
    client.force_login(fund_manager)
    for page, link in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert link in body(response).decode(), page
    client.force_login(civil_servant)
    for page in ("/awards/", "/learnings/"):
        assert "/data/export/" not in client.get(page).getvalue().decode(), page
    client.force_login(fund_manager)
    filtered = client.get(f"/awards/?round={round_.pk}").getvalue().decode()
    assert f"/data/export/awards.xlsx?round={round_.pk}" in filtered
