"""A crawl per role: every page reachable from the role's navigation and home page, and the
first two object pages of each kind linked from those, checked by axe-core at 1280 px and
375 px (any violation of any impact fails) and for sideways scrolling at 320 px (no page
wider than the screen).

Each page is loaded once and resized: 1280 px (axe), 375 px (axe), 320 px (width)."""

import os
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.utils import translation

from analytics.figures import FIGURES, PUBLIC_FIGURES
from tests.browser.helpers import ROLES, run_axe, sign_in

# django_db: the test database is set up (pytest-django sets up only those tests ask for).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = (1280, 375)
NARROWEST = 320
OBJECTS_PER_KIND = 2
MAX_PAGES = 45  # per role, bounding the object pages only: a role's crawl stays near a minute

# Not pages: files, the API, the admin (Django's own), signing out, and data exports.
NOT_A_PAGE = re.compile(
    r"^/(api|admin|static|media)/|/logout/|\.(pdf|csv|xlsx|json|zip)$|/pdf/|/export|/download"
    r"|/dossier|/letter|/summary\.pdf|/portfolio"
)


# Pages a role's crawl visits whatever its links and MAX_PAGES say: the analytics figures,
# each page its own (issue 17); the public ones are linked from every page's footer.
PUBLIC_ANALYTICS = ["/analytics/public/", *[f"/analytics/public/{k}/" for k in PUBLIC_FIGURES]]
ALWAYS_VISITED = {
    "fund_manager": ["/analytics/", *[f"/analytics/{k}/" for k in FIGURES]],
    "anonymous": PUBLIC_ANALYTICS,
}


def kind_of(url: str) -> str:
    """Pages of one kind: the path with its ids replaced, and the query's keys."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/)", "/<id>", parts.path)
    keys = ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))
    return f"{path}?{keys}" if keys else path


LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => !a.hasAttribute('download'))
    .map(a => a.href)"""


def same_site_pages(hrefs: list[str], base_url: str) -> list[str]:
    pages = []
    for href in hrefs:
        href = href.split("#", 1)[0]
        if not href.startswith(base_url):
            continue
        path = href[len(base_url):] or "/"
        if NOT_A_PAGE.search(urlsplit(path).path):
            continue
        if path not in pages:
            pages.append(path)
    return pages


def check_page(page, base_url, path, axe_source, problems):
    response = page.goto(base_url + path)
    status = response.status if response else 0
    if status >= 400:
        problems.append(f"{path}: answered {status}")
        return []
    if "text/html" not in (response.headers.get("content-type", "") if response else ""):
        return []
    links = page.evaluate(LINKS_JS)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for v in run_axe(page, axe_source):
            problems.append(f"{path} @{width}px: axe {v['id']} ({v['impact']}, {v['count']} "
                            f"element(s)): {v['help']} -> {'; '.join(v['targets'])}")
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > NARROWEST:
        widest = page.evaluate(
            """(limit) => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > limit + 1)
                .filter(e => !Array.from(e.children).some(
                    c => c.getBoundingClientRect().right > limit + 1))
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' +
                    String(e.className).trim().split(/\\s+/).join('.') : ''))""",
            NARROWEST,
        )
        problems.append(f"{path} @{NARROWEST}px: page is {scroll_width} px wide "
                        f"(widest: {', '.join(widest)})")
    page.set_viewport_size({"width": 1280, "height": 800})
    return links


def check_open_menu(page, base_url, axe_source, problems, menu="Menu"):
    """At 375 px the navigation folds behind a "Menu" button: open it, and check the page
    with the menu open (axe at 375 px, width at 320 px)."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base_url + "/")
    toggle = page.get_by_role("button", name=menu)
    if not toggle.count() or not toggle.first.is_visible():
        return
    toggle.first.click()
    if toggle.first.get_attribute("aria-expanded") != "true":
        problems.append("/ @375px: the Menu button does not say it is expanded once opened")
    for v in run_axe(page, axe_source):
        problems.append(f"/ with the menu open @375px: axe {v['id']} ({v['impact']}, "
                        f"{v['count']} element(s)): {v['help']} -> {'; '.join(v['targets'])}")
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > NARROWEST:
        problems.append(f"/ with the menu open @{NARROWEST}px: page is {scroll_width} px wide")
    page.set_viewport_size({"width": 1280, "height": 800})


def _report(role, visited, problems):
    path = os.environ.get("AXE_REPORT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"## {role} ({len(visited)} pages)\n")
        out.write(f"Visited: {' '.join(visited)}\n\n")
        out.write("".join(f"- {p}\n" for p in problems) or "- no problem\n")


# The crawl runs once in each language of the interface (issue 18): English, then Dzongkha,
# chosen as a person does, by the language cookie the switcher sets.
@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_passes_axe_and_fits_a_phone(
        role, language, site, browser, axe_source):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB",
                                  timezone_id="Asia/Thimphu")
    page = context.new_page()
    page.set_default_timeout(15_000)
    with translation.override(language):
        menu = translation.gettext("Menu")
    try:
        sign_in(page, site, ROLES[role])
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                              "url": site}])
        problems: list[str] = []
        visited: list[str] = []
        # Level 1: the home page, then every page its navigation and content link to.
        home_links = check_page(page, site, "/", axe_source, problems)
        visited.append("/")
        level1 = [p for p in same_site_pages(home_links, site) if p != "/"]
        if ROLES[role] is None:
            level1 = ["/login/", *level1]
        level1 += [p for p in ALWAYS_VISITED.get(role, ()) if p not in level1]
        seen_kinds: dict[str, int] = {}
        level2: list[str] = []
        for path in level1:  # every one of them, whatever MAX_PAGES says
            if path in visited:
                continue
            links = check_page(page, site, path, axe_source, problems)
            visited.append(path)
            seen_kinds[kind_of(path)] = seen_kinds.get(kind_of(path), 0) + 1
            level2 += [p for p in same_site_pages(links, site) if p not in level2]
        # Level 2: the object pages linked from them, the first two of each kind.
        for path in level2:
            if path in visited or path in level1 or len(visited) >= MAX_PAGES:
                continue
            kind = kind_of(path)
            if seen_kinds.get(kind, 0) >= OBJECTS_PER_KIND:
                continue
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
            check_page(page, site, path, axe_source, problems)
            visited.append(path)
        check_open_menu(page, site, axe_source, problems, menu=menu)
        if page.evaluate("() => document.documentElement.lang") != language:
            problems.append(f"/: the page is not in {language}")
    finally:
        context.close()
    _report(f"{role} ({language})", visited, problems)
    assert len(visited) >= (3 if ROLES[role] is None else 8), visited
    assert not problems, (
        f"{role}: {len(problems)} problem(s) on {len(visited)} pages:\n" + "\n".join(problems)
    )
