"""The assignment plan: no conflicted reviewer ever, every proposal its reviewers when
possible, loads as even as any plan allows (a property test against brute force), a panel
spanning enough agencies, and shortfalls named with their reasons."""

import itertools
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.conflicts import conflict_reason
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from reviews import services
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment
from reviews.planning import propose_reviewers

DUE = timezone.localdate() + timedelta(days=14)


# --- the pure planner, property-tested with the real conflict rule -------------------------


class _Related(list):
    def all(self):
        return self


def _person(pk, agency):
    return SimpleNamespace(pk=pk, agency_id=agency, agency=SimpleNamespace(code=f"A{agency}"),
                           is_authenticated=True, __str__=lambda: f"p{pk}")


@st.composite
def worlds(draw):
    agencies = draw(st.integers(1, 4))
    reviewers = [_person(pk, draw(st.integers(1, agencies)))
                 for pk in range(1, draw(st.integers(1, 4)) + 1)]
    proposals = []
    for i in range(draw(st.integers(1, 3))):
        lead_pk = draw(st.sampled_from([100 + i] + [r.pk for r in reviewers]))
        lead_agency = draw(st.integers(1, agencies))
        partners = draw(st.sets(st.integers(1, agencies), max_size=2))
        team = draw(st.sets(st.sampled_from([r.pk for r in reviewers]), max_size=2))
        proposals.append(SimpleNamespace(
            lead_id=lead_pk, lead=SimpleNamespace(agency_id=lead_agency),
            team=_Related(SimpleNamespace(user_id=pk, accepted_at=1) for pk in team),
            partner_agencies=_Related(SimpleNamespace(pk=a) for a in partners),
        ))
    needs = [draw(st.integers(0, 2)) for _ in proposals]
    loads = {r.pk: draw(st.integers(0, 2)) for r in reviewers}
    return reviewers, proposals, needs, loads


def _best_spread(eligible, needs, loads):
    """The smallest max-min load over every plan that fills as much as possible."""
    options = [list(itertools.combinations(free, min(need, len(free))))
               for free, need in zip(eligible, needs, strict=True)]
    best = None
    for plan in itertools.product(*options):
        final = dict(loads)
        for picked in plan:
            for pk in picked:
                final[pk] += 1
        spread = max(final.values()) - min(final.values())
        best = spread if best is None else min(best, spread)
    return best


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_plan_never_conflicted_fills_what_it_can_and_is_as_balanced_as_possible(world):
    reviewers, proposals, needs, loads = world
    eligible = [[r.pk for r in reviewers if conflict_reason(r, p) is None] for p in proposals]
    chosen = propose_reviewers(needs=needs, eligible=eligible, loads=dict(loads))
    by_pk = {r.pk: r for r in reviewers}
    final = dict(loads)
    for proposal, need, free, picked in zip(proposals, needs, eligible, chosen, strict=True):
        assert len(set(picked)) == len(picked)
        for pk in picked:  # never a conflicted reviewer
            assert conflict_reason(by_pk[pk], proposal) is None
            final[pk] += 1
        assert len(picked) == min(need, len(free))  # full whenever enough are eligible
    spread = max(final.values()) - min(final.values())
    best = _best_spread(eligible, needs, loads)
    assert spread == best
    if best <= 1:
        assert spread <= 1  # loads differ by at most one whenever any plan allows it


def test_plan_balances_loads_when_nobody_is_conflicted():
    chosen = propose_reviewers(needs=[3] * 7, eligible=[[1, 2, 3, 4, 5]] * 7,
                               loads={pk: 0 for pk in range(1, 6)})
    loads = [sum(pk in picked for picked in chosen) for pk in range(1, 6)]
    assert sum(loads) == 21 and max(loads) - min(loads) <= 1


# --- the plan of a real panel ------------------------------------------------------------


@pytest.fixture
def round_with_proposals(db):
    agencies = [AgencyFactory(code=c) for c in ("MOH", "MOE", "MOA", "GNHC", "DZO")]
    round_ = RoundFactory(closed=True, reviews_required=2)
    proposals = [
        ProposalFactory(round=round_, in_review=True, lead=UserFactory(agency=agencies[0]),
                        partners=[agencies[1]]),
        ProposalFactory(round=round_, in_review=True, lead=UserFactory(agency=agencies[2]),
                        partners=[agencies[3]]),
        ProposalFactory(round=round_, in_review=True, lead=UserFactory(agency=agencies[4]),
                        partners=[agencies[0]]),
    ]
    members = [UserFactory(agency=a) for a in agencies]
    chair = UserFactory()
    panel = PanelFactory(round=round_, chair=chair, members=members)
    return SimpleNamespace(round=round_, proposals=proposals, members=members, panel=panel,
                           chair=chair, agencies=agencies)


def test_panel_plan_has_no_conflicts_and_spans_agencies(round_with_proposals):
    scene = round_with_proposals
    plan = services.assignment_plan(panel=scene.panel, actor=scene.chair)
    assert plan.panel_problem == ""
    assert len(plan.pairs) == 6 and not plan.shortfalls
    for row in plan.rows:
        for member in row.proposed:
            assert conflict_reason(member, row.proposal) is None
        assert {m.pk for m, _ in row.excluded}.isdisjoint({m.pk for m in row.proposed})
        assert all("agency" in reason for _, reason in row.excluded)
    loads = [plan.loads[m.pk] for m in scene.members]
    assert max(loads) - min(loads) <= 1
    made = services.assignment_plan_accept(actor=scene.chair, panel=scene.panel,
                                           pairs=plan.pairs, due_on=DUE)
    assert len(made) == 6
    assert services.assignment_plan(panel=scene.panel, actor=scene.chair).pairs == []


def test_plan_names_the_proposal_and_why_when_too_few_are_eligible(round_with_proposals):
    scene = round_with_proposals
    target = scene.proposals[0]
    TeamMemberFactory(proposal=target, user=scene.members[2])  # MOA member joins the team
    target.partner_agencies.add(scene.agencies[3], scene.agencies[4])  # GNHC and DZO
    plan = services.assignment_plan(panel=scene.panel, actor=scene.chair)
    row = next(r for r in plan.rows if r.proposal == target)
    assert row.proposed == []
    assert target.title in row.shortfall and "needs 2 reviewers" in row.shortfall
    assert "the lead's agency" in row.shortfall and "team" in row.shortfall


def test_plan_counts_existing_assignments_and_declared_conflicts(round_with_proposals):
    scene = round_with_proposals
    target = scene.proposals[1]
    AssignmentFactory(proposal=target, panel=scene.panel, reviewer=scene.members[0])
    AssignmentFactory(proposal=target, panel=scene.panel, reviewer=scene.members[1],
                      conflict=True)
    plan = services.assignment_plan(panel=scene.panel, actor=scene.chair)
    row = next(r for r in plan.rows if r.proposal == target)
    assert row.needed == 1 and len(row.proposed) == 1
    assert scene.members[1] not in row.proposed and scene.members[0] not in row.proposed
    assert any("declared a conflict" in reason for _, reason in row.excluded)


def test_panel_from_too_few_agencies_cannot_assign(round_with_proposals):
    scene = round_with_proposals
    moh = scene.agencies[0]
    small = PanelFactory(round=scene.round, chair=scene.chair,
                         members=[UserFactory(agency=moh), UserFactory(agency=scene.agencies[2])])
    # With two panels in the round, each proposal says which one reviews it.
    Proposal.objects.filter(round=scene.round).update(panel=small)
    plan = services.assignment_plan(panel=small, actor=scene.chair)
    assert "from 2 agencies" in plan.panel_problem and "at least 3" in plan.panel_problem
    with pytest.raises(ValidationError) as error:
        services.assignment_plan_accept(actor=scene.chair, panel=small, pairs=plan.pairs,
                                        due_on=DUE)
    assert "at least 3" in str(error.value)
    assert not Assignment.objects.filter(panel=small).exists()


def test_accepting_an_adjusted_plan_is_all_or_nothing(round_with_proposals):
    scene = round_with_proposals
    plan = services.assignment_plan(panel=scene.panel, actor=scene.chair)
    conflicted = (scene.proposals[0].pk, scene.members[0].pk)  # MOH member on MOH's proposal
    with pytest.raises(ValidationError) as error:
        services.assignment_plan_accept(actor=scene.chair, panel=scene.panel,
                                        pairs=[*plan.pairs, conflicted], due_on=DUE)
    assert "the lead's agency" in " ".join(error.value.message_dict["pairs"])
    assert not Assignment.objects.exists()


def test_only_chair_or_fund_manager_plans(round_with_proposals):
    from django.core.exceptions import PermissionDenied

    scene = round_with_proposals
    with pytest.raises(PermissionDenied):
        services.assignment_plan(panel=scene.panel, actor=scene.members[0])
    services.assignment_plan(panel=scene.panel, actor=UserFactory(fund_manager=True))


def test_demo_seed_is_idempotent(round_with_proposals):
    from portal.demo.reviews import seed_review_demo

    scene = round_with_proposals
    first = seed_review_demo(panel=scene.panel)
    assert first == {"assignments": 6, "reviews": 6, "decisions": 2}
    assert seed_review_demo(panel=scene.panel) == {"assignments": 0, "reviews": 0,
                                                   "decisions": 0}
    states = sorted(p.state for p in Proposal.objects.filter(round=scene.round))
    assert states.count("in_review") == 1
