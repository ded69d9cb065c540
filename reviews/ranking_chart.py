"""The ranking against the funding line as a picture (workflow/charts.py), drawn on the
ranking page by `{% ranking_chart round ranked totals_shown %}`
(reviews/templatetags/ranking_charts.py) from the rows the page already has
(`selectors.ranking_rows`): no query of its own, and nothing the table beside it hides.

Where the viewer sees the running totals, each proposal that still contends for money is a
bar of its requested amount, from the running total before it to the one after, in ranking
order, with the budget drawn across them: the funding line, where the money runs out. A
viewer with a conflict sees no totals and no line, as in the table: then the chart shows
the mean scores the viewer may read, on the 0–100 scale.
"""

from django.utils.translation import gettext

from workflow.charts import Chart, bar_chart
from workflow.display import money

ABOVE, BELOW = 0, 1  # the two series: funded if the money holds, past the funding line
MAX_ROWS = 25  # a long page draws its first proposals; the table lists them all


def _label(row) -> str:
    return f"{row['rank']}. {row['proposal'].title}"


def ranking_chart(*, round_, ranked, totals_shown: bool) -> Chart | None:
    currency = round_.fund.currency
    if totals_shown:
        rows = []
        for row in ranked:
            if not row["contending"]:
                continue
            cumulative = row["cumulative_requested"] or 0
            requested = row["requested_amount"] or 0
            score = row["mean_weighted_score"]
            where = (gettext("within the budget") if row["above_funding_line"]
                     else gettext("past the funding line"))
            text = money(requested, currency)
            values = {"proposal": _label(row), "amount": text, "score": score, "where": where}
            legend = (gettext("%(proposal)s: asks %(amount)s, mean score %(score)s; %(where)s")
                      if score is not None else
                      gettext("%(proposal)s: asks %(amount)s; %(where)s")) % values
            rows.append((legend, requested, text, cumulative - requested,
                         ABOVE if row["above_funding_line"] else BELOW))
        if not rows:
            return None
        summary = gettext("The dashed line is the budget, %(budget)s.") % {
            "budget": money(round_.budget, currency)}
        if len(rows) > MAX_ROWS:
            summary += " " + gettext(
                "The first %(drawn)s of the %(count)s proposals in contention on this page are "
                "drawn; the table lists them all.") % {"drawn": MAX_ROWS, "count": len(rows)}
            rows = rows[:MAX_ROWS]
        return bar_chart(
            title=gettext("Requested amounts of %(round)s against its budget") % {
                "round": round_.title},
            description=gettext(
                "In ranking order, each proposal still in contention is a bar of the amount it "
                "asks, starting where the amounts before it end. The dashed line is the budget "
                "of %(budget)s: bars that cross or lie past it do not fit (the funding line).")
            % {"budget": money(round_.budget, currency)},
            rows=rows,
            line=(round_.budget, gettext("Budget %(budget)s") % {
                "budget": money(round_.budget, currency)}),
            summary=summary,
        )
    rows = [(gettext("%(proposal)s: mean score %(score)s of 100") % {
                "proposal": _label(row), "score": row["mean_weighted_score"]},
             row["mean_weighted_score"], f"{row['mean_weighted_score']}")
            for row in ranked if row["mean_weighted_score"] is not None]
    if not rows:
        return None
    summary = ""
    if len(rows) > MAX_ROWS:
        summary = gettext("The first %(drawn)s of the %(count)s scored proposals on this page "
                          "are drawn; the table lists them all.") % {
            "drawn": MAX_ROWS, "count": len(rows)}
        rows = rows[:MAX_ROWS]
    return bar_chart(
        summary=summary,
        title=gettext("Mean scores of %(round)s") % {"round": round_.title},
        description=gettext(
            "In ranking order, each proposal's mean weighted score on a scale of 0 to 100."),
        rows=rows, scale_max=100, same_series=True,
    )
