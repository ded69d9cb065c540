"""People listed by name come in one order, the same on every request, whatever script their
names are in (issue 18). The rule: by last name, then first name, in the database's order of
texts, then by username (unique, without regard to case: two people of the same name never
tie); a list of agencies, funds, panels, proposals or learnings by name or title is tie-broken
by id. SQLite compares texts by code point (its BINARY collation); PostgreSQL by the
database's collation, code point order in a C or C.UTF-8 database (as .ci/run's), so the
same list on both. Dzongkha names (Tibetan script, U+0F00–U+0FFF) sort after Latin ones."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from fund.factories import RoundFactory
from fund.forms import ContributionForm, RoundForm
from people.factories import AgencyFactory, UserFactory
from portal.all_proposals import AllProposalsFilter
from proposals.forms import ProposalForm
from proposals.views import QueueFilter
from reviews.forms import PanelForm, StandInForm
from reviews.models import Panel
from tests.api.conftest import client_for

from .dzongkha import FIRST_NAME, LAST_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codepoint_collation() -> bool:
    """Texts compare by code point: SQLite, or PostgreSQL with a C / C.UTF-8 collation."""
    if connection.vendor == "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        return cursor.fetchone()[0].upper() in ("C", "POSIX", "C.UTF-8", "C.UTF8")


@pytest.fixture
def people(db):
    moh = AgencyFactory(code="MOH")
    made = [
        # The same name twice: the one made first (lower id) has the later username.
        UserFactory(username="zangmo", first_name=FIRST_NAME, last_name=LAST_NAME, agency=moh),
        UserFactory(username="anim", first_name=FIRST_NAME, last_name=LAST_NAME, agency=moh),
        UserFactory(username="karma", first_name="ཀརྨ", last_name="ཡེ་ཤེས", agency=moh),
        UserFactory(username="sonam", first_name="Sonam", last_name="Dorji", agency=moh),
        UserFactory(username="tshering", first_name="Tshering", last_name="Wangchuk", agency=moh),
        UserFactory(username="yeshi", first_name="Yeshi", last_name="dorji", agency=moh),
    ]
    return made


def expected(people) -> list[int]:
    return [p.pk for p in sorted(people, key=lambda p: (p.last_name, p.first_name, p.username))]


def test_the_rule_puts_the_same_name_in_username_order_and_dzongkha_after_latin(people):
    order = expected(people)
    by_pk = {p.pk: p for p in people}
    usernames = [by_pk[pk].username for pk in order]
    assert usernames.index("anim") + 1 == usernames.index("zangmo")  # not id order
    assert usernames[:3] == ["sonam", "tshering", "yeshi"]  # "D" < "W" < "d" by code point


def test_the_panel_page_lists_members_in_the_same_order_on_every_request(people):
    manager = UserFactory(fund_manager=True)
    panel = Panel.objects.create(round=RoundFactory(), name="Panel", chair=people[0])
    panel.members.add(*people)
    client = Client()
    client.force_login(manager)
    seen = []
    for _ in range(2):
        response = client.get(reverse("reviews:panel", args=[panel.pk]))
        assert response.status_code == 200
        seen.append([m.pk for m in response.context["members"]])
    assert seen[0] == seen[1]
    if codepoint_collation():
        assert seen[0] == expected(people)


def test_the_hr_list_and_the_people_api_agree_on_every_request(people):
    hr = UserFactory(hr_officer=True, username="hr", first_name="", last_name="")
    client = Client()
    client.force_login(hr)
    pages = [[p.pk for p in client.get(reverse("rewards:people_list")).context["page"]]
             for _ in range(2)]
    api = client_for(hr)
    answers = [[p["id"] for p in api.get("/api/v1/people/").json()["results"]] for _ in range(2)]
    assert pages[0] == pages[1] and answers[0] == answers[1]
    listed = [pk for pk in pages[0] if pk in {p.pk for p in people}]
    assert listed == [pk for pk in answers[0] if pk in {p.pk for p in people}]
    if codepoint_collation():
        assert listed == expected(people)


def test_the_people_pickers_are_in_a_total_order(people):
    panel_form = PanelForm()
    for name in ("chair", "deputy_chair", "members"):
        order = panel_form.fields[name].queryset.query.order_by
        assert order[-1] == "username", order
        pks = [p.pk for p in panel_form.fields[name].queryset if p.pk in {x.pk for x in people}]
        if codepoint_collation():
            assert pks == expected(people)
    stand_in = StandInForm(candidates=people)
    pks = [p.pk for p in stand_in.fields["chair"].queryset]
    assert stand_in.fields["chair"].queryset.query.order_by[-1] == "username"
    if codepoint_collation():
        assert pks == expected(people)


def test_lists_of_agencies_and_funds_of_the_same_name_are_in_id_order(db):
    from fund.factories import FundFactory

    first, second = AgencyFactory(code="AAA", name="གསོ་བ"), AgencyFactory(code="BBB", name="གསོ་བ")
    for queryset in (ProposalForm.base_fields["partner_agencies"].queryset,
                     ContributionForm.base_fields["agency"].queryset,
                     AllProposalsFilter.base_fields["agency"].queryset,
                     QueueFilter.base_fields["agency"].queryset):
        assert queryset.query.order_by == ("name", "id")
        assert [a.pk for a in queryset.all() if a.name == "གསོ་བ"] == [first.pk, second.pk]
    one, two = FundFactory(name="མ་དངུལ"), FundFactory(name="མ་དངུལ")
    queryset = RoundForm.base_fields["fund"].queryset
    assert queryset.query.order_by == ("name", "id")
    assert [f.pk for f in queryset.all() if f.name == "མ་དངུལ"] == [one.pk, two.pk]
