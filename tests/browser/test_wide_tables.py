"""Tables fit a 1280 px screen (walkthrough: the round ranking was 28 px too wide, so its
table scrolled sideways on an ordinary laptop). The crawl (test_crawl.py) checks the page's
width at 320 px, where a wide table may scroll in its own region; here a table at 1280 px
must fit its region: no sideways scrolling where there is room."""

import pytest

from tests.browser.helpers import ROLES, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTH = 1280

OVERFLOW_JS = """() => ({
    page: document.documentElement.scrollWidth,
    regions: Array.from(document.querySelectorAll('.table-scroll, .table-wrap'))
        .map(r => ({id: r.getAttribute('aria-labelledby') || r.className,
                    scroll: r.scrollWidth, client: r.clientWidth}))
})"""


def _rankings(django_db_blocker) -> list[str]:
    """The ranking of every round of the demo with a proposal in review or decided."""
    from fund.models import Round
    from reviews.selectors import RANKED_STATES as RANKED

    with django_db_blocker.unblock():
        rounds = Round.objects.filter(proposals__state__in=RANKED).distinct().order_by("pk")
        return [f"/reviews/rounds/{pk}/ranking/" for pk in rounds.values_list("pk", flat=True)]


@pytest.mark.parametrize("role", ["fund_manager", "chair"])
def test_the_ranking_fits_1280_px_without_sideways_scrolling(role, site, browser,
                                                             django_db_blocker):
    paths = _rankings(django_db_blocker)
    assert paths, "the demo has a round with proposals in review"
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="en-GB",
                                  timezone_id="Asia/Thimphu")
    page = context.new_page()
    problems = []
    try:
        sign_in(page, site, ROLES[role])
        for path in paths:
            for query in ("", "?order=calibrated"):
                response = page.goto(site + path + query)
                if response.status >= 400:
                    continue  # a chair sees only their own rounds
                found = page.evaluate(OVERFLOW_JS)
                if found["page"] > WIDTH:
                    problems.append(f"{path}{query}: the page is {found['page']} px wide")
                for region in found["regions"]:
                    if region["scroll"] > region["client"]:
                        problems.append(f"{path}{query}: {region['id']} is "
                                        f"{region['scroll'] - region['client']} px too wide")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
