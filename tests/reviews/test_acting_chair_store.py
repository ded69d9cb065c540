"""The stored acting chair (reviews.ProposalActingChair, issue 16) is the rule's
(`reviews.chairs.acting_chair`) after any change of what the rule reads, in any channel: the
services, model saves (the admin), many-to-many changes from either side, the writes that
skip signals (a panel move's `update`, an HR import's announced agency changes, an agency
merge), the data migration, the bulk load and the nightly reconciliation."""

import importlib
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.models import HR_OFFICERS, User
from people.services import announce_agency_changes
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal, TeamMember
from reviews import services
from reviews.chairs import (
    PANEL_STATES,
    acting_chair,
    reconcile_acting_chairs,
    refresh_acting_chairs,
    stale_acting_chairs,
    stored_acting_chairs,
)
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment, Panel, PanelStandIn, ProposalActingChair
from workflow.services import TransitionStateConflict

pytestmark = pytest.mark.django_db

REFUSED = (ValidationError, PermissionDenied, TransitionStateConflict)
DUE = timezone.localdate() + timedelta(days=30)


def rule_chairs() -> dict:
    """{proposal id: acting chair id} by the rule, one fresh proposal at a time."""
    found = {}
    for proposal in Proposal.objects.filter(state__in=PANEL_STATES):
        chair = acting_chair(proposal)
        if chair is not None:
            found[proposal.pk] = chair.pk
    return found


def assert_store_agrees():
    assert stored_acting_chairs() == rule_chairs()


def _hr():
    return Group.objects.get_or_create(name=HR_OFFICERS)[0]


# --- a stateful test: every input of the rule, in random order --------------------------------
AGENCIES, PEOPLE, PROPOSALS = 4, 7, 3


class ActingChairMachine(RuleBasedStateMachine):
    """A panel (chair, deputy, members) and three proposals of its round in review (the last
    without a panel of its own: its round's only panel is its panel until a second is made).
    After every step, the stored acting chair of every proposal is the rule's."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.agencies = [AgencyFactory() for _ in range(AGENCIES)]
        self.people = [UserFactory(agency=self.agencies[i % AGENCIES]) for i in range(PEOPLE)]
        self.manager = UserFactory(fund_manager=True, agency=AgencyFactory())
        self.round = RoundFactory(closed=True)
        self.panel = PanelFactory(round=self.round, chair=self.people[0],
                                  members=self.people[1:])
        self.extra_panel = None
        self.proposals = [
            ProposalFactory(round=self.round, in_review=True,
                            panel=self.panel if i < PROPOSALS - 1 else None,
                            lead=UserFactory(agency=self.agencies[(1 + i) % AGENCIES]),
                            partners=[self.agencies[(2 + i) % AGENCIES]])
            for i in range(PROPOSALS)
        ]

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, action, **kwargs):
        try:
            with transaction.atomic():
                return action(**kwargs)
        except REFUSED:
            return None

    def _proposal(self, i) -> Proposal:
        return Proposal.objects.get(pk=self.proposals[i].pk)

    def _person(self, i) -> User:
        return User.objects.get(pk=self.people[i].pk)

    # --- the panel --------------------------------------------------------------------------
    @rule(person=st.integers(0, PEOPLE - 1), by_service=st.booleans())
    def change_chair(self, person, by_service):
        panel = Panel.objects.get(pk=self.panel.pk)
        if by_service:
            self._try(services.panel_update, actor=self.manager, panel=panel,
                      chair=self._person(person))
        else:  # the admin's save
            panel.chair = self._person(person)
            panel.save()

    @rule(person=st.none() | st.integers(0, PEOPLE - 1), by_service=st.booleans())
    def change_deputy(self, person, by_service):
        panel = Panel.objects.get(pk=self.panel.pk)
        deputy = None if person is None else self._person(person)
        if by_service:
            self._try(services.panel_update, actor=self.manager, panel=panel,
                      deputy_chair=deputy)
        else:
            panel.deputy_chair = deputy
            panel.save()

    @rule(person=st.integers(0, PEOPLE - 1))
    def second_panel_in_the_round(self, person):
        if self.extra_panel is None:
            self.extra_panel = PanelFactory(round=self.round, chair=self._person(person),
                                            members=[])

    @rule()
    def drop_the_second_panel(self):
        if self.extra_panel is not None and not self.extra_panel.proposals.exists() \
                and not self.extra_panel.stand_ins.exists():
            self.extra_panel.delete()
            self.extra_panel = None

    @rule(p=st.integers(0, PROPOSALS - 1))
    def move_to_the_other_panel(self, p):
        if self.extra_panel is None:
            return
        proposal = self._proposal(p)
        target = self.extra_panel if proposal.panel_id == self.panel.pk else self.panel
        self._try(services.proposal_move_to_panel, actor=self.manager, proposal=proposal,
                  panel=target)

    @rule(p=st.integers(0, PROPOSALS - 1), person=st.integers(0, PEOPLE - 1),
          by_service=st.booleans())
    def name_stand_in(self, p, person, by_service):
        proposal = self._proposal(p)
        panel = proposal.panel or self.panel
        if by_service:
            self._try(services.panel_stand_in_name, actor=self.manager, panel=panel,
                      proposal=proposal, chair=self._person(person))
        else:  # the admin: even someone conflicted (who then simply does not act)
            PanelStandIn.objects.create(panel=panel, proposal=proposal,
                                        chair=self._person(person), named_by=self.manager)

    # --- the proposal -----------------------------------------------------------------------
    @rule(p=st.integers(0, PROPOSALS - 1), person=st.integers(0, PEOPLE - 1),
          accepted=st.booleans())
    def team_member(self, p, person, accepted):
        proposal, user = self._proposal(p), self._person(person)
        member = TeamMember.objects.filter(proposal=proposal, user=user).first()
        if member is None:
            TeamMemberFactory(proposal=proposal, user=user, invited=not accepted)
        elif member.state == TeamMember.State.INVITED:
            member.accept()  # the transition's effect, as the service saves it
            member.accepted_at = timezone.now()
            member.save()

    @rule(p=st.integers(0, PROPOSALS - 1), a=st.integers(0, AGENCIES - 1),
          add=st.booleans(), from_agency=st.booleans())
    def partner(self, p, a, add, from_agency):
        proposal, agency = self._proposal(p), self.agencies[a]
        if from_agency:
            getattr(agency.partnered_proposals, "add" if add else "remove")(proposal)
        else:
            getattr(proposal.partner_agencies, "add" if add else "remove")(agency)

    @rule(a=st.integers(0, AGENCIES - 1))
    def agency_drops_every_partnership(self, a):
        self.agencies[a].partnered_proposals.clear()

    @rule(p=st.integers(0, PROPOSALS - 1), person=st.integers(0, PEOPLE - 1))
    def change_lead(self, p, person):
        proposal = self._proposal(p)
        proposal.lead = self._person(person)
        proposal.save()

    @rule(p=st.integers(0, PROPOSALS - 1))
    def move_state(self, p):
        """in_review -> revision_requested -> (resubmitted) submitted -> in_review."""
        proposal = self._proposal(p)
        step = {Proposal.State.IN_REVIEW: "request_revision",
                Proposal.State.REVISION_REQUESTED: "submit",
                Proposal.State.SUBMITTED: "send_to_review"}[proposal.state]
        try:
            getattr(proposal, step)()
        except TransitionNotAllowed:  # its conditions do not hold: nothing changes
            return
        proposal.save()

    # --- people -----------------------------------------------------------------------------
    @rule(person=st.integers(0, PEOPLE - 1), a=st.integers(0, AGENCIES - 1),
          by_import=st.booleans())
    def change_agency(self, person, a, by_import):
        if by_import:  # an HR import writes in bulk and announces the people it moved
            User.objects.filter(pk=self.people[person].pk).update(agency=self.agencies[a])
            announce_agency_changes(people=[self.people[person].pk])
        else:
            user = self._person(person)
            user.agency = self.agencies[a]
            user.save()

    @rule(person=st.integers(0, PEOPLE - 1), active=st.booleans())
    def set_active(self, person, active):
        user = self._person(person)
        user.is_active = active
        user.save()

    @rule(person=st.integers(0, PEOPLE - 1), hr=st.booleans(), from_group=st.booleans())
    def set_hr(self, person, hr, from_group):
        user = self._person(person)
        if from_group:
            getattr(_hr().user_set, "add" if hr else "remove")(user)
        else:
            getattr(user.groups, "add" if hr else "remove")(_hr())

    @rule(person=st.integers(0, PEOPLE - 1))
    def clear_groups(self, person):
        self._person(person).groups.clear()

    @rule(p=st.integers(0, PROPOSALS - 1), person=st.integers(0, PEOPLE - 1),
          by_service=st.booleans())
    def declare_conflict(self, p, person, by_service):
        proposal, user = self._proposal(p), self._person(person)
        assignment = Assignment.objects.filter(proposal=proposal, reviewer=user).first()
        if assignment is None:
            assignment = Assignment.objects.create(
                proposal=proposal, reviewer=user, panel=proposal.panel or self.panel,
                due_on=DUE)
        if by_service:
            self._try(services.assignment_declare_conflict, assignment=assignment, actor=user,
                      reason="Kin")
        elif assignment.state != Assignment.State.CONFLICT:
            assignment.declare_conflict()
            assignment.conflict_reason = "Kin"
            assignment.save()

    @rule(p=st.integers(0, PROPOSALS - 1), person=st.integers(0, PEOPLE - 1))
    def delete_assignment(self, p, person):
        """The admin deletes an assignment (one in `conflict` stops blocking); one with a
        recorded history is kept as evidence (workflow/evidence.py refuses it)."""
        from django.db import transaction
        from django.db.models import ProtectedError

        try:
            with transaction.atomic():  # a refused deletion rolls back to here only
                Assignment.objects.filter(proposal=self.proposals[p],
                                          reviewer=self.people[person],
                                          review__isnull=True).delete()
        except ProtectedError:
            pass

    @invariant()
    def the_store_is_the_rule(self):
        assert_store_agrees()


def test_the_stored_acting_chair_is_the_rule_after_any_sequence_of_changes():
    run_state_machine_as_test(ActingChairMachine, settings=settings(
        max_examples=12, stateful_step_count=10, deadline=None,
        suppress_health_check=list(HealthCheck)))


# --- each channel, one at a time ------------------------------------------------------------
@pytest.fixture
def world(db):
    moh, moe, mof = (AgencyFactory(code=c) for c in ("MOH", "MOE", "MOF"))
    round_ = RoundFactory(closed=True)
    chair = UserFactory(agency=mof)
    deputy = UserFactory(agency=AgencyFactory(code="MOIT"))
    panel = PanelFactory(round=round_, chair=chair, members=[deputy, UserFactory()])
    panel.deputy_chair = deputy
    panel.save()
    proposal = ProposalFactory(round=round_, in_review=True, panel=panel,
                               lead=UserFactory(agency=moh), partners=[moe])
    manager = UserFactory(fund_manager=True, agency=AgencyFactory(code="RCSC"))
    return type("World", (), dict(moh=moh, moe=moe, mof=mof, round=round_, chair=chair,
                                  deputy=deputy, panel=panel, proposal=proposal,
                                  manager=manager))


def _stored(proposal):
    return stored_acting_chairs([proposal.pk]).get(proposal.pk)


def test_the_chair_is_stored_and_a_draft_has_no_row(world):
    draft = ProposalFactory(round=world.round, panel=world.panel)
    assert _stored(world.proposal) == world.chair.pk
    assert _stored(draft) is None
    assert_store_agrees()


def _conflict_chair_by_partner(w):
    w.proposal.partner_agencies.add(w.mof)
    assert _stored(w.proposal) == w.deputy.pk


def _made_hr_then_cleared(w, clear):
    w.chair.groups.add(_hr())
    assert _stored(w.proposal) == w.deputy.pk
    clear(w)
    return w.chair


def _joined(user, name):
    group = Group.objects.get_or_create(name=name)[0]
    user.groups.add(group)
    return group


def _named_stand_in(w):
    w.proposal.partner_agencies.add(w.mof, w.deputy.agency)
    assert _stored(w.proposal) is None
    stand_in = UserFactory(agency=AgencyFactory())
    w.panel.members.add(stand_in)
    services.panel_stand_in_name(actor=w.manager, panel=w.panel, proposal=w.proposal,
                                 chair=stand_in)
    return stand_in


def _stand_in_conflicted(w):
    stand_in = _named_stand_in(w)
    assert _stored(w.proposal) == stand_in.pk
    _save(stand_in, agency=w.moh)  # the duty lapses


def _conflict_assignment_deleted(w):
    AssignmentFactory(proposal=w.proposal, panel=w.panel, reviewer=w.chair, conflict=True)
    assert _stored(w.proposal) == w.deputy.pk
    Assignment.objects.filter(reviewer=w.chair).delete()
    return w.chair


def _conflict_assignment_moved(w):
    assignment = AssignmentFactory(proposal=w.proposal, panel=w.panel, reviewer=w.chair,
                                   conflict=True)
    assert _stored(w.proposal) == w.deputy.pk
    _save(assignment, reviewer=UserFactory())
    return w.chair


def _without_panel_then_second_panel(w):
    Proposal.objects.filter(pk=w.proposal.pk).update(panel=None)  # as before panels
    refresh_acting_chairs([w.proposal.pk])
    assert _stored(w.proposal) == w.chair.pk  # the round's only panel
    extra = PanelFactory(round=w.round, chair=UserFactory(), members=[])
    assert _stored(w.proposal) is None
    extra.delete()
    assert _stored(w.proposal) == w.chair.pk
    extra = PanelFactory(round=RoundFactory(), chair=UserFactory(), members=[])
    extra.round = w.round  # the admin moves a panel into the round
    extra.save()


def _save(obj, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()


def _accept(w):
    proposal = Proposal.objects.get(pk=w.proposal.pk)
    proposal.request_revision()  # the team changes only then
    proposal.save()
    member = TeamMemberFactory(proposal=w.proposal, user=w.chair, invited=True)
    assert _stored(w.proposal) == w.chair.pk  # an invitation is no conflict
    from proposals.services.team import team_member_accept

    team_member_accept(member=member, actor=w.chair)


# Each change of an input of the rule, by each channel: what it does, and who acts after
# (None: nobody; a function's return value when it returns one; else the deputy).
CHANNELS = {
    "chair made HR (user.groups)": lambda w: w.chair.groups.add(_hr()),
    "chair made HR (group.user_set)": lambda w: _hr().user_set.add(w.chair),
    "chair's groups cleared": lambda w: _made_hr_then_cleared(w, lambda w: w.chair.groups.clear()),
    "HR group emptied": lambda w: _made_hr_then_cleared(w, lambda w: _hr().user_set.clear()),
    "HR taken back (group.user_set.remove)": lambda w: _made_hr_then_cleared(
        w, lambda w: _hr().user_set.remove(w.chair)),
    "HR group renamed away": lambda w: _made_hr_then_cleared(
        w, lambda w: _save(_hr(), name="former HR")),
    "HR group deleted": lambda w: _made_hr_then_cleared(w, lambda w: _hr().delete()),
    "a group renamed HR": lambda w: (_hr().delete(), _save(
        Group.objects.get(pk=_joined(w.chair, "auditors").pk), name=HR_OFFICERS)),
    "chair deactivated": lambda w: _save(w.chair, is_active=False),
    "chair's agency saved": lambda w: _save(w.chair, agency=w.moh),
    "chair's agency by import": lambda w: (
        User.objects.filter(pk=w.chair.pk).update(agency=w.moe),
        announce_agency_changes(people=[w.chair.pk])),
    "partner added (proposal side)": _conflict_chair_by_partner,
    "partner added (agency side)": lambda w: w.mof.partnered_proposals.add(w.proposal),
    "partner removed (proposal side)": lambda w: (
        _conflict_chair_by_partner(w), w.proposal.partner_agencies.remove(w.mof), w.chair)[-1],
    "partner removed (agency side)": lambda w: (
        _conflict_chair_by_partner(w), w.mof.partnered_proposals.remove(w.proposal),
        w.chair)[-1],
    "partners cleared (agency side)": lambda w: (
        _conflict_chair_by_partner(w), w.mof.partnered_proposals.clear(), w.chair)[-1],
    "partners cleared (proposal side)": lambda w: (
        _conflict_chair_by_partner(w), w.proposal.partner_agencies.clear(), w.chair)[-1],
    "lead changed": lambda w: _save(Proposal.objects.get(pk=w.proposal.pk),
                                    lead=UserFactory(agency=w.mof)),
    "lead's agency changed": lambda w: _save(w.proposal.lead, agency=w.mof),
    "chair on the team": lambda w: TeamMemberFactory(proposal=w.proposal, user=w.chair),
    "chair accepts an invitation": _accept,
    "chair declares a conflict": lambda w: services.assignment_declare_conflict(
        assignment=AssignmentFactory(proposal=w.proposal, panel=w.panel, reviewer=w.chair),
        actor=w.chair, reason="Kin"),
    "assignment made in conflict": lambda w: AssignmentFactory(
        proposal=w.proposal, panel=w.panel, reviewer=w.chair, conflict=True),
    "assignment in conflict deleted": _conflict_assignment_deleted,
    "assignment in conflict given to someone else (admin)": _conflict_assignment_moved,
    "another chair (admin)": lambda w: (_save(w.panel, chair=w.outsider), w.outsider)[-1],
    "another chair (service)": lambda w: (services.panel_update(
        actor=w.manager, panel=w.panel, chair=w.outsider), w.outsider)[-1],
    "deputy removed while the chair is conflicted": lambda w: (
        _conflict_chair_by_partner(w), _save(w.panel, deputy_chair=None), None)[-1],
    "stand-in named": _named_stand_in,
    "stand-in becomes conflicted": _stand_in_conflicted,
    "a second panel in the round": _without_panel_then_second_panel,
    "proposal leaves review": lambda w: _leave_review(w),
}


def _leave_review(w):
    from workflow.services import run_transition

    proposal = Proposal.objects.get(pk=w.proposal.pk)
    proposal.request_revision()
    proposal.save()
    assert _stored(proposal) == w.chair.pk
    run_transition(instance=proposal, name="withdraw", actor=proposal.lead, note="")


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_each_channel_refreshes_the_store(world, channel):
    world.outsider = UserFactory(agency=AgencyFactory(code="DOT"))
    assert _stored(world.proposal) == world.chair.pk
    result = CHANNELS[channel](world)
    if channel in ("proposal leaves review", "a second panel in the round",
                   "stand-in becomes conflicted"):
        expected = None
    elif isinstance(result, User):
        expected = result
    else:
        expected = None if channel.startswith("deputy removed") else world.deputy
    assert _stored(world.proposal) == (expected.pk if expected else None)
    assert_store_agrees()


def test_moving_a_proposal_to_another_panel_refreshes_it(world):
    """`proposal_move_to_panel` writes with `update()`, which sends no signal."""
    other_chair = UserFactory(agency=AgencyFactory())
    other = PanelFactory(round=world.round, chair=other_chair)
    services.proposal_move_to_panel(actor=world.manager, proposal=world.proposal, panel=other)
    assert _stored(world.proposal) == other_chair.pk
    assert_store_agrees()


def test_an_agency_merge_that_makes_the_chair_a_partner(world):
    """merge_agencies moves partner links with `update()` and announces the proposals."""
    call_command("merge_agencies", "MOE", "MOF", stdout=StringIO())
    assert _stored(world.proposal) == world.deputy.pk
    assert_store_agrees()


def test_an_hr_import_moving_the_chair_to_the_leads_agency(world):
    from people.imports import CivilServantImport

    User.objects.filter(pk=world.chair.pk).update(employee_id="E-CHAIR")
    world.chair.refresh_from_db()
    data = (f"employee_id,username,first_name,last_name,email,agency,position_title,"
            f"position_level\nE-CHAIR,{world.chair.username},A,B,a@example.org,MOH,Chair,P1\n"
            ).encode()
    report = CivilServantImport(system=True).run(data, "people.csv")
    world.chair.refresh_from_db()
    assert report.applied and world.chair.agency_id == world.moh.pk, repr(report)
    assert _stored(world.proposal) == world.deputy.pk
    assert_store_agrees()


def test_a_login_does_not_recompute(world, django_assert_max_num_queries):
    world.chair.last_login = timezone.now()
    with django_assert_max_num_queries(1):
        world.chair.save(update_fields=["last_login"])


def test_leaving_a_panel_state_drops_the_row_and_coming_back_restores_it(world):
    proposal = Proposal.objects.get(pk=world.proposal.pk)
    proposal.request_revision()
    proposal.save()
    assert _stored(proposal) == world.chair.pk  # revision_requested: still a panel's
    proposal.submit()
    proposal.save()
    assert _stored(proposal) is None
    proposal.send_to_review()
    proposal.save()
    assert _stored(proposal) == world.chair.pk


def test_the_data_migration_fills_what_the_rule_says(world):
    """The migration's own copy of the rule (written with its historical models) agrees
    with the rule on a scene of every case: chair conflicted by partner, deputy acting,
    stand-in acting, a proposal without a panel, HR and inactive people, declared
    conflicts, team members."""
    migration = importlib.import_module("reviews.migrations.0009_proposal_acting_chair")
    # The deputy acts for a proposal whose partner is the chair's agency ...
    second = ProposalFactory(round=world.round, in_review=True, panel=world.panel,
                             budget=False, partners=[world.mof])
    # ... a stand-in for one where both are conflicted ...
    third = ProposalFactory(round=world.round, in_review=True, panel=world.panel,
                            budget=False, partners=[world.mof, world.deputy.agency])
    stand_in = UserFactory(agency=AgencyFactory())
    PanelStandIn.objects.create(panel=world.panel, proposal=third, chair=stand_in,
                                named_by=world.manager)
    # ... the chair on the team of one, a declared conflict on another ...
    fourth = ProposalFactory(round=world.round, revision_requested=True, panel=None,
                             budget=False, partners=[])
    TeamMemberFactory(proposal=fourth, user=world.chair)
    fifth = ProposalFactory(round=world.round, in_review=True, panel=world.panel,
                            budget=False, partners=[])
    AssignmentFactory(proposal=fifth, panel=world.panel, reviewer=world.chair, conflict=True)
    # ... an HR deputy, and an inactive stand-in elsewhere.
    world.deputy.groups.add(_hr())
    sixth = ProposalFactory(round=world.round, in_review=True, panel=world.panel,
                            budget=False, partners=[world.mof])
    gone = UserFactory(agency=AgencyFactory(), is_active=False)
    PanelStandIn.objects.create(panel=world.panel, proposal=sixth, chair=gone,
                                named_by=world.manager)
    rule = rule_chairs()
    assert migration.acting_chairs(django_apps) == rule
    assert rule[third.pk] == stand_in.pk and sixth.pk not in rule and second.pk not in rule
    ProposalActingChair.objects.all().delete()
    migration.fill(django_apps, type("Editor", (), {"connection": type(
        "Connection", (), {"vendor": "sqlite"})()})())
    assert_store_agrees()


def test_reconcile_corrects_and_logs_what_differed(world, caplog):
    other = ProposalFactory(round=world.round, in_review=True, panel=world.panel,
                            budget=False, partners=[])
    ProposalActingChair.objects.filter(proposal=world.proposal).update(chair=world.deputy)
    ProposalActingChair.objects.filter(proposal=other).delete()
    assert stale_acting_chairs() == sorted([world.proposal.pk, other.pk])
    out = StringIO()
    with caplog.at_level(logging.WARNING, logger="reviews.tasks"):
        call_command("reconcile_acting_chairs", stdout=out)
    assert "2 stored acting chair(s) differed" in out.getvalue()
    assert "2 stored row(s) differed" in caplog.text
    assert stale_acting_chairs() == []
    assert reconcile_acting_chairs() == []
    assert_store_agrees()


def test_reconcile_runs_in_the_beat_schedule():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reviews.reconcile_acting_chairs" in tasks
    from reviews.tasks import reconcile_acting_chairs_task

    assert reconcile_acting_chairs_task.name == "reviews.reconcile_acting_chairs"


def test_a_change_is_asked_again_when_its_transaction_commits(
        world, django_capture_on_commit_callbacks):
    """Two transactions changing two inputs of one proposal at once each see only their own
    change: the store is asked again at commit, when both are visible. Here the other
    transaction's stale answer is written by hand before the commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        world.proposal.partner_agencies.add(world.mof)  # the chair is now conflicted
        assert _stored(world.proposal) == world.deputy.pk
        ProposalActingChair.objects.filter(proposal=world.proposal).update(chair=world.chair)
    assert callbacks
    assert _stored(world.proposal) == world.deputy.pk
    assert_store_agrees()


def test_refresh_writes_only_what_changed(world, django_assert_max_num_queries):
    assert refresh_acting_chairs([world.proposal.pk]) == 0
    ProposalActingChair.objects.all().delete()
    assert refresh_acting_chairs([world.proposal.pk]) == 1
    assert_store_agrees()
