"""Fund, contribution and round pages: forms, service messages, refused actions, query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from fund.models import Contribution, Fund, Round
from people.factories import AgencyFactory, UserFactory
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per user; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _round_data(fund, **overrides):
    now = timezone.now()
    data = {
        "fund": fund.pk,
        "title": "Digital services round",
        "slug": "",
        "description": "Ideas that make a service easier to reach.",
        "opens_at": _local(now + timedelta(days=1)),
        "closes_at": _local(now + timedelta(days=40)),
        "budget": "3000000.00",
        "max_award": "500000.00",
        "min_partner_agencies": "2",
        "min_panel_agencies": "3",
        "reviews_required": "3",
    }
    data.update(overrides)
    return data


# --- funds ---------------------------------------------------------------------------------


def test_fund_list_shows_available_balance(client, civil_servant):
    fund = FundFactory(name="Gross National Happiness Innovation Fund")
    ContributionFactory(fund=fund, amount=Decimal("1250000.00"))
    ContributionFactory(fund=fund, amount=Decimal("750000.50"))
    client.force_login(civil_servant)
    response = client.get(reverse("fund:list"))
    assert response.status_code == 200
    assert "BTN 2,000,000.50" in response.content.decode()


def test_inactive_fund_hidden_from_civil_servants_but_shown_to_managers(
    client, civil_servant, fund_manager
):
    fund = FundFactory(name="Retired pilot fund", is_active=False)
    client.force_login(civil_servant)
    assert "Retired pilot fund" not in client.get(reverse("fund:list")).content.decode()
    assert client.get(reverse("fund:detail", args=[fund.pk])).status_code == 404
    client.force_login(fund_manager)
    assert "Retired pilot fund" in client.get(reverse("fund:list")).content.decode()
    assert client.get(reverse("fund:detail", args=[fund.pk])).status_code == 200


def test_fund_detail_shows_balance_by_agency(client, civil_servant):
    fund = FundFactory()
    moh = AgencyFactory(code="MOH", name="Ministry of Health")
    moe = AgencyFactory(code="MOE", name="Ministry of Education")
    ContributionFactory(fund=fund, agency=moh, amount=Decimal("300000.00"))
    ContributionFactory(fund=fund, agency=moh, amount=Decimal("300000.00"))
    ContributionFactory(fund=fund, agency=moe, amount=Decimal("400000.00"))
    client.force_login(civil_servant)
    page = client.get(reverse("fund:detail", args=[fund.pk])).content.decode()
    assert "Ministry of Health (MOH)" in page
    assert "BTN 600,000.00" in page and "60.0%" in page
    assert "BTN 1,000,000.00" in page


def test_fund_manager_creates_a_fund(client, fund_manager):
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:create"),
        {"name": "Climate Resilience Fund", "slug": "", "currency": "btn", "description": ""},
    )
    fund = Fund.objects.get(name="Climate Resilience Fund")
    assert response.status_code == 302
    assert response["Location"] == reverse("fund:detail", args=[fund.pk])
    assert fund.slug == "climate-resilience-fund" and fund.currency == "BTN"


def test_fund_form_error_keeps_input(client, fund_manager):
    FundFactory(slug="taken")
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:create"),
        {"name": "My typed fund name", "slug": "taken", "currency": "BTN",
         "description": "A description I typed"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="My typed fund name"' in page
    assert "A description I typed" in page
    assert 'aria-invalid="true"' in page  # the slug field is marked wrong
    assert Fund.objects.filter(name="My typed fund name").count() == 0


def test_fund_manager_edits_and_deactivates_a_fund(client, fund_manager):
    fund = FundFactory(name="Old name", slug="old")
    client.force_login(fund_manager)
    form = client.get(reverse("fund:edit", args=[fund.pk])).content.decode()
    assert 'value="Old name"' in form
    response = client.post(
        reverse("fund:edit", args=[fund.pk]),
        {"name": "New name", "slug": "", "currency": "BTN", "description": ""},
    )
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.name == "New name" and fund.slug == "old" and fund.is_active is False


def test_contribution_is_recorded_by_the_manager(client, fund_manager):
    fund = FundFactory()
    agency = AgencyFactory(code="GNHC")
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:contribution_create", args=[fund.pk]),
        {"agency": agency.pk, "amount": "250000.00", "received_on": "2026-11-01", "note": "Q3"},
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get(fund=fund)
    assert contribution.amount == Decimal("250000.00")
    assert contribution.recorded_by == fund_manager


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_contribution_of_zero_or_less_is_refused_with_the_service_message(
    client, fund_manager, amount
):
    fund = FundFactory()
    agency = AgencyFactory()
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:contribution_create", args=[fund.pk]),
        {"agency": agency.pk, "amount": amount, "received_on": "2026-11-01", "note": "typed note"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A contribution must be more than zero." in page
    assert "typed note" in page and f'value="{amount}"' in page
    assert not Contribution.objects.exists()


def test_contribution_with_bad_input_never_500s(client, fund_manager):
    fund = FundFactory()
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:contribution_create", args=[fund.pk]),
        {"agency": "999999", "amount": "lots", "received_on": "yesterday"},
    )
    assert response.status_code == 200
    assert response.content.decode().count('aria-invalid="true"') == 3


@pytest.mark.parametrize("role", ["civil_servant", "hr_officer"])
def test_only_fund_managers_record_contributions(client, request, role):
    fund = FundFactory()
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("fund:contribution_create", args=[fund.pk]),
        {"agency": AgencyFactory().pk, "amount": "10.00", "received_on": "2026-11-01"},
    )
    assert response.status_code == 403
    assert not Contribution.objects.exists()


# --- rounds --------------------------------------------------------------------------------


def test_fund_manager_creates_a_draft_round_with_the_default_rubric(client, fund_manager):
    fund = FundFactory()
    client.force_login(fund_manager)
    response = client.post(reverse("fund:round_create"), _round_data(fund))
    round_ = Round.objects.get(title="Digital services round")
    assert response.status_code == 302
    assert round_.state == Round.State.DRAFT
    assert round_.criteria.count() == 6
    assert round_.budget == Decimal("3000000.00")


def test_round_form_shows_service_messages_next_to_fields_and_keeps_input(client, fund_manager):
    fund = FundFactory()
    client.force_login(fund_manager)
    now = timezone.now()
    data = _round_data(
        fund, title="My typed round", max_award="9000000.00",
        opens_at=_local(now + timedelta(days=10)), closes_at=_local(now + timedelta(days=2)),
    )
    response = client.post(reverse("fund:round_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The maximum award cannot be more than the round&#x27;s budget." in page
    assert "The round must close after it opens." in page
    assert 'id="id_max_award_error"' in page and 'id="id_closes_at_error"' in page
    assert 'value="My typed round"' in page and 'value="9000000.00"' in page
    assert not Round.objects.exists()


def test_round_edit_keeps_fund_once_open_and_saves_changes(client, fund_manager):
    round_ = RoundFactory(title="Before")
    client.force_login(fund_manager)
    form_page = client.get(reverse("fund:round_edit", args=[round_.pk])).content.decode()
    assert 'name="fund"' not in form_page and 'value="Before"' in form_page
    data = _round_data(round_.fund, title="After")
    data.pop("fund")
    response = client.post(reverse("fund:round_edit", args=[round_.pk]), data)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.title == "After" and round_.slug.startswith("round-")


def test_archived_round_cannot_be_edited(client, fund_manager):
    round_ = RoundFactory(archived=True, title="Archived")
    client.force_login(fund_manager)
    data = _round_data(round_.fund, title="Changed")
    data.pop("fund")
    response = client.post(reverse("fund:round_edit", args=[round_.pk]), data)
    assert response.status_code == 200
    assert "An archived round cannot be changed." in response.content.decode()
    round_.refresh_from_db()
    assert round_.title == "Archived"


def test_round_detail_shows_criteria_budget_and_actions_for_manager(client, fund_manager):
    round_ = RoundFactory(draft=True, budget=Decimal("2000000.00"))
    client.force_login(fund_manager)
    page = client.get(reverse("fund:round_detail", args=[round_.pk])).content.decode()
    assert "Citizen co-creation" in page
    assert "BTN 2,000,000.00" in page
    assert 'class="badge badge-draft"' in page
    assert reverse("fund:round_transition", args=[round_.pk, "open"]) in page
    assert reverse("fund:round_transition", args=[round_.pk, "close"]) not in page


def test_civil_servant_sees_no_actions_on_an_open_round(client, civil_servant):
    round_ = RoundFactory()
    client.force_login(civil_servant)
    page = client.get(reverse("fund:round_detail", args=[round_.pk])).content.decode()
    assert "/transitions/" not in page
    assert "Propose an experiment" in page


def test_opening_a_round_logs_the_transition_with_the_note(client, fund_manager):
    round_ = RoundFactory(
        draft=True, opens_at=timezone.now(), closes_at=timezone.now() + timedelta(days=20)
    )
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:round_transition", args=[round_.pk, "open"]), {"open-note": "Announced"}
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.state == Round.State.OPEN
    log = TransitionLog.objects.for_object(round_).get()
    assert (log.transition, log.actor, log.note) == ("open", fund_manager, "Announced")
    page = client.get(reverse("fund:round_detail", args=[round_.pk])).content.decode()
    assert "Announced" in page  # the history shows it


def test_refused_open_shows_the_reason_and_keeps_the_note(client, fund_manager):
    round_ = RoundFactory(
        draft=True, opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(fund_manager)
    response = client.post(
        reverse("fund:round_transition", args=[round_.pk, "open"]), {"open-note": "My note"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The closing date has passed" in page
    assert "My note" in page
    round_.refresh_from_db()
    assert round_.state == Round.State.DRAFT


def test_transition_the_state_does_not_allow_is_a_message_not_a_500(client, fund_manager):
    round_ = RoundFactory(archived=True)
    client.force_login(fund_manager)
    response = client.post(reverse("fund:round_transition", args=[round_.pk, "close"]))
    assert response.status_code == 409
    assert "cannot be done now: the round is “Archived”" in response.content.decode()


def test_unknown_transition_is_404_and_get_is_405(client, fund_manager):
    round_ = RoundFactory()
    client.force_login(fund_manager)
    assert client.post(reverse("fund:round_transition", args=[round_.pk, "delete"])).status_code == 404
    assert client.get(reverse("fund:round_transition", args=[round_.pk, "close"])).status_code == 405


def test_civil_servant_cannot_close_a_round(client, civil_servant):
    round_ = RoundFactory()
    client.force_login(civil_servant)
    response = client.post(reverse("fund:round_transition", args=[round_.pk, "close"]))
    assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.state == Round.State.OPEN


def test_transitions_need_the_csrf_token(fund_manager):
    from django.test import Client

    round_ = RoundFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(fund_manager)
    response = client.post(reverse("fund:round_transition", args=[round_.pk, "close"]))
    assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.state == Round.State.OPEN


def test_round_list_filters_by_state_and_fund_and_hides_drafts(client, civil_servant, fund_manager):
    fund_a, fund_b = FundFactory(), FundFactory()
    RoundFactory(fund=fund_a, title="Alpha open")
    RoundFactory(fund=fund_b, title="Beta open")
    RoundFactory(fund=fund_a, closed=True, title="Alpha closed")
    RoundFactory(fund=fund_a, draft=True, title="Alpha draft")
    client.force_login(civil_servant)
    page = client.get(reverse("fund:round_list"), {"state": "open"}).content.decode()
    assert "Alpha open" in page and "Beta open" in page and "Alpha closed" not in page
    page = client.get(reverse("fund:round_list"), {"fund": fund_a.pk}).content.decode()
    assert "Alpha open" in page and "Alpha closed" in page and "Beta open" not in page
    assert "Alpha draft" not in page
    assert "Alpha draft" not in client.get(reverse("fund:round_list"), {"state": "draft"}).content.decode()
    client.force_login(fund_manager)
    assert "Alpha draft" in client.get(reverse("fund:round_list")).content.decode()


def test_round_list_ignores_bad_filters(client, civil_servant):
    RoundFactory(title="Visible")
    client.force_login(civil_servant)
    response = client.get(reverse("fund:round_list"), {"state": "bogus", "fund": "x", "page": "zz"})
    assert response.status_code == 200
    assert "Visible" in response.content.decode()


def test_round_list_paginates(client, civil_servant):
    fund = FundFactory()
    RoundFactory.create_batch(25, fund=fund, rubric=False)
    client.force_login(civil_servant)
    first = client.get(reverse("fund:round_list")).content.decode()
    second = client.get(reverse("fund:round_list"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count('class="badge badge-open"') == 20
    assert second.count('class="badge badge-open"') == 5


# --- query counts: the same at 10 and at 200 rows ------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_fund_list_queries_do_not_grow_with_rows(client, fund_manager):
    client.force_login(fund_manager)
    FundFactory.create_batch(10)
    small = _count_queries(client, reverse("fund:list"))
    FundFactory.create_batch(190)
    assert _count_queries(client, reverse("fund:list")) == small


def test_round_list_queries_do_not_grow_with_rows(client, fund_manager):
    client.force_login(fund_manager)
    RoundFactory.create_batch(10, rubric=False)
    small = _count_queries(client, reverse("fund:round_list"))
    RoundFactory.create_batch(190, rubric=False)
    assert _count_queries(client, reverse("fund:round_list")) == small


def test_contribution_list_queries_do_not_grow_with_rows(client, fund_manager):
    client.force_login(fund_manager)
    fund = FundFactory()
    recorder = UserFactory(fund_manager=True)
    agencies = AgencyFactory.create_batch(5)

    def add(n):
        for i in range(n):
            ContributionFactory(fund=fund, agency=agencies[i % 5], recorded_by=recorder)

    add(10)
    small = _count_queries(client, reverse("fund:detail", args=[fund.pk]))
    add(190)
    assert _count_queries(client, reverse("fund:detail", args=[fund.pk])) == small
