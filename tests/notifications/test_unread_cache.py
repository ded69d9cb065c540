"""The unread count kept in the cache (notifications/unread.py, issue 16) is never stale: after
any write that changes a person's notifications or the conflict facts the count hides by, the
next page shows the exact count."""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from notifications import inbox, services
from notifications.models import Notification
from notifications.selectors import notifications_for, unread_count
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import TeamMember
from reviews.models import Assignment, Panel

# Committed writes, as in production (a test's own transaction would keep every write pending).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cached(settings):
    settings.UNREAD_COUNT_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _exact(user) -> int:
    return notifications_for(user=user, unread=True).count()


def _notice(recipient, subject=None, title="Note"):
    return Notification.objects.create(
        recipient=recipient,
        subject=subject,
        title=title,
        dedupe_key=f"{recipient.pk}-{title}-{Notification.objects.count()}",
    )


def test_the_count_is_read_from_the_cache_once_asked(django_assert_num_queries):
    person = UserFactory()
    _notice(person)
    assert unread_count(user=person) == 1
    with django_assert_num_queries(0):
        assert unread_count(user=person) == 1


def test_off_without_a_shared_cache_the_count_is_asked_each_time(
    settings, django_assert_num_queries
):
    settings.UNREAD_COUNT_CACHE_SECONDS = 0
    person = UserFactory()
    assert unread_count(user=person) == 0
    with django_assert_num_queries(1):
        assert unread_count(user=person) == 0


def test_each_write_to_notifications_shows_at_once():
    person, other = UserFactory(), UserFactory()
    assert unread_count(user=person) == 0
    first = _notice(person, title="a")  # save()
    assert unread_count(user=person) == 1
    Notification.objects.bulk_create(
        [  # bulk_create, as services.notify does
            Notification(recipient=person, title="b", dedupe_key="b"),
            Notification(recipient=other, title="c", dedupe_key="c"),
        ]
    )
    assert unread_count(user=person) == 2
    assert unread_count(user=other) == 1
    services.notification_mark_read(notification=first, actor=person)  # update(read_at=)
    assert unread_count(user=person) == 1
    Notification.objects.filter(pk=first.pk).update(read_at=None)
    assert unread_count(user=person) == 2
    services.notifications_mark_all_read(actor=person)
    assert unread_count(user=person) == 0
    assert unread_count(user=other) == 1
    Notification.objects.filter(recipient=other).update(recipient=person)
    assert (unread_count(user=person), unread_count(user=other)) == (1, 0)
    Notification.objects.get(title="c").delete()  # delete()
    assert unread_count(user=person) == 0
    Notification.objects.filter(recipient=person).update(read_at=None)
    assert unread_count(user=person) == 2
    Notification.objects.filter(recipient=person).delete()  # QuerySet.delete()
    assert unread_count(user=person) == 0


def test_marking_read_on_the_page_shows_at_once(client):
    person = UserFactory()
    notice = _notice(person)
    client.force_login(person)
    assert unread_count(user=person) == 1
    client.post(reverse("notifications:read", args=[notice.pk]))
    assert unread_count(user=person) == 0 == _exact(person)


def test_inside_the_writing_transaction_the_count_is_asked_and_a_rollback_leaves_nothing(
    django_assert_num_queries,
):
    person = UserFactory()
    assert unread_count(user=person) == 0
    with transaction.atomic():
        _notice(person)
        assert unread_count(user=person) == 1  # its own write, not yet committed
        transaction.set_rollback(True)
    assert unread_count(user=person) == 0 == _exact(person)
    with transaction.atomic():
        _notice(person)
    assert unread_count(user=person) == 1  # committed: asked once, then kept
    with django_assert_num_queries(0):
        assert unread_count(user=person) == 1


class UnreadCountMachine(RuleBasedStateMachine):
    """Any sequence of notices, readings and changes to the conflict facts (partner agencies,
    the person's agency, the lead, the team, the assignments): the cached count is the exact
    one after every step."""

    def __init__(self):
        super().__init__()
        cache.clear()
        self.agencies = [AgencyFactory() for _ in range(3)]
        self.person = UserFactory(agency=self.agencies[0])
        self.proposals = [
            ProposalFactory(in_review=True, lead=UserFactory(agency=self.agencies[1 + i % 2]))
            for i in range(3)
        ]
        self.panel = Panel.objects.create(
            round=self.proposals[0].round, name="P", chair=UserFactory()
        )
        self.assignments = []
        self.notices = 0

    def _assignment(self, p, reviewer):
        assignment, _ = Assignment.objects.get_or_create(
            proposal=self.proposals[p],
            reviewer=reviewer,
            defaults={"panel": self.panel, "due_on": datetime.date(2027, 1, 1)},
        )
        self.assignments.append(assignment)
        return assignment

    def _tell(self, subject):
        self.notices += 1
        _notice(self.person, subject, title=f"n{self.notices}")

    @rule(p=st.integers(0, 2))
    def told_about_proposal(self, p):
        self._tell(self.proposals[p])

    @rule(p=st.integers(0, 2), own=st.booleans())
    def told_about_an_assignment(self, p, own):
        self._tell(self._assignment(p, self.person if own else UserFactory()))

    @rule()
    def reads_one(self):
        notice = Notification.objects.filter(recipient=self.person, read_at__isnull=True).first()
        if notice:
            services.notification_mark_read(notification=notice, actor=self.person)

    @rule()
    def reads_all(self):
        services.notifications_mark_all_read(actor=self.person)

    @rule()
    def settles(self):
        inbox.settle_for(user=self.person)

    @rule(p=st.integers(0, 2), a=st.integers(0, 2))
    def partner(self, p, a):
        self.proposals[p].partner_agencies.add(self.agencies[a])

    @rule(p=st.integers(0, 2), a=st.integers(0, 2))
    def unpartner(self, p, a):
        self.proposals[p].partner_agencies.remove(self.agencies[a])

    @rule(a=st.integers(0, 2))
    def person_moves_agency(self, a):
        self.person.agency = self.agencies[a]
        self.person.save()

    @rule(p=st.integers(0, 2), a=st.integers(0, 2))
    def lead_moves_agency(self, p, a):
        lead = self.proposals[p].lead
        lead.agency = self.agencies[a]
        lead.save()

    @rule(p=st.integers(0, 2), me=st.booleans())
    def new_lead(self, p, me):
        proposal = self.proposals[p]
        proposal.lead = self.person if me else UserFactory(agency=self.agencies[2])
        proposal.save()

    @rule(p=st.integers(0, 2), state=st.sampled_from(TeamMember.State.values))
    def team(self, p, state):
        TeamMember.objects.filter(proposal=self.proposals[p], user=self.person).delete()
        TeamMember.objects.create(
            proposal=self.proposals[p],
            user=self.person,
            state=state,
            accepted_at=timezone.now() if state == TeamMember.State.ACCEPTED else None,
        )

    @rule()
    def assignment_deleted(self):
        from django.db.models import ProtectedError

        if self.assignments:
            try:
                Assignment.objects.filter(pk=self.assignments.pop().pk).delete()
            except ProtectedError:  # one with a recorded history is kept as evidence
                pass

    @invariant()
    def cached_count_is_exact(self):
        person = type(self.person).objects.get(pk=self.person.pk)
        assert unread_count(user=person) == _exact(person)


def test_the_cached_count_is_exact_after_any_sequence_of_changes():
    run_state_machine_as_test(
        UnreadCountMachine,
        settings=hsettings(
            max_examples=15,
            stateful_step_count=10,
            deadline=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: it is slow here
            suppress_health_check=list(HealthCheck),
        ),
    )
