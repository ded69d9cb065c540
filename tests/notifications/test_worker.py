"""A real Celery worker: a transition committed here comes back as notification rows.

Runs in .ci/run's PostgreSQL pass, where a worker is started against this test's database
(see docs/background-work.md); skips elsewhere (tests/notifications/conftest.py).
"""

import time

import pytest

from notifications.models import Notification
from people.factories import UserFactory
from proposals.factories import ProposalFactory
from proposals.services import proposal_submit

pytestmark = pytest.mark.worker

WAIT_SECONDS = 30


def wait_for(query, count: int):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if query().count() >= count:
            return list(query())
        time.sleep(0.2)
    pytest.fail(f"The worker did not produce {count} notification(s) in {WAIT_SECONDS} s")


@pytest.mark.django_db(transaction=True)
def test_a_worker_turns_a_submission_into_notifications(celery_worker):
    lead = UserFactory()
    manager = UserFactory(fund_manager=True)
    proposal = ProposalFactory(ready=True, lead=lead)

    proposal_submit(proposal=proposal, actor=lead)  # commits; the hook sends the task to the broker

    rows = wait_for(lambda: Notification.objects.filter(
        kind="proposals.proposal.submit", email_status=Notification.EmailStatus.SENT), 2)
    assert {n.recipient_id for n in rows} == {lead.pk, manager.pk}
    assert all(n.object_id == proposal.pk for n in rows)
