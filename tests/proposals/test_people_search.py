"""Colleagues are found by name and agency (issue 15): the pickers' search shows only names
and agencies of active people, a few at a time, and the form takes what it shows, a
username or employee ID, or a part of a name (one match is that person; several are offered)."""

import json

import pytest
from django.urls import reverse

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.forms import TeamMemberForm, team_initial
from proposals.people_search import SEARCH_LIMIT, person_label

pytestmark = pytest.mark.django_db

URL = reverse("proposals:people_search")


@pytest.fixture
def moh():
    return AgencyFactory(code="MOH", name="Ministry of Health")


def _search(client, user, q):
    client.force_login(user)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return json.loads(response.content)["results"]


def test_found_by_name_with_the_agency_and_nothing_else(client, moh):
    UserFactory(first_name="Karma", last_name="Dorji", agency=moh, username="kdorji",
                employee_id="EMP-778", email="karma@example.bt")
    results = _search(client, UserFactory(), "karma")
    assert results == [{"label": "Karma Dorji (MOH)", "name": "Karma Dorji",
                        "agency": "Ministry of Health"}]
    text = json.dumps(results)
    for secret in ("kdorji", "EMP-778", "karma@example.bt"):
        assert secret not in text


def test_found_by_agency_and_name_together(client, moh):
    UserFactory(first_name="Karma", last_name="Dorji", agency=moh)
    UserFactory(first_name="Karma", last_name="Wangmo", agency=AgencyFactory(code="NSB"))
    labels = [r["label"] for r in _search(client, UserFactory(), "karma moh")]
    assert labels == ["Karma Dorji (MOH)"]


def test_only_active_people(client, moh):
    UserFactory(first_name="Pema", last_name="Lhamo", agency=moh, is_active=False)
    assert _search(client, UserFactory(), "pema") == []


def test_bounded_and_never_for_a_single_letter(client, moh):
    for i in range(SEARCH_LIMIT + 5):
        UserFactory(first_name="Sonam", last_name=f"Tshering{i}", agency=moh)
    assert len(_search(client, UserFactory(), "sonam")) == SEARCH_LIMIT
    assert _search(client, UserFactory(), "s") == []
    assert _search(client, UserFactory(), "") == []


def test_the_search_takes_a_constant_number_of_queries(client, moh, django_assert_max_num_queries):
    for i in range(SEARCH_LIMIT):
        UserFactory(first_name="Dema", last_name=f"Yangzom{i}", agency=moh)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(6):
        client.get(URL, {"q": "dema"})


def test_the_form_takes_what_the_picker_shows(moh):
    karma = UserFactory(first_name="Karma", last_name="Dorji", agency=moh)
    UserFactory(first_name="Karma", last_name="Dorji", agency=AgencyFactory(code="NSB"))
    form = TeamMemberForm({"user": "Karma Dorji (MOH)", "role": "Analyst"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == karma


def test_the_form_still_takes_a_username_or_employee_id(moh):
    karma = UserFactory(username="kdorji", employee_id="EMP-778", agency=moh)
    for typed in ("kdorji", "EMP-778"):
        form = TeamMemberForm({"user": typed, "role": ""})
        assert form.is_valid() and form.cleaned_data["person"] == karma


def test_without_script_a_part_of_a_name_finds_one_or_offers_several(moh):
    tashi = UserFactory(first_name="Tashi", last_name="Delek", agency=moh)
    form = TeamMemberForm({"user": "delek", "role": ""})
    assert form.is_valid() and form.cleaned_data["person"] == tashi

    UserFactory(first_name="Tashi", last_name="Wangchuk", agency=AgencyFactory(code="NSB"))
    form = TeamMemberForm({"user": "tashi", "role": ""})
    assert not form.is_valid()
    message = form.errors["user"][0]
    assert "Several people match “tashi”" in message
    assert "Tashi Delek (MOH)" in message and "Tashi Wangchuk (NSB)" in message


def test_nobody_found_says_so_plainly():
    form = TeamMemberForm({"user": "nobody-like-this", "role": ""})
    assert not form.is_valid()
    assert form.errors["user"][0].startswith("Nobody active is known as “nobody-like-this”.")


def test_the_team_is_shown_by_name_and_agency_when_editing(moh):
    proposal = ProposalFactory()
    member = TeamMemberFactory(proposal=proposal, user=UserFactory(
        first_name="Dechen", last_name="Om", agency=moh, username="dom42")).user
    assert team_initial(proposal)[0]["user"] == "Dechen Om (MOH)" == person_label(member)
    form = TeamMemberForm({"user": "Dechen Om (MOH)", "role": ""})
    assert form.is_valid() and form.cleaned_data["person"] == member


def test_the_form_page_loads_the_script_and_lists_nobody(client, moh):
    RoundFactory()
    UserFactory(first_name="Secret", last_name="Person", agency=moh, username="secret-person")
    client.force_login(UserFactory())
    page = client.get(reverse("proposals:create")).content.decode()
    assert "js/people-search.js" in page
    assert f'data-people-url="{URL}"' in page
    assert "secret-person" not in page and "Secret Person" not in page


def test_search_leaves_out_those_who_may_not_join_a_team(client, moh):
    """The system administrator (no agency) and HR officers are not colleagues a team can ask."""
    UserFactory(first_name="Dechen", last_name="Wangmo", agency=moh, hr_officer=True)
    UserFactory(first_name="Dechen", last_name="Admin", agency=None, is_superuser=True,
                is_staff=True)
    UserFactory(first_name="Dechen", last_name="Dorji", agency=moh)
    UserFactory(first_name="Dechen", last_name="Manager", agency=moh, fund_manager=True)
    labels = [r["label"] for r in _search(client, UserFactory(), "dechen")]
    assert labels == ["Dechen Dorji (MOH)", "Dechen Manager (MOH)"]


def test_the_team_form_refuses_an_hr_officer_or_a_person_of_no_agency_plainly(moh):
    UserFactory(first_name="Dechen", last_name="Wangmo", agency=moh, hr_officer=True,
                username="dwangmo")
    form = TeamMemberForm({"user": "Dechen Wangmo (MOH)", "role": ""})
    assert not form.is_valid()
    assert form.errors["user"] == [
        "Dechen Wangmo is an HR officer and cannot join a proposal's team."]
    form = TeamMemberForm({"user": "dwangmo", "role": ""})
    assert not form.is_valid()

    UserFactory(first_name="System", last_name="Administrator", agency=None,
                is_superuser=True, username="sysadmin")
    form = TeamMemberForm({"user": "sysadmin", "role": ""})
    assert not form.is_valid()
    assert form.errors["user"] == [
        "System Administrator belongs to no agency and cannot join a proposal's team."]
