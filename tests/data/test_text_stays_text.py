"""Text stays text (DOMAIN.md, Integrity rules; issue 13): in every export a text that a
spreadsheet would run as a formula gets a leading apostrophe in CSV and is a string cell in
XLSX; numbers stay numbers; the importer removes exactly that apostrophe, so an export of
civil servants, agencies or contributions imports back unchanged, whatever the text holds."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from datafiles.cells import csv_bytes, csv_cell, imported_text, imported_xlsx_text, xlsx_bytes
from datafiles.exports import export_body, export_dataset
from fund.factories import ContributionFactory, FundFactory
from fund.imports import ContributionImport
from fund.models import Award, Tranche
from people.factories import AgencyFactory, UserFactory
from people.imports import AgencyImport, CivilServantImport
from people.models import User
from proposals.factories import ProposalFactory
from reviews.factories import AssignmentFactory
from rewards.factories import LearningFactory
from workflow.bounds import visible_text_problem
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

RUNNABLE = ["=1+2", "+1", "-1", "@x", "\tx", "\rx"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- one text field of each export, holding `text` -----------------------------------------
def _award(manager, title: str, milestone: str = "Milestone 1") -> Award:
    proposal = ProposalFactory(funded=True, title=title)
    award = Award.objects.create(proposal=proposal, amount=Decimal("1000.00"),
                                 approved_by=manager)
    tranche = Tranche.objects.create(award=award, sequence=1, amount=Decimal("1000.00"),
                                     state="released", due_on=award.approved_at.date(),
                                     milestone=milestone)
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Tranche), object_id=tranche.pk,
        transition="release", from_state="scheduled", to_state="released", actor=manager,
    )
    return award


def _holding(kind: str, text: str, manager) -> str:
    """Make a row of `kind` whose text column (returned) holds `text`."""
    if kind == "agencies":
        AgencyFactory(code="TXT", name=text)
        return "name"
    if kind == "civil-servants":
        UserFactory(username="dawa", employee_id="E900", last_name=text)
        return "last_name"
    if kind == "contributions":
        ContributionFactory(note=text)
        return "note"
    if kind == "proposals":
        ProposalFactory(submitted=True, title=text)
        return "title"
    if kind == "reviews":
        AssignmentFactory(submitted=True, proposal=ProposalFactory(in_review=True, title=text))
        return "proposal"
    if kind == "awards":
        _award(manager, "Clinic queues", milestone=text)
        return "milestone"
    if kind == "learnings":
        LearningFactory(title=text)
        return "title"
    raise AssertionError(kind)


KINDS = ["agencies", "civil-servants", "contributions", "proposals", "reviews", "awards",
         "learnings"]


@pytest.mark.parametrize("text", RUNNABLE)
@pytest.mark.parametrize("kind", KINDS)
def test_every_export_writes_runnable_text_as_text(client, fund_manager, kind, text):
    column = _holding(kind, text, fund_manager)
    client.force_login(fund_manager)

    response = client.get(f"/data/export/{kind}.csv")
    assert response.status_code == 200
    values = [row[column] for row in
              csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"), newline=""))]
    assert "'" + text in values and text not in values

    response = client.get(f"/data/export/{kind}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]
    [cell] = [c for c in cells if imported_xlsx_text(str(c.value)) == text]
    assert cell.data_type == "s"  # a string cell, never a formula ("f")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("text", RUNNABLE)
def test_the_360giving_csv_writes_runnable_text_as_text(client, fund_manager, text):
    _award(fund_manager, text)
    client.force_login(fund_manager)
    response = client.get("/data/export/360giving.csv")
    [row] = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"), newline="")))
    assert row["Title"] == "'" + text
    assert row["Amount Awarded"] == "1000.00"  # a number: never neutralised


def test_the_360giving_json_still_validates_with_runnable_titles(client, fund_manager):
    import json

    from fund import giving360

    _award(fund_manager, "=1+2")
    client.force_login(fund_manager)
    data = json.loads(client.get("/data/export/360giving.json").getvalue())
    assert data["grants"][0]["title"] == "=1+2"  # JSON is not a spreadsheet: as typed
    assert giving360.validation_errors(data) == []


def test_numbers_stay_numbers(client, fund_manager):
    """Amounts are number cells in XLSX and plain decimals in CSV; only text is neutralised,
    so a negative amount (a correction in someone's sheet) is never taken for a formula."""
    ContributionFactory(note="-1", amount=Decimal("250000.50"))
    client.force_login(fund_manager)
    [row] = csv.DictReader(io.StringIO(
        client.get("/data/export/contributions.csv").getvalue().decode("utf-8-sig")))
    assert (row["amount"], row["note"]) == ("250000.50", "'-1")
    sheet = load_workbook(io.BytesIO(
        client.get("/data/export/contributions.xlsx").getvalue())).worksheets[0]
    amount, note = sheet.cell(row=2, column=3), sheet.cell(row=2, column=5)
    assert (amount.value, amount.data_type) == (250000.5, "n")
    assert (note.value, note.data_type) == ("-1", "s")

    assert csv_cell(Decimal("-5.00")) == Decimal("-5.00") and csv_cell(-5) == -5
    assert csv_bytes(["a", "b"], [[Decimal("-5.00"), "-5.00"]]).decode("utf-8-sig") == (
        "a,b\r\n-5.00,'-5.00\r\n")
    book = load_workbook(io.BytesIO(xlsx_bytes(["a"], [[Decimal("-5.00")]])))
    assert book.worksheets[0]["A2"].value == -5 and book.worksheets[0]["A2"].data_type == "n"


@pytest.mark.parametrize("text, written", [
    ("=1+2", "'=1+2"), ("-1", "'-1"), ("\rx", "'\rx"),
    ("'=1+2", "''=1+2"),  # already looks escaped: one more apostrophe, so it comes back
    ("'quoted'", "'quoted'"), ("O'Neil", "O'Neil"), ("", ""), ("'", "'"),
])
def test_the_apostrophe_goes_on_and_comes_off_exactly_once(text, written):
    assert csv_cell(text) == written
    assert imported_text(written) == text


# --- export, then import: nothing changes --------------------------------------------------
def _reimport(importer, kind: str, fmt: str, viewer):
    body = export_body(export_dataset(kind, viewer=viewer), fmt)
    return importer(system=True).run(body, f"{kind}.{fmt}", dry_run=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_civil_servant_with_a_formula_for_a_name_imports_back_unchanged(fund_manager, fmt):
    UserFactory(username="dawa", employee_id="E900", first_name="@x", last_name="=1+2",
                position_title="-1", agency=AgencyFactory(code="MOH"))
    report = _reimport(CivilServantImport, "civil-servants", fmt, fund_manager)
    assert report.errors == []
    assert (report.new, report.updated, report.unchanged) == (0, 0, report.rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agencies_and_contributions_with_formulas_import_back_unchanged(fund_manager, fmt):
    fund = FundFactory(slug="gnh")
    agency = AgencyFactory(code="MOF", name="+1 Ministry")
    ContributionFactory(fund=fund, agency=agency, note="=SUM(A1:A9)\r\nsecond line")
    ContributionFactory(fund=fund, agency=agency, note="'@x")
    for importer, kind in ((AgencyImport, "agencies"), (ContributionImport, "contributions")):
        report = _reimport(importer, kind, fmt, fund_manager)
        assert report.errors == [] and report.new == report.updated == 0, kind


# Names as the product stores them: trimmed (every form, the API and the imports trim), and
# never a NUL (every input refuses it), and visible text or empty (workflow/bounds.py refuses
# a name of invisible characters or marks alone in every channel); otherwise anything, with the
# starts that matter most.
_starts = st.sampled_from(["", "=", "+", "-", "@", "'", "''", "'=", "'+", "'''-", "_x000D_"])
_rest = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                max_size=25)
names = st.builds(lambda start, rest: (start + rest).strip()[:150], _starts, _rest).filter(
    lambda name: name == "" or visible_text_problem(name) is None)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=names, last=names)
def test_any_civil_servant_names_survive_export_and_import(fund_manager, first, last):
    User.objects.update_or_create(
        employee_id="E900",
        defaults={"username": "dawa", "first_name": first, "last_name": last,
                  "position_title": last, "agency": None},
    )
    for fmt in ("csv", "xlsx"):
        report = _reimport(CivilServantImport, "civil-servants", fmt, fund_manager)
        assert report.errors == [], (fmt, report.errors)
        assert (report.new, report.updated) == (0, 0), (fmt, first, last)
