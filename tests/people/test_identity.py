"""One identity per agency and person (DOMAIN.md, "Integrity rules"): agency codes stored
upper-case and unique without regard to case, usernames and employee IDs likewise, sign-in
ignoring the username's case; every way in refuses a second identity naming the first."""

from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from fund.factories import FundFactory
from fund.imports import ContributionImport
from fund.models import Contribution
from people.factories import PASSWORD, AgencyFactory, UserFactory
from people.imports import AgencyImport, CivilServantImport
from people.models import Agency, ApiToken, User
from people.resources import AgencyResource, CivilServantResource
from people.services import agency_get_or_create, user_get_or_create, user_set_agency
from people.signals import agency_changed
from people.tokens import digest

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"
MOH_TAKEN = "An agency with code MOH already exists: Ministry of Health."


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def codes(*wanted: str) -> list[str]:
    """The codes of the agencies whose code is one of `wanted` in any case (the users of the
    fixtures bring agencies of their own)."""
    found = Agency.objects.values_list("code", flat=True)
    return sorted(c for c in found if c.lower() in {w.lower() for w in wanted})


def upload(text: str, name: str = "file.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def moh(db):
    return AgencyFactory(code="MOH", name="Ministry of Health", kind=Agency.Kind.MINISTRY)


@pytest.fixture
def pema(moh):
    return UserFactory(username="pema", first_name="Pema", last_name="Wangmo", agency=moh,
                       employee_id="E1")


@pytest.fixture
def announced():
    """The `people` of each agency_changed sent during the test, in order."""
    calls = []

    def receiver(sender, people, actor, **kwargs):
        calls.append(list(people))

    agency_changed.connect(receiver, weak=False)
    yield calls
    agency_changed.disconnect(receiver)


# --- agency codes --------------------------------------------------------------------------
def test_a_code_is_stored_trimmed_and_upper_case_and_found_in_any_case():
    agency, created = agency_get_or_create(code=" moh ", name="Ministry of Health")
    assert created and agency.code == "MOH"
    again, created = agency_get_or_create(code="Moh", name="Another name")
    assert (again.pk, created) == (agency.pk, False)
    assert Agency.objects.count() == 1


@pytest.mark.parametrize("code", ["M.O.H", "MO H", "MÖH", "moh!"])
def test_a_code_with_other_characters_is_refused_clearly(code):
    with pytest.raises(ValidationError) as refused:
        agency_get_or_create(code=code, name="X")
    assert "A–Z" in str(refused.value) and "0–9" in str(refused.value)
    assert not Agency.objects.exists()


def test_the_model_refuses_a_second_agency_naming_the_first(moh):
    with pytest.raises(ValidationError) as refused:
        Agency(code="moh", name="Ministry of health").full_clean()
    assert refused.value.message_dict["code"] == [MOH_TAKEN]


def test_the_database_refuses_a_code_differing_only_by_case(moh):
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.bulk_create([Agency(code="moh", name="Ministry of health")])


def test_importing_moh_when_MOH_exists_updates_MOH(moh):
    data = csv_bytes("code,name,kind", "moh,Ministry of Health and Care,ministry")
    report = AgencyImport(system=True).run(data, "agencies.csv")
    assert (report.new, report.updated, report.errors) == (0, 1, [])
    assert list(Agency.objects.values_list("code", "name")) == [
        ("MOH", "Ministry of Health and Care")]
    again = AgencyImport(system=True).run(data, "agencies.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def test_an_agency_file_naming_one_code_twice_in_two_cases_is_refused(moh):
    report = AgencyImport(system=True).run(
        csv_bytes("code,name,kind", "MOF,Finance,ministry", "mof,Finance,ministry"), "a.csv")
    assert [(e.row, e.field) for e in report.errors] == [(3, "code")]
    assert "appears again (first on row 2)" in report.errors[0].message
    assert Agency.objects.count() == 1


def test_an_agency_row_with_a_bad_code_is_reported_by_row_and_field(moh):
    report = AgencyImport(system=True).run(
        csv_bytes("code,name,kind", "GNH,GNH Commission,agency", "M O F,Finance,ministry"),
        "a.csv")
    assert [(e.row, e.field) for e in report.errors] == [(3, "code")]
    assert "not a valid agency code" in report.errors[0].message
    assert Agency.objects.count() == 1


def test_the_import_command_matches_the_code_in_any_case(moh, tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(csv_bytes("code,name,kind", "moh,Ministry of Health,ministry"))
    call_command("import_agencies", str(path))
    call_command("import_agencies", str(path))
    assert list(Agency.objects.values_list("code", flat=True)) == ["MOH"]


def test_the_import_page_matches_the_code_in_any_case(client, fund_manager, moh):
    client.force_login(fund_manager)
    page = client.post(reverse("data:import"), {
        "kind": "agencies", "file": upload("code,name,kind\nmoh,Ministry of Health,ministry\n"
                                           "gnh,GNH Commission,agency\n"),
    })
    assert page.status_code == 200
    done = client.post(reverse("data:import_confirm"), {"token": page.context["pending"]["token"]})
    assert done.status_code == 200 and b"1 new" in done.content
    assert codes("moh", "gnh") == ["GNH", "MOH"]


def test_the_admin_import_matches_the_code_in_any_case(client, admin_user, moh):
    client.force_login(admin_user)
    url = "/admin/people/agency/import/"
    page = client.post(url, {"file": upload("code,name,kind\nMoh,Ministry of Health,ministry\n")})
    client.post(url + "confirm/", {"token": page.context["pending"]["token"]})
    assert codes("moh") == ["MOH"]


def test_people_and_contributions_files_name_agencies_in_any_case(moh):
    report = CivilServantImport(system=True).run(
        csv_bytes(PEOPLE_HEADER, "E7,karma,Karma,Dorji,k@gov.bt,moh,Officer,P3"), "p.csv")
    assert report.errors == [] and User.objects.get(employee_id="E7").agency == moh
    fund = FundFactory()
    report = ContributionImport(system=True).run(
        csv_bytes("fund,agency,amount,received_on,note", f"{fund.slug},Moh,1000,2026-07-01,"),
        "c.csv")
    assert report.errors == [] and Contribution.objects.get().agency == moh
    assert Contribution.objects.get().amount == Decimal("1000.00")


def test_the_admin_refuses_a_second_agency_naming_the_first(client, admin_user, moh):
    client.force_login(admin_user)
    response = client.post("/admin/people/agency/add/", {
        "code": " moh ", "name": "Ministry of health", "kind": "ministry", "is_active": "on",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == [MOH_TAKEN]
    added = client.post("/admin/people/agency/add/", {
        "code": "mof", "name": "Ministry of Finance", "kind": "ministry", "is_active": "on",
    })
    assert added.status_code == 302
    assert codes("moh", "mof") == ["MOF", "MOH"]


def test_the_api_refuses_a_second_agency_naming_the_first(admin_user, moh):
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.post("/api/v1/agencies/", {"code": "moh", "name": "Dup"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == [MOH_TAKEN]
    bad = client.post("/api/v1/agencies/", {"code": "M/F", "name": "X"}, format="json")
    assert bad.status_code == 400 and "A–Z" in bad.json()["code"][0]
    created = client.post("/api/v1/agencies/", {"code": " mof ", "name": "Finance"}, format="json")
    assert created.status_code == 201 and created.json()["code"] == "MOF"
    # an agency may keep (or re-case) its own code
    own = client.patch(f"/api/v1/agencies/{moh.pk}/", {"code": "Moh"}, format="json")
    assert own.status_code == 200 and own.json()["code"] == "MOH"
    assert codes("moh", "mof") == ["MOF", "MOH"]


def test_the_export_resource_keeps_the_rule_when_it_imports(moh):
    dataset = tablib.Dataset(headers=["code", "name", "kind"])
    dataset.append(["moh", "Ministry of Health", "ministry"])
    result = AgencyResource().import_data(dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(Agency.objects.values_list("code", flat=True)) == ["MOH"]


# --- usernames and employee IDs -----------------------------------------------------------
def test_sign_in_ignores_the_case_of_the_username(client, pema):
    response = client.post(reverse("login"), {"username": "PEMA", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == pema.pk
    wrong = APIClient().post("/api/v1/auth/token/", {"username": "Pema", "password": "nope"},
                             format="json")
    assert wrong.status_code == 401  # wrong password (API.md)
    token = APIClient().post("/api/v1/auth/token/", {"username": "PEMA", "password": PASSWORD},
                             format="json")
    assert token.status_code == 200
    assert ApiToken.objects.get(user=pema).digest == digest(token.json()["token"])


def test_a_username_differing_only_by_case_is_refused_naming_the_person(pema):
    with pytest.raises(ValidationError) as refused:
        User(username="PEMA", password="x").full_clean()
    assert refused.value.message_dict["username"] == [
        "A person with username pema already exists: Pema Wangmo (pema, employee ID E1)."]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="Pema", password="x")])


def test_the_service_finds_a_person_by_username_in_any_case(pema):
    found, created = user_get_or_create(username="PEMA")
    assert (found.pk, created) == (pema.pk, False)


def test_an_employee_id_clash_is_refused_naming_the_person(pema):
    with pytest.raises(ValidationError) as refused:
        user_get_or_create(username="karma", employee_id="e1")
    assert refused.value.message_dict["employee_id"] == [
        "A person with employee ID E1 already exists: Pema Wangmo (pema, employee ID E1)."]
    assert not User.objects.filter(username="karma").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(username="karma", employee_id="e1", password="x")])


def test_the_admin_refuses_a_second_person_naming_the_first(client, admin_user, pema):
    client.force_login(admin_user)
    response = client.post("/admin/people/user/add/", {
        "username": "PEMA", "usable_password": "false",
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["username"] == [
        "A person with username pema already exists: Pema Wangmo (pema, employee ID E1)."]
    other = UserFactory(username="karma", employee_id="E2")
    change = client.post(f"/admin/people/user/{other.pk}/change/", {
        "username": "karma", "employee_id": "e1", "first_name": "", "last_name": "",
        "email": "", "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    assert change.status_code == 200
    assert change.context["adminform"].form.errors["employee_id"] == [
        "A person with employee ID E1 already exists: Pema Wangmo (pema, employee ID E1)."]
    assert User.objects.get(pk=other.pk).employee_id == "E2"


def test_an_import_row_with_an_employee_id_in_another_case_is_the_same_person(pema):
    data = csv_bytes(PEOPLE_HEADER, "e1,pema,Pema,Wangmo,pema@example.gov.bt,MOH,Officer,P3")
    report = CivilServantImport(system=True).run(data, "p.csv")
    assert (report.new, report.errors) == (0, [])
    assert list(User.objects.values_list("employee_id", "username")) == [("E1", "pema")]
    again = CivilServantImport(system=True).run(data, "p.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)


def test_an_import_row_taking_another_persons_username_in_another_case_is_refused(pema):
    report = CivilServantImport(system=True).run(
        csv_bytes(PEOPLE_HEADER, "E2,Pema,Pema,Dema,pd@gov.bt,MOH,Officer,P3"), "p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(2, "username")]
    assert report.errors[0].message == (
        "“Pema” already belongs to another person: Pema Wangmo (pema, employee ID E1).")
    assert User.objects.count() == 1


def test_a_people_file_naming_one_person_twice_in_two_cases_is_refused(moh):
    report = CivilServantImport(system=True).run(csv_bytes(
        PEOPLE_HEADER,
        "E5,sonam,Sonam,D,s@gov.bt,MOH,Officer,P3",
        "e5,sonam2,Sonam,D,s2@gov.bt,MOH,Officer,P3",
        "E6,SONAM,Sonam,T,s3@gov.bt,MOH,Officer,P3",
    ), "p.csv")
    assert [(e.row, e.field) for e in report.errors] == [(3, "employee_id"), (4, "username")]
    assert not User.objects.exists()


def test_the_export_resource_matches_people_and_agencies_in_any_case(pema, announced):
    gov = AgencyFactory(code="GOV")
    dataset = tablib.Dataset(headers=list(CivilServantResource.Meta.fields))
    dataset.append(["e1", "pema", "Pema", "Wangmo", "pema@example.gov.bt", "gov", "Officer", "P3"])
    result = CivilServantResource().import_data(dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    pema.refresh_from_db()
    assert (User.objects.count(), pema.agency) == (1, gov)
    assert announced == [[pema.pk]]
    CivilServantResource().import_data(dataset)
    assert announced == [[pema.pk]]


# --- agency_changed ------------------------------------------------------------------------
def test_an_import_announces_the_people_whose_agency_changed_once(moh, announced):
    gov = AgencyFactory(code="GOV")
    first = csv_bytes(
        PEOPLE_HEADER,
        "E1,pema,Pema,Wangmo,p@gov.bt,MOH,Officer,P3",
        "E2,karma,Karma,Dorji,k@gov.bt,MOH,Officer,P3",
    )
    CivilServantImport(system=True).run(first, "p.csv")
    assert announced == []  # new people: no agency changed
    moved = csv_bytes(
        PEOPLE_HEADER,
        "E1,pema,Pema,Wangmo,p@gov.bt,gov,Officer,P3",
        "E2,karma,Karma,Dorji,k@gov.bt,MOH,Chief Officer,P3",
    )
    report = CivilServantImport(system=True).run(moved, "p.csv")
    assert report.updated == 2
    pema = User.objects.get(employee_id="E1")
    assert pema.agency == gov and announced == [[pema.pk]]
    CivilServantImport(system=True).run(moved, "p.csv")  # the same file again: no change
    assert announced == [[pema.pk]]


def test_a_dry_run_announces_nothing(pema, announced):
    AgencyFactory(code="GOV")
    CivilServantImport(system=True).run(
        csv_bytes(PEOPLE_HEADER, "E1,pema,Pema,Wangmo,p@gov.bt,GOV,Officer,P3"), "p.csv",
        dry_run=True)
    assert announced == []


def test_the_admin_and_the_service_announce_a_changed_agency(client, admin_user, pema, announced):
    gov = AgencyFactory(code="GOV")
    assert user_set_agency(actor=admin_user, user=pema, agency=gov)
    assert not user_set_agency(actor=admin_user, user=pema, agency=gov)
    assert announced == [[pema.pk]]
    client.force_login(admin_user)
    form = {
        "username": "pema", "employee_id": "E1", "first_name": "Pema", "last_name": "Wangmo",
        "email": "", "is_active": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00", "agency": str(pema.agency_id), "position_title": "Officer",
        "position_level": "P3",
    }
    client.post(f"/admin/people/user/{pema.pk}/change/", form)  # agency unchanged
    assert announced == [[pema.pk]]
    response = client.post(f"/admin/people/user/{pema.pk}/change/", {**form, "agency": str(
        AgencyFactory(code="MOF").pk)})
    assert response.status_code == 302
    assert announced == [[pema.pk], [pema.pk]]
