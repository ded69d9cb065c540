"""Dzongkha typed by users leaves in every export as typed (issue 18): each CSV/XLSX export
of /data/export/ (the registry datafiles/exports.py, which the admin actions and the export
jobs use too), the 360Giving JSON and CSV (the page and the API), the security log's admin
export. CSV is UTF-8 with a BOM (Excel reads it as UTF-8) except the 360Giving CSV (UTF-8
without a BOM, for the standard's tools, and its Content-Type says utf-8); every file is read
back and the cells compared whole with what was typed."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from datafiles.exports import EXPORTS, export_table, write_export
from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Tranche
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory
from rewards.factories import LearningFactory
from tests.api.conftest import client_for

from .dzongkha import AGENCY, FIRST_NAME, FUND, LAST_NAME, LEARNING, ROUND, SUMMARY, TITLE

pytestmark = pytest.mark.django_db
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"
REVIEWER = ("ཀརྨ", "ཡེ་ཤེས")
NOTE = "ཡར་རྒྱས་ཀྱི་སྙན་ཞུ་ཟླ་རིམ་བཞིན་ཕུལ་དགོ།"  # mixed below with Latin and a quote
MIXED_TITLE = f'{TITLE} "SMS" queues – ཐིམ་ཕུ'


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    agency = AgencyFactory(code="MOH", name=AGENCY)
    lead = UserFactory(username="pema", first_name=FIRST_NAME, last_name=LAST_NAME,
                       agency=agency, employee_id="E-1001")
    fund = FundFactory(name=FUND, organisation=AGENCY)
    round_ = RoundFactory(fund=fund, title=ROUND, budget=Decimal("2500000.00"),
                          max_award=Decimal("1000000.00"))
    proposal = ProposalFactory(round=round_, lead=lead, funded=True, title=MIXED_TITLE,
                               summary=SUMMARY)
    manager = UserFactory(username="manager", fund_manager=True)
    award = Award.objects.create(proposal=proposal, amount=Decimal("400000.00"),
                                 approved_by=manager)
    Tranche.objects.create(award=award, sequence=1, amount=Decimal("400000.00"),
                           due_on="2027-04-01", milestone=SUMMARY)
    LearningFactory(title=LEARNING, proposal=proposal, created_by=lead, what_we_learned=SUMMARY,
                    public=True)
    reviewer = UserFactory(first_name=REVIEWER[0], last_name=REVIEWER[1],
                           agency=AgencyFactory(code="RVA"))
    AssignmentFactory(submitted=True, reviewer=reviewer,
                      proposal=ProposalFactory(round=round_, in_review=True, title=TITLE))
    ContributionFactory(fund=fund, agency=agency, note=NOTE)
    return {"manager": manager, "proposal": proposal}


# What each export must carry, cell for cell.
EXPECTED = {
    "agencies": {AGENCY},
    "civil-servants": {FIRST_NAME, LAST_NAME},
    "contributions": {NOTE},
    "proposals": {MIXED_TITLE, ROUND, FULL_NAME},
    "reviews": {TITLE, ROUND, " ".join(REVIEWER)},
    "awards": {MIXED_TITLE, ROUND, FULL_NAME, SUMMARY},
    "learnings": {LEARNING, MIXED_TITLE, FULL_NAME, SUMMARY},
}


def test_every_export_is_checked():
    assert set(EXPECTED) == set(EXPORTS)


def body(response) -> bytes:
    return response.getvalue()


def csv_cells(content: bytes) -> set[str]:
    assert content.startswith(b"\xef\xbb\xbf"), "a CSV export starts with the UTF-8 BOM"
    text = content.decode("utf-8-sig")
    return {cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row}


def xlsx_cells(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row
            if isinstance(cell, str)}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_export_reads_back_as_typed_in_csv_and_xlsx(world, kind):
    client = Client()
    client.force_login(world["manager"])
    as_csv = client.get(f"/data/export/{kind}.csv")
    assert as_csv.status_code == 200
    assert "charset=utf-8" in as_csv["Content-Type"]
    assert EXPECTED[kind] <= csv_cells(body(as_csv))
    as_xlsx = client.get(f"/data/export/{kind}.xlsx")
    assert as_xlsx.status_code == 200
    assert EXPECTED[kind] <= xlsx_cells(body(as_xlsx))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_written_by_a_job_reads_back_as_typed(world, fmt, tmp_path):
    """The streamed writer of the export jobs (and of files above the inline limit)."""
    for kind in ("proposals", "learnings", "civil-servants"):
        target = tmp_path / f"{kind}.{fmt}"
        with open(target, "wb") as out:
            write_export(export_table(kind, viewer=world["manager"]), fmt, out)
        cells = csv_cells(target.read_bytes()) if fmt == "csv" else \
            xlsx_cells(target.read_bytes())
        assert EXPECTED[kind] <= cells


def test_the_360giving_json_reads_back_as_typed(world):
    client = Client()
    client.force_login(world["manager"])
    for response in (client.get("/data/export/360giving.json"),
                     client_for(world["manager"]).get("/api/v1/awards/360giving.json")):
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else \
            response.content
        assert "\\u0f" not in content.decode("utf-8").lower()  # written as text, not escapes
        grant = json.loads(content.decode("utf-8"))["grants"][0]
        assert grant["title"] == MIXED_TITLE and grant["description"] == SUMMARY
        assert grant["recipientOrganization"][0]["name"] == AGENCY
        assert grant["grantProgramme"][0]["title"] == ROUND


def test_the_360giving_csv_reads_back_as_typed(world):
    client = Client()
    client.force_login(world["manager"])
    response = client.get("/data/export/360giving.csv")
    assert response.status_code == 200 and "charset=utf-8" in response["Content-Type"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    row = next(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))
    assert row["Title"] == MIXED_TITLE and row["Description"] == SUMMARY
    assert row["Recipient Org:Name"] == AGENCY and row["Grant Programme:Title"] == ROUND


def test_the_security_log_export_reads_back_as_typed(world):
    from securitylog.models import SecurityEvent
    from securitylog.receivers import record

    pema = UserFactory(username="pema2", first_name=FIRST_NAME, last_name=LAST_NAME)
    record(SecurityEvent.Kind.SIGN_IN_FAILED, username=TITLE, ip_address="10.0.0.9")
    record(SecurityEvent.Kind.SIGN_IN, subject=pema, actor=pema, username="pema2",
           ip_address="10.0.0.8")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = "/admin/securitylog/securityevent/export/"
    as_csv = client.post(url, {"format": "0", "resource": "0"})
    assert as_csv.status_code == 200
    content = b"".join(as_csv.streaming_content)
    assert TITLE in csv_cells(content)  # csv_cells: starts with the BOM
    as_xlsx = client.post(url, {"format": "1", "resource": "0"})
    content = b"".join(as_xlsx.streaming_content)
    assert TITLE in xlsx_cells(content)
