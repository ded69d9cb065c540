"""`proposals.compiled`: a home section's SQL built once per process is, for each person, exactly
the SQL and parameters of the rule built anew for them (issue 16); a query whose SQL or
parameters depend on the values in any other way than by carrying them is refused."""

import pytest
from django.utils import timezone

from people.factories import AgencyFactory, UserFactory
from portal import home
from proposals import compiled as compiled_module
from proposals.compiled import compiled, person_from, person_values, shape
from proposals.models import Proposal

pytestmark = pytest.mark.django_db

ORDERS = {Proposal.State.SUBMITTED: ("submitted_at", "pk"),
          Proposal.State.RECOMMENDED: ("updated_at", "pk")}


@pytest.fixture(autouse=True)
def _forget():
    compiled_module.forget()
    yield
    compiled_module.forget()


def _people():
    agency = AgencyFactory()
    return [UserFactory(fund_manager=True, agency=agency),
            UserFactory(fund_manager=True, agency=AgencyFactory()),
            UserFactory(fund_manager=True, agency=None), UserFactory(agency=agency)]


def test_the_state_sections_sql_is_the_rules_own_for_each_person():
    for person in _people():
        def build(*marks, person=person):
            return home._state_flagged(
                home.fund_manager_decisions(user=person_from(person, marks)), ORDERS)

        found = compiled(("test-state", *shape(person)), build, person_values(person))
        fresh = home._state_flagged(home.fund_manager_decisions(user=person), ORDERS)
        assert found == tuple_list(fresh.query.sql_with_params())


def tuple_list(made):
    sql, params = made
    return sql, list(params)


@pytest.mark.parametrize("rule", ["tranches", "milestones", "outcomes"])
def test_a_kept_sections_window_sql_is_the_rules_own_for_each_person(rule):
    today = timezone.localdate()
    viewer_of = {
        "tranches": lambda p: home.tranches_due_for_release(user=p, today=today),
        "milestones": lambda p: home.milestone_reports_overdue(user=p, today=today),
        "outcomes": lambda p: home.fund_manager_decisions(
            user=p, state=Proposal.State.OUTCOME_REPORTED).select_related("outcome_report"),
    }[rule]
    order = ("outcome_report__submitted_at", "id") if rule == "outcomes" else ("due_on", "pk")
    window = [5, 3, 9, home.KEPT_PAD, home.KEPT_PAD]
    for person in _people():
        values = person_values(person)

        def build(*marks, person=person, values=values):
            return (viewer_of(person_from(person, marks[:len(values)])).order_by(*order)
                    .filter(pk__in=list(marks[len(values):])).values_list("pk", flat=True)[:101])

        found = compiled((rule, today, *shape(person)), build, (*values, *window))
        fresh = (viewer_of(person).order_by(*order).filter(pk__in=[5, 3, 9, -10, -11])
                 .values_list("pk", flat=True)[:101])
        sql, params = fresh.query.sql_with_params()
        # The same SQL; the parameters the same but for the padding (distinct marks above).
        assert found[0] == sql
        assert [p for p in found[1] if p != home.KEPT_PAD] == [
            p for p in params if p not in (-10, -11)]


def test_the_home_page_sections_are_those_of_the_rules_built_anew(settings):
    """The fund manager's sections through compiled SQL, then with nothing compiled before."""
    from tests.portal.test_home_kept_sections import _seen  # noqa: PLC0415

    settings.STALLED_CACHE_SECONDS = 60
    people = _people()[:3]
    today = timezone.localdate()
    first = [home.fund_manager_sections(user=p, today=today) for p in people]
    compiled_module.forget()
    again = [home.fund_manager_sections(user=p, today=today) for p in people]
    for one, two in zip(first, again, strict=True):
        for key in one:
            assert _seen(one[key]) == _seen(two[key]), key


def test_a_query_not_constant_in_its_values_is_refused():
    with pytest.raises(RuntimeError):
        compiled(("test-text",), lambda v: (f"SELECT {v}", ()), (1,))
    with pytest.raises(RuntimeError):
        compiled(("test-derived",), lambda v: ("SELECT %s", (v + 1,)), (1,))
    assert compiled(("test-carried",), lambda v: ("SELECT %s, %s", (v, 7)), (42,)) == (
        "SELECT %s, %s", [42, 7])


def _fresh(key, build, values):
    """`compiled` without keeping anything: the rule built anew for the person, as before."""
    made = build(*values)
    if not isinstance(made, tuple) and made.query.is_empty():
        return None
    sql, params = compiled_module._sql(made)
    return sql, list(params)


def test_the_sections_through_kept_sql_are_those_of_the_rules_built_anew(monkeypatch):
    from proposals.factories import ProposalFactory
    from reviews.factories import AssignmentFactory, PanelFactory
    from tests.portal.test_home_kept_sections import _seen  # noqa: PLC0415

    agency = AgencyFactory()
    chair, reviewer = UserFactory(agency=agency), UserFactory(agency=agency)
    bare = UserFactory(agency=None)
    panel = PanelFactory(chair=chair)
    for n in range(9):
        lead = UserFactory(agency=agency if n % 3 == 0 else AgencyFactory())
        proposal = ProposalFactory(in_review=True, round=panel.round, panel=panel, lead=lead)
        for _ in range(panel.round.reviews_required if n % 2 else 1):
            AssignmentFactory(proposal=proposal, panel=panel, submitted=True)
        AssignmentFactory(proposal=proposal, panel=panel, reviewer=reviewer)
        AssignmentFactory(proposal=proposal, panel=panel, reviewer=bare)
        if n == 4:
            AssignmentFactory(proposal=proposal, panel=panel, reviewer=chair)
    people = [chair, reviewer, bare, UserFactory(hr_officer=True), UserFactory(fund_manager=True)]
    today = timezone.localdate()

    def sections(person):
        found = {**home.reviewer_sections(user=person, today=today),
                 **home.chair_sections(user=person, has_duty=True)}
        if person.is_fund_manager:
            found.update(home.fund_manager_sections(user=person, today=today))
        return {key: _seen(section) for key, section in found.items()}

    kept = [sections(person) for person in people]
    with monkeypatch.context() as patch:
        patch.setattr(compiled_module, "compiled", _fresh)
        anew = [sections(person) for person in people]
    assert kept == anew
    assert kept[1]["reviews_due"][1] + kept[1]["conflicts_to_declare"][1] == 9
    assert kept[1]["conflicts_to_declare"][1] == 3 and kept[0]["awaiting_decision"][1] >= 1


def test_the_visible_proposals_built_once_are_the_rules_own():
    """`proposals_visible_to(user, built_once=True)` (the API's list): the same rows as the
    rule built anew, for a lead, a team member, an invited person, reviewers, a chair, a
    stand-in, a fund manager and an HR officer, with and without an agency."""
    from proposals.factories import ProposalFactory, TeamMemberFactory
    from proposals.selectors import proposals_visible_to
    from reviews.factories import AssignmentFactory, PanelFactory
    from reviews.models import PanelStandIn

    agency = AgencyFactory()
    lead, member, invited = UserFactory(agency=agency), UserFactory(), UserFactory(agency=None)
    chair, stand_in, reviewer = UserFactory(), UserFactory(agency=agency), UserFactory()
    panel = PanelFactory(chair=chair)
    drafts = ProposalFactory.create_batch(2, lead=lead, round=panel.round)
    reviewed = [ProposalFactory(in_review=True, round=panel.round, panel=panel,
                                lead=lead if n % 2 else UserFactory()) for n in range(4)]
    ProposalFactory.create_batch(3, submitted=True)
    TeamMemberFactory(proposal=drafts[0], user=member)
    TeamMemberFactory(proposal=drafts[1], user=invited, invited=True)
    AssignmentFactory(proposal=reviewed[0], panel=panel, reviewer=reviewer)
    AssignmentFactory(proposal=reviewed[1], panel=panel, reviewer=UserFactory(agency=None))
    PanelStandIn.objects.create(proposal=reviewed[2], panel=panel, chair=stand_in,
                                named_by=UserFactory(fund_manager=True))
    people = [lead, member, invited, chair, stand_in, reviewer, UserFactory(agency=None),
              UserFactory(fund_manager=True), UserFactory(hr_officer=True, agency=None)]
    for person in people:
        plain = list(proposals_visible_to(person).order_by("pk").values_list("pk", flat=True))
        once = list(proposals_visible_to(person, built_once=True).order_by("pk")
                    .values_list("pk", flat=True))
        assert once == plain, person
    assert list(proposals_visible_to(reviewer, built_once=True)) == [reviewed[0]]
