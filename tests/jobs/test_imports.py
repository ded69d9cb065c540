"""A large import as a job: the dry run's report is kept, the owner confirms it, once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs import services
from jobs.models import Job
from jobs.storage import job_storage
from people.models import Agency

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind"


def _upload(rows: list[str], name="agencies.csv"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows, ""]).encode(), "text/csv")


def _dry_run(world, rows, skip_bad_rows=False) -> Job:
    job = services.start_import_job(actor=world.manager, kind="agencies", upload=_upload(rows),
                                    skip_bad_rows=skip_bad_rows)
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_the_dry_run_stores_its_report_and_saves_nothing(world):
    job = _dry_run(world, ["MOE,Ministry of Education,agency", "MOF,Ministry of Finance,agency"])
    assert job.state == Job.State.READY and not job.result
    assert job.title == "Check “agencies.csv” (Agencies)"
    report = job.report
    assert report["dry_run"] is True and report["applied"] is False
    assert (report["rows"], report["new"], report["errors"]) == (2, 2, [])
    assert report["summary"] == "Dry run of 2 rows, nothing saved: 2 new, 0 updated, 0 unchanged."
    assert not Agency.objects.filter(code__in=["MOE", "MOF"]).exists()
    assert job_storage().exists(job.params["file"])  # kept for the confirmation


def test_confirming_applies_the_file_once_and_removes_it(world):
    dry_run = _dry_run(world, ["MOE,Ministry of Education,agency"])
    confirmed = services.confirm_import_job(actor=world.manager, dry_run=dry_run)
    assert confirmed.follows == dry_run and confirmed.params["dry_run"] is False
    assert services.confirm_import_job(actor=world.manager, dry_run=dry_run) == confirmed
    services.run_job(job_id=confirmed.pk)
    confirmed.refresh_from_db()
    assert confirmed.state == Job.State.READY
    assert confirmed.report["applied"] is True and confirmed.report["new"] == 1
    assert Agency.objects.filter(code="MOE").count() == 1
    assert not job_storage().exists(dry_run.params["file"])


def test_bad_rows_are_reported_and_cannot_be_confirmed(world):
    job = _dry_run(world, ["MOE,Ministry of Education,agency", ",No code,agency"])
    assert job.state == Job.State.READY
    assert [e["row"] for e in job.report["errors"]] == [3]
    assert job.report["summary"].startswith("Nothing was imported: 1 of 2 rows have errors.")
    assert not job_storage().exists(job.params["file"])
    with pytest.raises(ValidationError):
        services.confirm_import_job(actor=world.manager, dry_run=job)


def test_skipping_bad_rows_may_be_confirmed(world):
    job = _dry_run(world, ["MOE,Ministry of Education,agency", ",No code,agency"],
                   skip_bad_rows=True)
    assert job.report["skipped"] == 1
    confirmed = services.confirm_import_job(actor=world.manager, dry_run=job)
    services.run_job(job_id=confirmed.pk)
    assert Agency.objects.filter(code="MOE").exists()


def test_a_refused_file_fails_the_job_with_the_reason(world):
    job = services.start_import_job(
        actor=world.manager, kind="agencies",
        upload=SimpleUploadedFile("agencies.csv", b"x,y\n1,2\n"), skip_bad_rows=False,
    )
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error.startswith("Wrong header")


@pytest.mark.parametrize("role", ["hr", "lead", "reviewer", "chair"])
def test_only_fund_managers_and_admins_import(world, role):
    with pytest.raises(PermissionDenied):
        services.start_import_job(actor=getattr(world, role), kind="agencies",
                                  upload=_upload(["MOE,Ministry of Education,agency"]),
                                  skip_bad_rows=False)
    assert not Job.objects.exists()


def test_only_the_owner_confirms(world):
    dry_run = _dry_run(world, ["MOE,Ministry of Education,agency"])
    with pytest.raises(PermissionDenied):
        services.confirm_import_job(actor=world.admin, dry_run=dry_run)


def test_large_files_are_told_apart_by_size(settings):
    settings.JOBS_LARGE_IMPORT_BYTES = 10
    assert services.is_large_import(SimpleUploadedFile("a.csv", b"x" * 11))
    assert not services.is_large_import(SimpleUploadedFile("a.csv", b"x" * 10))


def test_the_job_page_shows_the_report_and_confirms(client, world, django_capture_on_commit_callbacks):
    dry_run = _dry_run(world, ["MOE,Ministry of Education,agency", "MOF,Ministry of Finance,agency"])
    client.force_login(world.manager)
    page = client.get(reverse("jobs:detail", args=[dry_run.pk]))
    assert b"Dry run: nothing saved yet" in page.content
    assert "Confirm the import of “agencies.csv”" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:import_confirm", args=[dry_run.pk]))
    confirmed = Job.objects.get(follows=dry_run)
    assert response["Location"] == reverse("jobs:detail", args=[confirmed.pk])
    page = client.get(response["Location"])
    assert "Imported 2 rows: 2 new" in page.content.decode()
    again = client.get(reverse("jobs:detail", args=[dry_run.pk]))
    assert b"This file is being applied" in again.content and b"Confirm the import" not in again.content


@pytest.mark.parametrize("url", [
    "/data/import/",                      # the fund manager's page
    "/admin/people/agency/import/",       # the admin
])
def test_a_large_file_from_the_page_or_the_admin_becomes_a_job(
    client, world, settings, url, django_capture_on_commit_callbacks
):
    settings.JOBS_LARGE_IMPORT_BYTES = 10
    client.force_login(world.admin if url.startswith("/admin/") else world.manager)
    body = {"file": _upload(["MOE,Ministry of Education,agency"]), "kind": "agencies"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, body)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == "import" and job.params["dry_run"] is True
    assert job.state == Job.State.READY  # eager Celery: checked by the time of the redirect
    assert not Agency.objects.filter(code="MOE").exists()  # a dry run saves nothing
    page = client.get(job.get_absolute_url())
    assert "1 new" in page.content.decode()


def test_a_small_file_is_still_checked_on_the_page(client, world, settings):
    settings.JOBS_LARGE_IMPORT_BYTES = 10_000
    client.force_login(world.manager)
    response = client.post("/data/import/", {"file": _upload(["MOE,Ministry of Education,agency"]),
                                            "kind": "agencies"})
    assert response.status_code == 200 and not Job.objects.exists()
    assert response.context["report"].new == 1
