"""Charts as server-rendered SVG (workflow/charts.py, templates/charts/): accessible (an image
with a title and a description, its figures in words beside it, patterns as well as colour),
no script or style attribute, and drawn where people would rather look than read: the fund's
money, the ranking against the funding line, an award's release (issue 15)."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from fund.factories import ContributionFactory, RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from proposals.models import Proposal
from reviews.factories import AssignmentFactory, PanelFactory
from tests.awards.conftest import world  # noqa: F401  (the awards' small world)
from workflow.charts import PALETTE, bar_chart, progress_bar, stacked_bar

D = Decimal


def _render(chart) -> str:
    return render_to_string("charts/chart.html", {"chart": chart})


def _relative_luminance(hex_colour: str) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_series_colour_has_3_to_1_contrast_on_white_and_its_own_pattern():
    for colour, _pattern in PALETTE:
        ratio = (1.0 + 0.05) / (_relative_luminance(colour) + 0.05)
        assert ratio >= 3, (colour, ratio)
    assert len({pattern for _c, pattern in PALETTE}) == len(PALETTE)


def test_a_bar_chart_is_an_image_with_title_description_and_its_figures_in_words():
    chart = bar_chart(title="Money", description="Three bars on one scale.",
                      rows=[("Contributed", 300, "BTN 300.00"), ("Committed", 200, "BTN 200.00"),
                            ("Available", 100, "BTN 100.00")])
    html = _render(chart)
    assert 'role="img"' in html
    assert f'aria-labelledby="{chart.title_id} {chart.desc_id}"' in html
    assert f'<title id="{chart.title_id}">Money</title>' in html
    assert f'<desc id="{chart.desc_id}">Three bars on one scale.</desc>' in html
    # The text alternative is visible, beside the image: every label with its value.
    legend = html[html.index('<ul class="chart-legend">'):]
    for text in ("Contributed", "BTN 300.00", "Committed", "BTN 200.00", "Available",
                 "BTN 100.00"):
        assert text in legend
    # Widths on one scale: the largest bar is the whole plot, the others in proportion.
    widths = [shape.width for shape in chart.shapes]
    assert widths[0] == pytest.approx(widths[1] * 1.5, abs=0.1)
    assert widths[0] == pytest.approx(widths[2] * 3, abs=0.1)
    # Series differ by pattern, not colour alone: three patterns are defined and used.
    assert len(re.findall(r"<pattern ", html)) == 3
    assert "style=" not in html and "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handler


def test_a_running_total_with_a_line_where_the_money_runs_out():
    chart = bar_chart(title="Asks", description="d", rows=[
        ("1. A", 400, "BTN 400", 0, 0), ("2. B", 300, "BTN 300", 400, 0),
        ("3. C", 500, "BTN 500", 700, 1)], line=(1000, "Budget BTN 1,000"))
    a, b, c = chart.shapes
    assert b.x == pytest.approx(a.x + a.width) and c.x == pytest.approx(b.x + b.width)
    assert a.x < chart.line.x < c.x + c.width  # the budget falls inside the third bar
    assert c.series != a.series  # past the line: another pattern
    html = _render(chart)
    assert "Budget BTN 1,000" in html and "stroke-dasharray" in html


def test_stacked_and_progress_bars_add_up_to_their_whole():
    stacked = stacked_bar(title="By agency", description="d", parts=[
        ("MOH", 600, "BTN 600"), ("MOE", 400, "BTN 400")])
    assert sum(s.width for s in stacked.shapes) == pytest.approx(560)
    progress = progress_bar(title="Release", description="d",
                            parts=[("Released", 250, "BTN 250")], total=400,
                            rest_label="Still to release", rest_text="BTN 150")
    released, rest = progress.legend
    assert released.width == pytest.approx(560 * 250 / 400)
    assert rest.label == "Still to release" and rest.series.pattern == "empty"
    html = _render(progress)
    assert "Still to release: <strong>BTN 150</strong>" in html


def test_charts_on_one_page_have_their_own_ids():
    one = bar_chart(title="A", description="a", rows=[("x", 1, "1")])
    two = bar_chart(title="B", description="b", rows=[("x", 1, "1")])
    assert one.uid != two.uid and one.title_id != two.title_id


# --- the pages ---------------------------------------------------------------------------------


def _charts(html: str) -> list[str]:
    return re.findall(r'<figure class="chart[^"]*".*?</figure>', html, flags=re.S)


def test_the_fund_page_draws_its_money_and_the_agencies_contributions(client, world):  # noqa: F811
    client.force_login(world.manager)
    html = client.get(f"/funds/{world.fund.pk}/").content.decode()
    charts = _charts(html)
    assert len(charts) == 2, html
    money, agencies = charts
    for text in ("Contributed", "BTN 3,000,000.00", "Committed to awards", "BTN 700,000.00",
                 "Released to projects", "BTN 300,000.00", "Returned to the fund",
                 "Available for awards", "BTN 2,300,000.00"):
        assert text in money, text
    assert "by agency" in agencies and "(67%)" in agencies and "(33%)" in agencies


def test_the_fund_page_asks_no_more_queries_with_more_agencies(client, world,  # noqa: F811
                                                               django_assert_max_num_queries):
    client.force_login(world.manager)
    url = f"/funds/{world.fund.pk}/"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        ContributionFactory(fund=world.fund, agency=AgencyFactory(), amount=D("1000.00"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "other agencies" in _charts(html)[1]  # the smallest are drawn together


def test_the_award_page_draws_its_release(client, world):  # noqa: F811
    from fund.models import Tranche
    Tranche.objects.filter(pk=world.tranches[0].pk).update(state="released")
    client.force_login(world.lead)
    html = client.get(f"/awards/{world.award.pk}/").content.decode()
    (chart,) = _charts(html)
    assert "Released: <strong>BTN 250,000.00</strong>" in chart
    assert "Still to release: <strong>BTN 150,000.00</strong>" in chart
    assert "62% of the award of BTN 400,000.00 released." in chart


def _reviewed(round_, panel, amount, score):
    proposal = ProposalFactory(round=round_, in_review=True, requested_amount=D(amount))
    AssignmentFactory(proposal=proposal, panel=panel, submitted=True, score=score)
    return proposal


@pytest.mark.django_db
def test_the_ranking_page_draws_the_asks_against_the_budget(client):
    round_ = RoundFactory(closed=True, budget=D("1000000.00"))
    panel = PanelFactory(round=round_)
    first = _reviewed(round_, panel, "400000.00", 5)
    second = _reviewed(round_, panel, "500000.00", 4)
    third = _reviewed(round_, panel, "300000.00", 3)
    Proposal.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(state="in_review")
    client.force_login(panel.chair)
    html = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    (chart,) = _charts(html)
    assert "Budget BTN 1,000,000.00" in chart
    assert "The dashed line is the budget, BTN 1,000,000.00." in chart
    assert f"1. {first.title}: asks BTN 400,000.00, mean score 100.00; within the budget" in chart
    assert f"2. {second.title}: asks BTN 500,000.00, mean score 80.00; within the budget" in chart
    assert f"3. {third.title}: asks BTN 300,000.00, mean score 60.00; past the funding line" in chart


@pytest.mark.django_db
def test_a_conflicted_viewer_sees_scores_but_no_funding_line(client):
    round_ = RoundFactory(closed=True, budget=D("1000000.00"))
    panel = PanelFactory(round=round_)
    mine = _reviewed(round_, panel, "400000.00", 5)
    other = _reviewed(round_, panel, "500000.00", 4)
    manager = UserFactory(fund_manager=True, agency=mine.lead.agency)
    client.force_login(manager)
    html = client.get(f"/reviews/rounds/{round_.pk}/ranking/").content.decode()
    (chart,) = _charts(html)
    assert "Budget" not in chart and "BTN" not in chart
    assert f"1. {other.title}: mean score 80.00 of 100" in chart
    assert mine.title not in chart


def test_a_long_ranking_draws_its_first_rows_and_says_the_table_has_them_all():
    from types import SimpleNamespace

    from reviews.ranking_chart import MAX_ROWS, ranking_chart
    round_ = SimpleNamespace(title="R", budget=D("1000.00"),
                             fund=SimpleNamespace(currency="BTN"))
    ranked = [{"rank": i, "proposal": SimpleNamespace(title=f"P{i}"), "contending": True,
               "cumulative_requested": D(10 * i), "requested_amount": D(10),
               "mean_weighted_score": None, "above_funding_line": True}
              for i in range(1, MAX_ROWS + 11)]
    chart = ranking_chart(round_=round_, ranked=ranked, totals_shown=True)
    assert len(chart.shapes) == MAX_ROWS
    assert chart.summary == (f"The dashed line is the budget, BTN 1,000.00. The first {MAX_ROWS} "
                             f"of the {MAX_ROWS + 10} proposals in contention on this page are drawn; the "
                             "table lists them all.")
