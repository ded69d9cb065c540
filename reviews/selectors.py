"""Read side of reviews: lists apply the same rules as the permission functions."""

import json
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower

from proposals.conflicts import conflict_q
from proposals.models import Proposal
from proposals.selectors import InIds  # noqa: F401  (registers pk__in_ids)

from .models import Assignment, Panel, ProposalScore, Review, Score
from .permissions import ReviewAccess, review_access, sees_scores


class _AmongIds(Func):
    """`column IN (ids)` for a list of ids read before (e.g. `apart_ids_in_round`), as one
    array parameter on PostgreSQL (`column = ANY(%s::bigint[])`): a ranking viewer's 1,300
    conflicts were 1,300 parameters, each prepared by Django and quoted into the query text
    (issue 16). Same rows either way."""

    output_field = BooleanField()

    def __init__(self, column: str, ids):
        super().__init__(F(column))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        lhs, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", ()
        return f"{lhs} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection, **extra):
        # The array as one text literal ('{1,2,3}'), joined here: the driver's own adaptation
        # of a list dumps and quotes each element (~1 ms for 1,300 ids on every ranking page).
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"{lhs} = ANY(%s::bigint[])", (*params, "{" + ",".join(map(str, self.ids)) + "}")


# A spread of this many points (of 100) between a proposal's highest and lowest weighted
# score is flagged as strong disagreement for the panel to discuss.
DISAGREEMENT_SPREAD = Decimal("25.00")

# Proposals that were sent to review appear in the ranking.
RANKED_STATES = (
    Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED,
    Proposal.State.REJECTED, Proposal.State.FUNDED, Proposal.State.DECLINED,
    Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)
# Those still drawing on the round's budget count towards the funding line.
CONTENDING_STATES = (
    Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED,
    Proposal.State.FUNDED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_SCORE = DecimalField(max_digits=5, decimal_places=2)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _assignment_list_qs() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "proposal__round", "proposal__lead__agency", "panel", "reviewer__agency"
    )


def assignments_for_reviewer(*, user, filters: dict | None = None) -> QuerySet[Assignment]:
    """A reviewer's own assignments, due nearest first (open ones before finished ones)."""
    if not _active(user):
        return Assignment.objects.none()
    qs = _assignment_list_qs().filter(reviewer=user)
    if (filters or {}).get("state"):
        qs = qs.filter(state=filters["state"])
    return qs.annotate(
        open_first=Case(When(state=Assignment.State.ASSIGNED, then=Value(0)), default=Value(1))
    ).order_by("open_first", "due_on", "id")


def assignments_visible_to(user, filters: dict | None = None) -> QuerySet[Assignment]:
    """Own assignments; a chair's: those of the panels they chair; a fund manager's: all.
    Never those on proposals the user has a conflict with, other than their own.

    A reviewer's or chair's list is a UNION of indexed id subqueries (own, chaired panels,
    stand-in duties), so it reads what they may see, not every assignment; a fund manager's
    walks the (due_on, id) index. The conflict (`conflict_q`) is asked of each assignment's
    own proposal (its lead, team and partners, by index), never by first listing every
    proposal the person has a conflict with (~13k for a person of a large agency at 100k)."""
    if not _active(user):
        return Assignment.objects.none()
    filters = filters or {}
    own = Q(reviewer=user)
    clear = ~conflict_q(user, prefix="proposal__")
    if user.is_fund_manager:
        visible = own | clear
    else:
        chaired = Panel.objects.filter(Q(chair=user) | Q(deputy_chair=user)).values("pk")
        stood_in = user.stand_in_duties.values("proposal")
        paths = [
            Assignment.objects.filter(own),
            Assignment.objects.filter(Q(panel__in=chaired) & clear),
            Assignment.objects.filter(Q(proposal__in=stood_in) & clear),
        ]
        first, *rest = (path.order_by().values("pk") for path in paths)
        visible = Q(pk__in_ids=first.union(*rest))  # proposals.selectors.InIds
    qs = _assignment_list_qs().filter(visible)
    for name in ("state", "panel", "proposal", "reviewer"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("round"):
        qs = qs.filter(proposal__round=filters["round"])
    return qs.order_by("due_on", "id")


def panels_visible_to(user) -> QuerySet[Panel]:
    """Fund managers see every panel; others the panels they chair or sit on."""
    if not _active(user):
        return Panel.objects.none()
    qs = Panel.objects.select_related("round", "chair__agency").prefetch_related(
        "members__agency"
    )
    if user.is_fund_manager:
        return qs
    return qs.filter(
        pk__in=Panel.objects.filter(
            Q(chair=user) | Q(deputy_chair=user) | Q(members=user) | Q(stand_ins__chair=user)
        ).values("pk")
    )


def panel_assignments(*, panel: Panel, viewer) -> QuerySet[Assignment]:
    return assignments_visible_to(viewer).filter(panel=panel).order_by(
        "proposal__title", "proposal_id", "reviewer__last_name", "id"
    )


def ranking_round_or_none(user, pk: int):
    """The round whose ranking `user` asks for, when they may know it exists: every round but
    drafts; a draft for fund managers and the chairs of its panels. None otherwise, so a round
    the user may not see is answered like one that does not exist (404, not 403)."""
    from fund.models import Round
    from fund.selectors import can_view_round

    from .permissions import can_view_ranking

    round_ = Round.objects.select_related("fund").filter(pk=pk).first()
    if round_ is None or not (can_view_round(user, round_) or can_view_ranking(user, round_)):
        return None
    return round_


# The ranking page lists this many proposals a page; the API honours `page_size` up to
# RANKING_PAGE_SIZE_MAX. The order, the ranks, the running totals and the funding line are the
# database's, over the whole round, whatever the page (see `ranking_page`).
RANKING_PAGE_SIZE = 50
RANKING_PAGE_SIZE_MAX = 500

# The ranking's order: mean score (highest first, unscored last), then the smaller request,
# then the older proposal. Deterministic, so a rank never moves between pages. The mean is the
# stored one (ProposalScore, kept by reviews/services/scores.py), so the ranking reads one row
# a proposal instead of aggregating every review of the round.
_RANKING_ORDER = (F("mean_score").desc(nulls_last=True), F("requested_amount").asc(),
                  F("id").asc())
# The orders a ranking can be read in: by the raw mean weighted score, or by the calibrated
# score (reviews/calibration.py: each reviewer's leniency taken out within the round), then
# as above. The funding line is drawn on the order chosen.
RANKING_ORDERS = ("mean", "calibrated")
_RANKING_ORDERS = {
    "mean": _RANKING_ORDER,
    "calibrated": (F("calibrated_score").desc(nulls_last=True), F("requested_amount").asc(),
                   F("id").asc()),
}


def ranking_order(value) -> str:
    """`?order=` of a ranking: "calibrated", or "mean" for anything else."""
    return value if value in RANKING_ORDERS else "mean"


def _contending_amount():
    return Case(
        When(state__in=CONTENDING_STATES, then=Coalesce("requested_amount", Value(Decimal(0)))),
        default=Value(Decimal(0)), output_field=_MONEY,
    )


def _own_review_open_or_conflicted(viewer) -> QuerySet:
    """The proposals where `viewer`'s own assignment is still open (blind review: they may
    not see the others' scores yet) or in conflict (declared or flagged: they see nothing of
    its review, whatever their role; permissions.review_access)."""
    return (Assignment.objects.filter(
        reviewer=viewer, state__in=(Assignment.State.ASSIGNED, Assignment.State.CONFLICT))
        .order_by().values("proposal_id"))


def _conflict_ids_q(viewer, pk: str = "pk", lead: str = "lead_id") -> Q:
    """`proposals.conflicts.conflict_q(viewer)` (they lead it, are an accepted member of its
    team, or their agency leads or partners it) as tests of a row's proposal id (`pk`) and
    lead id (`lead`) against small sets of ids the database reads once (hashed), not
    subqueries and joins run on every row of the round (tests/reviews/test_proposal_scores.py
    checks both find the same)."""
    from people.models import User
    from proposals.models import TeamMember

    q = Q(**{lead: viewer.pk}) | Q(**{f"{pk}__in": TeamMember.objects.filter(
        user_id=viewer.pk, accepted_at__isnull=False).order_by().values("proposal_id")})
    if viewer.agency_id:
        q |= Q(**{f"{lead}__in": User.objects.filter(agency_id=viewer.agency_id).order_by()
                  .values("pk")})
        q |= Q(**{f"{pk}__in": Proposal.partner_agencies.through.objects.filter(
            agency_id=viewer.agency_id).order_by().values("proposal_id")})
    return q


def _set_apart_q(viewer, pk: str = "pk", lead: str = "lead_id") -> Q:
    """A filter on Proposal (or on ProposalScore, with `pk="proposal_id"`): the proposals not
    ranked for `viewer` (listed apart, title and state only): those they have a conflict of
    interest with, and those where their own review is still open or in conflict. Their rank,
    running total, review count and scores would tell what the blind rule and the conflict
    rule hide."""
    return (_conflict_ids_q(viewer, pk, lead)
            | Q(**{f"{pk}__in": _own_review_open_or_conflicted(viewer)}))


# The ranking's order on the stored rows: `sort_score` is the mean, or -1 without one.
_SCORE_ORDER = (F("sort_score").desc(), F("requested_amount").asc(), F("proposal_id").asc())
# ... and by the calibrated score (index `proposal_score_calibrated`).
_SCORE_ORDERS = {
    "mean": _SCORE_ORDER,
    "calibrated": (F("calibrated_sort_score").desc(), F("requested_amount").asc(),
                   F("proposal_id").asc()),
}


def ranked_scores(*, round_, viewer=None, apart_ids=None,
                  order: str = "mean") -> QuerySet[ProposalScore]:
    """The stored ranking rows of the round's ranked proposals, less those set apart for
    `viewer` (`apart_ids` when the caller has read them: `apart_ids_in_round`), in the
    ranking's order, with `rank` and `cumulative_requested` over all of them (window
    functions): the order is the index `proposal_score_ranking`'s (`proposal_score_calibrated`'s
    with `order="calibrated"`), so page 1 and the funding line are read along it, and nothing
    but these narrow rows is sorted."""
    sort = list(_SCORE_ORDERS[order])
    qs = ProposalScore.objects.filter(round=round_, state__in=RANKED_STATES)
    if apart_ids is not None:
        if apart_ids:
            qs = qs.exclude(_AmongIds("proposal_id", apart_ids))
    elif _active(viewer):
        qs = qs.exclude(_set_apart_q(viewer, pk="proposal_id"))
    # The running total (and so the funding line) always follows the official mean weighted
    # score (DOMAIN.md), whatever order the rows are shown and numbered in.
    return qs.annotate(
        cumulative_requested=Window(Sum(_contending_amount()),
                                    order_by=list(_SCORE_ORDERS["mean"])),
        rank=Window(expression=_row_number(), order_by=sort),
    ).order_by(*sort)


def apart_ids_in_round(*, round_, viewer) -> list[int]:
    """The ids of the round's ranked proposals set apart for `viewer` (`_set_apart_q`), read
    once (one query) so a page's other queries test ids, not the rule again."""
    if not _active(viewer):
        return []
    return list(ProposalScore.objects.filter(round=round_, state__in=RANKED_STATES)
                .filter(_set_apart_q(viewer, pk="proposal_id"))
                .values_list("proposal_id", flat=True))


class _IdsWhere(Aggregate):
    """The ids of the rows its `filter` keeps, gathered by the database: `ARRAY_AGG` on
    PostgreSQL (a list), `JSON_GROUP_ARRAY` on SQLite (a JSON text); `_id_list` reads
    either. Both honour `FILTER (WHERE ...)`, so one scan of the round's rows counts them all
    and lists those set apart (`ranked_and_apart_ids`)."""

    function = "ARRAY_AGG"
    output_field = TextField()  # no converter: the driver's list, or SQLite's text

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def _id_list(value) -> list[int]:
    if not value:
        return []
    if isinstance(value, str):
        value = json.loads(value)
    # (None: a backend without FILTER gathers `CASE WHEN ... END`, null for the others.)
    return [int(pk) for pk in value if pk is not None]


def ranked_and_apart_ids(*, round_, viewer) -> tuple[int, list[int]]:
    """(the number of the round's ranked proposals, the ids of those set apart for `viewer`:
    `apart_ids_in_round`) in one query, one scan of the round's stored ranking rows: the
    ranking page asked the two apart (issue 16)."""
    qs = ProposalScore.objects.filter(round=round_, state__in=RANKED_STATES)
    if not _active(viewer):
        return qs.count(), []
    found = qs.aggregate(every=Count("pk"), apart=_IdsWhere(
        "proposal_id", filter=_set_apart_q(viewer, pk="proposal_id")))
    return found["every"] or 0, _id_list(found["apart"])


def round_ranking(*, round_, viewer=None, order: str = "mean") -> QuerySet[Proposal]:
    """The round's proposals by mean weighted score (submitted reviews only), with review
    count, spread, rank and the running total of requested amounts, the rank and running total
    computed by the database over the whole round (window functions), so a slice of it keeps
    them exact. Proposals set apart for `viewer` (`_set_apart_q`: a conflict of interest, or
    their own review open or in conflict) are left out: they are not ranked for them, and the
    others are numbered without them (`set_apart_in_round`). `order="calibrated"` ranks by
    the calibrated score instead of the mean."""
    sort = list(_RANKING_ORDERS[order])
    qs = Proposal.objects.filter(round=round_, state__in=RANKED_STATES)
    if _active(viewer):
        qs = qs.exclude(_set_apart_q(viewer))
    return (
        qs.select_related("lead__agency")
        .annotate(
            mean_score=F("score_summary__mean_score"),
            review_count=Coalesce(F("score_summary__review_count"), Value(0)),
            high_score=F("score_summary__high_score"),
            low_score=F("score_summary__low_score"),
            calibrated_score=F("score_summary__calibrated_score"),
        )
        .annotate(
            # The official order's running total whatever the order shown (DOMAIN.md).
            cumulative_requested=Window(Sum(_contending_amount()),
                                        order_by=list(_RANKING_ORDERS["mean"])),
            rank=Window(expression=_row_number(), order_by=sort),
        )
        .order_by(*sort)
    )


# The fields of a proposal a ranking row reads (`_ranked_row`; the page's table and the API's
# rows: its id, title and state). With `annotate`, a caller (the round portfolio) reads whole
# proposals with their lead and agency.
RANKED_ROW_FIELDS = ("id", "title", "state", "requested_amount")


def _ranked_slice(*, round_, viewer, start: int, stop: int | None, annotate=None,
                  apart_ids=None, order: str = "mean") -> list:
    """The ranked proposals from `start` to `stop` (all to the end when None) in two queries:
    the rank and running total of each, over the whole round, from the stored rows (a narrow
    query along an index), then those proposals themselves (with what `annotate` adds), by
    id. Each comes back with `rank`, `cumulative_requested`, `mean_score`, `review_count`,
    `high_score`, `low_score` and `calibrated_score` set."""
    narrow = ranked_scores(round_=round_, viewer=viewer, apart_ids=apart_ids,
                           order=order).values_list(
        "proposal_id", "rank", "cumulative_requested", "mean_score", "review_count",
        "high_score", "low_score", "calibrated_score")
    numbers = list(narrow[start:stop])
    if not numbers:
        return []
    qs = Proposal.objects.filter(pk__in=[row[0] for row in numbers]).order_by()
    if annotate is not None:
        qs = annotate(qs.select_related("lead__agency"))
    else:
        # What a ranking row reads of the proposal (`_ranked_row`, the page, the API), and
        # its lead's agency by a join: no person or agency built for each row (issue 16).
        qs = qs.only(*RANKED_ROW_FIELDS).annotate(lead_agency_code=F("lead__agency__code"))
    found = {proposal.pk: proposal for proposal in qs}
    rows = []
    for pk, rank, cumulative, mean, count, high, low, calibrated in numbers:
        proposal = found.get(pk)
        if proposal is None:  # gone between the two queries
            continue
        proposal.rank, proposal.cumulative_requested = rank, cumulative
        proposal.mean_score, proposal.review_count = mean, count
        proposal.high_score, proposal.low_score = high, low
        proposal.calibrated_score = calibrated
        rows.append(proposal)
    return rows


def set_apart_in_round(*, round_, viewer, apart_ids=None) -> QuerySet[Proposal]:
    """The round's ranked proposals set apart for `viewer` (`_set_apart_q`; `apart_ids` when
    the caller has read them), by title, each with `review_pending` (their own review is
    open, and no conflict of interest) or else a conflict."""
    if not _active(viewer):
        return Proposal.objects.none()
    open_own = Assignment.objects.filter(
        proposal=OuterRef("pk"), reviewer=viewer, state=Assignment.State.ASSIGNED)
    qs = Proposal.objects.filter(round=round_, state__in=RANKED_STATES)
    qs = (qs.filter(pk__in=list(apart_ids)) if apart_ids is not None
          else qs.filter(_set_apart_q(viewer)))
    return (qs.annotate(review_pending=Case(
                When(_conflict_ids_q(viewer), then=Value(False)),
                When(Exists(open_own), then=Value(True)), default=Value(False)))
            .order_by(Lower("title"), "id"))


# The name the portfolio knew (documents/portfolio.py).
conflicted_in_round = set_apart_in_round


def ranking_counts(*, round_, viewer=None) -> tuple[int, int]:
    """(ranked, set apart) for `viewer`: one query, on the stored ranking rows."""
    qs = ProposalScore.objects.filter(round=round_, state__in=RANKED_STATES)
    if not _active(viewer):
        return qs.count(), 0
    counts = qs.aggregate(all=Count("pk"),
                          apart=Count("pk", filter=_set_apart_q(viewer, pk="proposal_id")))
    return (counts["all"] or 0) - (counts["apart"] or 0), counts["apart"] or 0


@dataclass(frozen=True)
class FundingLine:
    """Where the money runs out: after rank `after_rank` (None when every request fits);
    `fitting` is what the contending proposals above the line ask in all."""

    after_rank: int | None
    fitting: Decimal | None


def funding_line(*, round_, viewer=None, apart_ids=None, order: str = "mean") -> FundingLine:
    """The funding line of the whole round, computed by the database (one query), not from a
    page's rows: it falls before the first proposal still contending whose running total
    passes the budget. The running total never decreases, and a row that does not contend
    repeats the total before it, so the first row past the budget is always a contending one,
    and what the rows above it ask is its running total less its own request. `order`: the
    ranking's order the line is drawn on (`RANKING_ORDERS`)."""
    past = (ranked_scores(round_=round_, viewer=viewer, apart_ids=apart_ids, order=order)
            .filter(cumulative_requested__gt=round_.budget)
            .values_list("rank", "cumulative_requested", "requested_amount")[:1])
    first_past = next(iter(past), None)
    if first_past is None:
        return FundingLine(None, None)
    rank, cumulative, requested = first_past
    return FundingLine(rank - 1, Decimal(cumulative) - Decimal(requested or 0))


def funding_line_after_rank(*, round_, viewer=None) -> int | None:
    """The rank after which the funding line falls (see `funding_line`)."""
    return funding_line(round_=round_, viewer=viewer).after_rank


@dataclass
class RankingPage:
    """One page of a round's ranking as `viewer` may read it: the ranked rows of the page,
    then (after the last ranked row) the rows set apart for the viewer's conflicts.
    `funding_line_after_rank` is the round's, whatever the page (None when every request
    fits, or when the viewer sees no totals)."""

    rows: list[dict]
    number: int
    page_size: int | None
    ranked_count: int
    apart_count: int
    totals_shown: bool
    funding_line_after_rank: int | None
    funding_line_fitting: Decimal | None = None
    # The order the rows are ranked in ("mean" or "calibrated"), and whether the viewer is
    # shown calibrated scores at all (see `ranking_page`).
    order: str = "mean"
    calibration_shown: bool = False

    @property
    def count(self) -> int:
        return self.ranked_count + self.apart_count

    @property
    def num_pages(self) -> int:
        if not self.page_size:
            return 1
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    # the interface of a Django Page, for templates/_pagination.html
    @property
    def paginator(self) -> "RankingPage":
        return self

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def ranked(self) -> list[dict]:
        return [row for row in self.rows if not row["apart"]]

    @property
    def apart(self) -> list[dict]:
        return [row for row in self.rows if row["apart"]]

    @property
    def apart_pending(self) -> list[dict]:
        """Set apart because the viewer's own review of it is still open."""
        return [row for row in self.apart if row["review_pending"]]

    @property
    def apart_conflicted(self) -> list[dict]:
        return [row for row in self.apart if not row["review_pending"]]

    @property
    def funding_line_page(self) -> int | None:
        """The page whose first proposals past the line are listed (where the line is drawn)."""
        line = self.funding_line_after_rank
        if line is None:
            return None
        if not self.page_size:
            return 1
        return line // self.page_size + 1

    @property
    def funding_line_at_end(self) -> bool:
        """The line falls right after this page's last ranked row (drawn on the next page)."""
        ranked = self.ranked
        return bool(ranked) and self.funding_line_after_rank == ranked[-1]["rank"] \
            and not any(row["funding_line_before"] for row in ranked)

    @property
    def first_rank(self) -> int | None:
        ranked = self.ranked
        return ranked[0]["rank"] if ranked else None

    @property
    def last_rank(self) -> int | None:
        ranked = self.ranked
        return ranked[-1]["rank"] if ranked else None


def page_number(value, *, count: int, page_size: int) -> int:
    """A page number from a query string: 1 when missing or bad, the last when past it."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    last = max(1, -(-count // page_size)) if page_size else 1
    return min(max(number, 1), last)


def ranking_page(*, round_, viewer=None, page=1, page_size: int | None = RANKING_PAGE_SIZE,
                 counts: tuple[int, int] | None = None, apart_rows: bool = True,
                 annotate=None, order: str = "mean") -> RankingPage:
    """Page `page` of the ranking (every row when `page_size` is None), shaped for `viewer`.

    A constant number of queries whatever the round's size: the counts (one), the funding
    line (one, when the viewer sees totals), the page's ranked rows (one) and, on the pages
    reaching past the ranked rows, the rows set apart (one). Ranks, running totals and the
    funding line come from the database over the whole round, so they continue across pages
    and the line is where it would be in the whole list. `apart_rows=False` leaves the rows
    set apart out of the page (they are still counted); `annotate`, a function of the ranked
    queryset, adds what a caller needs of each row (e.g. its award).

    Scores are hidden where the viewer has not yet submitted their own review of the proposal
    (blind review) and from viewers who never see scores. A proposal the viewer has a conflict
    with is not ranked for them at all: its row (title and state only: no rank, amount,
    review count or scores) comes after the ranked rows, in title order, and the ranked rows
    are numbered without it, so no gap tells where it stood. Such a viewer sees no running
    totals and no funding line either (`totals_shown` False on every row): a jump in the
    running total would show the hidden proposal's place and amount. Every other row is
    marked above or below the round's funding line.

    Calibrated scores (each row's `calibrated_score`, and `order="calibrated"`, which ranks
    the rows by them; the running totals and the funding line always follow the official mean
    weighted score, DOMAIN.md, so in that order the rows above the line are marked but the
    line is not drawn between rows) are shown only to a viewer who sees scores and has
    nothing set apart (`calibration_shown`): a proposal's calibrated score moves with every
    other score its reviewers gave in the round, so it would tell something of the proposals
    set apart. For anyone else the order is the mean's."""
    apart_ids = None
    if counts is None:
        # Who is set apart is read once, with the count (one query), and the other queries
        # test ids.
        every, apart_ids = ranked_and_apart_ids(round_=round_, viewer=viewer)
        counts = (every - len(apart_ids), len(apart_ids))
    ranked_count, apart_count = counts
    if page_size:
        number = page_number(page, count=ranked_count + apart_count, page_size=page_size)
        start, stop = (number - 1) * page_size, number * page_size
    else:
        number, start, stop = 1, 0, ranked_count + apart_count
    totals_shown = apart_count == 0
    scores_shown = viewer is None or sees_scores(viewer)
    calibration_shown = scores_shown and totals_shown
    order = ranking_order(order) if calibration_shown else "mean"
    line = (funding_line(round_=round_, viewer=viewer, apart_ids=apart_ids)
            if totals_shown else FundingLine(None, None))
    budget = round_.budget

    rows = []
    if start < ranked_count:
        for proposal in _ranked_slice(round_=round_, viewer=viewer, start=start,
                                      stop=min(stop, ranked_count), annotate=annotate,
                                      apart_ids=apart_ids, order=order):
            rows.append(_ranked_row(proposal, scores_shown=scores_shown, budget=budget,
                                    totals_shown=totals_shown,
                                    line=line.after_rank if order == "mean" else None,
                                    calibration_shown=calibration_shown))
    if apart_rows and apart_count and stop > ranked_count:
        apart = set_apart_in_round(round_=round_, viewer=viewer, apart_ids=apart_ids)
        rows.extend(_apart_row(proposal) for proposal in
                    apart[max(0, start - ranked_count):stop - ranked_count])
    return RankingPage(rows=rows, number=number, page_size=page_size,
                       ranked_count=ranked_count, apart_count=apart_count,
                       totals_shown=totals_shown, funding_line_after_rank=line.after_rank,
                       funding_line_fitting=line.fitting, order=order,
                       calibration_shown=calibration_shown)


def iter_ranking_rows(*, round_, viewer=None, annotate=None, chunk_size: int = 1000,
                      order: str = "mean"):
    """Every row of the ranking shaped for `viewer` as `ranking_page` shapes them, streamed
    (constant memory, a constant number of queries): for files of the whole ranking."""
    ranked_count, apart_count = ranking_counts(round_=round_, viewer=viewer)
    totals_shown = apart_count == 0
    scores_shown = viewer is None or sees_scores(viewer)
    calibration_shown = scores_shown and totals_shown
    order = ranking_order(order) if calibration_shown else "mean"
    line = (funding_line(round_=round_, viewer=viewer) if totals_shown
            else FundingLine(None, None))
    qs = round_ranking(round_=round_, viewer=viewer, order=order)
    if annotate is not None:
        qs = annotate(qs)
    for proposal in qs.iterator(chunk_size=chunk_size):
        yield _ranked_row(proposal, scores_shown=scores_shown, budget=round_.budget,
                          totals_shown=totals_shown,
                          line=line.after_rank if order == "mean" else None,
                          calibration_shown=calibration_shown)
    if apart_count:
        for proposal in set_apart_in_round(round_=round_, viewer=viewer).iterator(
                chunk_size=chunk_size):
            yield _apart_row(proposal)


def _ranked_row(proposal: Proposal, *, scores_shown: bool, budget, totals_shown: bool,
                line: int | None, calibration_shown: bool = False) -> dict:
    # The viewer's own open reviews are set apart (`_set_apart_q`): none is ranked here.
    pending = False
    hidden = not scores_shown
    spread = None
    if proposal.high_score is not None and proposal.low_score is not None:
        spread = Decimal(proposal.high_score) - Decimal(proposal.low_score)
    mean = proposal.mean_score
    calibrated = getattr(proposal, "calibrated_score", None)
    contending = proposal.state in CONTENDING_STATES
    if hasattr(proposal, "lead_agency_code"):  # `_ranked_slice`'s narrow rows
        lead_agency = proposal.lead_agency_code
    else:
        agency = proposal.lead.agency
        lead_agency = agency.code if agency is not None else None
    row = {
        "rank": proposal.rank,
        "proposal": proposal,
        "lead_agency": lead_agency,
        "requested_amount": proposal.requested_amount,
        "mean_weighted_score": None if hidden or mean is None
        else Decimal(mean).quantize(Decimal("0.01")),
        "calibrated_score": None if hidden or not calibration_shown or calibrated is None
        else Decimal(calibrated).quantize(Decimal("0.01")),
        "review_count": None if not scores_shown else proposal.review_count,
        "spread": None if hidden or spread is None else spread.quantize(Decimal("0.01")),
        "disagreement": (not hidden) and spread is not None and spread >= DISAGREEMENT_SPREAD,
        "contending": contending,
        "conflict": False,
        "apart": False,
        "review_pending": pending,
        "scores_hidden": hidden,
        "totals_shown": totals_shown,
    }
    if not totals_shown:
        row.update(cumulative_requested=None, above_funding_line=None,
                   funding_line_before=False)
        return row
    cumulative = Decimal(proposal.cumulative_requested or 0)
    row.update(
        cumulative_requested=cumulative,
        above_funding_line=contending and cumulative <= budget,
        # the line sits before the first contending row past the budget
        funding_line_before=line is not None and proposal.rank == line + 1,
    )
    return row


def _row_number():
    from django.db.models.functions import RowNumber

    return RowNumber()


def ranking_rows(*, round_, viewer=None, order: str = "mean") -> list[dict]:
    """The whole ranking as rows, shaped for `viewer` (see `ranking_page`): for callers that
    need every row at once. Pages and the API read one page at a time."""
    return ranking_page(round_=round_, viewer=viewer, page_size=None, order=order).rows


def _apart_row(proposal: Proposal) -> dict:
    """A proposal set apart for the viewer: its title and state, nothing of its review or of
    its place in the ranking. `conflict` when they have a conflict of interest with it (or
    declared one), `review_pending` when their own review of it is still open."""
    pending = bool(getattr(proposal, "review_pending", False))
    return {
        "rank": None, "proposal": proposal, "lead_agency": None, "requested_amount": None,
        "mean_weighted_score": None, "calibrated_score": None, "review_count": None,
        "spread": None,
        "disagreement": False, "cumulative_requested": None, "contending": False,
        "above_funding_line": None, "conflict": not pending, "apart": True,
        "review_pending": pending, "scores_hidden": True, "funding_line_before": False,
        "totals_shown": False,
    }


_conflicted_row = _apart_row


@dataclass(frozen=True)
class CalibrationSummary:
    """The round's calibration as its ranking shows it (reviews/calibration.py): Krippendorff's
    interval alpha (None when undefined), the numbers of counted reviews and reviewers, the
    reviews' mean and pooled within-reviewer standard deviation (0-100), and the flagged
    reviewers as (`FlaggedReviewer`, mean, number of reviews), by name."""

    alpha: float | None
    review_count: int
    reviewer_count: int
    round_mean: float | None
    pooled_sd: float | None
    flagged: list


@dataclass(frozen=True)
class FlaggedReviewer:
    """A flagged reviewer as the ranking page and the API name them: what they read of a
    `User` (`pk`, `username`, `get_full_name()`, `agency.code`), read as plain values, not
    as a person built with every field for each of the ~150 a large round flags (issue 16)."""

    pk: int
    username: str
    first_name: str
    last_name: str
    agency: SimpleNamespace | None  # `.code`, as `User.agency`

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()  # as AbstractUser's


def calibration_summary(*, round_, shown: bool) -> CalibrationSummary | None:
    """The round's stored calibration (RoundCalibration, kept by
    reviews.services.scores.calibrate_round) for a viewer to whom calibration is `shown`
    (`RankingPage.calibration_shown`: they see scores and have nothing set apart in the
    round); None otherwise, or before any review. Two queries at most (the summary, then the
    flagged reviewers' names), whatever the round's size. Each flagged reviewer is a
    `FlaggedReviewer`."""
    from people.models import User

    from .models import RoundCalibration

    if not shown:
        return None
    stored = RoundCalibration.objects.filter(round=round_).first()
    if stored is None or not stored.review_count:
        return None
    flagged = []
    if stored.flagged:
        users = {
            pk: FlaggedReviewer(pk, username, first, last,
                                None if agency_id is None else SimpleNamespace(code=code))
            for pk, username, first, last, agency_id, code in User.objects.filter(
                pk__in=[item["reviewer"] for item in stored.flagged]).values_list(
                "pk", "username", "first_name", "last_name", "agency_id", "agency__code")
        }
        flagged = sorted(
            ((users[item["reviewer"]], item["mean"], item["reviews"])
             for item in stored.flagged if item["reviewer"] in users),
            key=lambda f: (f[0].last_name.lower(), f[0].first_name.lower(), f[0].pk))
    return CalibrationSummary(
        alpha=stored.alpha, review_count=stored.review_count,
        reviewer_count=stored.reviewer_count, round_mean=stored.round_mean,
        pooled_sd=stored.pooled_sd, flagged=flagged)


def reviews_for_viewer(*, proposal: Proposal, viewer) -> tuple[ReviewAccess, list[Review]]:
    """The reviews of a proposal `viewer` may read, and how much of each (see review_access)."""
    access = review_access(viewer, proposal)
    if access == ReviewAccess.NONE:
        return access, []
    qs = (
        Review.objects.filter(assignment__proposal=proposal)
        .select_related("assignment__reviewer__agency")
        .prefetch_related(Prefetch("scores", Score.objects.select_related("criterion")))
        .order_by("assignment__id")
    )
    if access == ReviewAccess.OWN:
        qs = qs.filter(assignment__reviewer=viewer)
    else:
        qs = qs.filter(assignment__state=Assignment.State.SUBMITTED)
    return access, list(qs)


def proposals_awaiting_decision(*, chair) -> list[Proposal]:
    """In review, quorum reached, and `chair` its acting chair: theirs to decide (oldest
    submitted first). Never a proposal they have a conflict with, nor one whose review by them
    is still open (blind review: whether the others' reached quorum is not theirs to know)."""
    from .chairs import proposals_where_acting_chair

    found = []
    for p in proposals_where_acting_chair(chair, states=(Proposal.State.IN_REVIEW,)):
        if any(a.reviewer_id == chair.pk and a.state == Assignment.State.ASSIGNED
               for a in p.assignments.all()):
            continue
        p.submitted_reviews = sum(1 for a in p.assignments.all()
                                  if a.state == Assignment.State.SUBMITTED)
        if p.submitted_reviews >= p.round.reviews_required:
            found.append(p)
    return found


def proposals_short_of_reviewers(*, chair) -> list[Proposal]:
    """In review, fewer active reviewers than the round requires, and `chair` its acting
    chair."""
    from .chairs import ACTIVE_ASSIGNMENT, proposals_where_acting_chair

    found = []
    for p in proposals_where_acting_chair(chair, states=(Proposal.State.IN_REVIEW,)):
        p.active_reviewers = sum(1 for a in p.assignments.all() if a.state in ACTIVE_ASSIGNMENT)
        if p.active_reviewers < p.round.reviews_required:
            found.append(p)
    return found
