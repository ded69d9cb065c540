"""A strict Content-Security-Policy on every page (issue 14; README "Content-Security-Policy").

Every page the role-access crawl reaches (tests/test_role_access_conflict_roles.py: every route
of the product, filled with its world's objects) is requested by each of its roles, an HR
officer, an administrator, a lead and an anonymous visitor; then the Django admin's pages as
an administrator. Each answer carries the strict policy (attachments keep their own, stricter
one), and no HTML page has an inline script, a <style> element, a style attribute, an on*=
handler or a javascript: URL (JSON data blocks are not scripts and are allowed). The
templates themselves are read too, for the branches a GET does not render.
"""

from __future__ import annotations

import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests import test_role_access_conflict_roles as crawl
from tests.test_role_access_conflict_roles import ROLES, all_urls

world = crawl.world  # the crawl's world, built once for this module


@pytest.fixture
def site(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return world

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Attachments and job files are sent with their own policy: nothing may load or run at all.
ATTACHMENT_POLICY = "default-src 'none'; sandbox"
# Answers that are not pages (files, data): only their header is checked, and the slow ones
# (PDFs, spreadsheets, exports) are left to the role-access tests.
NOT_PAGES = re.compile(r"\.pdf|\.<str:fmt>|export|\.csv|\.xlsx")


def directives(header: str) -> dict[str, set[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = set(values)
    return out


def policy_problems(response) -> list[str]:
    header = response.get("Content-Security-Policy")
    if header is None:
        return ["no Content-Security-Policy header"]
    if header == ATTACHMENT_POLICY:
        return []
    found = directives(header)
    return [f"{name} is {' '.join(sorted(found.get(name, ()))) or 'missing'}, not "
            f"{' '.join(sorted(values))}"
            for name, values in STRICT.items() if found.get(name) != values]


class InlineFinder(HTMLParser):
    """What of an HTML page a strict policy would block: inline script and style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "script" and not named.get("src") and (
                (named.get("type") or "").strip().lower() != "application/json"):
            self.problems.append(f"an inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"a <style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'style="{value}" on <{tag}> at line {self.getpos()[0]}')
            elif name.startswith("on") and len(name) > 2:
                self.problems.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            elif name in ("href", "src", "action", "formaction") and (
                    (value or "").strip().lower().startswith("javascript:")):
                self.problems.append(f"a javascript: URL on <{tag}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def check(response, label: str) -> list[str]:
    """The problems of one answer, each starting with `label`."""
    problems = policy_problems(response)
    if "text/html" in response.get("Content-Type", "") and not response.streaming:
        problems += inline_problems(response.content.decode("utf-8", errors="replace"))
    elif response.streaming:
        b"".join(response.streaming_content)  # close the file
    return [f"{label}: {problem}" for problem in problems]


# --- the parser catches what it must (so that its silence below means something) -----------
def test_the_inline_finder_finds_each_kind():
    page = """<html><head><style>p{}</style><script>alert(1)</script>
    <script src="/static/js/a.js"></script><script type="application/json" id="d">{}</script>
    </head><body><p style="color:red">x</p><button onclick="go()">y</button>
    <img src=x onerror=alert(1)><a href="javascript:go()">z</a><p class="ok" data-on="1">ok</p>
    </body></html>"""
    problems = inline_problems(page)
    assert [p.split(" at line")[0] for p in problems] == [
        "a <style> element", "an inline <script>", 'style="color:red" on <p>',
        "onclick= on <button>", "onerror= on <img>", "a javascript: URL on <a>"]
    assert inline_problems('<script src="/s.js" defer></script><p data-x="1">') == []


def test_the_policy_check_tells_a_loose_policy_apart():
    from django.http import HttpResponse

    response = HttpResponse("x")
    assert policy_problems(response) == ["no Content-Security-Policy header"]
    response["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'")
    assert policy_problems(response) == ["script-src is 'self' 'unsafe-inline', not 'self'"]


# --- every page of the role-access crawl ---------------------------------------------------------
def _crawl_urls(site) -> list[str]:
    urls = []
    for route, _label, url in all_urls(site, "fund_manager"):
        if NOT_PAGES.search(route) or NOT_PAGES.search(url):
            continue
        if route.startswith("api/") and not route.startswith("api/docs"):
            continue  # JSON; the header on API answers is checked below, once per route kind
        urls.append(url)
    return list(dict.fromkeys(urls))


def test_every_page_of_the_crawl_has_the_strict_policy_and_no_inline_code(site):
    from people.factories import UserFactory

    extra = {
        "hr_officer": UserFactory(hr_officer=True),
        "admin": UserFactory(is_staff=True, is_superuser=True),
        "lead": site.d_lead,  # D is a draft: its edit page (the budget and team formsets)
    }
    pages = _crawl_urls(site)
    assert len(pages) > 60 and "/api/docs/" in pages, pages  # the crawl is the product's
    problems = []
    statuses = set()
    for role in [*ROLES, *extra, "anonymous"]:
        client = Client(raise_request_exception=False)
        user = extra.get(role) or getattr(site, role, None)
        if user is not None:
            client.force_login(user)
        for url in [*all_urls_for(site, role, pages), "/api/docs/?script="]:
            response = client.get(url)
            statuses.add(response.status_code)
            problems += check(response, f"GET {url} as {role} ({response.status_code})")
    # pages, refusals, redirects and missing objects were all checked
    assert {200, 302, 403, 404} <= statuses, statuses
    assert not problems, "\n".join(problems)


def all_urls_for(site, role: str, pages: list[str]) -> list[str]:
    """The crawl's pages, with the role's own job and notification where those differ."""
    if role not in ROLES:
        return pages
    own = [url for route, _label, url in all_urls(site, role)
           if route.startswith(("jobs/", "notifications/")) and not NOT_PAGES.search(route)]
    return list(dict.fromkeys([*pages, *own]))


def test_api_answers_and_attachments_carry_a_policy(site):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(site.fund_manager)
    problems = []
    for url in ("/api/v1/proposals/", f"/api/v1/proposals/{site.p.pk}/", "/api/v1/nope/",
                f"/api/v1/rounds/{site.round.pk}/ranking/"):
        problems += check(api.get(url), f"GET {url}")
    client = Client()
    client.force_login(site.p_lead)
    attachment = client.get(f"/proposals/{site.p.pk}/attachments/{site.p_attachment.pk}/")
    assert attachment.status_code == 200
    # the attachment's own, stricter policy is kept, not replaced by the site's
    assert attachment["Content-Security-Policy"] == ATTACHMENT_POLICY
    if attachment.streaming:
        b"".join(attachment.streaming_content)  # close the file
    assert not problems, "\n".join(problems)


# --- the admin --------------------------------------------------------------------------------
def test_every_admin_page_has_the_strict_policy_and_no_inline_code(site):
    """...and renders without a server error (a job's change page once did: its file has no URL)."""
    from django.contrib import admin
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import NoReverseMatch, reverse

    from people.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    urls = ["/admin/", "/admin/password_change/"]
    request = client.get("/admin/").wsgi_request
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        urls += [reverse(f"{base}_changelist"), reverse(f"{base}_add"),
                 reverse("admin:app_list", args=[meta.app_label])]
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{base}_change", args=[first.pk]),
                     reverse(f"{base}_history", args=[first.pk])]
        try:
            urls.append(reverse(f"{base}_import"))
        except NoReverseMatch:
            pass
    urls = list(dict.fromkeys(urls))
    assert len(urls) > 20, urls
    problems = []
    for url in urls:
        response = client.get(url)
        problems += check(response, f"GET {url} ({response.status_code})")
        if response.status_code >= 500:  # every admin page renders for an administrator
            problems.append(f"GET {url}: a server error ({response.status_code})")
    # the import's dry run (the report, with its status line), and a bad file's refusal
    for text in ("code,name,kind\nCSPAG,CSP Agency,ministry\n", "wrong,header\n1,2\n"):
        upload = SimpleUploadedFile("agencies.csv", text.encode(), content_type="text/csv")
        response = client.post("/admin/people/agency/import/", {"file": upload})
        assert response.status_code == 200
        problems += check(response, "POST /admin/people/agency/import/")
    assert not problems, "\n".join(problems)


# --- pages no GET renders: the templates themselves ----------------------------------------------
# Rendered only into PDFs by WeasyPrint (never served as a page): their <style> stays.
PDF_ONLY = ("documents/", "rewards/dossier.html")


def page_templates() -> list[Path]:
    base = Path(django_settings.BASE_DIR)
    dirs = [base / "templates", *sorted(base.glob("*/templates"))]
    found = []
    for directory in dirs:
        for path in sorted(directory.rglob("*.html")):
            name = path.relative_to(directory).as_posix()
            if not name.startswith(PDF_ONLY):
                found.append(path)
    return found


def test_no_page_template_has_inline_script_or_style():
    templates = page_templates()
    assert any(p.name == "base.html" for p in templates) and len(templates) > 50
    problems = []
    for path in templates:
        source = path.read_text(encoding="utf-8")
        # Comments are not HTML; a template tag stands for some text (`src="{% static %}"`).
        source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", source,
                        flags=re.S)
        source = re.sub(r"{%.*?%}", "X", source, flags=re.S)
        problems += [f"{path.relative_to(django_settings.BASE_DIR)}: {p}"
                     for p in inline_problems(source)]
    assert not problems, "\n".join(problems)


# --- report-only mode ----------------------------------------------------------------------------
def _settings_with(monkeypatch, **env) -> dict:
    for name in ("CSP_REPORT_ONLY", "CSP_REPORT_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(django_settings.BASE_DIR) / "config" / "settings.py"))


@pytest.mark.django_db
def test_the_policy_is_enforced_by_default(client, monkeypatch, settings):
    loaded = _settings_with(monkeypatch)
    settings.CONTENT_SECURITY_POLICY = loaded["CONTENT_SECURITY_POLICY"]
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = loaded["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    response = client.get("/login/")
    assert "Content-Security-Policy-Report-Only" not in response
    assert policy_problems(response) == []
    assert "report-uri" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_report_only_mode_sends_the_same_policy_under_the_report_only_header(
        client, monkeypatch, settings):
    loaded = _settings_with(monkeypatch, CSP_REPORT_ONLY="1",
                            CSP_REPORT_URI="https://reports.example.gov.bt/csp")
    settings.CONTENT_SECURITY_POLICY = loaded["CONTENT_SECURITY_POLICY"]
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = loaded["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    response = client.get("/login/")
    assert "Content-Security-Policy" not in response
    header = response["Content-Security-Policy-Report-Only"]
    found = directives(header)
    assert found.pop("report-uri") == {"https://reports.example.gov.bt/csp"}
    assert found == STRICT
    # a report URI alone, with the policy enforced, is sent with the enforced header
    loaded = _settings_with(monkeypatch, CSP_REPORT_URI="/csp-reports/")
    settings.CONTENT_SECURITY_POLICY = loaded["CONTENT_SECURITY_POLICY"]
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = loaded["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    response = client.get("/login/")
    assert "Content-Security-Policy-Report-Only" not in response
    assert directives(response["Content-Security-Policy"])["report-uri"] == {"/csp-reports/"}
