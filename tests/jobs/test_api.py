"""The jobs through the API (GET /api/v1/jobs/<id>/ and its result, with a token) and the
360Giving package that goes to a job above EXPORT_INLINE_MAX_ROWS awards."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fund import giving360
from fund.factories import FundFactory, RoundFactory
from fund.models import Award
from jobs import services
from jobs.factories import JobFactory
from jobs.models import Job
from people.factories import AgencyFactory, UserFactory
from people.tokens import token_create
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/awards/360giving.json"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


@pytest.fixture
def make_awards(settings):
    settings.GRANT_ID_PREFIX = "360G-test"
    round_ = RoundFactory(fund=FundFactory(organisation="Royal Government of Bhutan"))
    approver = UserFactory(fund_manager=True)

    def make(n, lead=None):
        for i in range(n):
            proposal = ProposalFactory(funded=True, round=round_, title=f"Grant {i}",
                                       **({"lead": lead} if lead else {}))
            Award.objects.create(proposal=proposal, amount=Decimal("1000.50"),
                                 approved_by=approver)
    return make


@pytest.fixture
def small_limit(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _started(client) -> tuple[Job, dict]:
    response = client.get(API)
    assert response.status_code == 202, response.content
    data = response.json()
    job = Job.objects.get(pk=data["job"])
    assert response["Location"] == f"/api/v1/jobs/{job.pk}/"
    assert data["job_url"] == f"http://testserver/api/v1/jobs/{job.pk}/"
    assert data["state"] == job.state
    return job, data


def test_a_large_package_is_a_job_the_client_follows_with_its_token(
        small_limit, make_awards, django_capture_on_commit_callbacks):
    make_awards(3)
    manager = UserFactory(fund_manager=True)
    client = token_client(manager)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = _started(client)
    job.refresh_from_db()
    assert job.owner == manager and job.kind == Job.Kind.EXPORT
    assert job.params["export"] == "360giving" and job.params["format"] == "json"
    detail = client.get(f"/api/v1/jobs/{job.pk}/")
    assert detail.status_code == 200
    data = detail.json()
    assert data["state"] == "ready" and data["result_refused"] == ""
    assert data["result_url"] == f"http://testserver/api/v1/jobs/{job.pk}/result"
    assert data["result_content_type"].startswith("application/json")
    assert detail["Cache-Control"] == "private, no-store"
    result = client.get(f"/api/v1/jobs/{job.pk}/result", HTTP_ACCEPT="application/json")
    assert result.status_code == 200
    assert result["Content-Type"].startswith("application/json")
    package = json.loads(_body(result))
    assert len(package["grants"]) == 3 and giving360.validation_errors(package) == []
    # The same file through the page's download, byte for byte.
    web = APIClient()
    web.force_login(manager)
    assert _body(web.get(f"/jobs/{job.pk}/result")) == json.dumps(package, indent=2,
                                                                  ensure_ascii=False).encode()


def test_asking_again_while_the_job_waits_gives_the_same_job(small_limit, make_awards):
    make_awards(3)
    client = token_client(UserFactory(fund_manager=True))
    first, _ = _started(client)  # no commit callbacks run: it stays queued
    with CaptureQueriesContext(connection) as captured:
        second, _ = _started(client)
    assert first == second and Job.objects.count() == 1
    # The waiting job is the answer before anything is counted.
    assert not [q for q in captured if "fund_award" in q["sql"]]
    Job.objects.filter(pk=first.pk).update(state=Job.State.READY)
    third, _ = _started(client)  # once finished, a new request makes it again
    assert third != first


def test_below_the_limit_the_package_is_streamed_in_the_request(small_limit, make_awards):
    lead = UserFactory()
    make_awards(1, lead=lead)
    make_awards(4)  # others' awards: more than the limit in all, but not visible to the lead
    response = token_client(lead).get(API)
    assert response.status_code == 200
    assert len(json.loads(_body(response))["grants"]) == 1
    assert not Job.objects.exists()


def test_anyone_signed_in_gets_their_own_awards_by_a_job(
        small_limit, make_awards, django_capture_on_commit_callbacks):
    """An HR officer may not export files, but the 360Giving data is everyone's: the job is
    theirs and holds what they may see."""
    make_awards(3)
    hr = UserFactory(hr_officer=True)
    client = token_client(hr)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = _started(client)
    job.refresh_from_db()
    assert job.state == Job.State.READY, job.error
    assert len(json.loads(_body(client.get(f"/api/v1/jobs/{job.pk}/result")))["grants"]) == 3


def test_a_browser_is_sent_to_the_jobs_page(small_limit, make_awards):
    make_awards(3)
    client = APIClient()
    client.force_login(UserFactory(fund_manager=True))
    response = client.get(API, HTTP_ACCEPT="text/html,application/xhtml+xml")
    job = Job.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/jobs/{job.pk}/"


def test_the_page_reuses_the_waiting_job_too(small_limit, make_awards):
    make_awards(3)
    client = APIClient()
    client.force_login(UserFactory(fund_manager=True))
    first = client.get("/data/export/360giving.csv")
    second = client.get("/data/export/360giving.csv")
    job = Job.objects.get()
    assert first["Location"] == second["Location"] == f"/jobs/{job.pk}/"
    assert job.params["format"] == "csv"
    client.get("/data/export/360giving.json")
    assert Job.objects.count() == 2  # another format, another job


def test_deciding_costs_the_same_queries_whatever_the_number_of_awards(small_limit, make_awards):
    client = token_client(UserFactory(fund_manager=True))
    make_awards(3)

    def queries() -> int:
        Job.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(API).status_code == 202
        return len(captured)

    queries()  # warm caches
    few = queries()
    make_awards(10)
    assert queries() == few


def test_another_persons_job_is_not_found(make_awards):
    job = JobFactory(ready=True)
    other = token_client(UserFactory(fund_manager=True))
    assert other.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/api/v1/jobs/{job.pk}/result").status_code == 404
    assert other.get("/api/v1/jobs/999999/").status_code == 404
    assert APIClient().get(f"/api/v1/jobs/{job.pk}/").status_code == 401
    owner = token_client(job.owner)
    assert owner.get(f"/api/v1/jobs/{job.pk}/").status_code == 200


def test_a_file_is_refused_once_what_its_owner_may_see_changed(
        small_limit, make_awards, django_capture_on_commit_callbacks):
    make_awards(3)
    manager = UserFactory(fund_manager=True)
    client = token_client(manager)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = _started(client)
    assert client.get(f"/api/v1/jobs/{job.pk}/result").status_code == 200
    manager.agency = AgencyFactory(code="NEW")  # their agency may now be conflicted
    manager.save()
    refused = client.get(f"/api/v1/jobs/{job.pk}/result")
    assert refused.status_code == 403
    assert "What you may see has changed since this file was made" in refused.json()["detail"]
    data = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert data["result_url"] is None and "make it again" in data["result_refused"]


def test_a_file_is_refused_to_one_who_lost_the_role_it_needs(
        client, django_capture_on_commit_callbacks):
    manager = UserFactory(fund_manager=True)
    job = services.start_export_job(actor=manager, params={
        "export": "agencies", "format": "csv", "label": "Agencies", "filename": "a.csv"})
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.READY
    api = token_client(manager)
    assert api.get(f"/api/v1/jobs/{job.pk}/result").status_code == 200
    manager.groups.clear()  # no longer a fund manager
    assert api.get(f"/api/v1/jobs/{job.pk}/result").status_code == 403


def test_a_job_not_yet_finished_or_failed_has_no_file(make_awards):
    waiting = JobFactory(running=True)
    client = token_client(waiting.owner)
    response = client.get(f"/api/v1/jobs/{waiting.pk}/result")
    assert response.status_code == 409 and response.json()["state"] == "running"
    data = client.get(f"/api/v1/jobs/{waiting.pk}/").json()
    assert data["state"] == "running" and data["result_url"] is None
    failed = JobFactory(failed=True, owner=waiting.owner)
    assert client.get(f"/api/v1/jobs/{failed.pk}/result").status_code == 404
    assert client.get(f"/api/v1/jobs/{failed.pk}/").json()["error"] == "The round no longer exists."


def test_the_result_is_sent_whatever_the_client_accepts(make_awards):
    job = JobFactory(ready=True, params={"round": RoundFactory().pk})
    client = token_client(job.owner)
    response = client.get(f"/api/v1/jobs/{job.pk}/result", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and _body(response) == b"%PDF-1.4 demo"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_schema_documents_the_jobs_endpoints(client):
    client.force_login(UserFactory())
    schema = client.get("/api/schema/?format=json").json()
    assert "202" in schema["paths"]["/api/v1/awards/360giving.json"]["get"]["responses"]
    assert "/api/v1/jobs/{id}/" in schema["paths"]
    result = schema["paths"]["/api/v1/jobs/{id}/result"]["get"]["responses"]
    assert {"200", "403", "404", "409"} <= set(result)
