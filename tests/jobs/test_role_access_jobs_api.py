"""Who may reach the jobs through the API, with a token: every route, every role.

A job is its owner's alone: anyone else gets a 404, like a job that does not exist; without
a token, 401. The 360Giving package is everyone's (the awards each may see): above
EXPORT_INLINE_MAX_ROWS visible awards it is a job (202), below it the package itself (200).
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fund.models import Award
from jobs import services
from jobs.api import SIGHT_CHANGED
from jobs.models import Job
from people.factories import AgencyFactory
from people.tokens import token_create
from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "fund_manager", "hr_officer", "lead", "reviewer", "panel_chair", "admin"]


def rows(name, key, statuses: dict, default):
    return [(name, key, role, statuses.get(role, default)) for role in ROLES]


ROLE_ACCESS = [
    # The fund manager's ready 360Giving job: theirs alone.
    *rows("api-job", "job", {"anonymous": 401, "fund_manager": 200}, 404),
    *rows("api-job-result", "job", {"anonymous": 401, "fund_manager": 200}, 404),
    # Three awards in the round, the limit 2: those who see them all get a job; the lead
    # and the reviewer see none of them, and the superuser is no fund manager (DOMAIN.md).
    *rows("awards-360giving", None, {"anonymous": 401, "fund_manager": 202, "hr_officer": 202,
                                     "panel_chair": 202}, 200),
]


@pytest.fixture
def objects(world, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    for i in range(3):
        proposal = ProposalFactory(funded=True, round=world.round, title=f"Grant {i}")
        Award.objects.create(proposal=proposal, amount=Decimal("100.00"), approved_by=world.manager)
    job = services.start_export_job(actor=world.manager, params={
        "export": "360giving", "format": "json", "label": "360Giving data",
        "filename": "360giving.json"})
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.READY, job.error
    return {"job": job}


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


@pytest.mark.parametrize(("name", "key", "role", "expected"), ROLE_ACCESS)
def test_role_access(world, objects, name, key, role, expected):
    client = client_for(world.users[role])
    response = client.get(reverse(name, args=[objects[key].pk] if key else []))
    assert response.status_code == expected, response.content[:300]
    if expected == 202:
        job = Job.objects.get(pk=response.json()["job"])
        assert job.owner == world.users[role]  # each their own job, never another's


def test_the_owner_whose_sight_changed_gets_a_403_that_says_why(world, objects):
    world.manager.agency = AgencyFactory(code="NEWAG")
    world.manager.save()
    response = client_for(world.manager).get(reverse("api-job-result", args=[objects["job"].pk]))
    assert response.status_code == 403 and response.json()["detail"] == SIGHT_CHANGED


def test_every_jobs_api_route_is_in_the_table():
    from jobs import api

    listed = {name for name, *_ in ROLE_ACCESS}
    assert {p.name for p in api.urlpatterns} == listed
    for name in listed:
        assert {role for n, _, role, _ in ROLE_ACCESS if n == name} == set(ROLES)
