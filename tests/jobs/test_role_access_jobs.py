"""Who may open each jobs page: every page, every role, the expected status.

A job is its owner's alone: anyone else gets a 404 (they may not know it exists). The
portfolio report is prepared by those who may read it (fund managers and the round's
panel chairs, 403 for others, 404 for a draft round they may not see). Anonymous
visitors are sent to sign in.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.factories import JobFactory
from jobs.services import start_import_job

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "fund_manager", "hr_officer", "lead", "reviewer", "panel_chair", "admin"]


def rows(name, key, method, statuses: dict, default):
    return [(name, key, method, role, statuses.get(role, default)) for role in ROLES]


def owner_only(name, key, method="get", owner_status=200):
    return rows(name, key, method, {"anonymous": 302, "fund_manager": owner_status}, 404)


ROLE_ACCESS = [
    *rows("jobs:list", None, "get", {"anonymous": 302}, 200),
    *owner_only("jobs:detail", "portfolio_job"),
    *owner_only("jobs:detail", "import_job"),
    *owner_only("jobs:result", "portfolio_job"),
    *owner_only("jobs:import_confirm", "import_job", "post", 302),
    *rows("jobs:import_confirm", "import_job", "get", {"anonymous": 302}, 405),
    *rows("jobs:round_portfolio_start", "round", "post",
          {"anonymous": 302, "fund_manager": 302, "panel_chair": 302}, 403),
    *rows("jobs:round_portfolio_start", "draft_round", "post",
          {"anonymous": 302, "fund_manager": 302}, 404),
    *rows("jobs:round_portfolio_start", "round", "get", {"anonymous": 302}, 405),
]


@pytest.fixture
def objects(world):
    upload = SimpleUploadedFile("agencies.csv", b"code,name,kind\nMOE,Ministry of Education,agency\n")
    import_job = start_import_job(actor=world.manager, kind="agencies", upload=upload,
                                  skip_bad_rows=False)
    from jobs.services import run_job

    run_job(job_id=import_job.pk)
    return {
        "round": world.round, "draft_round": world.draft_round,
        "portfolio_job": JobFactory(owner=world.manager, ready=True,
                                    params={"round": world.round.pk}),
        "import_job": import_job,
    }


@pytest.mark.parametrize(("name", "key", "method", "role", "expected"), ROLE_ACCESS)
def test_role_access(client, world, objects, name, key, method, role, expected):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[objects[key].pk] if key else [])
    response = getattr(client, method)(url)
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_every_jobs_page_is_in_the_table():
    from jobs import urls

    listed = {name for name, *_ in ROLE_ACCESS}
    assert {f"jobs:{p.name}" for p in urls.urlpatterns} == listed
    for name in listed:
        assert {role for n, _, _, role, _ in ROLE_ACCESS if n == name} == set(ROLES)


@pytest.mark.parametrize("role", ROLES[1:])
def test_everyone_sees_their_own_job(client, world, role):
    user = world.users[role]
    job = JobFactory(owner=user, failed=True)
    client.force_login(user)
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 200
    assert b"The round no longer exists." in response.content
