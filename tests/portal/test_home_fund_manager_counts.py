"""The fund manager's home sections at scale (issue 16): the decisions are read without the
union of the manager's own paths, with the same rows as the visibility and conflict rules give,
and a section whose set grows with the fund counts it without sorting it first."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from portal import home
from proposals.conflicts import conflict_q
from proposals.factories import ProposalFactory
from proposals.models import Proposal, TeamMember
from proposals.selectors import proposal_list

pytestmark = pytest.mark.django_db

STATES = [Proposal.State.SUBMITTED, Proposal.State.RECOMMENDED, Proposal.State.OUTCOME_REPORTED]


def test_decisions_are_the_visible_unconflicted_proposals_in_the_state():
    agency = AgencyFactory()
    manager = UserFactory(fund_manager=True, agency=agency)
    for state in (
        "submitted",
        "recommended",
        "outcome_reported",
        "in_review",
        "withdrawn",
        "withdrawn_after_submission",
    ):
        ProposalFactory(**{state: True})  # unrelated
        ProposalFactory(**{state: True}, lead=manager)  # led by the manager: conflicted
        ProposalFactory(**{state: True}, lead=UserFactory(agency=agency))  # agency leads it
        ProposalFactory(**{state: True}, partners=[agency])  # agency partners it
        joined = ProposalFactory(**{state: True})
        TeamMember.objects.create(
            proposal=joined,
            user=manager,
            state=TeamMember.State.ACCEPTED,
            accepted_at=joined.created_at,
        )
    ProposalFactory(lead=manager)  # the manager's own draft
    for state in STATES:
        rule = proposal_list(viewer=manager, filters={"state": state}).exclude(conflict_q(manager))
        found = home.fund_manager_decisions(user=manager, state=state)
        assert sorted(found.values_list("pk", flat=True)) == sorted(
            rule.values_list("pk", flat=True)
        )
        assert found.count() == 1
    with pytest.raises(ValueError):
        home.fund_manager_decisions(user=manager, state=Proposal.State.DRAFT)


def _count_subquery(sql: str) -> str:
    start = sql.index("SELECT COUNT(*) FROM (")
    return sql[start : sql.index("LIMIT 4)", start)]


@pytest.mark.parametrize("unordered", [False, True])
def test_an_unordered_count_is_the_same_count_without_sorting_the_set(unordered):
    for _ in range(5):
        ProposalFactory(submitted=True)
    qs = Proposal.objects.filter(state=Proposal.State.SUBMITTED).order_by("-created_at", "-id")
    with CaptureQueriesContext(connection) as queries:
        found = home.counted_section(qs, limit=2, bound=3, unordered_count=unordered)
    assert len(queries) == 1
    assert found["count"] == 4 and found["count_label"] == "3+" and found["more"]
    assert [p.pk for p in found["items"]] == list(qs.values_list("pk", flat=True)[:2])
    count_sql = _count_subquery(queries[0]["sql"])
    assert bool(re.search("ORDER BY", count_sql)) is not unordered


def test_the_fund_manager_sections_count_their_sets_unsorted(fund_manager):
    from django.utils import timezone

    with CaptureQueriesContext(connection) as queries:
        sections = home.fund_manager_sections(user=fund_manager, today=timezone.localdate())
    assert set(sections) == {
        "to_screen",
        "to_decide",
        "tranches_to_release",
        "milestones_overdue",
        "outcomes_to_accept",
    }
    counted = []
    for sql in (q["sql"] for q in queries):
        for start in [m.start() for m in re.finditer(re.escape("SELECT COUNT(*) FROM ("), sql)]:
            counted.append(sql[start : sql.index("LIMIT 101)", start)])
    assert len(counted) == 5  # to screen and to decide in one query: two counts in it
    for sql in counted:
        # an ORDER BY ... LIMIT 1 inside is a filter's own subquery (the next tranche)
        assert "ORDER BY" not in re.sub(r"ORDER BY [^()]*? LIMIT 1\)", "", sql), sql


@pytest.mark.parametrize("bound", [2, 100])
def test_state_sections_are_each_states_counted_section_in_one_query(monkeypatch, bound):
    monkeypatch.setattr(home, "COUNT_BOUND", bound)
    agency = AgencyFactory()
    manager = UserFactory(fund_manager=True, agency=agency)
    for n in range(4):
        ProposalFactory(submitted=True, partners=[], budget=False)
        ProposalFactory(recommended=True, partners=[], budget=False)
        if n % 2:  # conflicted: never counted nor shown
            ProposalFactory(submitted=True, lead=UserFactory(agency=agency), budget=False)
            ProposalFactory(recommended=True, partners=[agency], budget=False)
    ProposalFactory(in_review=True, partners=[], budget=False)  # in neither state
    orders = {Proposal.State.SUBMITTED: ("submitted_at", "pk"),
              Proposal.State.RECOMMENDED: ("updated_at", "pk")}
    monkeypatch.setattr(home, "DASHBOARD_LIMIT", 3)
    rule = home.fund_manager_decisions(user=manager)  # (the manager's roles are read here)
    with CaptureQueriesContext(connection) as queries:
        found = home.state_sections(rule, orders,
                                    rows=Proposal.objects.select_related("round", "lead"))
    assert len(queries) == 1
    for state, order in orders.items():
        alone = home.counted_section(
            home.fund_manager_decisions(user=manager, state=state).order_by(*order),
            limit=3, bound=bound)
        assert [p.pk for p in found[state]["items"]] == [p.pk for p in alone["items"]]
        assert {key: found[state][key] for key in ("count", "count_label", "more")} == {
            key: alone[key] for key in ("count", "count_label", "more")}
        assert found[state]["count"] == min(4, bound + 1) and len(found[state]["items"]) == 3
    none = home.state_sections(home.fund_manager_decisions(user=manager),
                               {Proposal.State.OUTCOME_REPORTED: ("updated_at", "pk")},
                               rows=Proposal.objects.all())
    assert none == {Proposal.State.OUTCOME_REPORTED: {
        "items": [], "count": 0, "count_label": "0", "more": False}}
