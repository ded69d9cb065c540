"""Filtered figures counted from facts the beat task keeps (issue 17).

A figure without filters is stored whole (analytics/stored.py). With filters (a fund, a
round, years, an agency, any of them together) there are too many answers to store each, and
counting them live reads every transition, tranche and assignment of the proposals chosen:
at national scale (100,000 proposals) a fund's figures took 4 to 30 times the proposal list's
time. So the same refresh also keeps, in a few narrow tables (analytics.models), what each
counted proposal contributes, each computed by the same SQL the live figures use:
`ProposalFact` (where it is, its state, lead, money, outcome, learnings, how many agencies
take part, and its reviews' agreement), `AgencyFact` (each agency taking part, with the
proposal's money), `DurationFact` (its times, in days), `AssignmentFact` (its review
assignments, never one in conflict), and, added up per round, `PairFact` (the collaboration
counts; `PairTotalFact`, the same over every round, for an agency's figure alone),
`MoneyFact` (each agency's money and the round's totals), `ReviewerFact` (each reviewer's
assignments) and `AgreementFact`. Every row carries its proposal's
round, fund, round opening and public flag, so that a filter reads only its own rows, by
index; and the agency filter has rows of its own: each agency's copy (`scope` = its id) of
the rows of the proposals it leads or partners in (`scope` 0: every proposal's). Every filter
but the agency is one of the round's, so the counts per round add up exactly. A filtered
figure is then counted from them by a few indexed aggregates, and says it is as of the
refresh (`stored`; an open assignment is overdue or not as of that day).

Served while the facts are younger than ANALYTICS_STORED_MAX_MINUTES and of this VERSION;
otherwise (no beat, or an older shape) the figure is computed live as before.

Visibility: the figures other than Reviewing are the same for every fund manager (the public
ones draw only from proposals `public` marks: active fund, round not a draft). Reviewing
leaves out what its viewer may not see, from the facts, as the live code does: a proposal the
viewer has a conflict of interest with (they lead it, are on its team, or their agency leads
or partners in it), one whose review by them is open or in conflict, any assignment in
conflict. What it leaves out is asked live (the proposals the viewer leads or is on the team
of, their open or conflicted assignments, their agency now), except the proposals of their
agency, read from the agency's own copies of the facts (fast, by index). So it is counted from
the facts only while those copies still describe the agency: its parties digest
(`agency_digests`: which proposals, up to the highest id the facts read, it leads or partners
in), taken with the facts (`FactsRun.agencies`, in their snapshot), is still the digest now,
and no review was flagged as a conflict since (`FactsRun.conflicts`: the facts hold none in
conflict). Then it leaves out exactly what the live code would; otherwise (a proposal's lead
or partners changed, a person moved agency, a new conflict) their Reviewing figure is computed
live. A proposal made since the facts has no facts to count, whoever's it is.

Public figures are counted from the facts too, with exactly the live figure's published
values: their counts are published with a cell-key perturbation (analytics/public.py) from the
sum of the record keys of what each cell counts, so every row carries its proposal's
`record_key` (ProposalFact, AgencyFact, DurationFact; an agency's copies too) and every
per-round count the sum of its proposals' (`PairFact.k`), and each public query sums them
beside the count, in the same query, as the live SQL does (`public`: only the rows of the
`public` column). A public figure never goes out without its keys: facts are read for one
only when their run says it carries them (`FactsRun.keyed`, set by build_facts, and of this
VERSION: `keyed`); otherwise it is computed live, keys included (figures.py `facts_run`,
`_source`).
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fund.models import Award, Fund, Round, Tranche
from proposals.models import OutcomeReport, Proposal, TeamMember
from reviews.models import Assignment
from rewards.models import Learning

from .filters import _year_start
from .models import (
    AgencyFact,
    AgreementFact,
    AssignmentFact,
    DurationFact,
    FactsRun,
    MoneyFact,
    PairFact,
    PairTotalFact,
    ProposalFact,
    ReviewerFact,
)
from .percentiles import Spread, spread_of

TABLES = (ProposalFact, AgencyFact, PairFact, DurationFact, AssignmentFact, ReviewerFact,
          AgreementFact, MoneyFact, PairTotalFact)
# Counted per round and scope (PairTotalFact: per scope), never copied per agency.
PER_ROUND = (PairFact, ReviewerFact, AgreementFact, MoneyFact, PairTotalFact)
VERSION = 5  # bumped whenever the facts' meaning changes: older facts are never read
KINDS = ("decision", "award", "first_release", "first_money")
DIMS = "round_id, fund_id, opens_at, public"  # each fact's copy of where its proposal is


def _agreement_sql() -> str:
    from .selectors import DISAGREEMENT_SPREAD

    # The threshold written as a number (a code constant): SQLite compares a parameter given
    # as a Decimal as text.
    return (f"COUNT(*), SUM(CASE WHEN p.spread <= {Decimal(DISAGREEMENT_SPREAD)} THEN 1 "
            f"ELSE 0 END), SUM(CASE WHEN p.advice_low = p.advice_high THEN 1 ELSE 0 END), "
            f"SUM(p.spread)")


# Proposals with two or more scored reviews `p`: how many, within the threshold, unanimous,
# their spreads summed.
AGREEMENT = _agreement_sql()
AGREEMENT_AS = ", ".join(f"{part} AS {name}" for part, name in zip(
    AGREEMENT.split(", "), ("n", "c", "u", "s"), strict=True))


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- building ---------------------------------------------------------------------------------
def build_facts() -> FactsRun:
    """Every fact again, in one transaction (readers see the old facts or the new ones).
    `computed_at` is taken before the data is read."""
    from . import selectors
    from .stored import conflicts_stamp

    started = timezone.now()
    start = time.perf_counter()
    base, params = selectors._base_sql({}, False)
    prop, round_, fund, user = _t(Proposal), _t(Round), _t(Fund), _t(Proposal.lead.field.related_model)
    award, tranche, outcome, learning = _t(Award), _t(Tranche), _t(OutcomeReport), _t(Learning)
    paid = ", ".join(["%s"] * len(selectors.PAID))
    # Which agency takes part in which proposal, and the flagged reviews (may_count_reviewing),
    # read in the same snapshot as the data the facts are made of: taken before it, a change
    # made and undone while the facts were read (an agency moved by an import and back) left a
    # digest that no longer described the facts, and a conflicted manager's Reviewing counted
    # from them (an insider's attack).
    with reading(), transaction.atomic():
        upto = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        digests, conflicts = agency_digests(upto), conflicts_stamp()
        for model in (*TABLES, FactsRun):  # in SQL: no rows read back, no signals
            _execute(f"DELETE FROM {_t(model)}")
        _execute(
            f"INSERT INTO {_t(ProposalFact)} (proposal_id, round_id, fund_id, opens_at, public, "
            "state, lead_id, lead_agency_id, has_tranches, awarded, released, returned, "
            "released_award, returned_award, outcome_result, spent, learnings, public_learnings, "
            "record_key, agencies, scored) "
            f"SELECT p.id, p.round_id, r.fund_id, r.opens_at, "
            f"CASE WHEN f.is_active AND r.state <> %s THEN %s ELSE %s END, p.state, p.lead_id, "
            f"u.agency_id, CASE WHEN m.pid IS NULL THEN %s ELSE %s END, "
            f"COALESCE(m.awarded, 0), COALESCE(m.released, 0), COALESCE(m.returned, 0), "
            f"CASE WHEN m.n_paid > 0 THEN %s ELSE %s END, "
            f"CASE WHEN m.n_returned > 0 THEN %s ELSE %s END, "
            f"o.result, o.amount_spent, COALESCE(l.n, 0), COALESCE(l.n_public, 0), p.record_key, "
            f"0, 0 "
            f"FROM {prop} p JOIN {round_} r ON r.id = p.round_id JOIN {fund} f ON f.id = r.fund_id "
            f"JOIN {user} u ON u.id = p.lead_id "
            f"LEFT JOIN (SELECT a.proposal_id AS pid, SUM(t.amount) AS awarded, "
            f"SUM(CASE WHEN t.state IN ({paid}) THEN t.amount ELSE 0 END) AS released, "
            f"SUM(CASE WHEN t.state = %s THEN t.amount ELSE 0 END) AS returned, "
            f"SUM(CASE WHEN t.state IN ({paid}) THEN 1 ELSE 0 END) AS n_paid, "
            f"SUM(CASE WHEN t.state = %s THEN 1 ELSE 0 END) AS n_returned "
            f"FROM {award} a JOIN {tranche} t ON t.award_id = a.id GROUP BY a.proposal_id) m "
            f"ON m.pid = p.id "
            f"LEFT JOIN {outcome} o ON o.proposal_id = p.id "
            f"LEFT JOIN (SELECT proposal_id, COUNT(*) AS n, "
            f"SUM(CASE WHEN visibility = %s THEN 1 ELSE 0 END) AS n_public FROM {learning} "
            f"GROUP BY proposal_id) l ON l.proposal_id = p.id "
            f"WHERE p.id IN ({base}) ORDER BY p.round_id, p.id",
            (Round.State.DRAFT, True, False, False, True, True, False, True, False,
             *selectors.PAID, Tranche.State.CANCELLED, *selectors.PAID, Tranche.State.CANCELLED,
             Learning.Visibility.PUBLIC, *params))
        facts = _t(ProposalFact)
        dims = "x.round_id, x.fund_id, x.opens_at, x.public"
        inv, inv_params = selectors._involvement({}, False)
        # Each table in the order its filters read it: an agency's rows together, the
        # others a round's together (the planner's correlation; fewer pages read).
        _execute(f"INSERT INTO {_t(AgencyFact)} (proposal_id, agency_id, has_tranches, "
                 f"released, committed, record_key, {DIMS}) "
                 f"{inv} SELECT pid, aid, x.has_tranches, x.released, x.awarded - x.returned, "
                 f"rk, {dims} FROM inv JOIN {facts} x ON x.proposal_id = pid "
                 f"ORDER BY aid, pid", inv_params)
        _execute(f"UPDATE {facts} SET agencies = (SELECT COUNT(*) FROM {_t(AgencyFact)} g "
                 f"WHERE g.proposal_id = {facts}.proposal_id)")
        # The collaboration figure's counts per round, for every proposal (scope 0) and for
        # each agency's: pairs of agencies, each agency's proposals, proposals by how many
        # agencies take part (4 or more as 4); each with its proposals' record keys summed
        # (`k`: a public cell's key, public.py).
        agency_facts = _t(AgencyFact)
        scoped = f"JOIN {agency_facts} s ON s.proposal_id = x.proposal_id AND s.scope = 0"
        parts = {
            "pair": ("x.agency_id", "y.agency_id",
                     f"FROM {agency_facts} x JOIN {agency_facts} y ON y.proposal_id = "
                     f"x.proposal_id AND y.scope = 0 AND x.agency_id < y.agency_id", ""),
            "agency": ("x.agency_id", "NULL", f"FROM {agency_facts} x", ""),
            "crossing": ("CASE WHEN x.agencies >= 4 THEN 4 ELSE x.agencies END", "NULL",
                         f"FROM {facts} x", "AND x.agencies > 0"),
        }
        # Written in one statement, in the order they are read (a scope's rows of one kind
        # together, by round): an agency's few thousand rows in a few dozen pages, not one a
        # page (they were written kind by kind, every scope's mixed).
        selects = [f"SELECT '{kind}' AS kind, {scope} AS scope, {a} AS a, {b} AS b, "
                   f"COUNT(*) AS n, SUM(x.record_key) AS k, {dims} {source} {join} "
                   f"WHERE x.scope = 0 {where} GROUP BY "
                   + ("" if scope == "0" else f"{scope}, ") + f"{dims}, {a}"
                   + ("" if b == "NULL" else f", {b}")
                   for kind, (a, b, source, where) in parts.items()
                   for scope, join in (("0", ""), ("s.agency_id", scoped))]
        _execute(f"INSERT INTO {_t(PairFact)} (kind, scope, a, b, n, k, {DIMS}) "
                 f"SELECT u.kind, u.scope, u.a, u.b, u.n, u.k, u.round_id, u.fund_id, "
                 f"u.opens_at, u.public FROM ({' UNION ALL '.join(selects)}) AS u "
                 f"ORDER BY u.scope, u.kind, u.round_id, u.a, u.b")
        # And over every round, by scope (and public or not): an agency's figure alone.
        _execute(f"INSERT INTO {_t(PairTotalFact)} (scope, public, kind, a, b, n, k) "
                 f"SELECT x.scope, x.public, x.kind, x.a, x.b, SUM(x.n), SUM(x.k) "
                 f"FROM {_t(PairFact)} x GROUP BY x.scope, x.public, x.kind, x.a, x.b "
                 f"ORDER BY x.scope, x.kind, x.a, x.b")
        for kind, (sql, sql_params) in selectors.duration_queries({}, False).items():
            _execute(f"INSERT INTO {_t(DurationFact)} (proposal_id, kind, days, record_key, "
                     f"{DIMS}) SELECT k.pid, %s, k.d, x.record_key, {dims} FROM ({sql}) AS k "
                     f"JOIN {facts} x ON x.proposal_id = k.pid ORDER BY x.round_id, k.pid",
                     (kind, *sql_params))
        rows = (Assignment.objects.exclude(state=Assignment.State.CONFLICT)
                .filter(proposal_id__in=ProposalFact.objects.filter(scope=0)
                        .values("proposal_id"))
                .annotate(done_on=TruncDate("review__submitted_at",
                                            tzinfo=timezone.get_default_timezone()))
                .order_by().values_list("pk", "proposal_id", "reviewer_id", "state", "due_on",
                                        "done_on", "review__weighted_score",
                                        "review__recommendation"))
        sql, sql_params = rows.query.sql_with_params()
        _execute(f"INSERT INTO {_t(AssignmentFact)} (assignment_id, proposal_id, reviewer_id, "
                 f"state, due_on, done_on, weighted_score, recommendation, {DIMS}) "
                 f"SELECT k.*, {dims} FROM ({sql}) AS k JOIN {facts} x "
                 f"ON x.proposal_id = k.proposal_id ORDER BY x.round_id, k.proposal_id",
                 sql_params)
        assignments = _t(AssignmentFact)
        _execute(f"UPDATE {facts} SET scored = k.n, spread = k.spread, advice_low = k.low, "
                 f"advice_high = k.high FROM (SELECT proposal_id AS pid, COUNT(*) AS n, "
                 f"MAX(weighted_score) - MIN(weighted_score) AS spread, "
                 f"MIN(recommendation) AS low, MAX(recommendation) AS high FROM {assignments} "
                 f"WHERE state = %s AND weighted_score IS NOT NULL GROUP BY proposal_id) AS k "
                 f"WHERE k.pid = {facts}.proposal_id", (Assignment.State.SUBMITTED,))
        # Last, each agency's copies of the rows of the proposals it takes part in.
        agencies = _t(AgencyFact)
        for model in TABLES:
            if model in PER_ROUND:  # counted for each scope: above, below
                continue
            table = _t(model)
            columns = [f.column for f in model._meta.concrete_fields
                       if f.column not in ("id", "scope")]
            _execute(f"INSERT INTO {table} ({', '.join(columns)}, scope) "
                     f"SELECT {', '.join('t.' + c for c in columns)}, s.agency_id "
                     f"FROM {table} t JOIN {agencies} s ON s.proposal_id = t.proposal_id "
                     f"AND s.scope = 0 WHERE t.scope = 0 "
                     f"ORDER BY s.agency_id, t.round_id, t.proposal_id")
        # Each reviewer's assignments per round and scope, as they stand today.
        assignments = _t(AssignmentFact)
        _execute(f"INSERT INTO {_t(ReviewerFact)} (scope, {DIMS}, reviewer_id, assigned, "
                 f"on_time, late, overdue, not_yet_due) "
                 f"SELECT a.scope, a.round_id, a.fund_id, a.opens_at, a.public, {TIMING} "
                 f"FROM {assignments} a GROUP BY a.scope, a.round_id, a.fund_id, a.opens_at, "
                 f"a.public, a.reviewer_id ORDER BY a.scope, a.round_id",
                 _timing_params(timezone.localdate(started)))
        # The money figure's sums per round and scope: each agency's proposals with an award
        # (from AgencyFact, an agency's copies included) and the round's totals (ProposalFact).
        zeros = ("awarded", "returned", "released_awards", "returned_awards", "reports",
                 "k_released", "k_returned", "k_reports")  # a round's totals only
        _execute(f"INSERT INTO {_t(MoneyFact)} (scope, {DIMS}, agency_id, n, k, released, "
                 f"committed, {', '.join(zeros)}) SELECT g.scope, g.round_id, g.fund_id, "
                 f"g.opens_at, g.public, g.agency_id, COUNT(*), SUM(g.record_key), "
                 f"SUM(g.released), SUM(g.committed), {', '.join('0' for _z in zeros)} "
                 f"FROM {_t(AgencyFact)} g WHERE g.has_tranches = %s GROUP BY g.scope, "
                 f"g.round_id, g.fund_id, g.opens_at, g.public, g.agency_id "
                 f"ORDER BY g.scope, g.round_id, g.agency_id", (True,))

        def counted_if(condition: str, value: str = "1") -> str:
            return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"

        _execute(f"INSERT INTO {_t(MoneyFact)} (scope, {DIMS}, agency_id, n, k, awarded, "
                 f"released, returned, committed, spent, released_awards, returned_awards, "
                 f"reports, k_released, k_returned, k_reports) "
                 f"SELECT p.scope, p.round_id, p.fund_id, p.opens_at, p.public, NULL, "
                 f"{counted_if('p.has_tranches = %s')}, "
                 f"{counted_if('p.has_tranches = %s', 'p.record_key')}, SUM(p.awarded), "
                 f"SUM(p.released), SUM(p.returned), SUM(p.awarded - p.returned), SUM(p.spent), "
                 f"{counted_if('p.released_award = %s')}, "
                 f"{counted_if('p.returned_award = %s')}, "
                 f"{counted_if('p.outcome_result IS NOT NULL')}, "
                 f"{counted_if('p.released_award = %s', 'p.record_key')}, "
                 f"{counted_if('p.returned_award = %s', 'p.record_key')}, "
                 f"{counted_if('p.outcome_result IS NOT NULL', 'p.record_key')} "
                 f"FROM {facts} p GROUP BY p.scope, p.round_id, p.fund_id, p.opens_at, "
                 f"p.public ORDER BY p.scope, p.round_id", (True,) * 6)
        _execute(f"INSERT INTO {_t(AgreementFact)} (scope, {DIMS}, proposals, close, "
                 f"unanimous, spread_sum) SELECT p.scope, p.round_id, p.fund_id, p.opens_at, "
                 f"p.public, {AGREEMENT} FROM {facts} p WHERE p.scored >= 2 "
                 f"GROUP BY p.scope, p.round_id, p.fund_id, p.opens_at, p.public "
                 f"ORDER BY p.scope, p.round_id")
        run = FactsRun.objects.create(version=VERSION, computed_at=started, agencies=digests,
                                      proposals_upto=upto, conflicts=conflicts, keyed=True,
                                      seconds=time.perf_counter() - start)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Every row is new: the planner's statistics of these tables, taken again; and the
        # rows deleted, vacuumed away now rather than when autovacuum comes (until then
        # a filter's index scan visits the pages of the old rows as well as the new).
        for model in TABLES:
            _execute(f"VACUUM (ANALYZE) {_t(model)}")
    return run


@contextmanager
def reading():
    """One snapshot for the queries of one figure (PostgreSQL: a REPEATABLE READ
    transaction), so that a refresh committed between two of them is never half seen; on
    SQLite a transaction, whose reads share one snapshot. Inside a transaction already (a
    test's), its own isolation."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def fresh_run() -> FactsRun | None:
    """The facts, if they are of this VERSION and recent enough to be served."""
    from .stored import max_age

    return (FactsRun.objects.filter(version=VERSION, computed_at__gte=timezone.now() - max_age())
            .order_by("-computed_at").first())


def keyed(run: FactsRun) -> bool:
    """Whether a public figure may be counted from the facts of `run`: they carry their
    proposals' record keys (`FactsRun.keyed`, set by build_facts once every key is in) and
    are of this VERSION, so every public count comes with its cell key (public.py)."""
    return bool(run is not None and run.keyed and run.version == VERSION)


def agency_digests(upto: int, agency_id: int | None = None) -> dict[str, str]:
    """Each agency's parties digest: {agency id (str): 32 hex characters}, the MD5 of
    "<lead>:<partner>", where <lead> is the MD5 over the ids, in order, of the proposals up to
    id `upto` that its people lead, and <partner> that of those it partners in (an empty
    string for a part with none). Only `agency_id`'s when given; an agency in none has no
    entry. Each part is read from indexes alone (people.User `user_agency_id`, proposals
    migration 0012) and digested on its own: one union of both, sorted by agency and then by
    id, took twice as long at 100k proposals (issue 17). On SQLite each part's MD5 is made
    here from the same ids, to the same value."""
    import hashlib

    from people.models import User

    names = {"p": _t(Proposal), "u": _t(User), "pa": _t(Proposal.partner_agencies.through)}
    one = agency_id is not None
    parts = (
        ("SELECT u.agency_id, p.id FROM {p} p JOIN {u} u ON u.id = p.lead_id "
         "WHERE p.id <= %s AND u.agency_id " + ("= %s" if one else "IS NOT NULL")),
        ("SELECT pa.agency_id, pa.proposal_id FROM {pa} pa WHERE pa.proposal_id <= %s"
         + (" AND pa.agency_id = %s" if one else "")),
    )
    params = (upto, agency_id) if one else (upto,)
    found: list[dict[str, str]] = []
    with connection.cursor() as cursor:
        for part in parts:
            sql = part.format(**names)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT s.agency_id, md5(string_agg(s.id::text, ',' ORDER BY "
                               f"s.id)) FROM ({sql}) AS s(agency_id, id) GROUP BY s.agency_id",
                               params)
                found.append({str(agency): digest for agency, digest in cursor.fetchall()})
                continue
            cursor.execute(f"{sql} ORDER BY 1, 2", params)
            ids: dict[str, list[str]] = {}
            for agency, pk in cursor.fetchall():
                ids.setdefault(str(agency), []).append(str(pk))
            found.append({agency: hashlib.md5(",".join(pks).encode(),
                                              usedforsecurity=False).hexdigest()
                          for agency, pks in ids.items()})
    lead, partner = found
    return {agency: hashlib.md5(f"{lead.get(agency, '')}:{partner.get(agency, '')}".encode(),
                                usedforsecurity=False).hexdigest()
            for agency in lead.keys() | partner.keys()}


def may_count_reviewing(viewer, run: FactsRun) -> bool:
    """Whether `viewer`'s Reviewing may be counted from the facts of `run` (the module says
    why): they may see the analytics, no review was flagged as a conflict since the facts were
    read, and their agency's parties digest then is its digest now. Two indexed queries; ask
    in the snapshot the figure is counted in (`reading`)."""
    from .selectors import may_view_analytics
    from .stored import conflicts_stamp

    if not getattr(viewer, "pk", None) or not may_view_analytics(viewer):
        return False
    if not run.conflicts or run.conflicts != conflicts_stamp():
        return False
    if viewer.agency_id is None:
        return True
    agency = str(viewer.agency_id)
    now = agency_digests(run.proposals_upto, viewer.agency_id).get(agency, "")
    return (run.agencies or {}).get(agency, "") == now


# --- reading ----------------------------------------------------------------------------------
def counted(*, chosen: dict, public: bool = False, model=ProposalFact) -> QuerySet:
    """The facts (of `model`) of the proposals the figures count under the filters (as
    selectors.proposals_counted chooses them), each table filtered on its own columns."""
    qs = model.objects.order_by()
    if public:
        # As the facts were taken, and still now: a fund made inactive or a round put back
        # to draft since leaves the public figures at once, not at the next refresh (an
        # outsider's attack: the public rows and totals disagreed until then).
        qs = qs.filter(public=True, round_id__in=Round.objects.filter(
            fund__is_active=True).exclude(state=Round.State.DRAFT).order_by().values("pk"))
    if chosen.get("fund"):
        qs = qs.filter(fund_id=chosen["fund"].pk)
    if chosen.get("round"):
        qs = qs.filter(round_id=chosen["round"].pk)
    if chosen.get("year_from"):
        qs = qs.filter(opens_at__gte=_year_start(chosen["year_from"]))
    if chosen.get("year_to"):
        qs = qs.filter(opens_at__lt=_year_start(chosen["year_to"] + 1))
    # The agency's own copies of the rows (`scope`), else the rows of every proposal.
    return qs.filter(scope=chosen["agency"].pk if chosen.get("agency") else 0)


def _where(chosen: dict, public: bool, model, alias: str) -> tuple[str, tuple]:
    """The WHERE of `counted` on `model`'s table, its columns named through `alias`."""
    sql, params = counted(chosen=chosen, public=public, model=model).values(
        "pk").query.sql_with_params()
    where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else "1 = 1"
    return where.replace(f"{_t(model)}.", f"{alias}."), tuple(params)


def funnel_counts(*, chosen: dict, public: bool = False) -> dict:
    """selectors.funnel_counts from the facts: every round's counts in one query (a row per
    round, not per proposal), public: with their record keys summed (selectors._state_counts,
    on the facts' `state` and `record_key`); the totals are their sums."""
    from .selectors import ROUND_LIMIT, STATES, _split_keys, _state_counts, rounds_listed

    rounds_qs = rounds_listed(chosen=chosen, public=public)
    rounds = list(rounds_qs.values("pk", "title", "fund__name", "opens_at")[:ROUND_LIMIT])
    by_round = {row.pop("round_id"): _split_keys(row)
                for row in counted(chosen=chosen, public=public)
                .values("round_id").annotate(**_state_counts(public))}
    empty = dict.fromkeys((s.value for s in STATES), 0)
    for r in rounds:
        r["counts"], r["keys"] = by_round.get(r["pk"], (empty, empty))
    totals = {s.value: sum(c[s.value] for c, _k in by_round.values()) for s in STATES}
    keys = {s.value: sum(k[s.value] for _c, k in by_round.values()) for s in STATES}
    return {"rounds": rounds, "round_count": rounds_qs.count(), "totals": totals,
            "keys": keys}


def durations(*, chosen: dict, public: bool = False) -> dict[str, Spread]:
    """The four times: one query on PostgreSQL (each percentile FILTERed by kind), one a
    kind on SQLite. Public: each with the sum of the record keys of the values it counts
    (`Spread.key`, as selectors.durations)."""
    where, params = _where(chosen, public, DurationFact, "f")
    table = _t(DurationFact)
    if connection.vendor != "postgresql":
        return {kind: spread_of(f"SELECT f.days AS d, f.record_key AS k FROM {table} f "
                                f"WHERE f.kind = %s AND {where}", (kind, *params),
                                keyed=public)
                for kind in KINDS}
    parts = []
    for kind in KINDS:
        only = f"FILTER (WHERE kind = '{kind}' AND days IS NOT NULL)"
        parts += [f"COUNT(days) {only}"] + [
            f"percentile_cont({p / 100}) WITHIN GROUP (ORDER BY days) {only}" for p in (50, 90)]
        parts.append(f"SUM(record_key) {only}" if public else "0")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)} FROM {table} f WHERE {where}", params)
        row = cursor.fetchone()
    return {kind: Spread(int(row[4 * i] or 0),
                         *[None if v is None else float(v) for v in row[4 * i + 1:4 * i + 3]],
                         key=int(row[4 * i + 3] or 0))
            for i, kind in enumerate(KINDS)}


def _left_public(chosen: dict) -> bool:
    """Whether a round public when the facts were taken is public no more (its fund made
    inactive, the round put back to draft): the public sums over every round (PairTotalFact)
    would still count it, so the public figure is then added up from the rounds' counts,
    which `counted` narrows to the rounds public now. One small query (the rounds' money
    totals, MoneyFact: a row per round with counted proposals)."""
    return (MoneyFact.objects.filter(scope=0, agency_id=None, public=True)
            .exclude(round_id__in=Round.objects.filter(fund__is_active=True)
                     .exclude(state=Round.State.DRAFT).order_by().values("pk"))
            .exists())


def collaboration_counts(*, chosen: dict, public: bool = False) -> dict:
    """selectors.collaboration_counts from the facts: the pairs, each agency's proposals and
    the proposals by how many agencies take part, each added up over the rounds' counts
    (with no filter but the agency, the sums kept over every round: PairTotalFact), with
    their record keys' sums (`keys`, the public cells'); one query."""
    from .selectors import PAIR_LIMIT, _fetch, agencies_named

    where, params = _where(chosen, public, PairFact, "x")
    table = _t(PairFact)
    if not any(chosen.get(k) for k in ("fund", "round", "year_from", "year_to")) and (
            not public or not _left_public(chosen)):
        # Every round (an agency's, or every proposal's): the sums kept over them.
        table = _t(PairTotalFact)
        scope = chosen["agency"].pk if chosen.get("agency") else 0
        where, params = ("x.public = %s AND x.scope = %s" if public else "x.scope = %s",
                         (True, scope) if public else (scope,))
    rows = _fetch(
        f"SELECT 1, a, b, n, k FROM (SELECT x.a, x.b, SUM(x.n) AS n, SUM(x.k) AS k "
        f"FROM {table} x WHERE x.kind = %s AND {where} GROUP BY x.a, x.b "
        f"ORDER BY n DESC, x.a, x.b LIMIT {PAIR_LIMIT}) AS top "
        f"UNION ALL SELECT 2, x.a, NULL, SUM(x.n), SUM(x.k) FROM {table} x "
        f"WHERE x.kind = %s AND {where} GROUP BY x.a "
        f"UNION ALL SELECT 3, x.a, NULL, SUM(x.n), SUM(x.k) FROM {table} x "
        f"WHERE x.kind = %s AND {where} GROUP BY x.a "
        f"ORDER BY 1, 4 DESC, 2, 3", ("pair", *params, "agency", *params, "crossing", *params))
    per_agency = {a: n for kind, a, _b, n, _k in rows if kind == 2}
    return {"pairs": [(a, b, n) for kind, a, b, n, _k in rows if kind == 1],
            "per_agency": per_agency,
            "crossing": {a: n for kind, a, _b, n, _k in rows if kind == 3},
            "agencies": agencies_named(per_agency),
            "keys": {"pairs": {(a, b): int(k or 0) for kind, a, b, _n, k in rows if kind == 1},
                     "crossing": {a: int(k or 0) for kind, a, _b, _n, k in rows if kind == 3}}}


def money_figures(*, chosen: dict, public: bool = False) -> dict:
    """selectors.money_figures from the facts: one query over the rounds' sums (MoneyFact:
    a row per round and agency, and the round's totals; the chosen agency's copies when one
    is), and the contributions; public: each count with its proposals' record keys summed
    (an award's key is its proposal's: one award a proposal)."""
    from .selectors import _money, money_from

    rows = counted(chosen=chosen, public=public, model=MoneyFact).values("agency_id").annotate(
        **{c: Sum(c) for c in ("n", "k", "awarded", "released", "returned", "committed",
                               "spent", "released_awards", "returned_awards", "reports",
                               "k_released", "k_returned", "k_reports")})
    received, received_keys = {}, {}
    found = {"awarded": None, "released": None, "returned": None, "spent": None}
    for row in rows:
        aid = row["agency_id"]
        if aid is None:  # the rounds' totals
            found = row
            continue
        received[aid] = (_money(row["released"]), _money(row["committed"]), int(row["n"]))
        received_keys[aid] = int(row["k"] or 0)
    tranches = {"awarded": found["awarded"], "released": found["released"],
                "returned": found["returned"], "awards": int(found.get("n") or 0),
                "released_awards": int(found.get("released_awards") or 0),
                "returned_awards": int(found.get("returned_awards") or 0)}
    reports = {"spent": found["spent"], "reports": int(found.get("reports") or 0)}
    money = money_from(chosen=chosen, public=public, received=received, tranches=tranches,
                       reports=reports)
    money["keys"]["received"] = received_keys
    if public:  # as selectors.money_figures' (the awards' own counts are the proposals')
        award, paid, back, spent = (int(found.get(k) or 0)
                                    for k in ("k", "k_released", "k_returned", "k_reports"))
        money["keys"]["basis"] |= {"awarded": award, "committed": award, "released": paid,
                                   "returned": back, "spent": spent}
    return money


def outcome_counts(*, chosen: dict, public: bool = False) -> dict:
    """selectors.outcome_counts from the facts, one query; public: each count with its
    proposals' record keys summed (a learning's key is its proposal's), and the outcomes
    with a learning with the reports (`with_learning`), as the live public figure gives."""
    facts = counted(chosen=chosen, public=public).filter(outcome_result__isnull=False)
    learned = "public_learnings" if public else "learnings"
    with_learning = Q(**{f"{learned}__gt": 0})
    keys = {"k_outcomes": Sum("record_key"),
            "k_with_learning": Sum("record_key", filter=with_learning),
            "k_learnings": Sum(F("record_key") * F(learned))} if public else {}
    rows = facts.values(result=F("outcome_result")).annotate(
        n_outcomes=Count("pk"), n_learnings=Sum(learned),
        n_with_learning=Count("pk", filter=with_learning), **keys)
    reports, shared = {}, {}
    for row in rows:
        reports[row["result"]] = {"result": row["result"], "outcomes": row["n_outcomes"]}
        if public:
            reports[row["result"]] |= {
                "with_learning": row["n_with_learning"],
                "key_outcomes": int(row["k_outcomes"] or 0),
                "key_outcomes_with_learning": int(row["k_with_learning"] or 0)}
        if row["n_with_learning"]:  # as the live count: a result without a learning is absent
            shared[row["result"]] = {"result": row["result"], "learnings": row["n_learnings"],
                                     "with_learning": row["n_with_learning"]}
            if public:
                shared[row["result"]]["key_learnings"] = int(row["k_learnings"] or 0)
    return {"reports": reports, "learnings": shared}


def _open_sql(viewer) -> tuple[str, tuple]:
    """SQL of the proposals whose review by the viewer is open or in conflict (live)."""
    sql, params = (Assignment.objects.filter(
        reviewer=viewer, state__in=(Assignment.State.ASSIGNED, Assignment.State.CONFLICT))
        .order_by().values("proposal_id").query.sql_with_params())
    return sql, tuple(params)


def _agency_sql(viewer) -> tuple[str, tuple]:
    """SQL of the proposals the viewer's agency leads or partners in, as the facts hold them
    (their agency's copies: may_count_reviewing has checked they still describe it)."""
    sql, params = (AgencyFact.objects.filter(scope=0, agency_id=viewer.agency_id).order_by()
                   .values("proposal_id").query.sql_with_params())
    return sql, tuple(params)


def _own_unseen(viewer) -> tuple[str, tuple]:
    """SQL of the proposals the viewer leads, is on the team of, or whose review by them is
    open or in conflict: a handful, asked live, whose facts are then found by proposal."""
    own = Proposal.objects.filter(lead=viewer).order_by().values("pk").union(
        TeamMember.objects.filter(user=viewer, accepted_at__isnull=False).order_by()
        .values("proposal_id"),
        Assignment.objects.filter(
            reviewer=viewer, state__in=(Assignment.State.ASSIGNED, Assignment.State.CONFLICT))
        .order_by().values("proposal_id"))
    sql, params = own.query.sql_with_params()
    return sql, tuple(params)


def _hidden_rows(viewer, chosen: dict, model, alias: str, columns: str,
                 extra: str = "") -> tuple[str, tuple]:
    """SQL of the rows of `model` (`columns` of them) of the chosen proposals the viewer may
    not see whole: those of their agency's proposals, from its own copies (by index: `scope`
    = the agency; with another agency chosen, those of its proposals too), and, found by
    proposal, the rows of the few proposals they lead, are on the team of, or whose review by
    them is open or in conflict (not their agency's: those are in its copies). One UNION ALL
    whose parts never share a proposal, so that their sums can be taken away from the sums
    kept per round (and scope)."""
    from types import SimpleNamespace

    table = _t(model)
    every, every_params = _where(chosen, False, model, alias)
    own_sql, own_params = _own_unseen(viewer)
    own = (f"SELECT {columns} FROM {table} {alias} WHERE {every}{extra} "
           f"AND {alias}.proposal_id IN ({own_sql})")
    params = (*every_params, *own_params)
    if not viewer.agency_id:
        return own, params
    agency_sql, agency_params = _agency_sql(viewer)
    chosen_agency = chosen.get("agency")
    theirs, theirs_params = _where({**chosen, "agency": SimpleNamespace(pk=viewer.agency_id)},
                                   False, model, alias)
    if chosen_agency is not None and chosen_agency.pk != viewer.agency_id:
        # Of their agency's copies, the proposals the chosen agency takes part in too: the
        # chosen agency's rows among their agency's copies of AgencyFact (a few hundred, by
        # index), whose rows are then found by proposal and scope (index `..._ps`), never
        # by reading every copy of their agency against every proposal of the chosen one.
        both, both_params = (AgencyFact.objects.filter(scope=viewer.agency_id,
                                                       agency_id=chosen_agency.pk)
                             .order_by().values("proposal_id").query.sql_with_params())
        theirs = f"{theirs} AND {alias}.proposal_id IN ({both})"
        theirs_params = (*theirs_params, *both_params)
    return (f"SELECT {columns} FROM {table} {alias} WHERE {theirs}{extra} UNION ALL {own} "
            f"AND {alias}.proposal_id NOT IN ({agency_sql})",
            (*theirs_params, *params, *agency_params))


def _own_rows(viewer, chosen: dict, model, alias: str, columns: str,
              extra: str = "") -> tuple[str, tuple]:
    """SQL of the rows of `model` of the chosen proposals the viewer leads, is on the team of,
    or whose review by them is open or in conflict, found by proposal, less their agency's
    (`_hidden_rows`' second part)."""
    every, every_params = _where(chosen, False, model, alias)
    own_sql, own_params = _own_unseen(viewer)
    sql = (f"SELECT {columns} FROM {_t(model)} {alias} WHERE {every}{extra} "
           f"AND {alias}.proposal_id IN ({own_sql})")
    params = (*every_params, *own_params)
    if viewer.agency_id:
        agency_sql, agency_params = _agency_sql(viewer)
        sql += f" AND {alias}.proposal_id NOT IN ({agency_sql})"
        params = (*params, *agency_params)
    return sql, params


def _sums_of_agency(viewer, chosen: dict) -> bool:
    """Whether what the viewer may not see of their agency's proposals is read from its own
    per-round sums (ReviewerFact, AgreementFact with `scope` = their agency): they have one,
    and no other agency is chosen (the sums are of all its proposals, not of those it shares
    with another)."""
    chosen_agency = chosen.get("agency")
    return bool(viewer.agency_id) and (chosen_agency is None
                                       or chosen_agency.pk == viewer.agency_id)


def _agreement(*, viewer, chosen: dict) -> dict:
    """Agreement over the chosen proposals with at least two submitted, scored reviews, from
    each proposal's own (ProposalFact.scored, spread, advice): the viewer's Reviewing leaves
    out a proposal they may not see whole (a conflict: only their own review of it would be
    left, never two; their review open or in conflict: none), so a proposal counts with all
    its reviews or not at all: the rounds' sums (AgreementFact, the chosen agency's when one
    is) less the proposals the viewer may not see (`_hidden_rows`); the mean spread their sum
    over their number, as AVG divides. One query."""
    from types import SimpleNamespace

    from .selectors import _fetch

    rounds, round_params = _where(chosen, False, AgreementFact, "r")
    if _sums_of_agency(viewer, chosen):
        # Their agency's proposals from its own per-round sums; their own few by proposal.
        theirs, theirs_params = _where({**chosen, "agency": SimpleNamespace(pk=viewer.agency_id)},
                                       False, AgreementFact, "r")
        own, own_params = _own_rows(viewer, chosen, ProposalFact, "p", "p.*",
                                    extra=" AND p.scored >= 2")
        hidden_sum = (f"SELECT SUM(x.n) AS n, SUM(x.c) AS c, SUM(x.u) AS u, SUM(x.s) AS s "
                      f"FROM (SELECT r.proposals AS n, r.close AS c, r.unanimous AS u, "
                      f"r.spread_sum AS s FROM {_t(AgreementFact)} r WHERE {theirs} "
                      f"UNION ALL SELECT {AGREEMENT_AS} FROM ({own}) p) x")
        hidden_params = (*theirs_params, *own_params)
    else:
        hidden, hidden_params = _hidden_rows(viewer, chosen, ProposalFact, "p", "p.*",
                                             extra=" AND p.scored >= 2")
        hidden_sum = f"SELECT {AGREEMENT_AS} FROM ({hidden}) p"
    n = "(COALESCE(t.n, 0) - COALESCE(m.n, 0))"
    # SQLite keeps whole decimals as integers and divides them as integers (80 / 3 = 26, an
    # outsider's attack): its dividend made real, as its AVG is; PostgreSQL's numeric as is.
    real = " * 1.0" if connection.vendor == "sqlite" else ""
    found = _fetch(
        f"SELECT {n}, COALESCE(t.c, 0) - COALESCE(m.c, 0), COALESCE(t.u, 0) - "
        f"COALESCE(m.u, 0), (t.s - COALESCE(m.s, 0)){real} / NULLIF({n}, 0) "
        f"FROM (SELECT SUM(r.proposals) AS n, SUM(r.close) AS c, SUM(r.unanimous) AS u, "
        f"SUM(r.spread_sum) AS s FROM {_t(AgreementFact)} r WHERE {rounds}) AS t "
        f"CROSS JOIN ({hidden_sum}) AS m",
        (*round_params, *hidden_params))[0]
    return {"proposals": int(found[0] or 0), "close": int(found[1] or 0),
            "unanimous": int(found[2] or 0), "mean_spread": found[3]}


# A reviewer's assignments of rows `a`, by how they stand (parameters: _timing_params).
TIMING = (
    "a.reviewer_id, COUNT(*) AS assigned, "
    "SUM(CASE WHEN a.state = %s AND a.done_on <= a.due_on THEN 1 ELSE 0 END) AS on_time, "
    "SUM(CASE WHEN a.state = %s AND a.done_on > a.due_on THEN 1 ELSE 0 END) AS late, "
    "SUM(CASE WHEN a.state = %s AND a.due_on < %s THEN 1 ELSE 0 END) AS overdue, "
    "SUM(CASE WHEN a.state = %s AND a.due_on >= %s THEN 1 ELSE 0 END) AS not_yet_due")


def _timing_params(today) -> tuple:
    submitted, opened = Assignment.State.SUBMITTED, Assignment.State.ASSIGNED
    return (submitted, submitted, opened, today, opened, today)


def _load_by_rounds(*, viewer, chosen: dict, today) -> tuple[str, tuple]:
    """SQL of each reviewer's counted assignments (as `per reviewer` of reviewing_figures):
    their rounds' counts (ReviewerFact, the chosen agency's copies when one is) less the assignments the
    viewer may not see (`_hidden_rows`: those of a proposal whose review by the viewer is
    open or in conflict; others' of a proposal the viewer has a conflict of interest with):
    a few hundred rows a round, their agency's copies and their own few, never every
    assignment."""
    from types import SimpleNamespace

    cols = ("assigned", "on_time", "late", "overdue", "not_yet_due")
    rounds, round_params = _where(chosen, False, ReviewerFact, "r")
    columns = "a.reviewer_id, a.proposal_id, a.state, a.done_on, a.due_on"
    open_sql, open_params = _open_sql(viewer)
    if _sums_of_agency(viewer, chosen):
        # Others' assignments of their agency's proposals from its own per-round sums; of
        # those, their own only where their review is open or in conflict (the rest of their
        # own they may see), and their own few proposals outside it, row by row.
        mine = {**chosen, "agency": SimpleNamespace(pk=viewer.agency_id)}
        theirs, theirs_params = _where(mine, False, ReviewerFact, "r")
        own, own_params = _own_rows(viewer, chosen, AssignmentFact, "a", columns)
        of_them, of_them_params = _where(mine, False, AssignmentFact, "a")
        rows = (f"{own} UNION ALL SELECT {columns} FROM {_t(AssignmentFact)} a "
                f"WHERE {of_them} AND a.reviewer_id = %s AND a.proposal_id IN ({open_sql})")
        rows_params = (*own_params, *of_them_params, viewer.pk, *open_params)
        listed = ", ".join(f"r.{c}" for c in cols)
        summed = ", ".join(f"SUM(x.{c}) AS {c}" for c in cols)
        unseen = (f"SELECT x.reviewer_id, {summed} FROM (SELECT r.reviewer_id, {listed} "
                  f"FROM {_t(ReviewerFact)} r WHERE {theirs} AND r.reviewer_id <> %s "
                  f"UNION ALL SELECT {TIMING} FROM ({rows}) a "
                  f"WHERE NOT (a.reviewer_id = %s AND a.proposal_id NOT IN ({open_sql})) "
                  f"GROUP BY a.reviewer_id) x GROUP BY x.reviewer_id")
        unseen_params = (*theirs_params, viewer.pk, *_timing_params(today), *rows_params,
                         viewer.pk, *open_params)
    else:
        hidden, hidden_params = _hidden_rows(viewer, chosen, AssignmentFact, "a", columns)
        unseen = (f"SELECT {TIMING} FROM ({hidden}) a "
                  f"WHERE NOT (a.reviewer_id = %s AND a.proposal_id NOT IN ({open_sql})) "
                  f"GROUP BY a.reviewer_id")
        unseen_params = (*_timing_params(today), *hidden_params, viewer.pk, *open_params)
    sums = ", ".join(f"SUM(r.{c}) AS {c}" for c in cols)
    less = ", ".join(f"p.{c} - COALESCE(e.{c}, 0) AS {c}" for c in cols)
    return (f"SELECT p.reviewer_id, {less} FROM (SELECT r.reviewer_id, {sums} "
            f"FROM {_t(ReviewerFact)} r WHERE {rounds} GROUP BY r.reviewer_id) AS p "
            f"LEFT JOIN ({unseen}) AS e ON e.reviewer_id = p.reviewer_id "
            f"WHERE p.assigned - COALESCE(e.assigned, 0) > 0",
            (*round_params, *unseen_params))


def reviewing_figures(*, viewer, chosen: dict, run: FactsRun | None = None) -> dict:
    """selectors.reviewing_figures from the facts: two queries on PostgreSQL (the
    assignments chosen grouped by reviewer once, for the busiest and the load's percentiles;
    the agreement from the proposals' facts), three on SQLite."""
    from people.models import Agency

    from .selectors import DISAGREEMENT_SPREAD, REVIEWER_LIMIT, _fetch

    users = _t(Proposal.lead.field.related_model)
    # Open assignments are overdue or not as of the day the facts were taken (as the rest).
    today = timezone.localdate(run.computed_at) if run is not None else timezone.localdate()
    counts = ["assigned", "on_time", "late", "overdue", "not_yet_due"]
    per_reviewer, per_reviewer_params = _load_by_rounds(viewer=viewer, chosen=chosen,
                                                        today=today)
    # The busiest first, with the totals over every reviewer (window functions before the
    # LIMIT); their names looked up for those listed only.
    sums = ", ".join(f"SUM(g.{c}) OVER () AS total_{c}" for c in counts)
    top = (
        "SELECT t.reviewer_id, u.username, u.first_name, u.last_name, ag.code, "
        + ", ".join(f"t.{c}" for c in counts) + ", t.reviewers, "
        + ", ".join(f"t.total_{c}" for c in counts)
        + " {extra} FROM (SELECT g.*, COUNT(*) OVER () AS reviewers, " + sums
        + " FROM ({g}) AS g ORDER BY g.assigned DESC, g.reviewer_id LIMIT "
        + str(REVIEWER_LIMIT) + ") AS t JOIN " + users + " u ON u.id = t.reviewer_id "
        f"LEFT JOIN {_t(Agency)} ag ON ag.id = u.agency_id "
        "ORDER BY t.assigned DESC, t.reviewer_id")
    fields = ["reviewer_id", "reviewer__username", "reviewer__first_name",
              "reviewer__last_name", "reviewer__agency__code"]
    width = len(fields) + len(counts)
    if connection.vendor == "postgresql":
        # `g` is read three times: PostgreSQL computes it once.
        rows = _fetch(
            f"WITH g AS ({per_reviewer}) " + top.format(
                g="SELECT * FROM g",
                extra=", (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY assigned) FROM g), "
                      "(SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY assigned) FROM g)"),
            per_reviewer_params)
        if rows:
            extra = rows[0][width + 1 + len(counts):]
            load_spread = Spread(int(rows[0][width]), *[float(v) for v in extra[:2]])
        else:  # nobody counted: as the live figure gives it
            load_spread = Spread(0, None, None)
    else:
        rows = _fetch(top.format(g=per_reviewer, extra=""), per_reviewer_params)
        load_spread = spread_of(f"SELECT g.assigned AS d FROM ({per_reviewer}) AS g",
                                per_reviewer_params)
    load = [dict(zip(fields + counts, row[:width], strict=True)) for row in rows]
    for row in load:
        for c in counts:
            row[c] = int(row[c] or 0)
    totals = dict.fromkeys(["reviewers", *counts], 0)
    if rows:
        totals = dict(zip(["reviewers", *counts],
                          (int(v or 0) for v in rows[0][width:width + 1 + len(counts)]),
                          strict=True))
    return {"totals": totals, "load": load, "load_spread": load_spread,
            "agreement": _agreement(viewer=viewer, chosen=chosen),
            "threshold": DISAGREEMENT_SPREAD}
