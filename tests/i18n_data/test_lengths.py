"""Length limits count characters, not bytes (issue 18). A Dzongkha text is three UTF-8 bytes
a character (a vowel sign or a subjoined letter is a character of its own, as Python's `len`,
PostgreSQL's varchar(n) and the browser's `maxlength` count them): a title of exactly the
limit is taken by the form, the API and the import, and stored whole (on PostgreSQL too: a
varchar of 200 holds 200 characters, 600 bytes); one character more is refused with a message
that says the limit and the count."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.imports import AgencyImport, CivilServantImport
from people.models import Agency, User
from proposals.forms import ProposalForm
from proposals.models import Proposal
from tests.api.conftest import client_for
from tests.proposals.test_pages import form_data

from .dzongkha import TITLE

pytestmark = pytest.mark.django_db

SYLLABLES = "བཀྲ་ཤིས་"  # 8 characters, 24 bytes


def dzongkha(n: int) -> str:
    """Exactly `n` characters of Dzongkha (3n bytes in UTF-8)."""
    text = (SYLLABLES * (n // len(SYLLABLES) + 1))[:n]
    assert len(text) == n and len(text.encode("utf-8")) == 3 * n
    return text


AT_LIMIT, OVER = dzongkha(200), dzongkha(201)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_limits_are_the_models():
    assert Proposal._meta.get_field("title").max_length == 200
    assert ProposalForm.base_fields["title"].max_length == 200
    assert Agency._meta.get_field("name").max_length == 200
    assert User._meta.get_field("first_name").max_length == 150


def test_the_form_takes_a_title_of_200_characters_and_refuses_201(client):
    round_ = RoundFactory()
    client.force_login(UserFactory())
    page = client.get(reverse("proposals:create")).content.decode()
    # The browser counts maxlength in UTF-16 code units: one per Tibetan character.
    assert re.search(r'<input[^>]*name="title"[^>]*maxlength="200"', page)
    response = client.post(reverse("proposals:create"), form_data(round_, title=AT_LIMIT))
    assert response.status_code == 302, response.content.decode()[:300]
    assert Proposal.objects.get().title == AT_LIMIT

    response = client.post(reverse("proposals:create"), form_data(round_, title=OVER))
    assert response.status_code == 400
    assert "“Title” can be at most 200 characters long (it has 201)." in \
        response.content.decode()
    assert Proposal.objects.count() == 1


def test_the_api_takes_a_title_of_200_characters_and_refuses_201():
    round_ = RoundFactory()
    api = client_for(UserFactory())
    made = api.post("/api/v1/proposals/", {"round": round_.pk, "title": AT_LIMIT}, format="json")
    assert made.status_code == 201, made.content[:300]
    assert Proposal.objects.get(pk=made.json()["id"]).title == AT_LIMIT
    refused = api.post("/api/v1/proposals/", {"round": round_.pk, "title": OVER}, format="json")
    assert refused.status_code == 400
    message = str(refused.json())
    assert "200 characters" in message
    assert Proposal.objects.count() == 1


def test_the_import_takes_a_name_of_200_characters_and_refuses_201():
    AgencyFactory(code="GOV")
    data = f"code,name,kind\nMOH,{AT_LIMIT},ministry\n".encode()
    report = AgencyImport(system=True).run(data, "agencies.csv")
    assert report.applied and report.new == 1
    assert Agency.objects.get(code="MOH").name == AT_LIMIT

    data = f"code,name,kind\nMOE,{OVER},ministry\n".encode()
    report = AgencyImport(system=True).run(data, "agencies.csv")
    assert not report.applied
    assert "The name is 201 characters; at most 200." in str(report.summary()) + repr(report)
    assert not Agency.objects.filter(code="MOE").exists()


def test_the_people_import_counts_a_dzongkha_name_in_characters():
    AgencyFactory(code="MOH")
    header = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"
    first = dzongkha(150)
    data = f"{header}\nE1,pema,{first},{TITLE},pema@gov.bt,MOH,Officer,P3\n".encode()
    report = CivilServantImport(system=True).run(data, "people.csv")
    assert report.applied and User.objects.get(employee_id="E1").first_name == first
    data = f"{header}\nE2,karma,{dzongkha(151)},{TITLE},k@gov.bt,MOH,Officer,P3\n".encode()
    report = CivilServantImport(system=True).run(data, "people.csv")
    assert not report.applied
    assert "first_name is 151 characters; at most 150." in str(report.summary()) + repr(report)


def test_the_database_stores_the_whole_title(db):
    """On PostgreSQL a varchar(200) holds 200 Tibetan characters (600 bytes)."""
    proposal = Proposal.objects.get(pk=Proposal.objects.create(
        round=RoundFactory(), lead=UserFactory(), title=AT_LIMIT).pk)
    assert proposal.title == AT_LIMIT
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT char_length(title), octet_length(title) FROM "
                           "proposals_proposal WHERE id = %s", [proposal.pk])
            assert cursor.fetchone() == (200, 600)


def test_a_long_text_of_20000_dzongkha_characters_is_taken_and_one_more_refused(client):
    """LONG_TEXT_MAX counts characters: 20,000 Tibetan characters are 60,000 bytes, 180,000
    in a urlencoded form post (well under DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    from workflow.bounds import LONG_TEXT_MAX

    round_ = RoundFactory()
    lead = UserFactory()
    client.force_login(lead)
    response = client.post(reverse("proposals:create"),
                           form_data(round_, summary=dzongkha(LONG_TEXT_MAX)))
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.summary == dzongkha(LONG_TEXT_MAX)
    api = client_for(lead)
    refused = api.patch(f"/api/v1/proposals/{proposal.pk}/",
                        {"summary": dzongkha(LONG_TEXT_MAX + 1)}, format="json")
    assert refused.status_code == 400 and "summary" in refused.json()
    assert f"{LONG_TEXT_MAX:,}" in str(refused.json()) or str(LONG_TEXT_MAX) in \
        str(refused.json())
    taken = api.patch(f"/api/v1/proposals/{proposal.pk}/",
                      {"summary": dzongkha(LONG_TEXT_MAX - 1)}, format="json")
    assert taken.status_code == 200, taken.content[:300]
