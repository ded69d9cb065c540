"""The round portfolio report: the ranking (reviews), the decisions (proposals) and the money
(fund) of one round, in one PDF. It lives here, above both, so that money never needs to
know scores (fund does not import reviews). The PDF machinery is fund/documents.py's.

Who may read it: the ranking's readers (fund managers and the round's panel chairs; HR
officers never see scores), `can_view_portfolio`.
"""

from collections import OrderedDict
from decimal import Decimal

from django.db.models import Q, Sum

from fund.documents import render_pdf
from fund.models import ZERO, Award, Round, Tranche
from proposals.models import Proposal
from reviews.permissions import can_view_ranking
from reviews.selectors import ranking_rows


def can_view_portfolio(user, round_: Round) -> bool:
    """The round portfolio shows the ranking's mean scores: the same readers as the ranking
    (fund managers and the round's panel chairs; HR officers never see scores)."""
    return can_view_ranking(user, round_)


def _portfolio_rows(round_: Round) -> list[Proposal]:
    """Every proposal of the round past drafting, with its lead's agency and award: one query."""
    returned = Q(award__tranches__state=Tranche.State.CANCELLED)
    return list(
        Proposal.objects.filter(round=round_)
        .exclude(state=Proposal.State.DRAFT)
        .select_related("lead", "lead__agency", "award")
        .annotate(returned_amount=Sum("award__tranches__amount", filter=returned))
        .order_by("id")
    )


def _committed_amount(proposal: Proposal) -> Decimal:
    """What the proposal's award commits: its amount less its cancelled tranches (annotated
    by `_portfolio_rows`), nothing for a cancelled award."""
    try:
        award = proposal.award
    except Award.DoesNotExist:
        return ZERO
    if award is None or award.state == Award.State.CANCELLED:
        return ZERO
    return award.amount - (proposal.returned_amount or ZERO)


def round_portfolio_context(round_: Round, viewer) -> dict:
    """The report for `viewer`: its ranking is the ranking page's (reviews.selectors
    .ranking_rows), so scores the viewer may not see there (their own review still open) are
    hidden here too, and the funding line falls in the same place. Proposals the viewer has a
    conflict with are not ranked: they are listed apart (`conflicted`, title and state only),
    the ranked rows are numbered without them, and there is no funding line."""
    round_ = Round.objects.select_related("fund").get(pk=round_.pk)
    rows = _portfolio_rows(round_)
    by_pk = {row.pk: row for row in rows}
    for row in rows:
        row.awarded = _committed_amount(row)
        row.agency_code = row.lead.agency.code if row.lead.agency_id else "—"
        row.agency_name = row.lead.agency.name if row.lead.agency_id else "No agency"

    ranked, conflicted, funding_line_after = [], [], None  # the line falls after this rank
    totals_shown = True
    for ranking in ranking_rows(round_=round_, viewer=viewer):
        row = by_pk[ranking["proposal"].pk]
        totals_shown = totals_shown and ranking["totals_shown"]
        if ranking["conflict"]:
            conflicted.append(row)  # title and state only, in the ranking's (title) order
            continue
        row.rank = ranking["rank"]
        row.mean_score = ranking["mean_weighted_score"]
        row.spread = ranking["spread"]
        row.review_count = ranking["review_count"]
        row.conflict = ranking["conflict"]
        row.review_pending = ranking["review_pending"]
        row.scores_hidden = ranking["scores_hidden"]
        if ranking["funding_line_before"]:
            funding_line_after = row.rank - 1
        ranked.append(row)

    by_agency: OrderedDict[str, dict] = OrderedDict()
    by_state: OrderedDict[str, dict] = OrderedDict(
        (value, {"label": label, "count": 0, "requested": ZERO, "awarded": ZERO})
        for value, label in Proposal.State.choices if value != Proposal.State.DRAFT
    )
    # Sums never include a proposal the viewer has a conflict with: a total by agency would
    # give away its lead agency and amount. What remains of the budget counts every award
    # (award amounts are public in the register of funded work).
    hidden = {row.pk for row in conflicted}
    counted = [row for row in rows if row.pk not in hidden]
    for row in sorted(counted, key=lambda r: r.agency_code):
        agency = by_agency.setdefault(
            row.agency_code,
            {"code": row.agency_code, "name": row.agency_name, "count": 0,
             "requested": ZERO, "awarded": ZERO},
        )
        for bucket in (agency, by_state[row.state]):
            bucket["count"] += 1
            bucket["requested"] += row.requested_amount or ZERO
            bucket["awarded"] += row.awarded
    totals = {
        "count": len(counted),
        "requested": sum((r.requested_amount or ZERO for r in counted), ZERO),
        "awarded": sum((r.awarded for r in counted), ZERO),
    }
    awarded_in_round = sum((r.awarded for r in rows), ZERO)
    decision_states = (
        Proposal.State.RECOMMENDED, Proposal.State.REJECTED, Proposal.State.FUNDED,
        Proposal.State.DECLINED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
    )
    # Each decision stands against its proposal in the ranking (its state and award); the
    # report sums them up rather than listing the same rows twice.
    decisions = [r for r in counted if r.state in decision_states]
    return {
        "round": round_, "fund": round_.fund, "currency": round_.fund.currency,
        "ranked": ranked, "funding_line_after": funding_line_after,
        "conflicted": conflicted, "totals_shown": totals_shown,
        "decisions": sorted(decisions, key=lambda r: (r.state, r.title)),
        "decision_totals": [by_state[state] for state in decision_states
                            if by_state[state]["count"]],
        "by_agency": list(by_agency.values()),
        "by_state": [v for v in by_state.values() if v["count"]],
        "totals": totals, "remaining": round_.budget - awarded_in_round,
        "conflicts_left_out": len(hidden),
    }


def round_portfolio_pdf(round_: Round, viewer) -> bytes:
    """The round portfolio report as `viewer` may read it (see round_portfolio_context)."""
    return render_pdf("documents/round_portfolio.html", round_portfolio_context(round_, viewer))
