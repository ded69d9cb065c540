"""The round portfolio report: the ranking (reviews), the decisions (proposals) and the money
(fund) of one round, in one PDF. It lives here, above both, so that money never needs to
know scores (fund does not import reviews). The PDF machinery is fund/documents.py's.

Who may read it: the ranking's readers (fund managers and the round's panel chairs; HR
officers never see scores), `can_view_portfolio`.

At national scale (a round of thousands of proposals) the report stays a report: the summary
first (the money, the funding line, the totals by state and by lead agency, the decisions),
then the first `PORTFOLIO_RANKED_MAX` proposals of the ranking; every proposal's details are
in the CSV beside it (`portfolio_csv_chunks`, `/api/v1/rounds/<id>/portfolio.csv`), streamed.
Its cost does not grow with the round: a constant number of queries, the totals read as light
rows one chunk at a time, never every proposal with its relations. A round with more than
`PORTFOLIO_INLINE_MAX` proposals past drafting is never rendered inside a request: the request
starts a job (`portfolio_inline`; documents/api.py, jobs/kinds.py).
"""

from collections import OrderedDict
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import BooleanField, DecimalField, ExpressionWrapper, OuterRef, Subquery, Sum

from datafiles.cells import csv_chunks
from fund.documents import render_pdf
from fund.models import ZERO, Award, Round, Tranche
from proposals.conflicts import conflict_q
from proposals.models import Proposal
from reviews.calibration import TOO_FEW_TO_MEASURE
from reviews.permissions import can_view_ranking
from reviews.selectors import (
    CONTENDING_STATES,
    calibration_summary,
    iter_ranking_rows,
    ranking_page,
)

# Above this many proposals past drafting, the PDF is made by a job, never in a request.
PORTFOLIO_INLINE_MAX = 500
# The PDF lists this many proposals of the ranking (and of those set apart); the CSV all.
PORTFOLIO_RANKED_MAX = 100
# Rows read at a time when summing or streaming the round.
CHUNK = 2000

_MONEY = DecimalField(max_digits=16, decimal_places=2)
CENT = Decimal("0.01")

DECISION_STATES = (
    Proposal.State.RECOMMENDED, Proposal.State.REJECTED, Proposal.State.FUNDED,
    Proposal.State.DECLINED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)


def inline_max() -> int:
    return int(getattr(settings, "PORTFOLIO_INLINE_MAX", PORTFOLIO_INLINE_MAX))


def ranked_max() -> int:
    return max(1, int(getattr(settings, "PORTFOLIO_RANKED_MAX", PORTFOLIO_RANKED_MAX)))


def can_view_portfolio(user, round_: Round) -> bool:
    """The round portfolio shows the ranking's mean scores: the same readers as the ranking
    (fund managers and the round's panel chairs; HR officers never see scores)."""
    return can_view_ranking(user, round_)


def portfolio_size(round_: Round) -> int:
    """The proposals the report covers: those of the round past drafting (one query)."""
    return Proposal.objects.filter(round=round_).exclude(state=Proposal.State.DRAFT).count()


def portfolio_inline(round_: Round) -> bool:
    """Whether the PDF may be made inside a request; above `PORTFOLIO_INLINE_MAX` proposals it
    is prepared as a job."""
    return portfolio_size(round_) <= inline_max()


def _returned():
    """What the proposal's award gave back: its cancelled tranches (a subquery)."""
    cancelled = (Tranche.objects.filter(award__proposal=OuterRef("pk"),
                                        state=Tranche.State.CANCELLED)
                 .values("award").annotate(total=Sum("amount")).values("total"))
    return Subquery(cancelled, output_field=_MONEY)


def _committed(award_amount, award_state, returned) -> Decimal:
    """What an award commits: its amount less its cancelled tranches, nothing once cancelled."""
    if award_amount is None or award_state == Award.State.CANCELLED:
        return ZERO
    return (Decimal(award_amount) - Decimal(returned or ZERO)).quantize(CENT)


def _with_awards(qs):
    """The ranking's rows with their award (amount, state, what it gave back)."""
    return qs.annotate(award_amount=Subquery(
        Award.objects.filter(proposal=OuterRef("pk")).values("amount")[:1], output_field=_MONEY),
        award_state=Subquery(Award.objects.filter(proposal=OuterRef("pk")).values("state")[:1]),
        returned_amount=_returned())


def _money_rows(round_: Round, viewer) -> Iterator[tuple]:
    """(state, agency code, agency name, requested, committed, conflicted) for every proposal
    of the round past drafting: one query, read a chunk at a time."""
    qs = (Proposal.objects.filter(round=round_).exclude(state=Proposal.State.DRAFT)
          .annotate(returned_amount=_returned()))
    active = bool(viewer and viewer.is_authenticated and viewer.is_active)
    if active:
        qs = qs.annotate(conflicted=ExpressionWrapper(conflict_q(viewer),
                                                      output_field=BooleanField()))
    fields = ["state", "lead__agency__code", "lead__agency__name", "requested_amount",
              "award__amount", "award__state", "returned_amount"]
    if active:
        fields.append("conflicted")
    for row in qs.order_by().values_list(*fields).iterator(chunk_size=CHUNK):
        state, code, name, requested, award_amount, award_state, returned = row[:7]
        yield (state, code or "—", name or "No agency", requested or ZERO,
               _committed(award_amount, award_state, returned), bool(active and row[7]))


def _summary(round_: Round, viewer) -> dict:
    """The totals by state and by lead agency, what the round awarded and what the contending
    proposals ask, from the light rows of `_money_rows`. Sums never include a proposal the
    viewer has a conflict with: a total by agency would give away its lead agency and amount.
    What remains of the budget counts every award (award amounts are public in the register
    of funded work)."""
    by_agency: dict[str, dict] = {}
    by_state: OrderedDict[str, dict] = OrderedDict(
        (value, {"label": label, "count": 0, "requested": ZERO, "awarded": ZERO})
        for value, label in Proposal.State.choices if value != Proposal.State.DRAFT
    )
    totals = {"count": 0, "requested": ZERO, "awarded": ZERO}
    awarded_in_round = contending_requested = ZERO
    hidden = 0
    for state, code, name, requested, committed, conflicted in _money_rows(round_, viewer):
        awarded_in_round += committed
        if conflicted:
            hidden += 1
            continue
        agency = by_agency.setdefault(code, {"code": code, "name": name, "count": 0,
                                             "requested": ZERO, "awarded": ZERO})
        for bucket in (agency, by_state[state], totals):
            bucket["count"] += 1
            bucket["requested"] += requested
            bucket["awarded"] += committed
        if state in CONTENDING_STATES:
            contending_requested += requested
    return {
        "by_agency": [by_agency[code] for code in sorted(by_agency)],
        "by_state": [v for v in by_state.values() if v["count"]],
        "decision_totals": [by_state[state] for state in DECISION_STATES
                            if by_state[state]["count"]],
        "decisions": sum(by_state[state]["count"] for state in DECISION_STATES),
        "totals": totals, "remaining": round_.budget - awarded_in_round,
        "contending_requested": contending_requested, "conflicts_left_out": hidden,
    }


def round_portfolio_context(round_: Round, viewer) -> dict:
    """The report for `viewer`: its ranking is the ranking page's (reviews.selectors
    .ranking_page), so scores the viewer may not see there (their own review still open) are
    hidden here too, and the funding line falls in the same place. Proposals the viewer has a
    conflict with are not ranked: they are listed apart (`conflicted`, title and state only),
    the ranked rows are numbered without them, and there is no funding line.

    Only the first `PORTFOLIO_RANKED_MAX` ranked rows (and as many set apart) are listed; the
    totals cover every proposal. A constant number of queries whatever the round's size."""
    round_ = Round.objects.select_related("fund").get(pk=round_.pk)
    limit = ranked_max()
    page = ranking_page(round_=round_, viewer=viewer, page=1, page_size=limit,
                        apart_rows=False, annotate=_with_awards)
    ranked = []
    for ranking in page.ranked:
        row = ranking["proposal"]
        agency = row.lead.agency
        row.agency_code = agency.code if agency is not None else "—"
        row.awarded = _committed(row.award_amount, row.award_state, row.returned_amount)
        row.rank = ranking["rank"]
        row.mean_score = ranking["mean_weighted_score"]
        row.calibrated = ranking["calibrated_score"]
        row.spread = ranking["spread"]
        row.conflict = False
        row.review_pending = ranking["review_pending"]
        row.scores_hidden = ranking["scores_hidden"]
        ranked.append(row)
    conflicted = []
    if page.apart_count:
        from reviews.selectors import conflicted_in_round

        conflicted = list(conflicted_in_round(round_=round_, viewer=viewer)
                          .only("id", "title", "state")[:limit])
    return {
        "round": round_, "fund": round_.fund, "currency": round_.fund.currency,
        "ranked": ranked, "ranked_count": page.ranked_count,
        "ranked_more": page.ranked_count - len(ranked),
        "funding_line_after": page.funding_line_after_rank,
        "funding_line_fitting": page.funding_line_fitting,
        "conflicted": conflicted, "conflicted_count": page.apart_count,
        "conflicted_more": page.apart_count - len(conflicted),
        "totals_shown": page.totals_shown, "listed_max": limit,
        # Calibrated scores beside the mean, for who may see them (reviews.selectors
        # .ranking_page); the order and the funding line stay the mean's.
        "calibration_shown": page.calibration_shown,
        # Agreement between reviewers as the ranking page says it (a number, or "too few
        # reviews to measure agreement": reviews/calibration.py).
        "calibration": calibration_summary(round_=round_, shown=page.calibration_shown),
        "too_few_to_measure": TOO_FEW_TO_MEASURE,
        "csv_url": f"/api/v1/rounds/{round_.pk}/portfolio.csv",
        **_summary(round_, viewer),
    }


def round_portfolio_pdf(round_: Round, viewer) -> bytes:
    """The round portfolio report as `viewer` may read it (see round_portfolio_context)."""
    return render_pdf("documents/round_portfolio.html", round_portfolio_context(round_, viewer))


# --- every proposal's details, beside the PDF --------------------------------------------------
CSV_HEADERS = (
    "Rank", "Proposal ID", "Title", "Lead agency", "State", "Mean score", "Calibrated score",
    "Reviews", "Spread",
    "Strong disagreement", "Requested", "Running total", "Above the funding line", "Awarded",
    "Note",
)


def _csv_row(row: dict) -> list:
    proposal = row["proposal"]
    if row["apart"]:
        return [None, proposal.pk, proposal.title, None, proposal.get_state_display(), None,
                None, None, None, None, None, None, None, None,
                "Not ranked for you: your own review is still open" if row["review_pending"]
                else "Not ranked for you: conflict of interest"]
    awarded = _committed(proposal.award_amount, proposal.award_state,
                         proposal.returned_amount)
    above = row["above_funding_line"]
    return [
        row["rank"], proposal.pk, proposal.title, row["lead_agency"],
        proposal.get_state_display(), row["mean_weighted_score"], row["calibrated_score"],
        row["review_count"],
        row["spread"], "yes" if row["disagreement"] else "no", row["requested_amount"],
        row["cumulative_requested"] if row["contending"] else None,
        None if above is None else ("yes" if above else "no"),
        awarded if awarded else None,
        "Scores hidden: your review is pending" if row["review_pending"] else
        ("Not counted for the funding line" if row["totals_shown"] and not row["contending"]
         else ""),
    ]


def portfolio_csv_chunks(round_: Round, viewer) -> Iterator[bytes]:
    """Every proposal of the ranking with its scores, amounts and award, as `viewer` may read
    them (the same rows as the ranking pages: blind rules, conflicts set apart, no running
    totals for a conflicted viewer), streamed as CSV a few hundred rows at a time. Text that
    a spreadsheet would run is written as text (datafiles/cells.py)."""
    rows = iter_ranking_rows(round_=round_, viewer=viewer, annotate=_with_awards,
                             chunk_size=CHUNK)
    return csv_chunks(CSV_HEADERS, (_csv_row(row) for row in rows))
