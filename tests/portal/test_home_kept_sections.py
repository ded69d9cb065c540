"""The fund manager's tranche and outcome sections, kept for every fund manager (issue 16,
`portal.home.kept_section`): each viewer sees exactly the rows and count the live rule gives,
a row that left the set leaves at once, and a state change makes a new row show at once."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fund.models import Tranche
from fund.services.awards import tranche_release, tranche_report_milestone
from people.factories import AgencyFactory, UserFactory
from portal import home
from proposals.factories import ProposalFactory
from tests.awards.conftest import make_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    """The production setting: candidates kept 60 s (the tests' default is 0, asked live)."""
    settings.STALLED_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def manager():
    return UserFactory(fund_manager=True, agency=AgencyFactory())


def _due_awards(n, *, lead=None, tranches=1):
    """`n` funded proposals, each with an active award whose first tranche is due today."""
    today = timezone.localdate()
    awards = []
    for _ in range(n):
        proposal = ProposalFactory(funded=True, **({"lead": lead} if lead else {}))
        award = make_award(proposal, amount="300.00",
                           tranches=[("100.00", "scheduled")] * tranches)
        for i, tranche in enumerate(award.tranches.order_by("sequence")):
            Tranche.objects.filter(pk=tranche.pk).update(
                due_on=today - datetime.timedelta(days=n - len(awards) - i))
        awards.append(award)
    return awards


def _live(section_of, user, **kwargs):
    """The same section asked live (STALLED_CACHE_SECONDS = 0: `counted_section`)."""
    from django.conf import settings

    saved, settings.STALLED_CACHE_SECONDS = settings.STALLED_CACHE_SECONDS, 0
    try:
        return section_of(user=user, today=timezone.localdate())
    finally:
        settings.STALLED_CACHE_SECONDS = saved


def _seen(section):
    return [row.pk for row in section["items"]], section["count"]


def test_each_viewer_sees_what_the_live_rule_gives(kept, manager):
    _due_awards(4)
    _due_awards(3, lead=UserFactory(agency=manager.agency))  # conflicted: the agency leads them
    other = UserFactory(fund_manager=True, agency=AgencyFactory())
    for viewer in (manager, other, manager):  # the second manager reads the kept candidates
        kept_now = home.fund_manager_sections(user=viewer, today=timezone.localdate())
        live = _live(home.fund_manager_sections, viewer)
        for key in ("tranches_to_release", "milestones_overdue"):
            assert _seen(kept_now[key]) == _seen(live[key])
    mine = home.fund_manager_sections(user=manager, today=timezone.localdate())
    assert mine["tranches_to_release"]["count"] == 4
    theirs = home.fund_manager_sections(user=other, today=timezone.localdate())
    assert theirs["tranches_to_release"]["count"] == 7


def test_a_released_tranche_leaves_at_once_and_the_next_one_shows_at_once(
        kept, manager, django_capture_on_commit_callbacks):
    award, *_ = _due_awards(2, tranches=2)
    first = award.tranches.get(sequence=1)
    today = timezone.localdate()
    before = home.fund_manager_sections(user=manager, today=today)["tranches_to_release"]
    assert first.pk in [t.pk for t in before["items"]] and before["count"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        tranche_release(tranche=first, actor=manager)
    after = home.fund_manager_sections(user=manager, today=today)
    assert first.pk not in [t.pk for t in after["tranches_to_release"]["items"]]
    assert after["tranches_to_release"]["count"] == 1
    # Released and its next tranche's due date passed: its milestone report is overdue.
    assert [t.pk for t in after["milestones_overdue"]["items"]] == [first.pk]
    with django_capture_on_commit_callbacks(execute=True):
        tranche_report_milestone(tranche=Tranche.objects.get(pk=first.pk), actor=award.proposal.lead,
                                 milestone_report="Done.")
    # The report makes the second tranche releasable: a state change, so it shows at once.
    again = home.fund_manager_sections(user=manager, today=today)
    second = award.tranches.get(sequence=2)
    assert second.pk in [t.pk for t in again["tranches_to_release"]["items"]]
    assert again["milestones_overdue"]["count"] == 0
    assert _seen(again["tranches_to_release"]) == _seen(
        _live(home.fund_manager_sections, manager)["tranches_to_release"])


def test_a_viewer_whose_conflicts_fill_the_window_is_asked_over_every_candidate(
        kept, manager, monkeypatch):
    monkeypatch.setattr(home, "KEPT_WINDOW", 3)
    monkeypatch.setattr(home, "COUNT_BOUND", 4)
    _due_awards(3, lead=UserFactory(agency=manager.agency))  # the first three: conflicted
    _due_awards(3)
    today = timezone.localdate()
    found = home.fund_manager_sections(user=manager, today=today)["tranches_to_release"]
    assert found["count"] == 3
    assert _seen(found) == _seen(_live(home.fund_manager_sections, manager)["tranches_to_release"])


def test_more_candidates_than_kept_asks_the_viewers_set_itself(kept, manager, monkeypatch):
    monkeypatch.setattr(home, "KEPT_IDS", 2)
    monkeypatch.setattr(home, "KEPT_WINDOW", 1)
    _due_awards(2, lead=UserFactory(agency=manager.agency))
    _due_awards(3)
    found = home.fund_manager_sections(user=manager, today=timezone.localdate())
    assert found["tranches_to_release"]["count"] == 3
    assert _seen(found["tranches_to_release"]) == _seen(
        _live(home.fund_manager_sections, manager)["tranches_to_release"])


@pytest.mark.parametrize("n", [2, 12])
def test_the_kept_sections_run_the_same_queries_whatever_the_size(kept, manager, n):
    _due_awards(n)
    today = timezone.localdate()
    home.fund_manager_sections(user=manager, today=today)  # the candidates are kept
    with CaptureQueriesContext(connection) as queries:
        sections = home.fund_manager_sections(user=manager, today=today)
    assert sections["tranches_to_release"]["count"] == n
    # To decide: one. Tranches due: the viewer's ids among the kept ones and the rows shown.
    # Milestones overdue and outcomes to accept: none kept, so nothing to ask.
    assert len(queries) == 1 + 2


def test_money_shown_is_the_tranches_own(kept, manager):
    (award,) = _due_awards(1)
    (shown,) = home.fund_manager_sections(
        user=manager, today=timezone.localdate())["tranches_to_release"]["items"]
    assert shown.amount == Decimal("100.00") and shown.award.proposal_id == award.proposal_id


def test_a_conflicted_manager_is_not_told_of_an_overdue_milestone_report(kept, manager):
    """Milestone reports overdue leave out the proposals the viewer has a conflict with, as
    the tranches due for release do (an insider's attack found them listed)."""
    today = timezone.localdate()
    for lead in (UserFactory(agency=manager.agency), None):  # conflicted, then not
        (award,) = _due_awards(1, tranches=2, **({"lead": lead} if lead else {}))
        first, second = award.tranches.order_by("sequence")
        Tranche.objects.filter(pk=first.pk).update(state="released")
        Tranche.objects.filter(pk=second.pk).update(due_on=today - datetime.timedelta(days=3))
    other = UserFactory(fund_manager=True, agency=AgencyFactory())
    mine = home.fund_manager_sections(user=manager, today=today)["milestones_overdue"]
    theirs = home.fund_manager_sections(user=other, today=today)["milestones_overdue"]
    assert mine["count"] == 1 and theirs["count"] == 2
    assert _seen(mine) == _seen(_live(home.fund_manager_sections, manager)["milestones_overdue"])


def _reported(n, *, lead=None):
    """`n` proposals whose outcome is reported, oldest report first."""
    from proposals.models import OutcomeReport

    found = []
    for i in range(n):
        proposal = ProposalFactory(outcome_reported=True, **({"lead": lead} if lead else {}))
        report = OutcomeReport.objects.create(
            proposal=proposal, result="succeeded", summary="s", indicators="i",
            amount_spent=Decimal("0"), citizen_feedback="c", next_step="stop",
            submitted_by=proposal.lead)
        OutcomeReport.objects.filter(pk=report.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(days=n - i))
        found.append(proposal)
    return found


def test_outcomes_to_accept_are_what_the_live_rule_gives_in_report_order(kept, manager):
    reported = _reported(4)
    _reported(2, lead=UserFactory(agency=manager.agency))  # conflicted: the agency leads them
    other = UserFactory(fund_manager=True, agency=AgencyFactory())
    for viewer in (manager, other, manager):  # the second manager reads the kept candidates
        kept_now = home.fund_manager_sections(user=viewer, today=timezone.localdate())
        live = _live(home.fund_manager_sections, viewer)
        assert _seen(kept_now["outcomes_to_accept"]) == _seen(live["outcomes_to_accept"])
    mine = home.fund_manager_sections(user=manager, today=timezone.localdate())
    assert _seen(mine["outcomes_to_accept"]) == ([p.pk for p in reported], 4)
    theirs = home.fund_manager_sections(user=other, today=timezone.localdate())
    assert theirs["outcomes_to_accept"]["count"] == 6


def test_an_outcome_reported_or_accepted_shows_or_leaves_at_once(
        kept, manager, django_capture_on_commit_callbacks):
    from proposals.services.outcomes import proposal_close, proposal_report_outcome

    (first,) = _reported(1)
    today = timezone.localdate()
    assert _seen(home.fund_manager_sections(user=manager, today=today)["outcomes_to_accept"]) \
        == ([first.pk], 1)
    funded = ProposalFactory(funded=True)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_report_outcome(
            proposal=funded, actor=funded.lead, result="succeeded", summary="s",
            indicators="i", amount_spent=Decimal("0"), citizen_feedback="c", next_step="stop")
    shown = home.fund_manager_sections(user=manager, today=today)["outcomes_to_accept"]
    assert _seen(shown) == ([first.pk, funded.pk], 2)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_close(proposal=first, actor=manager)
    shown = home.fund_manager_sections(user=manager, today=today)["outcomes_to_accept"]
    assert _seen(shown) == ([funded.pk], 1)
    assert _seen(shown) == _seen(
        _live(home.fund_manager_sections, manager)["outcomes_to_accept"])


def test_both_tranche_sections_show_their_rows_read_in_one_query(kept, manager):
    _due_awards(2)
    today = timezone.localdate()
    overdue = []
    for _ in range(2):  # released, and the next tranche's due date has passed
        award = make_award(ProposalFactory(funded=True), amount="200.00",
                           tranches=[("100.00", "released"), ("100.00", "scheduled")])
        Tranche.objects.filter(award=award, sequence=2).update(
            due_on=today - datetime.timedelta(days=3))
        overdue.append(award.tranches.get(sequence=1).pk)
    home.fund_manager_sections(user=manager, today=today)  # the candidates are kept
    with CaptureQueriesContext(connection) as queries:
        sections = home.fund_manager_sections(user=manager, today=today)
    # To decide: one. Each tranche section: the viewer's ids among the kept ones; the rows
    # shown of both: one query. Outcomes to accept: none kept, so nothing to ask.
    assert len(queries) == 1 + 2 + 1
    live = _live(home.fund_manager_sections, manager)
    for key in ("tranches_to_release", "milestones_overdue"):
        assert _seen(sections[key]) == _seen(live[key])
    assert sorted(_seen(sections["milestones_overdue"])[0]) == sorted(overdue)
    assert all(t.next_due_on == today - datetime.timedelta(days=3)
               for t in sections["milestones_overdue"]["items"])
    assert _seen(sections["tranches_to_release"])[1] == 2
