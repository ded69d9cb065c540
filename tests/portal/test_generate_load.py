"""`manage.py generate_load` (issue 16): a data set in the measured proportions, in which every
integrity rule of DOMAIN.md holds, checked with the product's own rules wherever they exist
(conflicts, quorum, submit conditions, money, tranche order, state machines)."""

from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import global_settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fund.models import Award, Contribution, Fund, Round, Tranche
from fund.rules import MONEY_OUT, previous_live_tranche
from fund.services.funds import UNFINISHED
from people.models import Agency, User
from portal.load.build import DEFAULT_PASSWORD, Generator, Plan
from portal.load.writer import Writer
from proposals import rules as proposal_rules
from proposals.conflicts import conflict_q, conflict_reason
from proposals.lifecycle import transition as proposal_transition
from proposals.models import OutcomeReport, Proposal, TeamMember
from proposals.services.outcomes import released_on
from reviews.chairs import acting_chair
from reviews.models import Assignment, Panel, PanelStandIn, Review, Score
from reviews.rules import review_quorum_reached
from rewards.models import Learning, LearningAuthor, Nomination, decision_refusal, endorse_refusal
from workflow.models import TransitionLog

N = 200
DECIDED = ("recommended", "rejected", "funded", "declined", "outcome_reported", "closed")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One data set of N proposals for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("generate_load", proposals=N, seed=7, not_production=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _logs(model):
    """Every object's log of `model`, in order, by object id."""
    found = defaultdict(list)
    ct = ContentType.objects.get_for_model(model)
    for log in TransitionLog.objects.filter(content_type=ct).order_by("at", "id"):
        found[log.object_id].append(log)
    return found


def test_each_proposal_has_its_random_record_key(loaded):
    """Written straight into the table (no model instance, so no model default): each row
    its own key from 0 to 255 (analytics/public.py's cell keys)."""
    keys = list(Proposal.objects.values_list("record_key", flat=True))
    assert len(keys) == N and all(0 <= k <= 255 for k in keys)
    assert len(set(keys)) > 64  # 200 random bytes: about 140 distinct


def test_counts_are_in_the_measured_proportions(loaded):
    plan = Plan(N)
    assert Proposal.objects.count() == N
    assert User.objects.count() == plan.people == 300
    assert Agency.objects.count() == 25
    proposals = N
    assignments = Assignment.objects.count()
    reviews = Review.objects.count()
    assert 2.0 * proposals <= assignments <= 3.8 * proposals
    assert 0.85 * assignments <= reviews <= assignments
    assert Score.objects.count() == 6 * reviews
    assert 0.06 * proposals <= Award.objects.count() <= 0.18 * proposals
    assert 5 * proposals <= TransitionLog.objects.count() <= 11 * proposals
    sizes = sorted(Round.objects.annotate(n=Count("proposals")).values_list("n", flat=True))
    assert round(0.05 * N) in sizes and len(sizes) == plan.rounds + 1  # and a draft round
    states = Counter(Proposal.objects.values_list("state", flat=True))
    assert set(states) >= {"draft", "submitted", "in_review", "rejected", "funded", "closed",
                           "recommended", "declined", "ineligible", "withdrawn",
                           "outcome_reported"}
    assert "Sign in with password 'load-pass-2026'" in loaded and "load-fm-1" in loaded


def test_the_accounts_printed_exist_with_their_roles(loaded, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # as the data set was made

    def user(name):
        return User.objects.get(username=name)

    assert user("load-fm-1").is_fund_manager and user("load-hr-1").is_hr_officer
    assert user("load-admin").is_superuser
    assert user("load-fm-1").check_password(DEFAULT_PASSWORD)
    cs = user("load-cs-1")
    led = Proposal.objects.filter(lead=cs).count()
    joined = TeamMember.objects.filter(user=cs, state="accepted").count()
    assert led >= 15 and joined >= 15
    assert Assignment.objects.filter(reviewer=user("load-rv-1")).count() >= 5
    ranking = Round.objects.annotate(n=Count("proposals")).get(n=round(0.05 * N), state="closed")
    assert ranking.panels.filter(chair=user("load-chair-1")).exists()
    assert Round.objects.get(state="open").panels.filter(chair=user("load-chair-2")).exists()
    assert "load-chair-2     Panel chair (open round)" in loaded


def test_no_reviewer_has_a_conflict_by_the_products_rule(loaded):
    assignments = Assignment.objects.select_related(
        "reviewer", "proposal__lead", "panel").prefetch_related(
        "proposal__team", "proposal__partner_agencies", "panel__members")
    for a in assignments:
        assert conflict_reason(a.reviewer, a.proposal) is None, a
        assert a.reviewer in a.panel.members.all() and a.panel_id == a.proposal.panel_id
    for reviewer in User.objects.filter(assignments__isnull=False).distinct():  # bulk, per person
        assert not Assignment.objects.filter(
            conflict_q(reviewer, "proposal__"), reviewer=reviewer).exists()
    for panel in Panel.objects.prefetch_related("members"):
        agencies = {m.agency_id for m in panel.members.all()}
        assert len(agencies) >= panel.round.min_panel_agencies
        assert panel.deputy_chair.agency_id != panel.chair.agency_id


def test_deciders_have_no_conflict_and_chairs_do_not_submit_in_their_round(loaded):
    proposal_ct = ContentType.objects.get_for_model(Proposal)
    logs = TransitionLog.objects.filter(content_type=proposal_ct).select_related("actor")
    proposals = {p.pk: p for p in Proposal.objects.select_related("lead", "round").prefetch_related(
        "team", "partner_agencies")}
    for log in logs:
        proposal = proposals[log.object_id]
        if log.transition in ("screen_out", "send_to_review", "fund", "decline", "close"):
            assert log.actor.is_fund_manager and conflict_reason(log.actor, proposal) is None
        if log.transition in ("request_revision", "recommend", "reject"):
            assert conflict_reason(log.actor, proposal) is None
    for proposal in proposals.values():
        if proposal.panel_id:
            chair = acting_chair(proposal)
            assert chair is not None and conflict_reason(chair, proposal) is None
        if proposal.state != "draft":
            assert proposal_rules.no_chair_duty_in_round.check(proposal) is None
    # where chair and deputy were both conflicted, a fund manager named a stand-in
    for stand_in in PanelStandIn.objects.select_related("proposal__lead", "chair"):
        assert conflict_reason(stand_in.chair, stand_in.proposal) is None


def test_decisions_have_their_quorum_and_submissions_their_conditions(loaded):
    conditions = [proposal_rules.required_fields_filled, proposal_rules.enough_partner_agencies,
                  proposal_rules.budget_lines_sum_to_requested,
                  proposal_rules.requested_within_max_award]
    for proposal in Proposal.objects.select_related("round", "lead").prefetch_related(
            "budget_lines", "partner_agencies"):
        if proposal.state in DECIDED:
            assert review_quorum_reached.check(proposal) is None, proposal.pk
        if proposal.state not in ("draft",):
            for rule in conditions:
                assert rule.check(proposal) is None, (rule.__name__, proposal.pk)


def test_every_state_is_where_its_transition_log_leads(loaded):
    machines = [(Proposal, "draft"), (Assignment, "assigned"), (Tranche, "scheduled"),
                (Award, "active"), (Round, "draft"), (TeamMember, ""),
                (LearningAuthor, "invited"), (Nomination, "nominated")]
    now = timezone.now()
    for model, start in machines:
        logs = _logs(model)
        for obj in model.objects.all():
            state, first = start, True
            for log in logs.get(obj.pk, []):
                assert log.at <= now
                if first and model is LearningAuthor:  # the writer: created invited, accepting
                    state = log.from_state
                assert log.from_state == state, (model.__name__, obj.pk, log.transition)
                state, first = log.to_state, False
            assert state == obj.state or (model is TeamMember and not state), (model, obj.pk)
    for log in TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Proposal)):
        declared = proposal_transition(log.transition)
        assert log.from_state in declared.sources and log.to_state == declared.target


def test_money_never_overdraws_and_tranches_follow_their_rules(loaded):
    for fund in Fund.objects.all():
        assert fund.available_balance >= 0
        assert Contribution.objects.filter(fund=fund).values("agency").distinct().count() >= 3
    for round_ in Round.objects.all():
        assert round_.committed <= round_.budget
    awards = Award.objects.select_related("proposal__round").prefetch_related("tranches")
    for award in awards:
        proposal = award.proposal
        tranches = list(award.tranches.all())
        assert award.amount <= proposal.requested_amount <= proposal.round.max_award
        assert sum(t.amount for t in tranches) == award.amount
        out = sum((t.amount for t in tranches if t.state in MONEY_OUT), Decimal(0))
        assert out <= award.amount
        for t in tranches:
            assert t.due_on >= award.approved_at.date()
            if t.state in MONEY_OUT:
                previous = previous_live_tranche(t, tranches)
                assert previous is None or previous.state == "reported"
        closed = proposal.state == "closed"
        assert (award.state == "completed") == closed
        if closed:
            assert not any(t.state == "scheduled" for t in tranches)
    assert set(Award.objects.values_list("proposal__state", flat=True)) <= {
        "funded", "outcome_reported", "closed"}
    assert not Proposal.objects.filter(state__in=("funded", "outcome_reported", "closed"),
                                       award__isnull=True).exists()


def test_outcomes_learnings_teams_reviews_and_nominations(loaded):
    reported = Proposal.objects.filter(state__in=("outcome_reported", "closed"))
    assert set(OutcomeReport.objects.values_list("proposal", flat=True)) == set(
        reported.values_list("pk", flat=True))
    for report in OutcomeReport.objects.select_related("proposal"):
        assert 0 < report.amount_spent <= released_on(report.proposal)
    assert Learning.objects.filter(kind="failure").exists()
    assert OutcomeReport.objects.filter(result="did_not_succeed").exists()
    # blind review: only submitted assignments have a review; HR officers review nothing
    assert not Review.objects.exclude(assignment__state="submitted").exists()
    assert not Review.objects.filter(submitted_at__isnull=True).exists()
    assert not Assignment.objects.filter(reviewer__groups__name="hr_officers").exists()
    # consent: invitations are open only on drafts; who ever accepted keeps accepted_at
    assert not TeamMember.objects.filter(state="invited").exclude(proposal__state="draft").exists()
    assert not TeamMember.objects.filter(state__in=("accepted", "left"),
                                         accepted_at__isnull=True).exists()
    assert not TeamMember.objects.filter(user__groups__name="hr_officers").exists()
    for member in TeamMember.objects.select_related("proposal"):
        assert member.user_id != member.proposal.lead_id
    # archived rounds have nothing on its way
    assert not Proposal.objects.filter(round__state="archived", state__in=UNFINISHED).exists()
    # nominations: three different people
    for nomination in Nomination.objects.select_related("nominee", "nominated_by", "endorsed_by"):
        assert nomination.nominee_id != nomination.nominated_by_id
        if nomination.endorsed_by:
            assert endorse_refusal(nomination, nomination.endorsed_by) is None or (
                nomination.state != "nominated")
            assert nomination.endorsed_by_id not in (nomination.nominee_id,
                                                     nomination.nominated_by_id)
        decider = TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Nomination), object_id=nomination.pk,
            transition__in=("grant", "not_grant")).first()
        if decider:
            nomination.state = "endorsed"  # as it was when decided
            assert decision_refusal(nomination, decider.actor) is None


def test_a_second_size_scales_and_append_names_new_accounts(loaded):
    before = {m: m.objects.count() for m in (Proposal, Assignment, Review, Award, TransitionLog)}
    out = StringIO()
    call_command("generate_load", proposals=2 * N, seed=3, append=True, not_production=True,
                 stdout=out)
    assert "load2-fm-1" in out.getvalue()
    added = {m: m.objects.count() - n for m, n in before.items()}
    assert added[Proposal] == 2 * N
    for model in (Assignment, Review, TransitionLog):
        assert 1.5 <= added[model] / before[model] <= 2.6, model.__name__
    assert 0.06 * 2 * N <= added[Award] <= 0.18 * 2 * N


def test_it_refuses_to_run_where_it_could_do_harm(loaded, settings):
    with pytest.raises(CommandError, match="already has 200 proposals.*--append.*--clear"):
        call_command("generate_load", proposals=10, not_production=True, stdout=StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("generate_load", proposals=10, append=True, stdout=StringIO())
    assert Proposal.objects.count() == N


@pytest.fixture
def content_types_forgotten_after():
    """`--clear` runs `flush`, which deletes and re-creates the content types under new ids;
    the test's rollback brings the old rows back, but ContentType's cache would keep the new
    ids for the worker's later tests (their history and notices then point nowhere). Set up
    before `db`, this clears the cache after the rollback."""
    yield
    ContentType.objects.clear_cache()


def test_the_same_seed_makes_the_same_data_set(content_types_forgotten_after, db):
    def digest():
        return list(Proposal.objects.order_by("pk").values_list("pk", "title", "state",
                                                               "requested_amount"))

    before = set(Proposal.objects.values_list("pk", flat=True))
    Generator(40, seed=5, prefix="seed").run()
    first = [row for row in digest() if row[0] not in before]
    assert len(first) == 40
    call_command("generate_load", proposals=40, seed=5, clear=True, not_production=True,
                 stdout=StringIO())
    assert [row[1:] for row in digest()] == [row[1:] for row in first]


def test_a_table_declared_without_a_required_column_is_refused():
    with pytest.raises(ValueError, match="Proposal rows need .*lead"):
        Writer().table(Proposal, ["round", "title"])


def test_the_planner_has_statistics_of_what_was_written(loaded):
    """On PostgreSQL the load ends with ANALYZE (VACUUM ANALYZE outside a transaction): a plan
    made without statistics guesses and reads whole tables (issue 16)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'proposals_proposal'")
        assert cursor.fetchone()[0] > 0


def test_the_stored_acting_chairs_are_the_rules(loaded):
    """The load writes around the ORM's signals, then stores each proposal's acting chair
    (reviews.ProposalActingChair) as the rule says."""
    from reviews.chairs import PANEL_STATES, stale_acting_chairs, stored_acting_chairs

    stored = stored_acting_chairs()
    assert len(stored) >= Proposal.objects.filter(state__in=PANEL_STATES).count() // 2
    assert stale_acting_chairs() == []
