"""Every table of the product scrolls inside a named region the keyboard reaches (issue 15).

A table wider than a phone scrolls sideways; for a keyboard to scroll it, its scroll box must
take focus, and a focusable box needs a role and a name (axe `scrollable-region-focusable`):
    <div class="table-scroll" role="region" aria-labelledby="…" tabindex="0"><table>…
(site.css gives it the shadow that says more columns wait.)

Checked twice: (1) in the templates, every <table> sits directly in such a region, so a branch
no test renders is held too; (2) on every page of the role-access crawl
(tests/test_role_access_conflict_roles.py: every route of the product, filled with its world's
objects) as a fund manager, the deputy chair, the stand-in chair, an invitee (a civil servant),
an HR officer and an administrator: each rendered <table> has an ancestor with role="region",
tabindex="0" and a name, and the name's element exists and says something.
The PDFs' templates (templates/documents/, rewards/dossier.html) are documents, not screens.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests import test_role_access_conflict_roles as crawl
from tests.test_role_access_conflict_roles import all_urls

world = crawl.world  # the crawl's world, built once for this module

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
NOT_SCREENS = ("documents/", "rewards/dossier.html")
NOT_PAGES = re.compile(r"\.pdf|\.<str:fmt>|export|\.csv|\.xlsx|/download|/file|/attachments/")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --- a small tree of the page -------------------------------------------------------------
class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None, line: int):
        self.tag, self.attrs, self.parent, self.line = tag, attrs, parent, line
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None, 0)
        self.current = self.root
        self.tables: list[Node] = []
        self.ids: dict[str, Node] = {}
        self.labelled_by: dict[str, list[Node]] = {}

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current, self.getpos()[0])
        self.current.children.append(node)
        if node.attrs.get("id"):
            self.ids[node.attrs["id"]] = node
        for ident in (node.attrs.get("aria-labelledby") or "").split():
            self.labelled_by.setdefault(ident, []).append(node)
        if tag == "table":
            self.tables.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # a stray end tag closes nothing
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def region_problems(html: str) -> list[str]:
    """Each <table> of `html` that is not inside a focusable, named region."""
    tree = TreeBuilder()
    tree.feed(html)
    tree.close()
    problems = []
    for table in tree.tables:
        node, region = table.parent, None
        while node is not None and region is None:
            if node.attrs.get("role") == "region":
                region = node
            node = node.parent
        where = f"the <table> at line {table.line}"
        if region is None:
            problems.append(f"{where} is in no role=region")
            continue
        if region.attrs.get("tabindex") != "0":
            problems.append(f"{where}: its region has no tabindex=\"0\"")
        label = (region.attrs.get("aria-label") or "").strip()
        for ident in (region.attrs.get("aria-labelledby") or "").split():
            named = tree.ids.get(ident)
            if named is None:
                problems.append(f"{where}: its region is labelled by #{ident}, which is not there")
            else:
                label += named.text().strip()
            if len(tree.labelled_by.get(ident, ())) > 1:  # axe landmark-unique
                problems.append(f"{where}: its region shares its name (#{ident}) with another "
                                "landmark")
        if not label:
            problems.append(f"{where}: its region has no name")
    return problems


def test_the_checker_tells_a_good_region_from_the_bad_ones():
    good = ('<div class="table-scroll" role="region" aria-labelledby="c" tabindex="0">'
            '<table><caption id="c">Awards</caption><tr><td>1</td></tr></table></div>')
    assert region_problems(good) == []
    assert region_problems('<div role="region" aria-label="Awards" tabindex="0"><p><table>'
                           '</table></p></div>') == []
    assert region_problems('<div class="table-wrap"><table></table></div>') == [
        "the <table> at line 1 is in no role=region"]
    assert region_problems('<div role="region" aria-labelledby="c"><table><caption id="c">A'
                           '</caption></table></div>') == [
        'the <table> at line 1: its region has no tabindex="0"']
    assert region_problems('<div role="region" aria-labelledby="gone" tabindex="0"><table>'
                           '</table></div>') == [
        "the <table> at line 1: its region is labelled by #gone, which is not there",
        "the <table> at line 1: its region has no name"]
    assert region_problems('<div role="region" aria-labelledby="e" tabindex="0"><table>'
                           '<caption id="e"> </caption></table></div>') == [
        "the <table> at line 1: its region has no name"]
    # a region named by its section's heading is a second landmark of the same name
    assert region_problems('<section aria-labelledby="h"><h2 id="h">Budget</h2><div '
                           'role="region" aria-labelledby="h" tabindex="0"><table></table>'
                           '</div></section>') == [
        "the <table> at line 1: its region shares its name (#h) with another landmark"]
    # a region closed before the table does not hold it
    assert region_problems('<div role="region" aria-label="A" tabindex="0"></div><table>'
                           '</table>') == ["the <table> at line 1 is in no role=region"]


# --- (1) the templates ------------------------------------------------------------------------
REGION_THEN_TABLE = re.compile(r"(<div\b[^>]*>)\s*(?:{#.*?#}\s*)?<table\b", re.S)


def template_problems(source: str) -> list[str]:
    problems = []
    for match in re.finditer(r"<table\b", source):
        line = source.count("\n", 0, match.start()) + 1
        opening = None
        for candidate in REGION_THEN_TABLE.finditer(source, 0, match.end()):
            if candidate.end() == match.end():
                opening = candidate.group(1)
        if opening is None:
            problems.append(f"line {line}: the <table> is not directly in a <div>")
            continue
        missing = [attr for attr, pattern in (
            ('role="region"', r'\brole="region"'),
            ('tabindex="0"', r'\btabindex="0"'),
            ("a name (aria-labelledby or aria-label)", r'\baria-(?:labelledby|label)="[^"]+"'),
        ) if not re.search(pattern, opening)]
        if missing:
            problems.append(f"line {line}: its <div> lacks {', '.join(missing)}")
    return problems


def test_the_template_check_finds_a_bare_table():
    assert template_problems('<div class="table-wrap">\n  <table></table></div>') == [
        'line 2: its <div> lacks role="region", tabindex="0", a name (aria-labelledby or '
        'aria-label)']
    assert template_problems("<section>\n<table>") == [
        "line 2: the <table> is not directly in a <div>"]
    assert template_problems('<div role="region" tabindex="0" aria-labelledby="x">\n'
                             "  <table>") == []


def _screen_templates() -> list[Path]:
    return [path for path in sorted(TEMPLATES.rglob("*.html"))
            if not str(path.relative_to(TEMPLATES)).startswith(NOT_SCREENS)]


def test_every_table_of_the_templates_sits_in_a_named_focusable_region():
    templates = _screen_templates()
    with_tables = [path for path in templates if "<table" in path.read_text()]
    assert len(with_tables) > 20  # the product's tables, not an empty search
    problems = [f"{path.relative_to(TEMPLATES)} {problem}"
                for path in with_tables for problem in template_problems(path.read_text())]
    assert not problems, "\n".join(problems)


# --- (2) every page of the crawl, as each role ---------------------------------------------
@pytest.fixture
def site(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return world


CRAWLED = ["fund_manager", "deputy", "stand_in", "invitee"]


def test_every_rendered_table_sits_in_a_named_focusable_region(site):
    from people.factories import UserFactory

    extra = {"hr_officer": UserFactory(hr_officer=True),
             "admin": UserFactory(is_staff=True, is_superuser=True)}
    problems, tables_seen, pages_seen = [], 0, 0
    for role in [*CRAWLED, *extra]:
        client = Client(raise_request_exception=False)
        client.force_login(extra.get(role) or getattr(site, role))
        urls = dict.fromkeys(url for route, _label, url in all_urls(site, role
                                                                   if role in CRAWLED
                                                                   else "fund_manager")
                             if not route.startswith("api/") and not NOT_PAGES.search(url)
                             and not NOT_PAGES.search(route))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get(
                    "Content-Type", "") or response.streaming:
                continue
            html = response.content.decode()
            pages_seen += 1
            tables_seen += html.count("<table")
            problems += [f"GET {url} as {role}: {problem}" for problem in region_problems(html)]
    # the crawl saw the product's tables (lists, money, ranking, records), not a handful
    assert pages_seen > 100 and tables_seen > 50, (pages_seen, tables_seen)
    assert not problems, "\n".join(problems)
