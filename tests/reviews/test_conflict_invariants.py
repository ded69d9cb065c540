"""Conflicts of interest after any sequence of actions (issue 12): a hypothesis stateful test.

Team invitations and acceptances, partner changes, agency changes (by save and by an HR
import through `agency_changed`), assignments, reviews, revisions, resubmissions, stand-in
chairs and decisions interleave in random order. After every step:
- no conflicted review counts anywhere (quorum, ranking);
- no conflicted person holds an acting-chair duty or a pending assignment;
- every proposal under review has an acting chair or is listed on the fund managers' home.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.models import User
from people.signals import agency_changed
from proposals.conflicts import conflict_reason, has_conflict
from proposals.factories import ProposalFactory
from proposals.models import Proposal, TeamMember
from proposals.services import proposal_submit, proposal_update
from proposals.services.drafting import proposal_request_revision, proposal_send_to_review
from proposals.services.team import team_invite, team_member_accept
from reviews import services
from reviews.chairs import UNDER_REVIEW, acting_chair, stalled_proposals
from reviews.models import Assignment
from reviews.selectors import ranking_rows
from workflow.services import TransitionStateConflict

REFUSED = (ValidationError, PermissionDenied, TransitionStateConflict)
DUE = timezone.localdate() + timedelta(days=30)
AGENCIES, PEOPLE, PROPOSALS = 5, 8, 3


class ConflictMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.agencies = [AgencyFactory() for _ in range(AGENCIES)]
        self.people = [UserFactory(agency=self.agencies[i % AGENCIES],
                                   employee_id=f"E{i}-{id(self)}") for i in range(PEOPLE)]
        self.manager = UserFactory(fund_manager=True, agency=AgencyFactory())
        self.round = RoundFactory(closed=True)
        from reviews.factories import PanelFactory

        self.panel = PanelFactory(round=self.round, chair=self.people[0],
                                  members=self.people[1:])
        services.panel_update(actor=self.manager, panel=self.panel,
                              deputy_chair=self.people[1])
        self.round.reviews_required = 2
        type(self.round).objects.filter(pk=self.round.pk).update(reviews_required=2)
        self.leads = [UserFactory(agency=self.agencies[(2 + i) % AGENCIES])
                      for i in range(PROPOSALS)]
        self.proposals = [
            ProposalFactory(round=self.round, lead=lead, in_review=True, panel=self.panel,
                            partners=[self.agencies[(3 + i) % AGENCIES]])
            for i, lead in enumerate(self.leads)
        ]

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------
    def _fresh(self, i) -> Proposal:
        return Proposal.objects.select_related("round", "lead__agency", "panel").get(
            pk=self.proposals[i].pk)

    def _try(self, action, **kwargs):
        try:
            with transaction.atomic():
                return action(**kwargs)
        except REFUSED:
            return None

    # --- rules ------------------------------------------------------------------------------
    @rule(i=st.integers(0, PROPOSALS - 1), who=st.integers(0, PEOPLE - 1))
    def invite_and_accept(self, i, who):
        proposal, person = self._fresh(i), self.people[who]
        member = self._try(team_invite, actor=proposal.lead, proposal=proposal, user=person,
                           role="Analyst")
        if member is not None:
            self._try(team_member_accept, actor=person, member=member)

    @rule(i=st.integers(0, PROPOSALS - 1), a=st.integers(0, AGENCIES - 1), add=st.booleans())
    def change_partner(self, i, a, add):
        proposal = self._fresh(i)
        partners = set(proposal.partner_agencies.all())
        partners = partners | {self.agencies[a]} if add else partners - {self.agencies[a]}
        self._try(proposal_update, actor=proposal.lead, proposal=proposal,
                  partner_agencies=list(partners))

    @rule(who=st.integers(0, PEOPLE - 1), a=st.integers(0, AGENCIES - 1))
    def move_person(self, who, a):
        person = User.objects.get(pk=self.people[who].pk)
        person.agency = self.agencies[a]
        person.save()

    @rule(who=st.integers(0, PEOPLE - 1), a=st.integers(0, AGENCIES - 1))
    def hr_import_moves_person(self, who, a):
        """What an HR import does: a bulk update, then `agency_changed` for who moved."""
        person = self.people[who]
        with transaction.atomic():
            User.objects.filter(pk=person.pk).update(agency=self.agencies[a])
            agency_changed.send(sender=User, people=[person.pk], actor=self.manager)

    @rule(i=st.integers(0, PROPOSALS - 1), who=st.integers(1, PEOPLE - 1))
    def assign(self, i, who):
        self._try(services.assignment_create, actor=self.manager, proposal=self._fresh(i),
                  reviewer=User.objects.get(pk=self.people[who].pk), panel=self.panel,
                  due_on=DUE)

    @rule(data=st.data())
    def submit_a_review(self, data):
        open_ = list(Assignment.objects.filter(panel=self.panel, state="assigned"))
        if not open_:
            return
        assignment = data.draw(st.sampled_from(open_))
        criteria = list(self.round.criteria.all())
        self._try(services.assignment_submit_review, assignment=assignment,
                  actor=assignment.reviewer,
                  review={"scores": [{"criterion": c.pk, "value": 3} for c in criteria],
                          "recommendation": "fund"})

    @rule(i=st.integers(0, PROPOSALS - 1))
    def request_revision(self, i):
        proposal = self._fresh(i)
        chair = acting_chair(proposal)
        if chair is not None:
            self._try(proposal_request_revision, proposal=proposal, actor=chair,
                      message="Tighten the budget.")

    @rule(i=st.integers(0, PROPOSALS - 1))
    def resubmit_and_send(self, i):
        proposal = self._fresh(i)
        if self._try(proposal_submit, proposal=proposal, actor=proposal.lead) is not None:
            self._try(proposal_send_to_review, proposal=self._fresh(i), actor=self.manager)

    @rule(i=st.integers(0, PROPOSALS - 1))
    def name_stand_in(self, i):
        proposal = self._fresh(i)
        for stall in stalled_proposals(viewer=self.manager):
            if stall.proposal.pk == proposal.pk and stall.candidates:
                self._try(services.panel_stand_in_name, actor=self.manager, panel=self.panel,
                          proposal=proposal, chair=stall.candidates[0])

    @rule(i=st.integers(0, PROPOSALS - 1), recommend=st.booleans())
    def decide(self, i, recommend):
        proposal = self._fresh(i)
        chair = acting_chair(proposal)
        if chair is not None:
            service = services.proposal_recommend if recommend else services.proposal_reject
            self._try(service, proposal=proposal, actor=chair, rationale="The panel agreed.")

    # --- invariants ------------------------------------------------------------------------
    def _under_review(self):
        return [p for p in (self._fresh(i) for i in range(PROPOSALS))
                if p.state in UNDER_REVIEW]

    @invariant()
    def no_conflicted_review_counts(self):
        rows = {r["proposal"].pk: r for r in ranking_rows(round_=self.round, viewer=self.manager)}
        for proposal in self._under_review():
            counted = Assignment.objects.filter(proposal=proposal, state="submitted")
            for assignment in counted.select_related("reviewer__agency"):
                assert conflict_reason(assignment.reviewer, proposal) is None
            if proposal.pk in rows and rows[proposal.pk].get("review_count") is not None:
                assert rows[proposal.pk]["review_count"] == counted.count()

    @invariant()
    def no_conflicted_duty_or_pending_assignment(self):
        for proposal in self._under_review():
            chair = acting_chair(proposal)
            assert chair is None or not has_conflict(chair, proposal)
            for assignment in Assignment.objects.filter(proposal=proposal, state="assigned"):
                assert not has_conflict(assignment.reviewer, proposal)

    @invariant()
    def nothing_stalls_silently(self):
        listed = {s.proposal.pk for s in stalled_proposals(viewer=self.manager)}
        for proposal in self._under_review():
            if proposal.state in ("in_review", "revision_requested"):
                assert acting_chair(proposal) is not None or proposal.pk in listed

    @invariant()
    def only_accepted_members_conflict(self):
        for member in TeamMember.objects.filter(proposal__in=self.proposals,
                                                state=TeamMember.State.INVITED):
            if member.user.agency_id not in {
                member.proposal.lead.agency_id,
                *member.proposal.partner_agencies.values_list("pk", flat=True),
            }:
                assert conflict_reason(member.user, member.proposal) is None


@pytest.mark.django_db
def test_conflict_invariants_hold_after_any_sequence_of_actions():
    run_state_machine_as_test(ConflictMachine, settings=settings(
        max_examples=12, stateful_step_count=14, deadline=None,
        suppress_health_check=list(HealthCheck)))
