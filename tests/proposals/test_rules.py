"""The proposal machine's rules, one function each."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals import rules
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews import rules as chair_rules
from reviews.models import Panel

pytestmark = pytest.mark.django_db


def test_is_lead_only_for_the_active_lead():
    proposal = ProposalFactory()
    assert rules.is_lead(proposal, proposal.lead)
    assert not rules.is_lead(proposal, UserFactory())
    assert not rules.is_lead(proposal, AnonymousUser())
    proposal.lead.is_active = False
    assert not rules.is_lead(proposal, proposal.lead)


def test_is_lead_or_team():
    proposal = ProposalFactory()
    member = TeamMemberFactory(proposal=proposal).user
    assert rules.is_lead_or_team(proposal, member)
    assert not rules.is_lead_or_team(proposal, UserFactory())


def test_fund_manager_on_the_team_is_conflicted():
    proposal = ProposalFactory(submitted=True)
    fm = UserFactory(fund_manager=True)
    assert rules.is_unconflicted_fund_manager(proposal, fm)
    TeamMemberFactory(proposal=proposal, user=fm)
    assert not rules.is_unconflicted_fund_manager(proposal, fm)
    assert not rules.is_unconflicted_fund_manager(proposal, UserFactory(hr_officer=True))


def test_chair_rule_needs_a_panel_of_the_round_and_no_conflict():
    partner = AgencyFactory()
    proposal = ProposalFactory(in_review=True, partners=[partner])
    chair = UserFactory()
    assert not chair_rules.is_acting_chair(proposal, chair)
    Panel.objects.create(round=RoundFactory(), name="Elsewhere", chair=chair)
    assert not chair_rules.is_acting_chair(proposal, chair)
    Panel.objects.create(round=proposal.round, name="Here", chair=chair)
    assert chair_rules.is_acting_chair(proposal, chair)
    partner_chair = UserFactory(agency=partner)
    Panel.objects.create(round=proposal.round, name="Partner", chair=partner_chair)
    assert not chair_rules.is_acting_chair(proposal, partner_chair)


def test_partner_agencies_are_counted_distinct():
    lead = UserFactory()
    a, b = AgencyFactory(), AgencyFactory()
    proposal = ProposalFactory(ready=True, lead=lead, partners=[a, b, lead.agency])
    assert rules.enough_partner_agencies.check(proposal) is None
    proposal = ProposalFactory(ready=True, lead=UserFactory(agency=None), partners=[a])
    assert rules.enough_partner_agencies.check(proposal) == (
        "This round needs at least 2 agencies on the proposal (the lead's and the partners'); it has 1.")


def test_amount_rules_leave_a_missing_amount_to_the_required_fields_rule():
    proposal = ProposalFactory()
    assert rules.budget_lines_sum_to_requested.check(proposal) is None
    assert rules.requested_within_max_award.check(proposal) is None
    assert "requested_amount" in rules.required_fields_filled.check(proposal)
