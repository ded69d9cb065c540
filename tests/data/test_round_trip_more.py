"""What /data/export/ gives, /data/import/ takes back unchanged: agencies and civil
servants, also a civil servant with no agency; and a file whose every row is bad."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from people.factories import AgencyFactory, UserFactory
from people.imports import CivilServantImport
from people.models import User

pytestmark = pytest.mark.django_db

HEADER = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"


@pytest.fixture
def world(db):
    moh = AgencyFactory(code="MOH", name="Ministry of Health")
    AgencyFactory(code="TARAYANA", name="Tarayana Foundation, Thimphu", kind="cso")
    UserFactory(username="pema", employee_id="E1", agency=moh, position_title="Officer, Health")
    UserFactory(username="karma", employee_id="00042", agency=None, email="")


def dry_run(client, kind: str, name: str, body: bytes):
    page = client.post("/data/import/", {"kind": kind, "file": SimpleUploadedFile(name, body)})
    assert page.status_code == 200
    return page.context["report"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["agencies", "civil-servants"])
def test_an_export_imports_back_with_every_row_unchanged(client, fund_manager, world, kind, fmt):
    client.force_login(fund_manager)
    exported = client.get(f"/data/export/{kind}.{fmt}")
    assert exported.status_code == 200
    report = dry_run(client, kind, f"{kind}.{fmt}", exported.getvalue())
    assert report.errors == []
    expected = 3 if kind == "agencies" else 2  # the fund manager's own agency, and no HR id
    assert (report.rows, report.new, report.updated, report.unchanged) == (expected, 0, 0, expected)


def test_a_blank_agency_is_no_agency_and_a_present_one_must_exist(world):
    report = CivilServantImport(system=True).run((
        f"{HEADER}\nE7,dawa,Dawa,Lham,,,Officer,P3\nE8,tenzin,Tenzin,Om,,NOPE,Officer,P3\n"
    ).encode(), "p.csv", skip_bad_rows=True)
    assert [str(e) for e in report.errors] == ["Row 3, agency: No agency has the code “NOPE”."]
    assert User.objects.get(employee_id="E7").agency is None


def test_clearing_the_agency_in_the_file_clears_it_on_the_person(world):
    report = CivilServantImport(system=True).run(
        f"{HEADER}\nE1,pema,Pema,Wangmo,,,Officer,P3\n".encode(), "p.csv")
    assert report.updated == 1 and User.objects.get(employee_id="E1").agency is None


def test_a_file_of_only_bad_rows_says_so_even_when_skipping(world):
    report = CivilServantImport(system=True).run(
        f"{HEADER}\nE7,da wa,,,,,,\nE8,tenzin,,,,NOPE,,\n".encode(), "p.csv", skip_bad_rows=True)
    assert report.summary() == "Nothing was imported: all 2 rows have errors."
    dry = CivilServantImport(system=True).run(
        f"{HEADER}\nE7,da wa,,,,,,\n".encode(), "p.csv", skip_bad_rows=True, dry_run=True)
    assert dry.summary() == "Nothing was imported: all 1 rows have errors."


def test_the_command_fails_when_skipping_left_nothing_to_import(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nE7,da wa,,,,,,\nE8,tenzin,,,,NOPE,,\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: all 2 rows have errors") as exc:
        call_command("import_civil_servants", str(bad), "--skip-bad-rows", stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert "Row 2, username" in err.getvalue() and "Row 3, agency" in err.getvalue()
    assert "Nothing changed" not in out.getvalue()
    assert not User.objects.filter(employee_id__in=["E7", "E8"]).exists()


def test_the_page_offers_no_confirmation_when_skipping_leaves_nothing(client, fund_manager, world):
    client.force_login(fund_manager)
    page = client.post("/data/import/", {
        "kind": "civil-servants", "skip_bad_rows": "on",
        "file": SimpleUploadedFile("p.csv", f"{HEADER}\nE7,da wa,,,,,,\n".encode()),
    })
    assert page.context["pending"] is None
    assert "Nothing was imported: all 1 rows have errors." in page.getvalue().decode()
