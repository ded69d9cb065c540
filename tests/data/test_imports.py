import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from fund.factories import FundFactory
from fund.imports import ContributionImport
from fund.models import Contribution
from fund.resources import ContributionResource
from people.factories import AgencyFactory, UserFactory
from people.imports import AgencyImport, CivilServantImport
from people.models import Agency, User
from people.resources import CivilServantResource

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def agencies():
    return AgencyFactory(code="MOH", name="Ministry of Health"), AgencyFactory(code="GOV")


def people_file(*rows: str) -> bytes:
    return csv_bytes(PEOPLE_HEADER, *rows)


def run_people(data: bytes, **options):
    return CivilServantImport(system=True).run(data, "people.csv", **options)


def test_import_creates_people_without_usable_password(agencies):
    report = run_people(people_file(
        "E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3",
        "E2,karma,Karma,Dorji,karma@gov.bt,GOV,Analyst,P4",
    ))
    assert (report.new, report.updated, report.unchanged, report.applied) == (2, 0, 0, True)
    pema = User.objects.get(employee_id="E1")
    assert pema.agency.code == "MOH" and pema.position_level == "P3"
    assert not pema.has_usable_password()


def test_reimporting_the_same_file_changes_nothing_and_says_so(agencies):
    data = people_file("E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3")
    run_people(data)
    before = list(User.objects.values_list("id", "password", "username"))
    report = run_people(data)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert "Nothing changed" in report.summary()
    assert list(User.objects.values_list("id", "password", "username")) == before


def test_a_changed_row_updates_the_person_in_place(agencies):
    run_people(people_file("E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3"))
    pk = User.objects.get(employee_id="E1").pk
    report = run_people(people_file("E1,pema,Pema,Wangmo,pema@gov.bt,GOV,Chief Officer,P2"))
    assert (report.new, report.updated) == (0, 1)
    person = User.objects.get(employee_id="E1")
    assert person.pk == pk and person.agency.code == "GOV" and person.position_title == "Chief Officer"
    assert User.objects.filter(employee_id="E1").count() == 1


@pytest.mark.parametrize(
    "row, field, words",
    [
        ("E1,pema,Pema,Wangmo,pema@gov.bt,NOPE,Officer,P3", "agency", "NOPE"),
        (",pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3", "employee_id", "missing"),
        ("E1,pe ma,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3", "username", "not a valid username"),
        ("E1,pema,Pema,Wangmo,not-an-email,MOH,Officer,P3", "email", "not an email"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_field_and_nothing_is_saved(agencies, row, field, words):
    report = run_people(people_file("E9,ok,Ok,Person,ok@gov.bt,MOH,Officer,P3", row))
    assert not report.applied
    assert [(e.row, e.field) for e in report.errors] == [(3, field)]
    assert words in report.errors[0].message
    assert "Nothing was imported" in report.summary()
    assert not User.objects.exists()


def test_duplicate_employee_id_within_the_file(agencies):
    report = run_people(people_file(
        "E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3",
        "E1,pema2,Pema,Wangmo,pema2@gov.bt,MOH,Officer,P3",
    ))
    assert [(e.row, e.field) for e in report.errors] == [(3, "employee_id")]
    assert "first on row 2" in report.errors[0].message
    assert not User.objects.exists()


def test_username_of_another_person_is_refused(agencies):
    UserFactory(username="pema", employee_id=None)
    report = run_people(people_file("E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3"))
    assert report.errors[0].field == "username"
    assert User.objects.filter(username="pema").count() == 1


def test_skip_bad_rows_imports_the_good_ones_and_lists_the_skipped(agencies):
    report = run_people(
        people_file("E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3",
                    "E2,karma,Karma,Dorji,karma@gov.bt,XXX,Officer,P3"),
        skip_bad_rows=True,
    )
    assert report.applied and report.new == 1 and report.skipped == 1
    assert report.bad_rows == [3]
    assert list(User.objects.values_list("employee_id", flat=True)) == ["E1"]


def test_dry_run_touches_nothing(agencies):
    report = run_people(people_file("E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3"), dry_run=True)
    assert report.new == 1 and not report.applied
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "data, name, words",
    [
        (b"", "people.csv", "empty"),
        (b"\x00\x01\x02binary" * 10, "people.csv", "not a text CSV"),
        (b"id,name\n1,x\n", "people.csv", "Wrong header"),
        (PEOPLE_HEADER.encode() + b"\n", "people.csv", "no rows"),
        (b"PK\x03\x04garbage", "people.xlsx", "not a readable XLSX"),
        (b"a,b\n", "people.txt", "not a CSV or XLSX"),
        (b"\xff\xfe\xfa" * 10, "people.csv", "not UTF-8"),
    ],
)
def test_bad_files_are_refused_with_a_message(agencies, data, name, words):
    with pytest.raises(ValidationError) as caught:
        CivilServantImport(system=True).run(data, name)
    assert words in " ".join(caught.value.message_dict["file"])


def test_a_file_over_20_mb_is_refused(agencies):
    with pytest.raises(ValidationError, match="20 MB"):
        run_people(b"x" * (20 * 1024 * 1024 + 1))


def test_xlsx_import_and_export_round_trip(agencies):
    run_people(people_file(
        "E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3",
        "E2,karma,Karma,Dorji,karma@gov.bt,GOV,Analyst,P4",
    ))
    exported = CivilServantResource().export().export("xlsx")
    report = CivilServantImport(system=True).run(exported, "export.xlsx")
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)


def test_xlsx_with_dates_and_numbers():
    fund = FundFactory(slug="gnh")
    AgencyFactory(code="MOF")
    book = Workbook()
    sheet = book.active
    sheet.append(["fund", "agency", "amount", "received_on", "note"])
    from datetime import datetime
    sheet.append(["gnh", "MOF", 250000.5, datetime(2026, 7, 1), "First"])
    out = io.BytesIO()
    book.save(out)
    report = ContributionImport(system=True).run(out.getvalue(), "c.xlsx")
    assert report.new == 1
    c = Contribution.objects.get()
    assert c.fund == fund and c.amount == Decimal("250000.50") and str(c.received_on) == "2026-07-01"


def test_agencies_import_keyed_by_code():
    data = csv_bytes("code,name,kind", "MOH,Ministry of Health,ministry", "TT,Thimphu Thromde,thromde")
    assert AgencyImport(system=True).run(data, "a.csv").new == 2
    again = AgencyImport(system=True).run(
        csv_bytes("code,name,kind", "MOH,Ministry of Health,ministry", "TT,Thimphu Thromde,Thromde"),
        "a.csv",
    )
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    bad = AgencyImport(system=True).run(csv_bytes("code,name,kind", "X,Y,planet"), "a.csv")
    assert bad.errors[0].field == "kind" and Agency.objects.count() == 2


def test_contributions_import_once_only_and_bad_amounts():
    FundFactory(slug="gnh")
    AgencyFactory(code="MOF")
    header = "fund,agency,amount,received_on,note"
    data = csv_bytes(header, "gnh,MOF,1000000.00,2026-07-01,Budget", "gnh,MOF,500,2026-08-01,")
    assert ContributionImport(system=True).run(data, "c.csv").new == 2
    again = ContributionImport(system=True).run(data, "c.csv")
    assert (again.new, again.unchanged) == (0, 2) and Contribution.objects.count() == 2
    for amount, date in [("abc", "2026-07-01"), ("-5", "2026-07-01"), ("1.001", "2026-07-01"),
                         ("10", "01/07/2026"), ("NaN", "2026-07-01")]:
        bad = ContributionImport(system=True).run(
            csv_bytes(header, f"gnh,MOF,{amount},{date},x"), "c.csv"
        )
        assert bad.errors and not bad.applied
    assert Contribution.objects.count() == 2


def test_contribution_export_imports_back_unchanged():
    FundFactory(slug="gnh")
    AgencyFactory(code="MOF")
    ContributionImport(system=True).run(
        csv_bytes("fund,agency,amount,received_on,note", "gnh,MOF,1000.00,2026-07-01,A"), "c.csv"
    )
    exported = ContributionResource().export().csv.encode()
    report = ContributionImport(system=True).run(exported, "c.csv")
    assert (report.new, report.unchanged) == (0, 1)


def test_only_fund_managers_and_admins_may_import(agencies, civil_servant, hr_officer, fund_manager,
                                                  admin_user):
    for user in (civil_servant, hr_officer):
        with pytest.raises(PermissionDenied):
            CivilServantImport(actor=user)
    CivilServantImport(actor=fund_manager)
    CivilServantImport(actor=admin_user)


def test_command_dry_run_skip_and_exit_status(agencies, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(people_file("E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3"))
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(people_file("E2,karma,Karma,Dorji,k@gov.bt,MOH,Officer,P3",
                                  "E3,dawa,Dawa,Lham,d@gov.bt,NOPE,Officer,P3"))
    out = io.StringIO()
    call_command("import_civil_servants", str(good), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and not User.objects.exists()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_civil_servants", str(mixed), stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.exists()
    err = io.StringIO()
    call_command("import_civil_servants", str(mixed), "--skip-bad-rows", stdout=out, stderr=err)
    assert "Row 3, agency" in err.getvalue() and "Skipped rows: 3" in err.getvalue()
    assert list(User.objects.values_list("employee_id", flat=True)) == ["E2"]
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_agencies", str(tmp_path / "missing.csv"))
