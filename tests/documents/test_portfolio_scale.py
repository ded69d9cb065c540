"""The round portfolio at national scale (issue 16): a large round's PDF is a summary and the
first proposals of the ranking, with every proposal in a CSV beside it; above
PORTFOLIO_INLINE_MAX it is made by a job, never inside the request; the same queries for a
small round as for a large one."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from rest_framework.test import APIClient

from documents import portfolio
from fund.factories import RoundFactory
from fund.models import Award, Tranche
from jobs.models import Job
from jobs.running import run_job
from people.factories import AgencyFactory, UserFactory
from proposals.models import Proposal
from reviews.models import Assignment, Panel, Review
from reviews.selectors import ranking_rows
from reviews.services.scores import refresh_proposal_scores

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATES = ("in_review", "recommended", "rejected", "funded", "declined", "closed")


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTFOLIO_INLINE_MAX = 50
    settings.PORTFOLIO_RANKED_MAX = 20


def _round(n: int, *, chair=None, budget="30000.00"):
    """A round of `n` proposals past drafting (and a draft), leads from three agencies, each
    reviewed twice; funded and closed ones with an award of two tranches, one cancelled."""
    round_ = RoundFactory(closed=True, budget=Decimal(budget))
    panel = Panel.objects.create(round=round_, name="Panel", chair=chair or UserFactory())
    leads = [UserFactory(agency=AgencyFactory()) for _ in range(3)]
    reviewers = UserFactory.create_batch(2)
    proposals = Proposal.objects.bulk_create(
        Proposal(round=round_, lead=leads[i % 3], requested_amount=Decimal(1000 + i % 7),
                 state=STATES[i % len(STATES)], title=f"Experiment {i:04d}")
        for i in range(n)
    )
    Proposal.objects.create(round=round_, lead=leads[0], title="A draft", state="draft")
    assignments = Assignment.objects.bulk_create(
        Assignment(proposal=p, reviewer=r, panel=panel, due_on=datetime.date(2027, 1, 1),
                   state="submitted")
        for p in proposals for r in reviewers
    )
    Review.objects.bulk_create(
        Review(assignment=a, recommendation="fund", weighted_score=Decimal(40 + i % 55))
        for i, a in enumerate(assignments)
    )
    # A bulk write skips the signals keeping the stored ranking rows: rebuild them, as a bulk
    # load does.
    refresh_proposal_scores([p.pk for p in proposals])
    approver = UserFactory(fund_manager=True)
    awards = Award.objects.bulk_create(
        Award(proposal=p, amount=Decimal("900.00"), approved_by=approver)
        for p in proposals if p.state in ("funded", "closed")
    )
    Tranche.objects.bulk_create(
        Tranche(award=a, sequence=s, amount=Decimal("450.00"), milestone=f"Milestone {s}",
                due_on=datetime.date(2027, 1, 1), state="cancelled" if s == 2 else "scheduled")
        for a in awards for s in (1, 2)
    )
    return round_, panel


def _pdf(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- inline below the threshold, a job above it --------------------------------------------


@pytest.mark.django_db
def test_a_small_rounds_pdf_is_made_in_the_request():
    round_, panel = _round(12)
    client = Client()
    client.force_login(panel.chair)
    response = client.get(f"/api/v1/rounds/{round_.pk}/portfolio.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_large_rounds_pdf_goes_to_a_job_and_the_browser_to_its_page(monkeypatch):
    made = []
    monkeypatch.setattr(portfolio, "round_portfolio_pdf", lambda *a: made.append(a) or b"")
    round_, panel = _round(51)  # one above PORTFOLIO_INLINE_MAX
    client = Client()
    client.force_login(panel.chair)
    response = client.get(f"/api/v1/rounds/{round_.pk}/portfolio.pdf", HTTP_ACCEPT=BROWSER)
    job = Job.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == Job.Kind.ROUND_PORTFOLIO and job.owner == panel.chair
    assert job.params == {"round": round_.pk} and job.state == Job.State.QUEUED
    assert made == []  # nothing rendered in the request
    # asked again while it waits: the same job, not a second one
    again = client.get(f"/api/v1/rounds/{round_.pk}/portfolio.pdf", HTTP_ACCEPT=BROWSER)
    assert again["Location"] == f"/jobs/{job.pk}/" and Job.objects.count() == 1


@pytest.mark.django_db
def test_an_api_client_gets_202_and_the_jobs_address():
    round_, panel = _round(51)
    api = APIClient()
    api.force_authenticate(panel.chair)
    response = api.get(f"/api/v1/rounds/{round_.pk}/portfolio.pdf")
    job = Job.objects.get()
    assert response.status_code == 202 and response["Location"] == f"/api/v1/jobs/{job.pk}/"
    body = response.json()
    assert body["job"] == job.pk and body["job_url"].endswith(f"/api/v1/jobs/{job.pk}/")
    asked = api.get(response["Location"])  # the token client can follow it
    assert asked.status_code == 200 and asked.json()["id"] == job.pk


@pytest.mark.django_db
def test_no_job_for_whoever_may_not_read_the_portfolio():
    round_, panel = _round(51)
    for user in (UserFactory(hr_officer=True), panel.members.first() or UserFactory()):
        client = Client()
        client.force_login(user)
        response = client.get(f"/api/v1/rounds/{round_.pk}/portfolio.pdf")
        assert response.status_code == 403
        assert client.get(f"/api/v1/rounds/{round_.pk}/portfolio.csv").status_code == 403
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_round_page_offers_no_now_link_for_a_large_round():
    fm = UserFactory(fund_manager=True)
    small, _ = _round(12)
    large, _ = _round(51)
    client = Client()
    client.force_login(fm)
    small_page = client.get(f"/funds/rounds/{small.pk}/").content.decode()
    large_page = client.get(f"/funds/rounds/{large.pk}/").content.decode()
    assert f"/api/v1/rounds/{small.pk}/portfolio.pdf" in small_page
    assert f"/api/v1/rounds/{large.pk}/portfolio.pdf" not in large_page
    assert "prepared in the background" in large_page
    for page, round_ in ((small_page, small), (large_page, large)):
        assert f"/api/v1/rounds/{round_.pk}/portfolio.csv" in page
        assert "Prepare the portfolio report (PDF)" in page


# --- a large round's PDF: bounded, and the CSV beside it ------------------------------------


@pytest.mark.django_db
def test_the_job_makes_a_bounded_pdf_of_a_round_of_300():
    fm = UserFactory(fund_manager=True)
    round_, panel = _round(300)
    job = Job.objects.create(kind=Job.Kind.ROUND_PORTFOLIO, owner=fm,
                             params={"round": round_.pk}, title="Portfolio")
    job = run_job(job_id=job.pk)
    assert job.state == Job.State.READY, job.error
    with job.result.open("rb") as handle:
        pages, text = _pdf(handle.read())
    assert pages <= 8, pages  # the summary and 20 ranked rows, not 300
    assert "The funding line falls after rank" in text
    assert "Ranking: the first 20 of 300" in text
    assert "The other 280 proposals" in text and f"rounds/{round_.pk}/portfolio.csv" in text
    assert "Experiment" in text
    # the totals still cover every proposal
    context = portfolio.round_portfolio_context(round_, fm)
    assert context["totals"]["count"] == 300 and len(context["ranked"]) == 20
    funded = Proposal.objects.filter(round=round_, state__in=("funded", "closed")).count()
    assert context["totals"]["awarded"] == funded * Decimal("450.00")  # one tranche back
    assert sum(r["count"] for r in context["by_agency"]) == 300


@pytest.mark.django_db
def test_the_csv_beside_it_lists_every_proposal_as_the_ranking_does():
    fm = UserFactory(fund_manager=True)
    round_, panel = _round(300)
    api = APIClient()
    api.force_authenticate(fm)
    response = api.get(f"/api/v1/rounds/{round_.pk}/portfolio.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:3] == ["Rank", "Proposal ID", "Title"]
    whole = ranking_rows(round_=round_, viewer=fm)
    assert len(rows) == 300 == len(whole)
    assert [int(r[0]) for r in rows] == list(range(1, 301))
    assert [int(r[1]) for r in rows] == [w["proposal"].pk for w in whole]
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["Mean score"]] for r in rows] == [str(w["mean_weighted_score"]) for w in whole]
    above = [r[col["Above the funding line"]] for r in rows]
    line = next(w["rank"] - 1 for w in whole if w["funding_line_before"])
    assert "no" in above and all(a != "yes" for a in above[line:])
    awarded = [r[col["Awarded"]] for r in rows if r[col["Awarded"]]]
    assert awarded and set(awarded) == {"450.00"}


@pytest.mark.django_db
def test_the_csv_keeps_the_blind_and_conflict_rules():
    chair = UserFactory()
    round_, panel = _round(30, chair=chair)
    # the chair's agency leads a third of the round: those are set apart, without scores
    chair.agency = Proposal.objects.filter(round=round_).first().lead.agency
    chair.save()
    mine = Proposal.objects.filter(round=round_, lead__agency=chair.agency).exclude(
        state="draft").count()
    api = APIClient()
    api.force_authenticate(chair)
    header, *rows = _csv(api.get(f"/api/v1/rounds/{round_.pk}/portfolio.csv"))
    col = {name: i for i, name in enumerate(header)}
    apart = [r for r in rows if not r[col["Rank"]]]
    assert len(apart) == mine and len(rows) == 30
    for row in apart:
        assert row[col["Mean score"]] == row[col["Requested"]] == row[col["Lead agency"]] == ""
        assert "conflict of interest" in row[col["Note"]]
    assert all(r[col["Running total"]] == "" and r[col["Above the funding line"]] == ""
               for r in rows)
    assert [int(r[col["Rank"]]) for r in rows if r[col["Rank"]]] == list(range(1, 31 - mine))


@pytest.mark.django_db
def test_a_formula_in_a_title_stays_text_in_the_csv():
    fm = UserFactory(fund_manager=True)
    round_, panel = _round(3)
    Proposal.objects.filter(round=round_, title="Experiment 0000").update(title="=1+2")
    api = APIClient()
    api.force_authenticate(fm)
    header, *rows = _csv(api.get(f"/api/v1/rounds/{round_.pk}/portfolio.csv"))
    assert "'=1+2" in [r[2] for r in rows]


# --- the same queries whatever the round's size -------------------------------------------


def _queries(client, url) -> int:
    response = client.get(url)  # warm (session, content types)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["pdf", "csv"])
def test_the_portfolio_costs_the_same_queries_for_10_and_300_proposals(settings, what):
    settings.PORTFOLIO_INLINE_MAX = 1000  # both inline, to count the rendering's queries
    fm = UserFactory(fund_manager=True)
    client = Client()
    client.force_login(fm)
    counts = [_queries(client, f"/api/v1/rounds/{_round(n)[0].pk}/portfolio.{what}")
              for n in (10, 300)]
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_the_round_page_costs_the_same_queries_small_and_large():
    fm = UserFactory(fund_manager=True)
    client = Client()
    client.force_login(fm)
    counts = [_queries(client, f"/funds/rounds/{_round(n)[0].pk}/") for n in (10, 60)]
    assert counts[0] == counts[1], counts
