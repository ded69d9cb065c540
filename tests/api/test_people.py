"""agencies/ and people/: read by every signed-in user; agencies written by administrators."""

import pytest

from people.factories import AgencyFactory, UserFactory
from people.models import Agency

pytestmark = pytest.mark.django_db


def test_agencies_list_and_filter(api, people):
    AgencyFactory(code="DZ1", kind="dzongkhag")
    body = api(people["stranger"]).get("/api/v1/agencies/", {"kind": "dzongkhag"}).json()
    assert [a["code"] for a in body["results"]] == ["DZ1"]
    assert set(body["results"][0]) == {"id", "code", "name", "kind", "is_active"}


def test_admin_creates_and_updates_agencies(api, people):
    client = api(people["admin"])
    response = client.post(
        "/api/v1/agencies/", {"code": "MOICE", "name": "Ministry of Industry", "kind": "ministry"},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert client.patch(f"/api/v1/agencies/{pk}/", {"is_active": False}, format="json").status_code == 200
    assert not Agency.objects.get(pk=pk).is_active


@pytest.mark.parametrize(
    "body", [{"code": "MOH", "name": "Dup"}, {"code": "", "name": "x"}, {"code": "N", "kind": "bank"}]
)
def test_bad_agency_input_is_400(api, people, body):
    response = api(people["admin"]).post("/api/v1/agencies/", body, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["stranger", "fund_manager", "hr_officer"])
def test_only_administrators_write_agencies(api, people, role):
    agency = Agency.objects.get(code="MOH")
    client = api(people[role])
    assert client.post("/api/v1/agencies/", {"code": "X", "name": "X"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/agencies/{agency.pk}/", {"name": "Y"}, format="json").status_code == 403


def test_people_show_public_fields_only(api, people):
    body = api(people["stranger"]).get(f"/api/v1/people/{people['lead'].pk}/").json()
    assert set(body) == {"id", "username", "name", "agency", "position_title"}
    assert body["name"] == people["lead"].get_full_name()
    assert body["agency"] == people["lead"].agency_id


def test_people_filter_by_agency_and_hide_inactive(api, people):
    agency = AgencyFactory(code="NLC")
    a = UserFactory(agency=agency)
    UserFactory(agency=agency, is_active=False)
    body = api(people["stranger"]).get("/api/v1/people/", {"agency": agency.pk}).json()
    assert [p["id"] for p in body["results"]] == [a.pk]
    assert api(people["stranger"]).get("/api/v1/people/", {"agency": "x"}).status_code == 400


def test_people_are_read_only(api, people):
    client = api(people["admin"])
    assert client.post("/api/v1/people/", {"username": "new"}, format="json").status_code == 405
    assert client.patch(f"/api/v1/people/{people['lead'].pk}/", {}, format="json").status_code == 405
