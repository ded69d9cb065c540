"""The job pages: waiting, ready with a download, failed with its message; the round's button."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jobs import tasks
from jobs.factories import JobFactory
from jobs.models import Job
from people.factories import UserFactory

pytestmark = pytest.mark.django_db


def _start(client, world, user=None):
    client.force_login(user or world.manager)
    return client.post(reverse("jobs:round_portfolio_start", args=[world.round.pk]))


def test_the_round_page_offers_the_job_and_the_direct_pdf(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("fund:round_detail", args=[world.round.pk])).content.decode()
    assert "Prepare the portfolio report (PDF)" in page
    assert reverse("jobs:round_portfolio_start", args=[world.round.pk]) in page
    assert f"/api/v1/rounds/{world.round.pk}/portfolio.pdf" in page


@pytest.mark.parametrize("role", ["hr", "lead", "reviewer", "stranger"])
def test_others_do_not_see_the_portfolio_buttons(client, world, role):
    client.force_login(getattr(world, role))
    page = client.get(reverse("fund:round_detail", args=[world.round.pk])).content.decode()
    assert "Prepare the portfolio report" not in page and "portfolio.pdf" not in page


def test_preparing_the_report_redirects_to_a_ready_job_with_eager_celery(
    client, world, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, world)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Refresh" not in page
    assert reverse("jobs:result", args=[job.pk]).encode() in page.content
    download = client.get(reverse("jobs:result", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert f'filename="round-{world.round.pk}-portfolio.pdf"' in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert world.round.title in text


def test_a_waiting_job_says_so_and_reloads_by_itself(client, world, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.run_job, "delay", lambda job_id: None)  # a worker that is busy
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, world)
    page = client.get(response["Location"])
    content = page.content.decode()
    assert page["Refresh"] == "3"
    assert 'role="status"' in content and "waiting to start" in content
    assert "Reload to see if it is ready" in content
    assert reverse("jobs:result", args=[Job.objects.get().pk]) not in content
    calm = client.get(response["Location"] + "?auto=off")
    assert "Refresh" not in calm and "Reload to see if it is ready" in calm.content.decode()
    assert f'href="{response["Location"]}?auto=off">Reload' in calm.content.decode()


def test_a_running_job_says_so(client, world):
    job = JobFactory(owner=world.manager, running=True, params={"round": world.round.pk})
    client.force_login(world.manager)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert b"Your job is running" in page.content and page["Refresh"] == "3"
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 404


def test_a_failed_job_shows_its_message(client, world):
    job = JobFactory(owner=world.manager, failed=True, params={"round": world.round.pk},
                     error="You may no longer see this round's portfolio report.")
    client.force_login(world.manager)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'role="alert"' in page and "You may no longer see this round" in page
    assert "Refresh" not in client.get(reverse("jobs:detail", args=[job.pk]))


@pytest.mark.parametrize("role", ["hr", "lead", "reviewer", "chair", "admin", "stranger"])
def test_nobody_else_downloads_a_job_result(client, world, role):
    job = JobFactory(owner=world.manager, ready=True, params={"round": world.round.pk})
    client.force_login(getattr(world, role))
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_the_owner_who_lost_access_to_the_round_gets_nothing(client, world):
    job = JobFactory(owner=world.chair, ready=True, params={"round": world.round.pk})
    client.force_login(world.chair)
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 200
    # Panels with assignments are evidence: the chair loses the chair instead.
    world.chair.panels_chaired.update(chair=UserFactory())
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 403
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    # Losing the chair changes what they may see: the job page says so, with no download.
    assert "what you may see has changed since it read the data" in page
    assert reverse("jobs:result", args=[job.pk]) not in page


def test_the_list_shows_my_recent_jobs_only(client, world, django_assert_max_num_queries):
    mine = [JobFactory(owner=world.manager, title=f"Report {i}") for i in range(5)]
    JobFactory(owner=world.chair, title="Someone else's report")
    client.force_login(world.manager)
    with django_assert_max_num_queries(5):
        page = client.get(reverse("jobs:list"))
    content = page.content.decode()
    assert all(job.title in content for job in mine)
    assert "Someone else's report" not in content
