"""A colleague with a Dzongkha name is found by the person pickers however the name is typed
(issue 18): with a space between the names as the label shows it, or without spaces, its
syllables joined by tsheg ་ as Dzongkha is written; and a picked label resolves back."""

import json

import pytest
from django.urls import reverse

from people.factories import AgencyFactory, UserFactory
from proposals.people_search import person_label, resolve_person, search_people

from .dzongkha import AGENCY, FIRST_NAME, LAST_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pema(db):
    moh = AgencyFactory(code="MOH", name=AGENCY)
    UserFactory(first_name="ཀརྨ", last_name="དབང་ཕྱུག", agency=moh)  # shares དབང only
    return UserFactory(first_name=FIRST_NAME, last_name=LAST_NAME, agency=moh)


@pytest.mark.parametrize("typed", [
    f"{FIRST_NAME} {LAST_NAME}",  # པདྨ་ དབང་མོ, as the label shows it
    "པདྨ་དབང་མོ",  # as Dzongkha is written: no space
    "པདྨ་དབང་མོ།",  # with a closing shad
    "པདྨ",
    "དབང་མོ",
])
def test_a_dzongkha_name_is_found_however_it_is_typed(pema, typed):
    assert [p.pk for p in search_people(typed)] == [pema.pk]


def test_the_picker_page_finds_and_resolves_a_dzongkha_name(client, pema):
    client.force_login(UserFactory())
    response = client.get(reverse("proposals:people_search"), {"q": "པདྨ་དབང་མོ"})
    results = json.loads(response.content)["results"]
    assert [r["label"] for r in results] == [f"{FIRST_NAME} {LAST_NAME} (MOH)"]
    assert resolve_person(results[0]["label"]) == pema
    assert resolve_person("པདྨ་དབང་མོ") == pema
    assert person_label(pema) == results[0]["label"]
