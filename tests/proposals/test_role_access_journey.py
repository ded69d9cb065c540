"""Who reaches the applicant's journey endpoints (issue 15): the colleague search of the person
pickers and the draft's autosave. 302 for an anonymous visitor is the way to /login/; 403
"you may not do this"; 404 "you may not know this exists"."""

import json

import pytest
from django.urls import reverse

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "civil_servant", "lead", "team", "fund_manager", "hr_officer"]


@pytest.fixture
def world():
    lead = UserFactory(first_name="Karma", last_name="Dorji", agency=AgencyFactory(code="MOH"),
                       username="kdorji", employee_id="EMP-1", email="karma@example.bt")
    member = UserFactory()
    draft = ProposalFactory(lead=lead)
    submitted = ProposalFactory(submitted=True, lead=lead)
    for proposal in (draft, submitted):
        TeamMemberFactory(proposal=proposal, user=member)
    return {
        "draft": draft, "submitted": submitted,
        "users": {
            "anonymous": None, "civil_servant": UserFactory(), "lead": lead, "team": member,
            "fund_manager": UserFactory(fund_manager=True),
            "hr_officer": UserFactory(hr_officer=True),
        },
    }


def _search(world):
    return reverse("proposals:people_search") + "?q=karma"


def _autosave(name):
    def build(world):
        return reverse("proposals:autosave", args=[world[name].pk])
    build.__name__ = f"autosave({name})"
    return build


_search.__name__ = "people_search"

ROLE_ACCESS = [
    (_search, "get", {"anonymous": 302, "civil_servant": 200, "lead": 200, "team": 200,
                      "fund_manager": 200, "hr_officer": 403}),
    (_search, "post", {"civil_servant": 405}),
    (_autosave("draft"), "post", {"anonymous": 302, "civil_servant": 404, "lead": 200,
                                  "team": 200, "fund_manager": 404, "hr_officer": 404}),
    (_autosave("submitted"), "post", {"anonymous": 302, "civil_servant": 404, "lead": 409,
                                      "team": 409, "fund_manager": 403, "hr_officer": 403}),
    (_autosave("draft"), "get", {"lead": 405}),
]
CASES = [(path, method, role, status)
         for path, method, expected in ROLE_ACCESS for role, status in expected.items()]


@pytest.mark.parametrize("path, method, role, expected", CASES,
                         ids=[f"{p.__name__}-{m}-{r}" for p, m, r, _ in CASES])
def test_role_access(client, world, path, method, role, expected):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = path(world)
    response = client.post(url, {"title": "Queue cards"}) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert response.url.startswith("/login/")


@pytest.mark.parametrize("role", ["civil_servant", "lead", "team", "fund_manager"])
def test_the_search_shows_every_role_only_a_name_and_an_agency(client, world, role):
    client.force_login(world["users"][role])
    body = json.loads(client.get(_search(world)).content)
    assert body["results"] == [
        {"label": "Karma Dorji (MOH)", "name": "Karma Dorji", "agency": body["results"][0]["agency"]}
    ]
    text = json.dumps(body)
    for secret in ("kdorji", "EMP-1", "karma@example.bt"):
        assert secret not in text
