"""A small world for the analytics figures, with every number hand-computed in the tests.

Agencies A, B, C, D (and E, the fund manager's, on no proposal). Fund F1, round R1 (opens
March 2025) with ten counted proposals, one in each state after submission, plus a draft and a
draft its lead withdrew (never counted); R2 (F1, opens 2026) is empty; R3 (fund F2, opens 2024)
has one proposal reviewed by one reviewer. Proposals of R1, "lead agency + partners":

    sub  submitted            A+B        rej  rejected          C+A
    inel ineligible           B+C        rec  recommended       A+C+D
    rev  in_review            A+B+C      dec  declined          B+C
    fund funded               A+B+C+D    out  outcome_reported  B+A
    closed closed             C+D        wd   withdrawn (after submission)  D+A
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Award, Tranche
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import OutcomeReport, Proposal
from reviews.factories import AssignmentFactory, PanelFactory
from reviews.models import Assignment, Review
from rewards.factories import LearningFactory
from workflow.models import TransitionLog

T0 = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_and_fresh(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANALYTICS_CACHE_SECONDS = 0  # each test computes; tests/analytics/test_cache.py apart


def log(obj, transition: str, days: float, to_state: str = "") -> None:
    # The log is append-only and stamps its own time: it is told the time instead.
    with mock.patch("django.utils.timezone.now", return_value=T0 + timedelta(days=days)):
        TransitionLog.objects.create(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
            transition=transition, from_state="", to_state=to_state or transition)


def award(proposal, amount, tranches, *, approved_day, state=Award.State.ACTIVE, manager):
    a = Award.objects.create(proposal=proposal, amount=Decimal(amount), approved_by=manager,
                             approved_at=T0 + timedelta(days=approved_day), state=state)
    log(proposal, "fund", approved_day, "funded")  # the history says so too, as the service's
    for i, (value, tranche_state, released_day) in enumerate(tranches, start=1):
        t = Tranche.objects.create(award=a, sequence=i, amount=Decimal(value),
                                   due_on=(T0 + timedelta(days=60 * i)).date(),
                                   milestone="Milestone", state=tranche_state)
        if released_day is not None:
            log(t, "release", released_day, "released")
    return a


def outcome(proposal, result, spent, by):
    return OutcomeReport.objects.create(
        proposal=proposal, result=result, summary="s", indicators="i",
        amount_spent=Decimal(spent), citizen_feedback="c", next_step="iterate", submitted_by=by)


@pytest.fixture
def world(db):
    A, B, C, D, E = (AgencyFactory(code=code) for code in ("AAA", "BBB", "CCC", "DDD", "EEE"))
    lead = {ag: UserFactory(agency=ag) for ag in (A, B, C, D)}
    manager = UserFactory(username="fm", agency=E, fund_manager=True)
    f1, f2 = FundFactory(name="Fund one"), FundFactory(name="Fund two")
    r1 = RoundFactory(fund=f1, title="R1", opens_at=datetime(2025, 3, 1, tzinfo=UTC))
    r2 = RoundFactory(fund=f1, title="R2 empty",
                      opens_at=datetime(2026, 2, 1, tzinfo=UTC))
    r3 = RoundFactory(fund=f2, title="R3 one reviewer",
                      opens_at=datetime(2024, 5, 1, tzinfo=UTC))
    draft_round = RoundFactory(fund=f1, title="R draft", draft=True,
                               opens_at=datetime(2025, 6, 1, tzinfo=UTC))

    def make(trait, lead_agency, partners, round_=r1):
        p = ProposalFactory(round=round_, lead=lead[lead_agency], partners=partners,
                            **{trait: True} if trait else {})
        if p.submitted_at:
            Proposal.objects.filter(pk=p.pk).update(submitted_at=T0)
            p.refresh_from_db()
        return p

    p = {
        "draft": make(None, A, [B]), "wd_draft": make("withdrawn", A, [B]),
        "sub": make("submitted", A, [B]), "inel": make("ineligible", B, [C]),
        "rev": make("in_review", A, [B, C]), "rej": make("rejected", C, [A]),
        "rec": make("recommended", A, [C, D]), "dec": make("declined", B, [C]),
        "fund": make("funded", A, [B, C, D]), "out": make("outcome_reported", B, [A]),
        "closed": make("closed", C, [D]), "wd": make("withdrawn_after_submission", D, [A]),
        "one": make("in_review", A, [B], round_=r3),
    }
    # The panel's decisions (days after submission) and the money.
    for key, transition, day in (("rej", "reject", 10), ("rec", "recommend", 20),
                                 ("fund", "recommend", 30), ("out", "recommend", 12),
                                 ("closed", "recommend", 16), ("dec", "recommend", 8)):
        log(p[key], transition, day)
    R, REP, CAN, SCH = (Tranche.State.RELEASED, Tranche.State.REPORTED, Tranche.State.CANCELLED,
                        Tranche.State.SCHEDULED)
    award(p["fund"], "300", [("100", R, 45), ("200", SCH, None)], approved_day=40,
          manager=manager)
    award(p["out"], "200", [("100", REP, 20), ("100", CAN, None)], approved_day=14,
          manager=manager)  # money returned: the second tranche was cancelled
    award(p["closed"], "150", [("50", REP, 21), ("100", REP, 50)], approved_day=20,
          state=Award.State.COMPLETED, manager=manager)
    outcome(p["out"], OutcomeReport.Result.DID_NOT_SUCCEED, "80", lead[B])
    outcome(p["closed"], OutcomeReport.Result.SUCCEEDED, "150", lead[C])
    LearningFactory(proposal=p["out"], public=True, failure=True)
    LearningFactory(proposal=p["out"])
    LearningFactory()  # on no proposal
    ContributionFactory(fund=f1, agency=A, amount=Decimal("1000"), received_on=T0.date())
    ContributionFactory(fund=f1, agency=B, amount=Decimal("500"), received_on=T0.date())
    ContributionFactory(fund=f2, agency=C, amount=Decimal("700"),
                        received_on=datetime(2024, 6, 1).date())
    # Reviews: r1 and r2 disagree on rev (80 and 40; recommendations differ), r1 and r3 agree
    # on rej (60 and 60: r3 gives 3 to every criterion), r2 alone on fund (80), r3's conflict
    # on fund never counts; on rec r1 is overdue and r2 not yet due.
    today = timezone.localdate()
    r1v, r2v, r3v = (UserFactory(username=f"reviewer{i}", agency=AgencyFactory()) for i in (1, 2, 3))
    panel = PanelFactory(round=r1, members=[r1v, r2v, r3v])
    AssignmentFactory(proposal=p["rev"], panel=panel, reviewer=r1v, submitted=True, score=4)
    late = AssignmentFactory(proposal=p["rev"], panel=panel, reviewer=r2v, submitted=True, score=2,
                             due_on=today - timedelta(days=2))
    Review.objects.filter(assignment=late).update(recommendation=Review.Recommendation.DO_NOT_FUND)
    AssignmentFactory(proposal=p["rej"], panel=panel, reviewer=r1v, submitted=True, score=3)
    AssignmentFactory(proposal=p["rej"], panel=panel, reviewer=r3v, submitted=True, score=3)
    AssignmentFactory(proposal=p["fund"], panel=panel, reviewer=r2v, submitted=True, score=4)
    AssignmentFactory(proposal=p["fund"], panel=panel, reviewer=r3v, conflict=True)
    AssignmentFactory(proposal=p["rec"], panel=panel, reviewer=r1v, due_on=today - timedelta(days=1))
    AssignmentFactory(proposal=p["rec"], panel=panel, reviewer=r2v)
    panel3 = PanelFactory(round=r3, members=[r1v])
    AssignmentFactory(proposal=p["one"], panel=panel3, reviewer=r1v, submitted=True, score=5)
    assert Assignment.objects.count() == 9
    return {
        "agencies": {"A": A, "B": B, "C": C, "D": D, "E": E}, "lead": lead, "manager": manager,
        "funds": (f1, f2), "r1": r1, "r2": r2, "r3": r3, "draft_round": draft_round, "p": p,
        "reviewers": (r1v, r2v, r3v),
    }
