"""Read side of analytics: every figure computed by the database (aggregates, one query per
part, whatever the number of rows), over what the viewer may see.

What is counted (DOMAIN.md's visibility rules):
- proposals: never a draft nor a draft its lead withdrew (`NEVER_SUBMITTED`): fund managers see
  every other proposal (`proposals.selectors.proposals_visible_to`), so that is the set; the
  public figures are drawn from the same set, only in active funds and rounds that are not
  drafts, and only as aggregates with small cells suppressed and the others perturbed by
  their cell keys, summed here in the query that counts them (analytics/public.py);
- reviews (fund managers only): the assignments `reviews.selectors.assignments_visible_to`
  gives the viewer, so nothing of a proposal the viewer has a conflict of interest with, and
  never an assignment in `conflict` (it never counts).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fund.models import Award, Contribution, Round, Tranche
from people.models import Agency
from proposals.models import OutcomeReport, Proposal
from proposals.selectors import NEVER_SUBMITTED
from reviews.models import Assignment
from reviews.selectors import DISAGREEMENT_SPREAD, assignments_visible_to
from rewards.models import Learning
from workflow.models import TransitionLog

from .filters import agency_q, filter_contributions, filter_rounds
from .percentiles import Spread, days_between, spread_of

ROUND_LIMIT = 100  # rounds listed in the funnel (the newest first); the totals count them all
REVIEWER_LIMIT = 25  # reviewers listed by load (the busiest first)
PAIR_LIMIT = 500  # agency pairs listed (the most shared first)
PAID = (Tranche.State.RELEASED, Tranche.State.REPORTED)
STATES = [s for s in Proposal.State if s != Proposal.State.DRAFT]
CENT = Decimal("0.01")


def may_view_analytics(user) -> bool:
    """The analytics pages and API are the fund managers'; the public page is everyone's."""
    return bool(user and user.is_authenticated and user.is_active and user.is_fund_manager)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def proposals_counted(*, chosen: dict, public: bool = False) -> QuerySet[Proposal]:
    """The proposals the figures count under the filters: never a draft."""
    qs = Proposal.objects.exclude(NEVER_SUBMITTED)
    if public:
        qs = qs.filter(round__fund__is_active=True).exclude(round__state=Round.State.DRAFT)
    qs = filter_rounds(qs, chosen, "round__")
    if chosen.get("agency"):
        qs = qs.filter(agency_q(chosen["agency"]))
    return qs.order_by()


def rounds_listed(*, chosen: dict, public: bool = False) -> QuerySet[Round]:
    qs = Round.objects.all()
    if public:
        qs = qs.filter(fund__is_active=True).exclude(state=Round.State.DRAFT)
    return filter_rounds(qs, chosen).order_by("-opens_at", "-id")


def _base_sql(chosen: dict, public: bool) -> tuple[str, tuple]:
    sql, params = proposals_counted(chosen=chosen, public=public).values("pk").query.sql_with_params()
    return sql, tuple(params)


# --- the funnel ------------------------------------------------------------------------------
def _state_counts(public: bool = False) -> dict:
    """Proposals in each state; for the public figures also the sum of their record keys
    (`key_<state>`: analytics/public.py's cell keys), in the same query."""
    counts = {state.value: Count("pk", filter=Q(state=state)) for state in STATES}
    if public:
        counts |= {f"key_{state.value}": Sum("record_key", filter=Q(state=state))
                   for state in STATES}
    return counts


def _split_keys(row: dict) -> tuple[dict, dict]:
    """A row of `_state_counts` as (counts by state, record-key sums by state)."""
    return ({s.value: row[s.value] for s in STATES},
            {s.value: row.get(f"key_{s.value}") or 0 for s in STATES})


def funnel_counts(*, chosen: dict, public: bool = False) -> dict:
    """Proposals by state per round (the newest ROUND_LIMIT rounds, empty ones included) and
    over every round chosen. Four queries."""
    rounds_qs = rounds_listed(chosen=chosen, public=public)
    rounds = list(rounds_qs.values("pk", "title", "fund__name", "opens_at")[:ROUND_LIMIT])
    counted = proposals_counted(chosen=chosen, public=public)
    by_round = {row.pop("round_id"): row for row in counted.filter(
        round_id__in=[r["pk"] for r in rounds]).values("round_id").annotate(
            **_state_counts(public))}
    empty = dict.fromkeys((s.value for s in STATES), 0)
    for r in rounds:
        r["counts"], r["keys"] = _split_keys(by_round.get(r["pk"], empty))
    totals, keys = _split_keys(counted.aggregate(**_state_counts(public)))
    return {"rounds": rounds, "round_count": rounds_qs.count(), "totals": totals,
            "keys": keys}


# --- times -------------------------------------------------------------------------------------
def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def duration_queries(chosen: dict, public: bool = False) -> dict[str, tuple[str, tuple]]:
    """The SQL of each time (columns `pid`, the proposal, and `d`, the days; public: also `k`,
    the proposal's record key, public.py) and its parameters: also what the facts keep
    (analytics/facts.py, built without `public`: every proposal's, its record key beside)."""
    base, params = _base_sql(chosen, public)
    log, prop, award, tranche = (_table(m) for m in (TransitionLog, Proposal, Award, Tranche))
    proposal_ct, tranche_ct = _content_type_id(Proposal), _content_type_id(Tranche)
    k = ", p.record_key AS k" if public else ""  # a value's record key: its proposal's
    out = {}
    out["decision"] = (
        f"SELECT p.id AS pid, {days_between('p.submitted_at', 'l.at')} AS d{k} FROM {log} l "
        f"JOIN {prop} p ON p.id = l.object_id WHERE l.content_type_id = %s "
        f"AND l.transition IN (%s, %s) AND p.id IN ({base})",
        (proposal_ct, "recommend", "reject", *params))
    # Both ends from the proposal's history (the same clock): "recommend" to "fund".
    out["award"] = (
        f"SELECT l.object_id AS pid, {days_between('l.at', 'f.at')} AS d{k} FROM {log} l "
        f"JOIN {log} f ON f.object_id = l.object_id AND f.content_type_id = l.content_type_id "
        f"AND f.transition = %s "
        + (f"JOIN {prop} p ON p.id = l.object_id " if public else "")
        + f"WHERE l.content_type_id = %s "
        f"AND l.transition = %s AND l.object_id IN ({base})",
        ("fund", proposal_ct, "recommend", *params))
    first_release = (
        f"SELECT a.proposal_id AS pid, a.approved_at AS awarded_at, "
        f"p.submitted_at AS submitted_at, MIN(l.at) AS paid_at"
        f"{', p.record_key AS k' if public else ''} "
        f"FROM {award} a JOIN {prop} p ON p.id = a.proposal_id "
        f"JOIN {tranche} t ON t.award_id = a.id "
        f"JOIN {log} l ON l.object_id = t.id AND l.content_type_id = %s AND l.transition = %s "
        f"WHERE a.proposal_id IN ({base}) GROUP BY a.id, a.proposal_id, a.approved_at, "
        f"p.submitted_at{', p.record_key' if public else ''}")
    release_params = (tranche_ct, "release", *params)
    k = ", k" if public else ""
    out["first_release"] = (
        f"SELECT pid, {days_between('awarded_at', 'paid_at')} AS d{k} FROM ({first_release}) "
        f"AS r", release_params)
    out["first_money"] = (
        f"SELECT pid, {days_between('submitted_at', 'paid_at')} AS d{k} FROM ({first_release}) "
        f"AS r", release_params)
    return out


def durations(*, chosen: dict, public: bool = False) -> dict[str, Spread]:
    """Days from submission to the panel's decision and to the first money released, from
    recommendation to award, and from award to the first release: four queries. Public: each
    with the sum of the record keys of what it counts (`Spread.key`: public.py)."""
    return {kind: spread_of(sql, params, keyed=public)
            for kind, (sql, params) in duration_queries(chosen, public).items()}


# --- agencies taking part ------------------------------------------------------------------------
def _involvement(chosen: dict, public: bool) -> tuple[str, tuple]:
    """SQL of a `WITH inv(pid, aid, rk)`: each counted proposal with each agency taking part
    (the lead's agency and every partner agency, once each), and the proposal's record key
    (public.py), joined straight from the proposals (one pass over each table, no list of ids
    to look up)."""
    counted = proposals_counted(chosen=chosen, public=public)
    lead = counted.filter(lead__agency__isnull=False).values_list(
        "pk", "lead__agency_id", "record_key")
    partner = counted.filter(partner_agencies__isnull=False).values_list(
        "pk", "partner_agencies", "record_key")
    sql, params = lead.union(partner).query.sql_with_params()
    return f"WITH inv(pid, aid, rk) AS ({sql})", tuple(params)


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def agencies_named(ids) -> dict[int, dict]:
    return {a["pk"]: a for a in Agency.objects.filter(pk__in=list(ids)).values("pk", "code", "name")}


def collaboration_counts(*, chosen: dict, public: bool = False) -> dict:
    """Shared proposals per pair of agencies (the most shared PAIR_LIMIT pairs), proposals per
    agency, and proposals by how many agencies they cross, each with the sum of its proposals'
    record keys (`keys`: the public cells' keys, public.py): one query (and the agencies'
    names)."""
    return collaboration_from(_involvement(chosen, public))


def collaboration_from(involvement: tuple[str, tuple]) -> dict:
    """The collaboration counts of the proposals and agencies of `involvement`'s
    `WITH inv(pid, aid, rk)` (`rk`: the proposal's record key), with their keys."""
    inv, params = involvement
    rows = _fetch(
        f"{inv}, per AS (SELECT pid, COUNT(*) AS n, MIN(rk) AS rk FROM inv GROUP BY pid), "
        f"pairs AS (SELECT x.aid AS a, y.aid AS b, COUNT(*) AS n, SUM(x.rk) AS rk FROM inv x "
        f"JOIN inv y ON x.pid = y.pid AND x.aid < y.aid GROUP BY x.aid, y.aid) "
        f"SELECT 1, a, b, n, rk FROM (SELECT a, b, n, rk FROM pairs ORDER BY n DESC, a, b "
        f"LIMIT {PAIR_LIMIT}) AS top "
        f"UNION ALL SELECT 2, aid, NULL, COUNT(*), SUM(rk) FROM inv GROUP BY aid "
        f"UNION ALL SELECT 3, k, NULL, COUNT(*), SUM(rk) FROM (SELECT CASE WHEN n >= 4 THEN 4 "
        f"ELSE n END AS k, rk FROM per) AS crossing GROUP BY k "
        f"ORDER BY 1, 4 DESC, 2, 3", params)
    pairs = [(a, b, n) for kind, a, b, n, _k in rows if kind == 1]
    per_agency = {a: n for kind, a, _b, n, _k in rows if kind == 2}
    crossing = {a: n for kind, a, _b, n, _k in rows if kind == 3}
    keys = {"pairs": {(a, b): int(k or 0) for kind, a, b, _n, k in rows if kind == 1},
            "crossing": {a: int(k or 0) for kind, a, _b, _n, k in rows if kind == 3}}
    return {"pairs": pairs, "per_agency": per_agency, "crossing": crossing,
            "agencies": agencies_named(per_agency), "keys": keys}


# --- money -----------------------------------------------------------------------------------------
def money_figures(*, chosen: dict, public: bool = False) -> dict:
    """Contributed by each agency against what proposals it leads or partners in received
    (released tranches) and were committed; and the totals: contributed, awarded, committed,
    released, returned, spent. Five queries (six for the public figure: the awards counted
    again with their record keys)."""
    inv, params = _involvement(chosen, public)
    award, tranche = _table(Award), _table(Tranche)
    states = ", ".join(["%s"] * len(PAID))
    received = _fetch(
        f"{inv}, paid AS (SELECT a.proposal_id AS pid, "
        f"SUM(CASE WHEN t.state IN ({states}) THEN t.amount ELSE 0 END) AS released, "
        f"SUM(CASE WHEN t.state = %s THEN 0 ELSE t.amount END) AS committed "
        f"FROM {award} a JOIN {tranche} t ON t.award_id = a.id GROUP BY a.proposal_id) "
        f"SELECT inv.aid, SUM(paid.released), SUM(paid.committed), COUNT(DISTINCT inv.pid), "
        f"SUM(inv.rk) FROM inv "  # one row per (agency, proposal): the sum of its record keys
        f"JOIN paid ON paid.pid = inv.pid GROUP BY inv.aid",
        (*params, *PAID, Tranche.State.CANCELLED))
    received_keys = {aid: int(k or 0) for aid, _r, _c, _n, k in received}
    received = {aid: (_money(rel), _money(com), n) for aid, rel, com, n, _k in received}
    counted = proposals_counted(chosen=chosen, public=public)
    tranches = Tranche.objects.filter(award__proposal__in=counted.values("pk")).order_by().aggregate(
        awarded=Sum("amount"), released=Sum("amount", filter=Q(state__in=PAID)),
        returned=Sum("amount", filter=Q(state=Tranche.State.CANCELLED)),
        awards=Count("award", distinct=True),
        released_awards=Count("award", distinct=True, filter=Q(state__in=PAID)),
        returned_awards=Count("award", distinct=True, filter=Q(state=Tranche.State.CANCELLED)))
    reports = OutcomeReport.objects.filter(proposal__in=counted.values("pk")).aggregate(
        spent=Sum("amount_spent"), reports=Count("pk"),
        **({"key": Sum("proposal__record_key")} if public else {}))
    found = money_from(chosen=chosen, public=public, received=received, tranches=tranches,
                       reports=reports)
    found["keys"]["received"] = received_keys
    if public:  # each basis count again with its record keys' sum (public.py), one query
        basis, keys = found["basis"], found["keys"]
        keys["basis"]["spent"] = int(reports["key"] or 0)
        base, base_params = _base_sql(chosen, public)
        row = _fetch(
            f"SELECT COUNT(*), SUM(p.record_key), SUM(g.paid), SUM(g.paid * p.record_key), "
            f"SUM(g.back), SUM(g.back * p.record_key) FROM (SELECT t.award_id, "
            f"MAX(CASE WHEN t.state IN ({states}) THEN 1 ELSE 0 END) AS paid, "
            f"MAX(CASE WHEN t.state = %s THEN 1 ELSE 0 END) AS back FROM {tranche} t "
            f"JOIN {award} a ON a.id = t.award_id WHERE a.proposal_id IN ({base}) "
            f"GROUP BY t.award_id) AS g JOIN {award} a ON a.id = g.award_id "
            f"JOIN {_table(Proposal)} p ON p.id = a.proposal_id",
            (*PAID, Tranche.State.CANCELLED, *base_params))[0]
        n, key, paid, paid_key, back, back_key = (int(v or 0) for v in row)
        basis |= {"awarded": n, "committed": n, "released": paid, "returned": back}
        keys["basis"] |= {"awarded": key, "committed": key, "released": paid_key,
                          "returned": back_key}
    return found


def money_from(*, chosen: dict, public: bool, received: dict, tranches: dict,
               reports: dict) -> dict:
    """The money figure's numbers from what the proposals chosen received (per agency) and
    their tranches' and outcome reports' sums (live, or from the facts), with the agencies'
    contributions (one query). Its `keys` (public.py's cell keys) are empty: the caller adds
    them for a public figure (`money_figures`, live; facts.money_figures, from the facts)."""
    contributions = filter_contributions(Contribution.objects.order_by(), chosen)
    if public:
        contributions = contributions.filter(fund__is_active=True)
    contributed = dict(contributions.values("agency_id").annotate(t=Sum("amount"))
                       .values_list("agency_id", "t"))
    if chosen.get("agency"):
        keep = chosen["agency"].pk
        received = {k: v for k, v in received.items() if k == keep}
    spent = reports["spent"]
    totals = {
        "contributed": _money(sum(contributed.values(), Decimal(0))),
        # An award's tranches, cancelled ones included, sum to its amount (DOMAIN.md); a
        # cancelled tranche's money went back, so what stays committed is the rest.
        "awarded": _money(tranches["awarded"]),
        "committed": _money(tranches["awarded"]) - _money(tranches["returned"]),
        "released": _money(tranches["released"]),
        "returned": _money(tranches["returned"]),
        "spent": _money(spent),
    }
    # How many proposals each total is about (the public figure hides a sum about 1 to 4).
    basis = {"contributed": None, "awarded": tranches["awards"],
             "committed": tranches["awards"], "released": tranches["released_awards"],
             "returned": tranches["returned_awards"], "spent": reports["reports"]}
    keys = {"received": {}, "basis": {}}
    ids = set(contributed) | set(received)
    return {"contributed": {k: _money(v) for k, v in contributed.items()}, "received": received,
            "totals": totals, "basis": basis, "agencies": agencies_named(ids), "keys": keys}


# --- outcomes and learning ------------------------------------------------------------------------
def outcome_counts(*, chosen: dict, public: bool = False) -> dict:
    """Outcome reports by result, and the learnings linked to them (public ones only for the
    public figure). Two queries. Public: each count with the sum of its record keys (a
    learning's is its proposal's; public.py) in `key_<count>`, and the outcomes with a
    learning counted, with their keys, over the reports in the first query."""
    counted = proposals_counted(chosen=chosen, public=public).values("pk")
    learnings = Learning.objects.filter(proposal__in=counted, proposal__outcome_report__isnull=False)
    keys = {}
    if public:
        learnings = learnings.filter(visibility=Learning.Visibility.PUBLIC)
        learned = Exists(Learning.objects.filter(proposal=OuterRef("proposal"),
                                                 visibility=Learning.Visibility.PUBLIC))
        keys = {"key_outcomes": Sum("proposal__record_key"),
                "with_learning": Count("pk", filter=learned),
                "key_outcomes_with_learning": Sum("proposal__record_key", filter=learned)}
    reports = {row["result"]: row for row in OutcomeReport.objects.filter(proposal__in=counted)
               .order_by().values("result").annotate(outcomes=Count("pk"), **keys)}
    shared = {row["result"]: row for row in learnings.order_by()
              .values(result=F("proposal__outcome_report__result"))
              .annotate(learnings=Count("pk"), with_learning=Count("proposal", distinct=True),
                        **({"key_learnings": Sum("proposal__record_key")} if public else {}))}
    return {"reports": reports, "learnings": shared}


# --- reviewing ------------------------------------------------------------------------------------
def counted_assignments(*, viewer, chosen: dict) -> QuerySet[Assignment]:
    """Assignments the viewer may see on the counted proposals, never one in `conflict`, and
    none of a proposal whose review by the viewer is still open or in conflict (blind review:
    the others' scores are not theirs to see yet, as in the ranking; found by an outsider's
    attack narrowing the figure to that one proposal)."""
    counted = proposals_counted(chosen=chosen).values("pk")
    own_open = (Assignment.objects.filter(
        reviewer=viewer, state__in=(Assignment.State.ASSIGNED, Assignment.State.CONFLICT))
        .order_by().values("proposal_id"))
    return (assignments_visible_to(viewer).filter(proposal__in=counted)
            .exclude(proposal__in=own_open)
            .exclude(state=Assignment.State.CONFLICT).order_by())


def reviewing_figures(*, viewer, chosen: dict) -> dict:
    """Reviewers' load and timeliness, and agreement between reviewers. Three queries (and
    the viewer's groups)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The conflict rule's NOT IN (a union of the viewer's conflicted ids) makes the
            # planner guess a few hundred assignments where there are all of them, and walk
            # them by index one at a time (seconds at national scale): these whole-table
            # aggregates are hashed instead. SET LOCAL ends with this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_nestloop = off")
        return _reviewing_figures(viewer=viewer, chosen=chosen)


def _reviewing_figures(*, viewer, chosen: dict) -> dict:
    qs = counted_assignments(viewer=viewer, chosen=chosen).annotate(
        done_on=TruncDate("review__submitted_at", tzinfo=timezone.get_default_timezone()))
    today = timezone.localdate()
    submitted = Q(state=Assignment.State.SUBMITTED)
    opened = Q(state=Assignment.State.ASSIGNED)
    timing = {
        "on_time": Count("pk", filter=submitted & Q(done_on__lte=F("due_on"))),
        "late": Count("pk", filter=submitted & Q(done_on__gt=F("due_on"))),
        "overdue": Count("pk", filter=opened & Q(due_on__lt=today)),
        "not_yet_due": Count("pk", filter=opened & Q(due_on__gte=today)),
    }
    # The busiest reviewers and, over every reviewer, the totals: one grouped query, the
    # totals summed over its groups by window functions before the LIMIT.
    fields = ["reviewer_id", "reviewer__username", "reviewer__first_name", "reviewer__last_name",
              "reviewer__agency__code"]
    counts = ["assigned", *timing]
    grouped_sql, grouped_params = (qs.values(*fields).annotate(assigned=Count("pk"), **timing)
                                   .order_by().query.sql_with_params())
    rows = _fetch(
        f"SELECT {', '.join('g.' + _q(f) for f in fields + counts)}, COUNT(*) OVER (), "
        f"{', '.join(f'SUM(g.{_q(c)}) OVER ()' for c in counts)} FROM ({grouped_sql}) AS g "
        f"ORDER BY g.{_q('assigned')} DESC, g.{_q('reviewer_id')} LIMIT {REVIEWER_LIMIT}",
        grouped_params)
    width = len(fields) + len(counts)
    load = [dict(zip(fields + counts, row[:width], strict=True)) for row in rows]
    totals = dict.fromkeys(["reviewers", *counts], 0)
    if rows:
        totals = dict(zip(["reviewers", *counts], (int(v or 0) for v in rows[0][width:]),
                          strict=True))
    load_sql, load_params = (counted_assignments(viewer=viewer, chosen=chosen)
                             .values("reviewer_id").annotate(d=Count("pk")).values("d")
                             .query.sql_with_params())
    load_spread = spread_of(load_sql, load_params)
    per_proposal = (counted_assignments(viewer=viewer, chosen=chosen)
                    .filter(submitted, review__weighted_score__isnull=False)
                    .values("proposal_id")
                    .annotate(n=Count("pk"),
                              spread=Max("review__weighted_score") - Min("review__weighted_score"),
                              advice_low=Min("review__recommendation"),
                              advice_high=Max("review__recommendation"))
                    .filter(n__gte=2))
    agreement = per_proposal.aggregate(
        proposals=Count("proposal_id"),
        close=Count("proposal_id", filter=Q(spread__lte=DISAGREEMENT_SPREAD)),
        unanimous=Count("proposal_id", filter=Q(advice_low=F("advice_high"))),
        mean_spread=Avg("spread"))
    return {"totals": totals, "load": load, "load_spread": load_spread, "agreement": agreement,
            "threshold": DISAGREEMENT_SPREAD}
