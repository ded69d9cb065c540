"""One request, one effect: a page form sent twice records once (workflow/one_effect.py).

Every state-changing form carries a one-time token (`{% form_token %}`); the token is spent
only when the action took effect, so a refused form can be corrected and sent again.
"""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from fund.factories import FundFactory
from fund.models import Contribution
from fund.services import fund_available_balance
from people.factories import AgencyFactory, UserFactory
from rewards.models import Recognition
from workflow.models import FormToken, IdempotencyKey
from workflow.one_effect import ALREADY_RECORDED, FIELD, STALE_AFTER, new_token

pytestmark = pytest.mark.django_db

ALREADY = "This was already recorded; it was not done twice."


def token_of(page: str) -> str:
    """The one-time token of the (first) form on a rendered page."""
    match = re.search(rf'name="{FIELD}" value="([^"]+)"', page)
    assert match, "the form has no one-time token"
    return match.group(1)


# --- Record a contribution ---------------------------------------------------------------


@pytest.fixture
def contribution_page(client, fund_manager):
    fund = FundFactory()
    client.force_login(fund_manager)
    url = reverse("fund:contribution_create", args=[fund.pk])
    return fund, url, token_of(client.get(url).content.decode())


def contribution(agency, amount="250000.00", token=None):
    body = {"agency": agency.pk, "amount": amount, "received_on": "2026-11-01", "note": "Q3"}
    if token is not None:
        body[FIELD] = token
    return body


def test_the_contribution_form_carries_a_fresh_token_each_render(client, contribution_page):
    _fund, url, token = contribution_page
    assert token != token_of(client.get(url).content.decode())
    assert not FormToken.objects.exists()  # rendering stores nothing


def test_a_double_click_on_record_a_contribution_records_it_once(client, contribution_page):
    fund, url, token = contribution_page
    agency = AgencyFactory(code="GNHC")
    balance = fund_available_balance(fund=fund)

    first = client.post(url, contribution(agency, token=token), HTTP_REFERER=f"http://testserver{url}")
    second = client.post(url, contribution(agency, token=token),
                         HTTP_REFERER=f"http://testserver{url}", follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(f"http://testserver{url}", 302)]
    assert ALREADY in second.content.decode()
    assert Contribution.objects.filter(fund=fund).count() == 1
    assert fund_available_balance(fund=fund) == balance + Decimal("250000.00")
    assert FormToken.objects.get(token=token).state == FormToken.State.SPENT


def test_a_spent_token_without_a_referer_goes_back_to_the_same_path(client, contribution_page):
    _fund, url, token = contribution_page
    agency = AgencyFactory()
    assert client.post(url, contribution(agency, token=token)).status_code == 302
    again = client.post(url, contribution(agency, token=token), HTTP_REFERER="https://evil.example/")
    assert again.status_code == 302 and again["Location"] == url
    assert Contribution.objects.count() == 1


def test_a_refused_form_keeps_its_token_for_the_corrected_form(client, contribution_page):
    fund, url, token = contribution_page
    agency = AgencyFactory()

    refused = client.post(url, contribution(agency, amount="-5", token=token))
    assert refused.status_code == 200
    assert "A contribution must be more than zero." in refused.content.decode()
    assert not FormToken.objects.exists()  # the reservation was removed

    corrected = client.post(url, contribution(agency, amount="250000.00", token=token))
    assert corrected.status_code == 302
    again = client.post(url, contribution(agency, amount="250000.00", token=token), follow=True)
    assert ALREADY in again.content.decode()
    assert list(Contribution.objects.filter(fund=fund).values_list("amount", flat=True)) == [
        Decimal("250000.00")
    ]


def test_a_repeat_while_the_first_is_running_is_409(client, contribution_page):
    _fund, url, token = contribution_page
    FormToken.objects.create(token=token, path=url)  # the first sending, still running
    response = client.post(url, contribution(AgencyFactory(), token=token))
    assert response.status_code == 409
    assert "being recorded" in response.content.decode()
    assert not Contribution.objects.exists()
    assert FormToken.objects.get(token=token).state == FormToken.State.RUNNING


def test_a_reservation_left_by_a_dead_process_is_taken_over(client, contribution_page):
    _fund, url, token = contribution_page
    FormToken.objects.create(token=token, path=url)
    FormToken.objects.filter(token=token).update(
        created_at=FormToken.objects.get(token=token).created_at - STALE_AFTER - timedelta(1)
    )
    assert client.post(url, contribution(AgencyFactory(), token=token)).status_code == 302
    assert Contribution.objects.count() == 1


def test_forms_sent_without_a_token_work_as_before(client, contribution_page):
    _fund, url, _token = contribution_page
    agency = AgencyFactory()
    assert client.post(url, contribution(agency)).status_code == 302
    assert client.post(url, contribution(agency)).status_code == 302
    assert Contribution.objects.count() == 2
    assert not FormToken.objects.exists()


def test_a_malformed_token_is_refused_and_records_nothing(client, contribution_page):
    _fund, url, _token = contribution_page
    response = client.post(url, contribution(AgencyFactory(), token="x" * 65))
    assert response.status_code == 400
    assert not Contribution.objects.exists()


def test_a_form_refused_for_not_being_signed_in_does_not_spend_its_token(client, fund_manager):
    fund = FundFactory()
    url = reverse("fund:contribution_create", args=[fund.pk])
    token = new_token()
    client.logout()
    response = client.post(url, contribution(AgencyFactory(), token=token))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not FormToken.objects.exists()
    client.force_login(fund_manager)
    assert client.post(url, contribution(AgencyFactory(), token=token)).status_code == 302
    assert Contribution.objects.count() == 1


def test_a_forbidden_form_does_not_spend_its_token(client, civil_servant):
    fund = FundFactory()
    client.force_login(civil_servant)
    url = reverse("fund:contribution_create", args=[fund.pk])
    assert client.post(url, contribution(AgencyFactory(), token=new_token())).status_code == 403
    assert not FormToken.objects.exists()


# --- Award a recognition ----------------------------------------------------------------------


def test_a_double_click_on_award_a_recognition_records_it_once(client, fund_manager):
    recipient = UserFactory(username="recipient")
    client.force_login(fund_manager)
    url = reverse("rewards:recognition_create")
    token = token_of(client.get(url).content.decode())
    body = {"recipient": recipient.pk, "kind": "collaboration",
            "citation": "For working across agencies.", FIELD: token}

    first = client.post(url, body, HTTP_REFERER=f"http://testserver{url}")
    second = client.post(url, body, HTTP_REFERER=f"http://testserver{url}", follow=True)

    assert first.status_code == 302
    assert second.redirect_chain == [(f"http://testserver{url}", 302)]
    assert ALREADY in second.content.decode()
    assert Recognition.objects.filter(recipient=recipient).count() == 1
    record = client.get(reverse("rewards:record", args=[recipient.pk])).content.decode()
    assert record.count("For working across agencies.") == 1


def test_a_refused_recognition_keeps_its_token(client, fund_manager):
    recipient = UserFactory(username="recipient")
    client.force_login(fund_manager)
    url = reverse("rewards:recognition_create")
    token = token_of(client.get(url).content.decode())
    body = {"recipient": recipient.pk, "kind": "collaboration", FIELD: token}
    assert client.post(url, body).status_code == 400  # no citation
    assert client.post(url, {**body, "citation": "For the pilot."}).status_code == 302
    assert client.post(url, {**body, "citation": "For the pilot."}).status_code == 302
    assert Recognition.objects.count() == 1


# --- keeping tokens -----------------------------------------------------------------------------


def test_sweep_deletes_tokens_and_keys_older_than_a_day():
    old, new = FormToken.objects.create(token="a" * 32, path="/"), FormToken.objects.create(
        token="b" * 32, path="/")
    FormToken.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(hours=25))
    FormToken.objects.filter(pk=new.pk).update(created_at=new.created_at - timedelta(hours=23))
    key = IdempotencyKey.objects.create(user_pk=1, key="k", method="POST", path="/api/v1/x/",
                                        fingerprint="f")
    IdempotencyKey.objects.filter(pk=key.pk).update(created_at=key.created_at - timedelta(days=2))
    out = StringIO()
    # Asking for less than a day still keeps a day.
    call_command("sweep_form_tokens", "--older-than-hours", "1", stdout=out)
    assert "Deleted 1 form token(s) and 1 idempotency key(s)." in out.getvalue()
    assert list(FormToken.objects.values_list("pk", flat=True)) == [new.pk]
    assert not IdempotencyKey.objects.exists()


def test_the_sweep_runs_in_the_beat_schedule():
    from workflow.tasks import sweep_form_tokens

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "workflow.sweep_form_tokens" in tasks
    assert sweep_form_tokens() == {"formtoken": 0, "idempotencykey": 0}


def test_the_message_is_the_one_the_product_shows():
    assert ALREADY_RECORDED == ALREADY


# --- every state-changing form carries the token ----------------------------------------------

BASE = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE / "templates", *sorted(BASE.glob("*/templates"))]
EXEMPT_DIRS = ("registration", "admin")  # sign-in, password pages; Django's admin


def _product_templates():
    for root in TEMPLATE_DIRS:
        for path in sorted(root.rglob("*.html")):
            relative = path.relative_to(root)
            if relative.parts[0] not in EXEMPT_DIRS:
                yield path


def _post_forms(text: str):
    for match in re.finditer(r"<form\b[^>]*>", text, re.I):
        if re.search(r"""method=["']?post""", match.group(0), re.I):
            end = text.find("</form>", match.end())
            yield match.group(0), text[match.end(): end if end != -1 else len(text)]


def test_every_post_form_in_the_templates_has_the_token_tag():
    missing = []
    for path in _product_templates():
        for tag, inside in _post_forms(path.read_text()):
            if "'logout'" in tag:  # signing out changes nothing that could be done twice
                continue
            if "{% form_token %}" not in inside:
                missing.append(f"{path.relative_to(BASE)}: {tag}")
    assert not missing, "forms without {% form_token %}:\n" + "\n".join(missing)


class _Page(HTMLParser):
    """The links and POST forms of a page (each form: its action and its token)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = set(), [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "token": None}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attrs.get("name") == FIELD:
            self._form["token"] = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


SKIP = ("/admin/", "/api/", "/static/", "/media", "/logout", "/password/", "/login")
DOWNLOADS = re.compile(r"(\.pdf|\.csv|\.xlsx|\.json|/pdf|/export|/download|/letter|/dossier)",
                       re.I)
MAX_PAGES = 400


def _exempt(action: str, page_path: str) -> bool:
    try:
        match = resolve(action.split("?")[0] or page_path)
    except Resolver404:
        return False
    return match.url_name in {"logout", "login"} or match.namespace == "admin" or (
        match.url_name or "").startswith("password_")


def _crawl(client):
    """Every page reachable by links from the home page (query strings left out); returns
    {page path: [forms]} for the pages with a POST form."""
    seen, queue, found = set(), ["/"], {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
                "text/html") or getattr(response, "streaming", False):
            continue
        page = _Page()
        page.feed(response.content.decode())
        if page.forms:
            found[path] = page.forms
        for href in page.links:
            target = href.split("#")[0].split("?")[0]
            if (target.startswith("/") and not target.startswith("//")
                    and not target.startswith(SKIP) and not DOWNLOADS.search(target)
                    and target not in seen):
                queue.append(target)
    return found


@pytest.fixture
def seeded_world():
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("username", ["sonam", "pema", "tashi"])
def test_every_post_form_of_a_seeded_world_carries_a_fresh_token(client, seeded_world, username):
    from people.models import User

    client.force_login(User.objects.get(username=username))
    pages = _crawl(client)

    checked, missing, tokens = 0, [], []
    for path, forms in pages.items():
        for form in forms:
            if _exempt(form["action"], path):
                continue
            checked += 1
            if not form["token"]:
                missing.append(f"{path}: form posting to {form['action'] or path}")
            else:
                tokens.append(form["token"])
    assert checked >= 3, pages
    assert not missing, "forms without the one-time token:\n" + "\n".join(missing)
    assert len(set(tokens)) == len(tokens)  # a fresh value per form rendered
    if username == "sonam":  # the fund manager reaches the forms of issue 13
        assert any(p.endswith("/contributions/new/") for p in pages), sorted(pages)
        assert "/recognitions/new/" in pages, sorted(pages)
