"""Dates without a time (DOMAIN.md, Integrity rules; issue 13): a round "closing on 29 Jan"
given as a date alone closes at the end of 29 Jan in Asia/Thimphu, not at its first minute;
opening on a date alone opens at its start; pages and emails show the deadline's time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from fund.factories import FundFactory, RoundFactory
from fund.forms import RoundForm
from fund.models import Round
from fund.services import round_create, round_update
from notifications.notices import context as notice_context
from people.factories import UserFactory
from proposals.forms import RoundChoiceField
from tests.api.conftest import client_for
from workflow.dates import END, START, day_or_moment, given_day

pytestmark = pytest.mark.django_db

THIMPHU = dt.timezone(dt.timedelta(hours=6))  # Asia/Thimphu has no daylight saving
YEAR = timezone.localdate().year + 1
CLOSING_DAY = dt.date(YEAR, 1, 29)
END_OF_DAY = dt.datetime(YEAR, 1, 29, 23, 59, 59, 999999, tzinfo=THIMPHU)
START_OF_DAY = dt.datetime(YEAR, 1, 1, 0, 0, tzinfo=THIMPHU)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manager(db):
    return UserFactory(fund_manager=True)


def _form_data(fund, **dates):
    return {"fund": fund.pk, "title": "Service design", "budget": "3000000.00",
            "max_award": "500000.00", "min_partner_agencies": "2", "min_panel_agencies": "3",
            "reviews_required": "3", **dates}


# --- the rule ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value, day", [
    (CLOSING_DAY, CLOSING_DAY), (f"{YEAR}-01-29", CLOSING_DAY), (f" 29/01/{YEAR} ", CLOSING_DAY),
    (dt.datetime(YEAR, 1, 29, 12, 0), None), (f"{YEAR}-01-29T12:00", None),
    (f"{YEAR}-01-29 00:00", None), ("", None), ("soon", None), (None, None),
])
def test_a_day_without_a_time_is_recognised(value, day):
    assert given_day(value) == day


def test_a_day_alone_means_its_start_or_its_end_in_thimphu():
    assert day_or_moment(CLOSING_DAY, END) == END_OF_DAY
    assert day_or_moment(dt.date(YEAR, 1, 1), START) == START_OF_DAY
    given = dt.datetime(YEAR, 1, 29, 10, 0, tzinfo=THIMPHU)
    assert day_or_moment(given, END) is given  # a time given is kept


# --- the form (pages) ---------------------------------------------------------------------------
@pytest.mark.parametrize("closes", [f"{YEAR}-01-29", f"29/01/{YEAR}"])
def test_the_form_closes_a_day_alone_at_its_end(closes):
    form = RoundForm(_form_data(FundFactory(), opens_at=f"{YEAR}-01-01", closes_at=closes))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["closes_at"] == END_OF_DAY
    assert form.cleaned_data["opens_at"] == START_OF_DAY


def test_the_form_keeps_a_time_that_was_given():
    form = RoundForm(_form_data(FundFactory(), opens_at=f"{YEAR}-01-01T09:30",
                                closes_at=f"{YEAR}-01-29T00:00"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["closes_at"] == dt.datetime(YEAR, 1, 29, 0, 0, tzinfo=THIMPHU)
    assert form.cleaned_data["opens_at"] == dt.datetime(YEAR, 1, 1, 9, 30, tzinfo=THIMPHU)


def test_a_round_created_on_the_page_with_dates_alone_takes_all_of_its_last_day(client, manager):
    client.force_login(manager)
    fund = FundFactory()
    response = client.post(reverse("fund:round_create"), _form_data(
        fund, opens_at=f"{YEAR}-01-01", closes_at=f"{YEAR}-01-29"))
    assert response.status_code == 302
    round_ = Round.objects.get(title="Service design")
    assert (round_.opens_at, round_.closes_at) == (START_OF_DAY, END_OF_DAY)
    # At 23:00 on the last day it still takes proposals; at midnight it no longer does.
    assert dt.datetime(YEAR, 1, 29, 23, 0, tzinfo=THIMPHU) < round_.closes_at
    assert round_.closes_at < dt.datetime(YEAR, 1, 30, 0, 0, tzinfo=THIMPHU)


# --- the API ------------------------------------------------------------------------------------
def test_the_api_closes_a_day_alone_at_its_end(manager):
    fund = FundFactory()
    response = client_for(manager).post("/api/v1/rounds/", {
        "fund": fund.pk, "title": "Service design", "opens_at": f"{YEAR}-01-01",
        "closes_at": f"{YEAR}-01-29", "budget": "3000000.00", "max_award": "500000.00",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["closes_at"] == f"{YEAR}-01-29T23:59:59.999999+06:00"
    assert body["opens_at"] == f"{YEAR}-01-01T00:00:00+06:00"
    round_ = Round.objects.get(pk=body["id"])
    assert (round_.opens_at, round_.closes_at) == (START_OF_DAY, END_OF_DAY)


def test_the_api_keeps_a_time_that_was_given(manager):
    round_ = RoundFactory(draft=True)
    response = client_for(manager).patch(f"/api/v1/rounds/{round_.pk}/", {
        "closes_at": f"{YEAR}-01-29T12:00:00+06:00"}, format="json")
    assert response.status_code == 200, response.json()
    round_.refresh_from_db()
    assert round_.closes_at == dt.datetime(YEAR, 1, 29, 12, 0, tzinfo=THIMPHU)
    response = client_for(manager).patch(f"/api/v1/rounds/{round_.pk}/", {
        "closes_at": f"{YEAR}-01-30"}, format="json")
    round_.refresh_from_db()
    assert round_.closes_at == END_OF_DAY + dt.timedelta(days=1)


# --- the services (whatever hands them a date) --------------------------------------------------
def test_the_services_close_a_date_alone_at_the_end_of_that_day(manager):
    round_ = round_create(actor=manager, fund=FundFactory(), title="From the shell",
                          opens_at=dt.date(YEAR, 1, 1), closes_at=CLOSING_DAY,
                          budget=Decimal("1000000.00"), max_award=Decimal("100000.00"))
    assert (round_.opens_at, round_.closes_at) == (START_OF_DAY, END_OF_DAY)
    round_update(actor=manager, round_=round_, closes_at=dt.date(YEAR, 2, 1))
    round_.refresh_from_db()
    assert round_.closes_at == dt.datetime(YEAR, 2, 1, 23, 59, 59, 999999, tzinfo=THIMPHU)


# --- what people read -------------------------------------------------------------------------------
def test_the_deadline_shows_its_time_in_bhutan():
    rendered = Template("{% load display %}{{ when|deadline }}").render(
        Context({"when": END_OF_DAY}))
    assert rendered == f"29 Jan {YEAR}, 23:59 Bhutan time"
    late_utc = dt.datetime(YEAR, 1, 28, 20, 0, tzinfo=dt.UTC)  # already the 29th in Thimphu
    assert Template("{% load display %}{{ when|deadline }}").render(
        Context({"when": late_utc})) == f"29 Jan {YEAR}, 02:00 Bhutan time"


def test_pages_and_notices_show_when_the_round_closes(client, manager):
    round_ = RoundFactory(title="Open round", closes_at=END_OF_DAY)
    client.force_login(manager)
    shown = f"29 Jan {YEAR}, 23:59 Bhutan time"
    for url in (reverse("fund:round_detail", args=[round_.pk]), reverse("fund:round_list"),
                reverse("fund:detail", args=[round_.fund_id]), "/"):
        assert shown in client.get(url).content.decode(), url
    assert notice_context(round_)["closes_at"] == shown
    label = RoundChoiceField(queryset=Round.objects.all()).label_from_instance(round_)
    assert label == f"Open round — closes {shown}"


def test_saving_a_round_unchanged_keeps_its_closing_at_the_end_of_the_day(client, manager):
    round_ = RoundFactory(draft=True, opens_at=START_OF_DAY, closes_at=END_OF_DAY)
    client.force_login(manager)
    url = reverse("fund:round_edit", args=[round_.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    assert f'value="{YEAR}-01-29T23:59"' in client.get(url).content.decode()
    data["closes_at"] = f"{YEAR}-01-29T23:59"
    data["opens_at"] = f"{YEAR}-01-01T00:00"
    assert client.post(url, data).status_code == 302
    round_.refresh_from_db()
    assert (round_.opens_at, round_.closes_at) == (START_OF_DAY, END_OF_DAY)
