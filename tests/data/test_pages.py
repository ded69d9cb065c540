import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.factories import AgencyFactory
from people.models import User

pytestmark = pytest.mark.django_db

HEADER = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"


def upload(text: str, name: str = "people.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_dry_run_then_confirm(client, fund_manager):
    AgencyFactory(code="MOH")
    client.force_login(fund_manager)
    page = client.post(reverse("data:import"), {
        "kind": "civil-servants", "file": upload(f"{HEADER}\nE1,pema,Pema,W,p@gov.bt,MOH,O,P3\n"),
    })
    assert page.status_code == 200
    assert b"Dry run" in page.getvalue() and not User.objects.filter(employee_id="E1").exists()
    token = page.context["pending"]["token"]
    done = client.post(reverse("data:import_confirm"), {"token": token})
    assert done.status_code == 200 and b"1 new" in done.getvalue()
    assert User.objects.filter(employee_id="E1").exists()
    # the pending file is gone: confirming again does nothing
    again = client.post(reverse("data:import_confirm"), {"token": token})
    assert again.status_code == 302 and User.objects.filter(employee_id="E1").count() == 1


def test_bad_rows_are_listed_and_cannot_be_confirmed(client, fund_manager):
    AgencyFactory(code="MOH")
    client.force_login(fund_manager)
    page = client.post(reverse("data:import"), {
        "kind": "civil-servants",
        "file": upload(f"{HEADER}\nE1,pema,Pema,W,p@gov.bt,XXX,O,P3\n"),
    })
    assert page.status_code == 200
    assert b"No agency has the code" in page.getvalue() and page.context["pending"] is None
    assert b"Nothing was imported" in page.getvalue()


def test_wrong_file_shows_a_message_next_to_the_field(client, fund_manager):
    client.force_login(fund_manager)
    page = client.post(reverse("data:import"), {"kind": "agencies", "file": upload("x,y\n1,2\n")})
    assert page.status_code == 200
    assert "Wrong header" in " ".join(page.context["form"].errors["file"])
    page = client.post(reverse("data:import"), {"kind": "agencies", "file": upload("a", "a.exe")})
    assert "not a CSV or XLSX" in " ".join(page.context["form"].errors["file"])


def test_exports_download_csv_and_xlsx(client, fund_manager):
    AgencyFactory(code="MOH", name="Ministry of Health")
    client.force_login(fund_manager)
    csv = client.get(reverse("data:export", args=["agencies", "csv"]))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "MOH,Ministry of Health" in csv.getvalue().decode("utf-8-sig")
    xlsx = client.get(reverse("data:export", args=["civil-servants", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"
    assert client.get("/data/export/nothing.csv").status_code == 404
    assert client.get("/data/export/agencies.pdf").status_code == 404


def test_proposal_export_has_a_constant_number_of_queries(client, fund_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from proposals.factories import ProposalFactory

    client.force_login(fund_manager)
    ProposalFactory.create_batch(3, submitted=True)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/data/export/proposals.csv").status_code == 200
    ProposalFactory.create_batch(30, submitted=True)
    with CaptureQueriesContext(connection) as many:
        large = client.get("/data/export/proposals.csv")
    assert len(few) == len(many)
    text = large.getvalue().decode("utf-8-sig")
    assert text.startswith("id,title,round,lead,lead_agency,partner_agencies,state")
    assert text.count("\n") == 34 and "500000.00" in text
