"""Exports at national scale (issue 16): streamed, a bounded number of queries whatever the
number of rows, large ones made by a background job that only its owner may download, and
the streamed files byte for byte what the in-memory export made."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string
from openpyxl import load_workbook

from datafiles.cells import csv_bytes, csv_text, xlsx_bytes
from datafiles.exports import EXPORTS, export_table
from fund import giving360
from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.giving360_api import awards_visible_to
from fund.models import Award
from jobs import services as job_services
from jobs.models import Job
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import BudgetLine, Proposal
from reviews.factories import AssignmentFactory
from rewards.factories import LearningFactory
from securitylog.models import SecurityEvent
from securitylog.resources import SecurityEventResource
from tests.data.test_exports_more import make_award

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def body(response) -> bytes:
    if not hasattr(response, "_read_body"):
        response._read_body = response.getvalue()
    return response._read_body


def queries_of(client, url: str, **params) -> tuple[int, bytes]:
    """The queries of one download, the streamed body read inside the count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        content = body(response)
    return len(queries), content


# --- building many rows fast ---------------------------------------------------------------
def bulk_proposals(n: int, *, round_, lead, partners=(), start: int = 0) -> None:
    """`n` submitted proposals with two budget lines and the partner agencies, in a few
    bulk inserts (no factories one by one)."""
    now = timezone.now()
    made = Proposal.objects.bulk_create(
        [Proposal(round=round_, lead=lead, title=f"Bulk proposal {start + i}",
                  summary="s", requested_amount=Decimal("1000.00"), duration_months=6,
                  state=Proposal.State.SUBMITTED, submitted_at=now) for i in range(n)],
        batch_size=2000,
    )
    if not made or made[0].pk is None:  # backends without RETURNING
        made = list(Proposal.objects.filter(title__startswith="Bulk proposal ").order_by("-pk")[:n])
    BudgetLine.objects.bulk_create(
        [BudgetLine(proposal=p, category="staff", description="d", amount=Decimal(a))
         for p in made for a in ("100.50", "200.25")], batch_size=4000)
    through = Proposal.partner_agencies.through
    through.objects.bulk_create(
        [through(proposal=p, agency=a) for p in made for a in partners], batch_size=4000)


@pytest.fixture
def world():
    round_ = RoundFactory()
    lead = UserFactory(agency=AgencyFactory(code="LEAD"))
    partners = [AgencyFactory(code="ZZP"), AgencyFactory(code="AAP")]
    return round_, lead, partners


def test_an_export_of_20000_rows_runs_with_the_queries_of_200(client, fund_manager, settings,
                                                              world):
    """The proposals export reads its rows in one query (a server-side cursor on PostgreSQL),
    the budget total and partners as subqueries: 20,000 rows cost what 200 do."""
    settings.EXPORT_INLINE_MAX_ROWS = 100_000  # streamed in the request, to count it
    round_, lead, partners = world
    client.force_login(fund_manager)
    bulk_proposals(200, round_=round_, lead=lead, partners=partners)
    queries_of(client, "/data/export/proposals.csv")  # warm caches (content types)
    at_200, small = queries_of(client, "/data/export/proposals.csv")
    bulk_proposals(19_800, round_=round_, lead=lead, partners=partners, start=200)
    at_20000, large = queries_of(client, "/data/export/proposals.csv")
    assert at_20000 == at_200
    rows = list(csv.DictReader(io.StringIO(large.decode("utf-8-sig"))))
    assert len(rows) == 20_000
    assert {r["partner_agencies"] for r in rows} == {"AAP;ZZP"}
    assert {r["budget_total"] for r in rows} == {"300.75"}


def test_the_rows_of_20000_are_read_in_a_bounded_number_of_queries(fund_manager, world):
    """Whatever the resource, reading all rows of the table costs a constant number of
    queries plus, for a resource that still prefetches, one per chunk of `EXPORT_CHUNK_ROWS` rows."""
    round_, lead, partners = world
    bulk_proposals(20_000, round_=round_, lead=lead, partners=partners)
    table = export_table("proposals", viewer=fund_manager)
    with CaptureQueriesContext(connection) as queries:
        count = sum(1 for _ in table.rows())
    assert count == 20_000 and len(queries) == 1


# --- every export: the same queries at two sizes ---------------------------------------------
def _make(kind: str, n: int, world) -> None:
    round_, lead, partners = world
    if kind == "agencies":
        AgencyFactory.create_batch(n)
    elif kind == "civil-servants":
        for _ in range(n):
            UserFactory(employee_id=f"E{UserFactory._meta.model.objects.count() + 1000}")
    elif kind == "contributions":
        ContributionFactory.create_batch(n)
    elif kind == "proposals":
        bulk_proposals(n, round_=round_, lead=lead, partners=partners,
                       start=Proposal.objects.count())
    elif kind == "reviews":
        for _ in range(n):
            AssignmentFactory(submitted=True)
    elif kind == "awards":
        manager = UserFactory(fund_manager=True)
        for _ in range(n):
            make_award(manager)
    elif kind == "learnings":
        for _ in range(n):
            LearningFactory(authors=[UserFactory()], tags=["a", "b"])


@pytest.mark.parametrize("kind", list(EXPORTS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_makes_the_same_queries_at_two_sizes(client, fund_manager, world, kind,
                                                          fmt):
    client.force_login(fund_manager)
    _make(kind, 2, world)
    queries_of(client, f"/data/export/{kind}.{fmt}")  # warm caches (content types)
    few, _ = queries_of(client, f"/data/export/{kind}.{fmt}")
    _make(kind, 12, world)
    many, content = queries_of(client, f"/data/export/{kind}.{fmt}")
    assert few == many, kind
    assert content  # a file, not a redirect to a job


@pytest.fixture
def awards(settings):
    settings.GRANT_ID_PREFIX = "360G-test"
    fund = FundFactory(name="Fund", organisation="Royal Government of Bhutan")
    round_ = RoundFactory(fund=fund, title="=cmd round")
    manager = UserFactory(fund_manager=True)

    def make(n):
        for i in range(n):
            proposal = ProposalFactory(funded=True, round=round_, title=f"+Grant “{i}”\nline")
            Award.objects.create(proposal=proposal, amount=Decimal("450000.50"),
                                 approved_by=manager)
    return make


@pytest.mark.parametrize("url", ["/data/export/360giving.json", "/data/export/360giving.csv",
                                 "/api/v1/awards/360giving.json"])
def test_360giving_makes_the_same_queries_at_two_sizes(client, fund_manager, awards, url):
    client.force_login(fund_manager)
    awards(2)
    queries_of(client, url)  # warm caches (content types)
    few, _ = queries_of(client, url)
    awards(10)
    many, content = queries_of(client, url)
    assert few == many
    if url.endswith(".json"):
        assert len(json.loads(content)["grants"]) == 12


def test_the_security_log_export_makes_the_same_queries_at_two_sizes(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/admin/securitylog/securityevent/export/", {"format": 0})
            assert isinstance(response, StreamingHttpResponse)
            content = body(response)
        return len(queries), content

    SecurityEvent.objects.bulk_create(
        [SecurityEvent(kind=SecurityEvent.Kind.SIGN_IN_FAILED, username=f"=u{i}") for i in range(3)])
    export()  # warm caches
    few, _ = export()
    SecurityEvent.objects.bulk_create(
        [SecurityEvent(kind=SecurityEvent.Kind.SIGN_IN_FAILED, username=f"=u{i}") for i in range(30)])
    many, content = export()
    assert few == many
    # The bytes django-import-export wrote in memory before, after the byte-order mark every
    # CSV of the product starts with (so Excel reads Dzongkha usernames right).
    old = SecurityEventResource().export(queryset=SecurityEvent.objects.all()).csv
    assert content.decode("utf-8") == "\ufeff" + old


# --- a large export goes to a job; only its owner downloads it -----------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_goes_to_a_job_that_only_its_owner_downloads(
        client, fund_manager, settings, world, fmt, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 5
    round_, lead, partners = world
    bulk_proposals(8, round_=round_, lead=lead, partners=partners)
    client.force_login(fund_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/data/export/proposals.{fmt}")
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == Job.State.READY and job.owner == fund_manager
    page = client.get(f"/jobs/{job.pk}/").getvalue().decode()
    assert f"/jobs/{job.pk}/result" in page
    download = client.get(f"/jobs/{job.pk}/result")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert len(rows) == 8 and rows[0]["partner_agencies"] == "AAP;ZZP"
    else:
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        assert sheet.max_row == 9
    # Another fund manager may not see it, let alone download it.
    client.force_login(UserFactory(fund_manager=True))
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/result").status_code == 404


def test_the_job_exports_what_its_owner_may_see_when_it_runs(fund_manager, settings, world):
    """Visibility is the owner's, checked when the job runs: one who may no longer export
    gets a failed job and no file."""
    round_, lead, partners = world
    bulk_proposals(3, round_=round_, lead=lead, partners=partners)
    job = job_services.start_export_job(actor=fund_manager, params={
        "export": "proposals", "format": "csv", "label": "Proposals",
        "filename": "proposals.csv"})
    fund_manager.is_active = False  # no longer a fund manager (nor anyone)
    fund_manager.save()
    job_services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and not job.result


def test_a_large_360giving_download_goes_to_a_job(client, fund_manager, settings, awards,
                                                  django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    awards(3)
    client.force_login(fund_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/data/export/360giving.json")
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    content = b"".join(client.get(f"/jobs/{job.pk}/result").streaming_content)
    data = json.loads(content)
    assert len(data["grants"]) == 3 and giving360.validation_errors(data) == []


def test_an_admin_export_of_many_selected_rows_goes_to_a_job(
        client, settings, world, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    round_, lead, partners = world
    bulk_proposals(4, round_=round_, lead=lead, partners=partners)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    agencies = [AgencyFactory(code=f"AG{i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/people/agency/", {
            "action": "export_selected_csv", "_selected_action": [a.pk for a in agencies]})
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    content = b"".join(client.get(f"/jobs/{job.pk}/result").streaming_content)
    codes = [r["code"] for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))]
    assert sorted(codes) == ["AG0", "AG1", "AG2"]


# --- the streamed files are what the in-memory export wrote ---------------------------------
def _previous(kind: str, viewer) -> tuple[list, list]:
    """The rows as django-import-export's in-memory `export()` made them (the proposals with
    the aggregate and prefetch they used to have)."""
    label, path, known = EXPORTS[kind]
    resource = import_string(path)(viewer=viewer)
    from datafiles.exports import _numbers_as_numbers

    _numbers_as_numbers(resource)
    queryset = resource.get_queryset()
    if kind == "proposals":
        queryset = (Proposal.objects.filter(pk__in=queryset.values("pk"))
                    .select_related("round", "lead__agency").prefetch_related("partner_agencies")
                    .annotate(budget_sum=Sum("budget_lines__amount")).order_by("id"))
    dataset = resource.export(queryset=queryset)
    return dataset.headers, list(dataset)


def _tricky_world(world):
    round_, lead, partners = world
    for title in ['=HYPERLINK("http://x","y")', "'=already", "-5", "plain, with comma",
                  'quote " and\nnewline']:
        p = ProposalFactory(submitted=True, title=title, round=round_, lead=lead)
        p.partner_agencies.set(partners)
    ProposalFactory(submitted=True, title="@no budget, no partners")
    AssignmentFactory(submitted=True)
    LearningFactory(title="+learning", authors=[UserFactory()], tags=["=t", "b"])
    ContributionFactory(note="=SUM(A1)")
    UserFactory(employee_id="E-1", first_name="=Eve")
    make_award(UserFactory(fund_manager=True))


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_the_streamed_csv_is_the_in_memory_csv(client, fund_manager, world, kind):
    _tricky_world(world)
    client.force_login(fund_manager)
    response = client.get(f"/data/export/{kind}.csv")
    assert isinstance(response, StreamingHttpResponse)
    headers, rows = _previous(kind, fund_manager)
    assert rows, kind
    assert body(response) == csv_bytes(headers, rows)


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_the_streamed_xlsx_has_the_in_memory_cells(client, fund_manager, world, kind):
    _tricky_world(world)
    client.force_login(fund_manager)
    streamed = load_workbook(io.BytesIO(body(client.get(f"/data/export/{kind}.xlsx"))))
    headers, rows = _previous(kind, fund_manager)
    before = load_workbook(io.BytesIO(xlsx_bytes(headers, rows)))

    def cells(book):
        return [[(c.value, c.data_type, c.quotePrefix, c.font.b) for c in row]
                for row in book.worksheets[0].iter_rows()]
    assert cells(streamed) == cells(before)
    assert streamed.worksheets[0].freeze_panes == "A2"


def test_the_streamed_360giving_is_what_was_built_in_memory(client, fund_manager, awards):
    awards(3)
    client.force_login(fund_manager)
    visible = list(awards_visible_to(fund_manager))
    package = {"version": giving360.VERSION, "grants": [giving360.grant(a) for a in visible]}
    as_json = body(client.get("/data/export/360giving.json")).decode()
    assert as_json == json.dumps(package, ensure_ascii=False, indent=2)
    api = body(client.get("/api/v1/awards/360giving.json")).decode()
    assert api == as_json
    as_csv = body(client.get("/data/export/360giving.csv")).decode()
    assert as_csv == csv_text(
        [title for title, _ in giving360.CSV_COLUMNS],
        [[value(g) for _, value in giving360.CSV_COLUMNS] for g in package["grants"]])
    assert as_csv.startswith("Identifier,Title,Description")
    assert "'+Grant" in as_csv  # text a spreadsheet would run stays text


def test_no_visible_awards_is_still_a_valid_package(client, fund_manager):
    client.force_login(fund_manager)
    data = json.loads(body(client.get("/data/export/360giving.json")))
    assert data == {"version": giving360.VERSION, "grants": []}


def test_the_same_large_export_asked_again_while_it_waits_is_the_same_job(fund_manager):
    """A second request (a double click, an impatient reload) while the job waits makes no
    second file; another export, or the same once the first is done, is a new job."""
    params = {"export": "proposals", "format": "csv", "label": "Proposals",
              "filename": "proposals.csv", "state": "submitted"}
    first = job_services.start_export_job(actor=fund_manager, params=dict(params))
    again = job_services.start_export_job(actor=fund_manager,
                                          params={**params, "filename": "proposals-2.csv"})
    assert again.pk == first.pk
    other = job_services.start_export_job(actor=fund_manager, params={**params, "format": "xlsx"})
    filtered = job_services.start_export_job(actor=fund_manager, params={**params, "state": ""})
    assert len({first.pk, other.pk, filtered.pk}) == 3
    Job.objects.filter(pk=first.pk).update(state=Job.State.READY)
    assert job_services.start_export_job(actor=fund_manager, params=dict(params)).pk != first.pk


def test_a_job_left_running_long_ago_is_not_waited_on(fund_manager, settings):
    """Found by the scale benchmark: a job that died with its process stays "running" until
    `run_pending_jobs` fails it (an hour); a request sent to it would wait that long. Only a
    job started within JOBS_REUSE_SECONDS is reused."""
    from datetime import timedelta

    from django.utils import timezone

    settings.JOBS_REUSE_SECONDS = 120
    params = {"export": "reviews", "format": "csv", "label": "Reviews",
              "filename": "reviews.csv"}
    orphan = job_services.start_export_job(actor=fund_manager, params=dict(params))
    Job.objects.filter(pk=orphan.pk).update(
        state=Job.State.RUNNING, created_at=timezone.now() - timedelta(seconds=121))
    fresh = job_services.start_export_job(actor=fund_manager, params=dict(params))
    assert fresh.pk != orphan.pk
    assert job_services.start_export_job(actor=fund_manager, params=dict(params)).pk == fresh.pk
