"""The analytics pages as screens: each table scrolls in a region named by itself (not by its
section's heading, which names the section: axe `landmark-unique`), the public figures are
linked from every page's footer, and the browser crawl visits every analytics page."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils.html import escape

from analytics.figures import FIGURES, PUBLIC_FIGURES
from tests.browser.test_crawl import ALWAYS_VISITED
from tests.test_table_regions import region_problems


class _Landmarks(HTMLParser):
    """The accessible name of every region and named landmark, from the text of each id."""

    LANDMARKS = {"section", "nav", "form", "aside", "main"}
    VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.named: list[str] = []  # each landmark's aria-labelledby, or "=" and its aria-label
        self.texts: dict[str, str] = {}
        self.stack: list[tuple[str, str | None]] = []  # (tag, id) of the open elements

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (a.get("role") == "region" or tag in self.LANDMARKS) and (
                a.get("aria-labelledby") or a.get("aria-label")):
            self.named.append(a.get("aria-labelledby") or "=" + a["aria-label"])
        if a.get("id"):
            self.texts[a["id"]] = ""
        if tag not in self.VOID:
            self.stack.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for _tag, ident in self.stack:
            if ident:
                self.texts[ident] += data

    def names(self) -> list[str]:
        return [ref[1:].strip() if ref.startswith("=") else
                " ".join(self.texts.get(i, "").strip() for i in ref.split())
                for ref in self.named]


def landmark_names(html: str) -> list[str]:
    parser = _Landmarks()
    parser.feed(html)
    return parser.names()


@pytest.mark.parametrize("url", [f"/analytics/{k}/" for k in FIGURES]
                         + [f"/analytics/public/{k}/" for k in PUBLIC_FIGURES])
def test_each_table_region_is_named_by_itself_and_no_two_landmarks_share_a_name(world, url):
    client = Client()
    client.force_login(world["manager"])
    html = client.get(url).content.decode()
    assert html.count("<table") >= 1
    assert region_problems(html) == []
    names = landmark_names(html)
    assert names and all(names)
    assert len(names) == len(set(names)), sorted(names)
    # a table's region says which figure and which table it is
    title = FIGURES[url.rstrip("/").rsplit("/", 1)[-1]]
    assert sum(1 for n in names if n.startswith(f"{title} — ") and "a table of" in n) == \
        html.count("<table")


def test_every_page_links_to_the_public_figures(client, db):
    page = client.get("/login/").content.decode()
    assert 'href="/analytics/public/">The fund in figures</a>' in page
    assert client.get("/analytics/public/").status_code == 200


def test_the_browser_crawl_visits_every_analytics_page():
    from tests.route_coverage import all_routes

    routes = {r for r in all_routes() if r.startswith("analytics/")}
    visited = {path.lstrip("/") for pages in ALWAYS_VISITED.values() for path in pages}
    assert routes == visited


def test_the_index_says_what_each_figure_answers(world, client):
    """A bare list of six titles told a first-time user little (a walkthrough)."""
    from analytics.figures import SUMMARIES

    client.force_login(world["manager"])
    page = client.get("/analytics/").content.decode()
    for key, summary in SUMMARIES.items():
        assert f'href="/analytics/{key}/">' in page and escape(str(summary)) in page
    public = client.get("/analytics/public/").content.decode()
    assert escape(str(SUMMARIES["funnel"])) in public
    assert escape(str(SUMMARIES["reviewing"])) not in public
