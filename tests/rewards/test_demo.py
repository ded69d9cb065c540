"""seed_rewards: learnings (failures among them), recognitions, nominations in every state;
twice is the same as once; missing demo users are skipped."""

import io

import pytest

from people.factories import UserFactory
from portal.demo.rewards import seed_rewards
from proposals.models import OutcomeReport
from rewards.models import Learning, Nomination, Recognition
from workflow.models import TransitionLog

from .conftest import fund_with_outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users():
    users = {name: UserFactory(username=name) for name in ("pema", "karma", "tashi")}
    users["sonam"] = UserFactory(username="sonam", fund_manager=True)
    users["dechen"] = UserFactory(username="dechen", hr_officer=True)
    fund_with_outcome(lead=users["pema"], result=OutcomeReport.Result.DID_NOT_SUCCEED)
    return users


def _snapshot():
    return (Learning.objects.count(), Recognition.objects.count(), Nomination.objects.count(),
            TransitionLog.objects.count())


def test_seed_rewards_covers_every_state_and_is_idempotent(demo_users):
    out = io.StringIO()
    seed_rewards(stdout=out)
    assert set(Nomination.objects.values_list("state", flat=True)) == set(Nomination.State.values)
    assert Learning.objects.filter(kind="failure").exists()
    assert Learning.objects.filter(visibility="public").exists()
    assert Learning.objects.filter(proposal__lead=demo_users["pema"]).exists()
    assert Recognition.objects.count() == 3
    once = _snapshot()
    seed_rewards(stdout=out)
    assert _snapshot() == once
    assert "Rewards demo" in out.getvalue()


def test_seed_rewards_skips_without_the_demo_users(db):
    out = io.StringIO()
    seed_rewards(stdout=out)
    assert "skipped" in out.getvalue()
    assert _snapshot() == (0, 0, 0, 0)
