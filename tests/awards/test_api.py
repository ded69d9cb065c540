"""awards/ and tranches/ in the JSON API: shapes, transitions and their status codes."""

import pytest
from rest_framework.test import APIClient

from fund.models import Tranche


@pytest.fixture
def api():
    return APIClient()


def test_award_detail_has_tranches_and_letter(api, world):
    api.force_authenticate(world.lead)
    body = api.get(f"/api/v1/awards/{world.award.pk}/").json()
    assert body["amount"] == "400000.00"
    assert body["proposal"] == world.funded.pk
    assert body["state"] == "active"
    assert [(t["sequence"], t["amount"], t["state"]) for t in body["tranches"]] == [
        (1, "250000.00", "scheduled"), (2, "150000.00", "scheduled")]
    assert set(body["tranches"][0]) >= {"id", "sequence", "amount", "due_on", "milestone", "state"}
    assert body["letter"].endswith(f"/api/v1/awards/{world.award.pk}/letter.pdf")
    assert body["released_amount"] == "0.00"
    assert body["available_transitions"] == []


def test_award_list_filters_and_hides_what_one_may_not_see(api, world):
    api.force_authenticate(world.manager)
    body = api.get("/api/v1/awards/", {"round": world.round.pk}).json()
    assert body["count"] == 2
    assert api.get("/api/v1/awards/", {"state": "completed"}).json()["count"] == 0
    api.force_authenticate(world.stranger)
    assert api.get("/api/v1/awards/").json()["count"] == 0
    assert api.get(f"/api/v1/awards/{world.award.pk}/").status_code == 404


def test_release_then_report_through_the_api(api, world):
    first, second = world.tranches
    api.force_authenticate(world.manager)
    assert sorted(api.get(f"/api/v1/tranches/{first.pk}/").json()["available_transitions"]) == [
        "cancel", "release"]
    response = api.post(f"/api/v1/tranches/{second.pk}/transitions/release/", {}, format="json")
    assert response.status_code == 400
    assert "Tranche 1 must be reported" in response.json()["sequence"][0]

    response = api.post(f"/api/v1/tranches/{first.pk}/transitions/release/",
                        {"note": "Paid"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "released"
    again = api.post(f"/api/v1/tranches/{first.pk}/transitions/release/", {}, format="json")
    assert again.status_code == 409 and again.json()["state"] == "released"

    api.force_authenticate(world.team)
    assert api.get(f"/api/v1/tranches/{first.pk}/").json()["available_transitions"] == [
        "report_milestone"]
    empty = api.post(f"/api/v1/tranches/{first.pk}/transitions/report_milestone/",
                     {"milestone_report": ""}, format="json")
    assert empty.status_code == 400 and "milestone_report" in empty.json()
    done = api.post(f"/api/v1/tranches/{first.pk}/transitions/report_milestone/",
                    {"milestone_report": "Two districts live."}, format="json")
    assert done.status_code == 200
    assert done.json()["milestone_report"] == "Two districts live."
    assert api.get(f"/api/v1/awards/{world.award.pk}/").json()["released_amount"] == "250000.00"


@pytest.mark.parametrize(("role", "status"), [
    ("lead", 403), ("team", 403), ("hr", 403), ("chair", 403), ("stranger", 404),
])
def test_release_is_refused_to_others(api, world, role, status):
    api.force_authenticate(getattr(world, role))
    response = api.post(f"/api/v1/tranches/{world.tranches[0].pk}/transitions/release/", {},
                        format="json")
    assert response.status_code == status
    world.tranches[0].refresh_from_db()
    assert world.tranches[0].state == Tranche.State.SCHEDULED


def test_cancel_needs_a_reason_and_unknown_transitions_are_404(api, world):
    api.force_authenticate(world.manager)
    url = f"/api/v1/tranches/{world.tranches[1].pk}/transitions/"
    assert api.post(url + "cancel/", {}, format="json").status_code == 400
    assert api.post(url + "cancel/", {"reason": "Merged"}, format="json").status_code == 200
    assert api.post(url + "explode/", {}, format="json").status_code == 404


def test_award_cancel_through_the_api(api, world):
    api.force_authenticate(world.manager)
    assert api.get(f"/api/v1/awards/{world.award.pk}/").json()["available_transitions"] == [
        "cancel"]
    response = api.post(f"/api/v1/awards/{world.award.pk}/transitions/cancel/",
                        {"reason": "Team disbanded"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_anonymous_gets_401(api, world):
    assert api.get("/api/v1/awards/").status_code == 401
    assert api.get("/api/v1/tranches/").status_code == 401
    assert api.post(f"/api/v1/tranches/{world.tranches[0].pk}/transitions/release/").status_code == 401


def test_schema_documents_the_award_endpoints(api, world):
    api.force_authenticate(world.manager)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"] if response.get("Content-Type", "").endswith("json") else None
    text = response.content.decode()
    for path in ("/api/v1/awards/{id}/", "/api/v1/tranches/{id}/transitions/{transition}/",
                 "/api/v1/awards/{id}/letter.pdf", "/api/v1/rounds/{id}/portfolio.pdf"):
        assert path in (paths or text)
