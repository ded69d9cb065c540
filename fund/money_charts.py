"""The fund's money as pictures (workflow/charts.py): who put the money in, where it is now,
and how much of an award has gone out. Drawn on the fund's page (`{% fund_money_charts %}`)
and the award's page (`{% award_release_chart %}`), fund/templatetags/money_charts.py.

The figures are those the pages state in words (contributed, committed, released, returned,
available): the same sums, from a fixed number of queries.
"""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext, ngettext

from workflow.charts import Chart, bar_chart, progress_bar, stacked_bar
from workflow.display import money

from .models import Award, Tranche
from .money import ZERO
from .selectors import fund_balance_by_agency, funds_with_balance

RELEASED = (Tranche.State.RELEASED, Tranche.State.REPORTED)
MOST_AGENCIES = 6  # agencies drawn one by one; the rest are drawn together


def fund_released(fund) -> Decimal:
    """The fund's money paid out: released tranches of awards not cancelled."""
    return Tranche.objects.filter(
        award__proposal__round__fund=fund, state__in=RELEASED,
    ).exclude(award__state=Award.State.CANCELLED).aggregate(
        total=Sum("amount"))["total"] or ZERO


def contributions_chart(*, fund, by_agency) -> Chart | None:
    """What each agency contributed, as parts of one bar; None when nobody has."""
    rows = [(f"{row['agency__name']} ({row['agency__code']})", row["total"]) for row in by_agency]
    if not rows:
        return None
    if len(rows) > MOST_AGENCIES:
        rest = rows[MOST_AGENCIES - 1:]
        rows = rows[:MOST_AGENCIES - 1] + [
            (ngettext("%(count)s other agency", "%(count)s other agencies", len(rest))
             % {"count": len(rest)}, sum((total for _l, total in rest), ZERO))]
    total = sum((total for _l, total in rows), ZERO)

    def share(amount):
        return f"{money(amount, fund.currency)} ({amount / total * 100:.0f}%)" if total else ""

    return stacked_bar(
        title=gettext("Contributions to %(fund)s by agency") % {"fund": fund.name},
        description=gettext("One bar of %(total)s, cut into what each agency contributed, "
                            "largest first. The list below gives each agency's amount.")
        % {"total": money(total, fund.currency)},
        parts=[(label, amount, share(amount)) for label, amount in rows],
        summary=gettext("Contributed in all: %(total)s.") % {
            "total": money(total, fund.currency)},
    )


def money_chart(*, fund, released: Decimal) -> Chart:
    """Contributed, committed, released, returned and available, on one scale."""
    currency = fund.currency
    contributed = fund.contributed_sum or ZERO
    committed = fund.committed_sum or ZERO
    returned = fund.returned_sum or ZERO
    available = fund.available_balance
    rows = [
        (gettext("Contributed"), contributed),
        (gettext("Committed to awards"), committed),
        (gettext("Released to projects"), released),
        (gettext("Returned to the fund"), returned),
        (gettext("Available for awards"), available),
    ]
    return bar_chart(
        title=gettext("The money of %(fund)s") % {"fund": fund.name},
        description=gettext("Bars on one scale: what agencies contributed; what awards commit "
                            "(less cancelled tranches); what was released to projects; what "
                            "cancelled tranches returned to the fund; and what is available "
                            "for new awards (contributed less committed)."),
        rows=[(label, amount, money(amount, currency)) for label, amount in rows],
    )


def fund_money_charts(*, fund, by_agency=None) -> list[Chart]:
    """The fund page's charts. `fund` annotated by `funds_with_balance` (else read again);
    `by_agency` the page's contributions by agency when it has them (else one query)."""
    if not hasattr(fund, "contributed_sum"):
        fund = funds_with_balance().get(pk=fund.pk)
    if by_agency is None:
        by_agency = list(fund_balance_by_agency(fund=fund))
    charts = [money_chart(fund=fund, released=fund_released(fund)),
              contributions_chart(fund=fund, by_agency=by_agency)]
    return [chart for chart in charts if chart is not None]


def award_release_chart(*, award, released, returned, currency) -> Chart:
    """How much of an award has been released: released, returned (cancelled tranches), and
    what is still to release, as parts of the award's amount."""
    amount = award.amount
    still = max(amount - released - returned, ZERO)
    rest_label = (gettext("Never to be released: the award is cancelled")
                  if award.state == Award.State.CANCELLED else gettext("Still to release"))
    parts = [(gettext("Released"), released, money(released, currency))]
    if returned:
        parts.append((gettext("Returned to the fund (cancelled tranches)"), returned,
                      money(returned, currency)))
    done = (released / amount * 100) if amount else 0
    return progress_bar(
        title=gettext("Release of the award for %(proposal)s") % {
            "proposal": award.proposal.title},
        description=gettext("%(released)s of %(amount)s released (%(percent)s%%).") % {
            "released": money(released, currency), "amount": money(amount, currency),
            "percent": f"{done:.0f}"},
        parts=parts, total=amount,
        rest_label=rest_label, rest_text=money(still, currency),
        summary=gettext("%(percent)s%% of the award of %(amount)s released.") % {
            "percent": f"{done:.0f}", "amount": money(amount, currency)},
    )
