"""A finished job's file is given only while what its owner may see is what it was when the job
read the data (jobs.viewer): a chair or fund manager who became conflicted, or was given a
review to write, after an export or portfolio ran gets nothing from the old file."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from jobs import selectors, services
from jobs.models import Job
from jobs.viewer import viewer_fingerprint
from people.factories import AgencyFactory, UserFactory
from people.models import HR_OFFICERS
from proposals.conflicts import conflict_q
from proposals.factories import ProposalFactory
from proposals.models import Proposal, TeamMember
from proposals.selectors import proposals_visible_to
from reviews.models import Assignment, Panel

pytestmark = pytest.mark.django_db

EXPORT = {"export": "proposals", "format": "csv", "label": "Proposals",
          "filename": "proposals.csv"}


def _ready(job: Job) -> Job:
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.READY, job.error
    return job


def _export(user) -> Job:
    return _ready(services.start_export_job(actor=user, params=dict(EXPORT)))


def _portfolio(world, user) -> Job:
    return _ready(services.start_job(actor=user, kind=Job.Kind.ROUND_PORTFOLIO,
                                     params={"round": world.round.pk}))


def test_the_chair_whose_agency_became_a_partner_gets_no_old_portfolio(client, world):
    job = _portfolio(world, world.chair)
    assert len(job.viewer_fingerprint) == 64
    client.force_login(world.chair)
    url = reverse("jobs:result", args=[job.pk])
    assert client.get(url).status_code == 200
    world.proposal.partner_agencies.add(world.chair.agency)
    response = client.get(url)
    assert response.status_code == 403
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "what you may see has changed since it read the data" in page
    assert url not in page
    assert reverse("fund:round_detail", args=[world.round.pk]) in page
    # Made again, the new report is given.
    again = _portfolio(world, world.chair)
    assert client.get(reverse("jobs:result", args=[again.pk])).status_code == 200


def test_the_fund_manager_given_a_review_to_write_gets_no_old_export(client, world):
    job = _export(world.manager)
    client.force_login(world.manager)
    url = reverse("jobs:result", args=[job.pk])
    assert client.get(url).status_code == 200
    panel = Panel.objects.get(round=world.round)
    other = ProposalFactory(round=world.round, recommended=True)
    Assignment.objects.create(proposal=other, reviewer=world.manager, panel=panel,
                              due_on=datetime.date(2027, 1, 1))
    assert client.get(url).status_code == 403
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("data:exports") in page and url not in page


def test_an_import_report_stays_readable_whatever_changes(world):
    job = Job.objects.create(kind=Job.Kind.IMPORT, owner=world.manager, title="Check",
                             params={"dry_run": True})
    assert selectors.can_read_result(world.manager, job)
    world.manager.agency = AgencyFactory()
    world.manager.save()
    assert selectors.can_read_result(world.manager, job)
    assert not selectors.sight_changed(world.manager, job)


CHANGES = {
    "agency": lambda w, u: setattr(u, "agency", AgencyFactory()) or u.save(),
    "role taken": lambda w, u: u.groups.clear(),
    "role given": lambda w, u: u.groups.add(Group.objects.get_or_create(name=HR_OFFICERS)[0]),
    "deactivated": lambda w, u: setattr(u, "is_active", False) or u.save(),
    "assignment": lambda w, u: Assignment.objects.create(
        proposal=ProposalFactory(round=w.round, recommended=True), reviewer=u,
        panel=Panel.objects.get(round=w.round), due_on=datetime.date(2027, 1, 1)),
    "chair": lambda w, u: Panel.objects.filter(round=w.round).update(chair=u),
    "panel member": lambda w, u: Panel.objects.get(round=w.round).members.add(u),
    "leads": lambda w, u: ProposalFactory(round=w.round, lead=u),
    "team": lambda w, u: TeamMember.objects.create(proposal=w.proposal, user=u),
    "agency leads": lambda w, u: ProposalFactory(round=w.round,
                                                 lead=UserFactory(agency=u.agency)),
    "agency partners": lambda w, u: w.proposal.partner_agencies.add(u.agency),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_each_input_of_the_visibility_rules_changes_the_fingerprint(world, change):
    before = viewer_fingerprint(world.manager)
    assert viewer_fingerprint(world.manager) == before  # stable when nothing changed
    CHANGES[change](world, world.manager)
    world.manager.refresh_from_db()
    assert viewer_fingerprint(world.manager) != before


def test_others_changes_leave_the_fingerprint_alone(world):
    before = viewer_fingerprint(world.manager)
    stranger_agency = AgencyFactory()
    ProposalFactory(round=world.round, lead=UserFactory(agency=stranger_agency))
    world.proposal.partner_agencies.add(stranger_agency)
    Panel.objects.get(round=world.round).members.add(UserFactory())
    assert viewer_fingerprint(world.manager) == before


def test_the_fingerprint_reads_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(5):
        ProposalFactory(round=world.round, lead=UserFactory(agency=world.manager.agency))
    with django_assert_max_num_queries(10):
        viewer_fingerprint(world.manager)


class StaleFileMachine(RuleBasedStateMachine):
    """Any sequence of changes to the fund: while the owner's visible proposals, conflicts or
    pending reviews differ from what they were when the export ran, its file is refused."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.agencies = [AgencyFactory() for _ in range(3)]
        self.owner = UserFactory(fund_manager=True, agency=self.agencies[0])
        self.round = ProposalFactory(recommended=True).round
        self.panel = Panel.objects.create(round=self.round, name="P", chair=UserFactory())
        self.proposals = [
            ProposalFactory(round=self.round, recommended=True,
                            lead=UserFactory(agency=self.agencies[i % 3]))
            for i in range(4)
        ]
        self.job = _export(self.owner)
        self.seen = self._sight()

    def _sight(self):
        owner = type(self.owner).objects.get(pk=self.owner.pk)
        visible = set(proposals_visible_to(owner).values_list("pk", flat=True))
        conflicted = set(Proposal.objects.filter(conflict_q(owner)).values_list("pk", flat=True))
        pending = set(Assignment.objects.filter(reviewer=owner, state=Assignment.State.ASSIGNED)
                      .values_list("proposal_id", flat=True))
        return visible, conflicted, pending

    @rule(p=st.integers(0, 3), a=st.integers(0, 2))
    def partner(self, p, a):
        self.proposals[p].partner_agencies.add(self.agencies[a])

    @rule(p=st.integers(0, 3), a=st.integers(0, 2))
    def unpartner(self, p, a):
        self.proposals[p].partner_agencies.remove(self.agencies[a])

    @rule(p=st.integers(0, 3))
    def assign_owner(self, p):
        Assignment.objects.get_or_create(proposal=self.proposals[p], reviewer=self.owner,
                                         defaults={"panel": self.panel,
                                                   "due_on": datetime.date(2027, 1, 1)})

    @rule(p=st.integers(0, 3))
    def assign_someone_else(self, p):
        Assignment.objects.create(proposal=self.proposals[p], reviewer=UserFactory(),
                                  panel=self.panel, due_on=datetime.date(2027, 1, 1))

    @rule(p=st.integers(0, 3))
    def join_team(self, p):
        TeamMember.objects.get_or_create(proposal=self.proposals[p], user=self.owner)

    @rule(a=st.integers(0, 2))
    def move_agency(self, a):
        self.owner.agency = self.agencies[a]
        self.owner.save()

    @rule()
    def new_proposal_elsewhere(self):
        ProposalFactory(round=self.round, recommended=True,
                        lead=UserFactory(agency=self.agencies[2]))

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @invariant()
    def stale_file_is_refused(self):
        owner = type(self.owner).objects.get(pk=self.owner.pk)
        sight = self._sight()
        readable = selectors.can_read_result(owner, self.job)
        # Visibility of new proposals aside (they were not in the file), any change in what
        # the owner saw, was conflicted with or had to review refuses the file.
        old_visible, old_conflicted, old_pending = self.seen
        visible, conflicted, pending = sight
        if (old_visible - visible) or conflicted != old_conflicted or pending != old_pending:
            assert not readable


def test_a_stale_file_is_refused_after_any_sequence_of_changes():
    run_state_machine_as_test(StaleFileMachine, settings=settings(
        max_examples=10, stateful_step_count=8, deadline=None,
        suppress_health_check=list(HealthCheck)))


def test_a_file_made_before_fingerprints_were_kept_is_refused(client, world):
    job = _export(world.manager)
    Job.objects.filter(pk=job.pk).update(viewer_fingerprint="")
    job.refresh_from_db()
    assert selectors.sight_changed(world.manager, job)
    client.force_login(world.manager)
    assert client.get(reverse("jobs:result", args=[job.pk])).status_code == 403
