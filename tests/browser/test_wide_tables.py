"""Tables fit a 1280 px screen (walkthrough: the round ranking was 28 px too wide, so its
table scrolled sideways on an ordinary laptop). The crawl (test_crawl.py) checks the page's
width at 320 px, where a wide table may scroll in its own region; here a table at 1280 px
must fit its region: no sideways scrolling where there is room."""

import pytest
from django.conf import settings

from tests.browser.helpers import ROLES, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTH = 1280

# A data table of more than this many columns (the analytics funnel's fourteen) may scroll in
# its region at 1280 px, with the region's cue; up to this many must fit.
FITTING_COLUMNS = 10

OVERFLOW_JS = """(most) => ({
    page: document.documentElement.scrollWidth,
    regions: Array.from(document.querySelectorAll('.table-scroll, .table-wrap'))
        .filter(r => {
            const row = r.querySelector('thead tr') || r.querySelector('tr');
            return !row || row.children.length <= most;
        })
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


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("role", ["fund_manager", "chair"])
def test_the_ranking_fits_1280_px_without_sideways_scrolling(role, language, site, browser,
                                                             django_db_blocker):
    paths = _rankings(django_db_blocker)
    assert paths, "the demo has a round with proposals in review"
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="en-GB",
                                  timezone_id="Asia/Thimphu")
    page = context.new_page()
    problems = []
    try:
        sign_in(page, site, ROLES[role])
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                              "url": site}])
        for path in paths:
            for query in ("", "?order=calibrated"):
                response = page.goto(site + path + query)
                if response.status >= 400:
                    continue  # a chair sees only their own rounds
                found = page.evaluate(OVERFLOW_JS, FITTING_COLUMNS)
                if found["page"] > WIDTH:
                    problems.append(f"{path}{query}: the page is {found['page']} px wide")
                for region in found["regions"]:
                    if region["scroll"] > region["client"]:
                        problems.append(f"{path}{query}: {region['id']} is "
                                        f"{region['scroll'] - region['client']} px too wide")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["fund_manager", "chair", "hr_officer", "applicant"])
def test_the_pages_of_a_role_fit_1280_px(role, site, browser):
    """The same, on every page the role's home page and navigation link to."""
    from tests.browser.test_crawl import ALWAYS_VISITED, same_site_pages

    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="en-GB",
                                  timezone_id="Asia/Thimphu")
    page = context.new_page()
    problems = []
    try:
        sign_in(page, site, ROLES[role])
        page.goto(site + "/")
        paths = ["/", *[p for p in same_site_pages(page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href]'))"
            ".filter(a => !a.hasAttribute('download')).map(a => a.href)"), site) if p != "/"]]
        paths += [p for p in ALWAYS_VISITED.get(role, ()) if p not in paths]
        for path in paths:
            response = page.goto(site + path)
            if response is None or response.status >= 400 or \
                    "text/html" not in response.headers.get("content-type", ""):
                continue
            found = page.evaluate(OVERFLOW_JS, FITTING_COLUMNS)
            if found["page"] > WIDTH:
                problems.append(f"{path}: the page is {found['page']} px wide")
            for region in found["regions"]:
                if region["scroll"] > region["client"]:
                    problems.append(f"{path}: {region['id']} is "
                                    f"{region['scroll'] - region['client']} px too wide")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
