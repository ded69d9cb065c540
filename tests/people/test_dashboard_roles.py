"""The home page by role (SCREENS.md): each section for the right person, with the right items,
never for others; the public landing page shows only what is public; fixed query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fund.factories import RoundFactory
from fund.models import Award, Tranche
from notifications.factories import NotificationFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.models import OutcomeReport
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Panel
from rewards.factories import LearningFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def make_award(proposal, *, tranches, approved_days_ago=0, state=None):
    """An award written directly; `tranches` is a list of (state, due_on) pairs."""
    award = Award.objects.create(
        proposal=proposal, amount=Decimal("1000.00") * len(tranches),
        approved_by=UserFactory(fund_manager=True),
        approved_at=timezone.now() - datetime.timedelta(days=approved_days_ago),
        **({"state": state} if state else {}),
    )
    for i, (tranche_state, due_on) in enumerate(tranches, start=1):
        Tranche.objects.create(award=award, sequence=i, amount=Decimal("1000.00"),
                               state=tranche_state, due_on=due_on, milestone=f"Milestone {i}")
    return award


def _page(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _now(page: str) -> str:
    return page.split("What I am following")[0]


def _following(page: str) -> str:
    return page.split("What I am following")[1]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


# --- the civil servant -----------------------------------------------------------------------
def test_outcome_reports_due_await_the_lead_and_team(client, civil_servant):
    ended = ProposalFactory(lead=civil_servant, funded=True, title="Ended experiment")
    make_award(ended, approved_days_ago=400, tranches=[("reported", TODAY - 200 * DAY)])
    joined = ProposalFactory(funded=True, title="Team experiment ended")
    TeamMemberFactory(proposal=joined, user=civil_servant)
    make_award(joined, approved_days_ago=400, tranches=[("reported", TODAY - 100 * DAY)])
    # Every milestone reported before the award's end: the outcome is all that is left.
    early = ProposalFactory(lead=civil_servant, funded=True, title="Finished early")
    make_award(early, tranches=[("reported", TODAY + 30 * DAY)])
    running = ProposalFactory(lead=civil_servant, funded=True, title="Still running")
    make_award(running, tranches=[("released", TODAY + 30 * DAY), ("scheduled", TODAY + 90 * DAY)])
    cancelled = ProposalFactory(lead=civil_servant, funded=True, title="Award cancelled")
    make_award(cancelled, approved_days_ago=400, state=Award.State.CANCELLED,
               tranches=[("cancelled", TODAY - 200 * DAY)])
    reported = ProposalFactory(lead=civil_servant, outcome_reported=True, title="Already told")
    make_award(reported, approved_days_ago=400, tranches=[("reported", TODAY - 200 * DAY)])
    OutcomeReport.objects.create(
        proposal=reported, result=OutcomeReport.Result.SUCCEEDED, summary="s", indicators="i",
        amount_spent=Decimal("1.00"), citizen_feedback="f", next_step="stop",
        submitted_by=civil_servant,
    )
    others = ProposalFactory(funded=True, title="Somebody else ended")
    make_award(others, approved_days_ago=400, tranches=[("reported", TODAY - 200 * DAY)])

    now = _now(_page(client, civil_servant))
    due = now[now.index("Outcome report due"):now.index("Milestone reports due")]
    for title in ("Ended experiment", "Team experiment ended", "Finished early"):
        assert title in due
    assert f'href="/awards/outcome/{ended.pk}/"' in due
    assert "Still running" in now[now.index("Milestone reports due"):]  # a milestone, not yet the outcome
    for title in ("Still running", "Award cancelled", "Already told", "Somebody else ended"):
        assert title not in due
    for title in ("Award cancelled", "Already told", "Somebody else ended"):
        assert title not in now


def test_milestone_reports_due_await_the_team(client, civil_servant):
    proposal = ProposalFactory(lead=civil_servant, funded=True, title="Bus timetables")
    award = make_award(proposal, tranches=[
        ("reported", TODAY - 60 * DAY), ("released", TODAY + 5 * DAY), ("scheduled", TODAY + 90 * DAY),
    ])
    others = ProposalFactory(funded=True, title="Not mine")
    make_award(others, tranches=[("released", TODAY)])
    now = _now(_page(client, civil_servant))
    assert "Milestone reports due" in now
    assert "Report tranche 2 of “Bus timetables”" in now
    assert f'href="/awards/{award.pk}/"' in now
    assert "tranche 1 " not in now and "tranche 3 " not in now
    assert "Not mine" not in now


def test_answers_due_are_not_shown_to_people_not_on_the_proposal(client, civil_servant, fund_manager):
    proposal = ProposalFactory(lead=civil_servant, funded=True, title="Ended experiment")
    make_award(proposal, approved_days_ago=400,
               tranches=[("reported", TODAY - 200 * DAY), ("released", TODAY - 100 * DAY)])
    page = _page(client, fund_manager)
    assert "Outcome report due" not in page and "Milestone reports due" not in page
    assert "Proposals awaiting my answer" in page  # a fund manager may also apply
    assert "Nothing is waiting for your answer." in page


def test_recent_notifications_show_the_last_five_unread_marked(client, civil_servant):
    for i in range(6):
        NotificationFactory(recipient=civil_servant, title=f"Note {i}", read=i % 2 == 0,
                            url=f"/proposals/{i}/")
    NotificationFactory(title="For someone else")
    following = _following(_page(client, civil_servant))
    assert "My recent notifications" in following
    shown = re.findall(r"Note (\d)", following)
    assert len(shown) == 5 and "Note 0" not in following  # the oldest of six is left out
    assert following.count('<span class="badge badge-unread">Unread</span>') == 3
    assert "For someone else" not in following
    assert 'href="/notifications/"' in following


# --- the reviewer ----------------------------------------------------------------------------
def test_reviewer_sees_assignments_due_nearest_first_overdue_marked(client):
    reviewer = UserFactory(agency=AgencyFactory(code="REV"))
    later = AssignmentFactory(reviewer=reviewer, due_on=TODAY + 10 * DAY,
                              proposal=ProposalFactory(in_review=True, title="Later review"))
    late = AssignmentFactory(reviewer=reviewer, due_on=TODAY - 2 * DAY,
                             proposal=ProposalFactory(in_review=True, title="Late review"))
    AssignmentFactory(reviewer=reviewer, submitted=True,
                      proposal=ProposalFactory(in_review=True, title="Done review"))
    AssignmentFactory(reviewer=reviewer, proposal=ProposalFactory(withdrawn_after_submission=True,
                                                                   title="Withdrawn one"))
    # Another reviewer on the same proposal: never named to this one.
    AssignmentFactory(proposal=later.proposal, panel=later.panel,
                      reviewer=UserFactory(first_name="Tashi", last_name="Otherreviewer"))
    now = _now(_page(client, reviewer))
    assert re.search(r'Assignments due, nearest first <span class="count">2</span>', now)
    assert now.index("Late review") < now.index("Later review")
    assert f'href="/reviews/assignments/{late.pk}/"' in now
    assert f'href="/reviews/assignments/{later.pk}/"' in now
    late_item = now[now.index("Late review"):now.index("Later review")]
    assert "Overdue" in late_item
    assert "Overdue" not in now[now.index("Later review"):]
    assert "Done review" not in now and "Withdrawn one" not in now
    assert "Otherreviewer" not in now
    assert "Conflicts to declare" not in now


def test_reviewer_is_asked_to_declare_conflicts(client):
    agency = AgencyFactory(code="MOH")
    reviewer = UserFactory(agency=agency)
    conflicted = AssignmentFactory(reviewer=reviewer, proposal=ProposalFactory(
        in_review=True, lead=UserFactory(agency=agency), title="My agency's idea"))
    AssignmentFactory(reviewer=reviewer, proposal=ProposalFactory(in_review=True, title="Fine one"))
    AssignmentFactory(reviewer=reviewer, conflict=True, proposal=ProposalFactory(
        in_review=True, lead=UserFactory(agency=agency), title="Already declared"))
    now = _now(_page(client, reviewer))
    assert re.search(r'Conflicts to declare <span class="count">1</span>', now)
    assert f'href="/reviews/assignments/{conflicted.pk}/conflict/"' in now
    due = now[now.index("Assignments due"):now.index("Conflicts to declare")]
    assert "Fine one" in due and "My agency&#x27;s idea" not in due
    assert "Already declared" not in now


def test_people_without_assignments_see_no_reviewer_sections(client, civil_servant, fund_manager):
    AssignmentFactory()
    for user in (civil_servant, fund_manager):
        page = _page(client, user)
        assert "Assignments due" not in page and "Conflicts to declare" not in page


# --- the panel chair -------------------------------------------------------------------------
def _chaired_round(chair, reviews_required=2):
    round_ = RoundFactory(closed=True, reviews_required=reviews_required)
    panel = PanelFactory(round=round_, chair=chair, members=[])
    return round_, panel


def test_chair_sees_proposals_at_quorum_and_short_of_reviewers(client):
    chair = UserFactory(agency=AgencyFactory(code="CHR"))
    round_, panel = _chaired_round(chair)
    at_quorum = ProposalFactory(round=round_, in_review=True, title="Ready to decide")
    AssignmentFactory.create_batch(2, proposal=at_quorum, panel=panel, submitted=True)
    short = ProposalFactory(round=round_, in_review=True, title="Needs reviewers")
    AssignmentFactory(proposal=short, panel=panel)
    AssignmentFactory(proposal=short, panel=panel, conflict=True)
    # Fully assigned but not yet reviewed: in neither list.
    waiting = ProposalFactory(round=round_, in_review=True, title="Being reviewed")
    AssignmentFactory.create_batch(2, proposal=waiting, panel=panel)
    # The chair's own agency leads this one: never theirs to decide.
    conflicted = ProposalFactory(round=round_, in_review=True, title="Chair's agency",
                                 lead=UserFactory(agency=chair.agency))
    AssignmentFactory.create_batch(2, proposal=conflicted, panel=panel, submitted=True)
    # Another round's proposal, not chaired by them.
    AssignmentFactory.create_batch(2, proposal=ProposalFactory(in_review=True, title="Elsewhere"),
                                   submitted=True)
    now = _now(_page(client, chair))
    quorum = now[now.index("Proposals at quorum"):now.index("Proposals short of reviewers")]
    assert '<span class="count">1</span>' in quorum
    assert "Ready to decide" in quorum and f'href="/reviews/proposals/{at_quorum.pk}/"' in quorum
    assert "2 of 2 reviews submitted" in quorum
    short_part = now[now.index("Proposals short of reviewers"):]
    assert "Needs reviewers" in short_part and "1 of 2 reviewers" in short_part
    for title in ("Being reviewed", "Chair&#x27;s agency", "Elsewhere"):
        assert title not in now


def test_only_chairs_see_the_chair_sections(client, civil_servant, fund_manager):
    chair = UserFactory()
    round_, panel = _chaired_round(chair)
    AssignmentFactory.create_batch(2, proposal=ProposalFactory(round=round_, in_review=True),
                                   panel=panel, submitted=True)
    assert "Proposals at quorum" in _page(client, chair)
    for user in (civil_servant, fund_manager):
        page = _page(client, user)
        assert "Proposals at quorum" not in page and "short of reviewers" not in page


def test_a_chair_with_nothing_waiting_is_told_so(client):
    chair = UserFactory()
    _chaired_round(chair)
    now = _now(_page(client, chair))
    assert "No proposal has reached quorum yet." in now
    assert "Every proposal in review has its reviewers." in now


# --- the fund manager ------------------------------------------------------------------------
def test_fund_manager_sees_recommended_proposals_but_not_conflicted_ones(client):
    agency = AgencyFactory(code="MOF")
    manager = UserFactory(fund_manager=True, agency=agency)
    decide = ProposalFactory(recommended=True, title="Fund me")
    ProposalFactory(recommended=True, lead=manager, title="Manager leads")
    on_team = ProposalFactory(recommended=True, title="Manager on team")
    TeamMemberFactory(proposal=on_team, user=manager)
    ProposalFactory(recommended=True, lead=UserFactory(agency=agency), title="Same agency lead")
    ProposalFactory(recommended=True, partners=[agency], title="Partner agency")
    ProposalFactory(in_review=True, title="Still in review")
    now = _now(_page(client, manager))
    part = now[now.index("Recommended proposals to fund or decline"):now.index("Tranches due")]
    assert '<span class="count">1</span>' in part
    assert "Fund me" in part
    assert f'href="/awards/fund/{decide.pk}/"' in part
    assert f'href="/awards/decline/{decide.pk}/"' in part
    for title in ("Manager leads", "Manager on team", "Same agency lead", "Partner agency"):
        assert title not in now
    # A proposal in review is not one to fund (it shows only among those needing a panel).
    assert "Still in review" not in part


def test_fund_manager_sees_tranches_the_release_rule_allows(client, fund_manager):
    first = make_award(ProposalFactory(funded=True, title="First due"),
                       tranches=[("scheduled", TODAY + 3 * DAY), ("scheduled", TODAY + 4 * DAY)])
    after_report = make_award(ProposalFactory(funded=True, title="Second after report"),
                              tranches=[("reported", TODAY - 90 * DAY), ("scheduled", TODAY - DAY)])
    after_cancel = make_award(ProposalFactory(funded=True, title="After a cancelled one"),
                              tranches=[("cancelled", TODAY - 9 * DAY), ("scheduled", TODAY)])
    make_award(ProposalFactory(funded=True, title="Waiting for milestone"),
               tranches=[("released", TODAY - 90 * DAY), ("scheduled", TODAY - DAY)])
    make_award(ProposalFactory(funded=True, title="Far in the future"),
               tranches=[("scheduled", TODAY + 200 * DAY)])
    make_award(ProposalFactory(funded=True, title="Cancelled award"), state=Award.State.CANCELLED,
               tranches=[("scheduled", TODAY)])
    make_award(ProposalFactory(funded=True, title="Manager's own", lead=fund_manager),
               tranches=[("scheduled", TODAY)])
    now = _now(_page(client, fund_manager))
    part = now[now.index("Tranches due for release"):now.index("Outcome reports to accept")]
    assert '<span class="count">3</span>' in part
    assert "Tranche 1 of “First due”" in part and "Tranche 2 of “First due”" not in part
    assert "Tranche 2 of “Second after report”" in part
    assert "Tranche 2 of “After a cancelled one”" in part
    for award in (first, after_report, after_cancel):
        assert f'href="/awards/{award.pk}/"' in part
    overdue = part[part.index("Second after report"):]
    assert "Overdue" in overdue.split("</li>")[0]
    assert "Overdue" not in part[part.index("First due"):].split("</li>")[0]
    for title in ("Waiting for milestone", "Far in the future", "Cancelled award", "Manager&#x27;s own"):
        assert title not in part


def test_fund_manager_sees_outcome_reports_to_accept(client, fund_manager):
    reported = ProposalFactory(outcome_reported=True, title="Lesson learned")
    OutcomeReport.objects.create(
        proposal=reported, result=OutcomeReport.Result.DID_NOT_SUCCEED, summary="s",
        indicators="i", amount_spent=Decimal("1.00"), citizen_feedback="f", next_step="stop",
        submitted_by=reported.lead,
    )
    ProposalFactory(outcome_reported=True, lead=fund_manager, title="Own outcome")
    ProposalFactory(closed=True, title="Already accepted")
    now = _now(_page(client, fund_manager))
    part = now[now.index("Outcome reports to accept"):]
    assert "Lesson learned" in part and f'href="/awards/outcome/{reported.pk}/"' in part
    assert "Did not work as hoped — learning shared" in part
    assert "Own outcome" not in now and "Already accepted" not in now


def test_fund_manager_sections_are_not_shown_to_others(client, civil_servant, hr_officer):
    ProposalFactory(recommended=True, title="Fund me")
    make_award(ProposalFactory(funded=True), tranches=[("scheduled", TODAY)])
    ProposalFactory(outcome_reported=True)
    for user in (civil_servant, hr_officer):
        page = _page(client, user)
        for heading in ("to fund or decline", "Tranches due for release", "Outcome reports to accept"):
            assert heading not in page
        assert "Fund me" not in page


# --- anyone, not signed in -------------------------------------------------------------------
def test_landing_shows_public_learnings_never_internal_ones(client):
    public = LearningFactory(public=True, failure=True, title="Paper tickets still matter")
    LearningFactory(title="Internal lesson only")
    page = _page(client)
    assert "Paper tickets still matter" in page
    assert f'href="/learnings/{public.pk}/"' in page
    assert 'href="/learnings/public/"' in page
    assert "Internal lesson only" not in page


def test_landing_shows_funded_projects_never_drafts_or_submitted(client):
    agency = AgencyFactory(code="MOIT", name="Ministry of Infrastructure and Transport")
    lead = UserFactory(first_name="Pema", last_name="Lhamo", agency=agency)
    round_ = RoundFactory(closed=True)
    funded = ProposalFactory(round=round_, lead=lead, funded=True, title="Citizen bus timetables")
    make_award(funded, tranches=[("released", TODAY)])
    closed = ProposalFactory(round=round_, closed=True, title="Paperless land records")
    make_award(closed, tranches=[("reported", TODAY)], state=Award.State.COMPLETED)
    cancelled = ProposalFactory(round=round_, funded=True, title="Cancelled grant")
    make_award(cancelled, tranches=[("cancelled", TODAY)], state=Award.State.CANCELLED)
    for trait in ("submitted", "in_review", "recommended", "declined", "rejected"):
        ProposalFactory(round=round_, **{trait: True}, title=f"Not funded {trait}")
    ProposalFactory(round=round_, title="A draft")
    page = _page(client)
    funded_part = page[page.index("Funded experiments"):]
    assert "Citizen bus timetables" in funded_part and "Paperless land records" in funded_part
    assert "Ministry of Infrastructure and Transport" in funded_part
    assert "BTN 1,000.00" in funded_part
    assert "2 experiments funded so far" in funded_part
    assert "Pema" not in page and "Lhamo" not in page
    assert "Cancelled grant" not in page and "A draft" not in page
    assert "Not funded" not in page


# --- query counts do not grow with the work waiting -----------------------------------------
def _civil_servant_world(user, n):
    round_ = RoundFactory()
    for i in range(n):
        ProposalFactory(lead=user, round=round_)
        ProposalFactory(lead=user, round=round_, revision_requested=True)
        ended = ProposalFactory(lead=user, round=round_, funded=True)
        make_award(ended, approved_days_ago=400,
                   tranches=[("reported", TODAY - 200 * DAY), ("released", TODAY - 100 * DAY)])
        NotificationFactory(recipient=user, read=i % 2 == 0)
        RoundFactory(rubric=False)


def _reviewer_world(user, n):
    for _ in range(n):
        AssignmentFactory(reviewer=user)
        AssignmentFactory(reviewer=user, proposal=ProposalFactory(
            in_review=True, lead=UserFactory(agency=user.agency)))


def _chair_world(user, n):
    panel = Panel.objects.get(chair=user)
    round_ = panel.round
    for _ in range(n):
        ProposalFactory(round=round_, in_review=True)  # short of reviewers: none yet
        ready = ProposalFactory(round=round_, in_review=True, partners=[], budget=False)
        AssignmentFactory.create_batch(2, proposal=ready, panel=panel, submitted=True)


def _fund_manager_world(user, n):
    for _ in range(n):
        ProposalFactory(submitted=True, partners=[], budget=False)
        ProposalFactory(recommended=True, partners=[], budget=False)
        make_award(ProposalFactory(funded=True, partners=[], budget=False),
                   tranches=[("scheduled", TODAY)])
        ProposalFactory(outcome_reported=True, partners=[], budget=False)
        RoundFactory(draft=True, rubric=False)


def _landing_world(n):
    for _ in range(n):
        LearningFactory(public=True)
        LearningFactory()
        make_award(ProposalFactory(funded=True, partners=[], budget=False),
                   tranches=[("released", TODAY)])
        RoundFactory(rubric=False)


# What the page says once 20 items of each kind wait: the sections really were filled.
FULL_PAGE = {
    "civil_servant": ["All 20 funded proposals", "All 20 waiting: see the awards",
                      'href="/proposals/?state=revision_requested"'],
    "reviewer": ['Assignments due, nearest first <span class="count">20</span>',
                 'Conflicts to declare <span class="count">20</span>'],
    "chair": ['decision <span class="count">20</span>',
              'Proposals short of reviewers <span class="count">20</span>'],
    "fund_manager": ['Proposals to screen <span class="count">20</span>',
                     'fund or decline <span class="count">20</span>',
                     'Tranches due for release <span class="count">20</span>',
                     'Outcome reports to accept <span class="count">20</span>'],
}


@pytest.mark.parametrize("role", ["civil_servant", "reviewer", "chair", "fund_manager"])
def test_dashboard_queries_are_the_same_for_1_and_20_items(client, role):
    user = UserFactory(agency=AgencyFactory(), fund_manager=role == "fund_manager")
    world = {"civil_servant": _civil_servant_world, "reviewer": _reviewer_world,
             "chair": _chair_world, "fund_manager": _fund_manager_world}[role]
    if role == "chair":
        _chaired_round(user)
    client.force_login(user)
    world(user, 1)
    _queries(client)  # warm the content-type and other per-process caches
    one = _queries(client)
    world(user, 19)
    assert _queries(client) == one
    page = client.get("/").content.decode()
    for expected in FULL_PAGE[role]:
        assert expected in page


def test_landing_queries_are_the_same_for_1_and_20_items(client):
    _landing_world(1)
    _queries(client)
    one = _queries(client)
    _landing_world(19)
    assert _queries(client) == one
    page = client.get("/").content.decode()
    assert "20 experiments funded so far" in page
    assert page.count('<span class="badge badge-learning">') == 5
