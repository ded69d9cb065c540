import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from config.celery import app as celery_app
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory


@pytest.fixture(autouse=True)
def _fast_and_eager(request, settings):
    """Tasks run in-process here, also in the PostgreSQL pass where a broker is configured;
    only the `worker` test sends them to a real worker. (Celery reads the Django settings
    live, so overriding the setting is what changes it; `app.conf.task_always_eager = ...`
    would lose to the CELERY_-prefixed setting.)"""
    # the factories set a password on every user: a fast hasher keeps these tests fast
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not request.node.get_closest_marker("worker"):
        settings.CELERY_TASK_ALWAYS_EAGER = True
        assert celery_app.conf.task_always_eager is True


@pytest.fixture
def world(db):
    """A submitted proposal and everyone around it, each from their own agency."""
    from reviews.models import Panel

    lead = UserFactory(username="lead")
    member = UserFactory(username="member")
    proposal = ProposalFactory(submitted=True, lead=lead, title="Queue lights at Gidakom")
    TeamMemberFactory(proposal=proposal, user=member)
    manager = UserFactory(username="manager", first_name="Sonam", last_name="Dorji", fund_manager=True)
    hr = UserFactory(username="hr", hr_officer=True)
    chair = UserFactory(username="chair")
    reviewer = UserFactory(username="rev_tashi", first_name="Tashi", last_name="Wangmo")
    other_reviewer = UserFactory(username="rev_ugyen", first_name="Ugyen", last_name="Zangpo")
    outsider = UserFactory(username="outsider")
    panel = Panel.objects.create(round=proposal.round, name="Panel A", chair=chair)
    panel.members.add(reviewer, other_reviewer)
    return SimpleNamespace(
        proposal=proposal, round=proposal.round, lead=lead, member=member, manager=manager,
        hr=hr, chair=chair, reviewer=reviewer, other_reviewer=other_reviewer,
        outsider=outsider, panel=panel,
    )


# --- the real worker (the `worker` marker) --------------------------------------------------------
@pytest.fixture
def celery_worker(transactional_db):
    """Skips unless a broker is configured and a worker answers that writes to this test's
    own database. With REQUIRE_CELERY_WORKER=1 (set by .ci/run) it fails instead of skipping."""
    from django.db import connection

    from notifications.tasks import database_name

    def unavailable(reason: str):
        if os.environ.get("REQUIRE_CELERY_WORKER") == "1":
            pytest.fail(f"A Celery worker is required: {reason}")
        pytest.skip(reason)

    if not settings.CELERY_BROKER_URL:
        unavailable("CELERY_BROKER_URL is not set")
    try:
        replies = celery_app.control.ping(timeout=2.0)
    except Exception as exc:  # the broker is down
        unavailable(f"the broker does not answer: {exc}")
    if not replies:
        unavailable("no Celery worker answers a ping")
    try:
        theirs = database_name.apply_async().get(timeout=10)
    except Exception as exc:
        unavailable(f"the worker does not run tasks: {exc}")
    ours = connection.settings_dict["NAME"]
    if theirs != ours:
        unavailable(f"the worker writes to database {theirs!r}, this test to {ours!r}")
    return replies
