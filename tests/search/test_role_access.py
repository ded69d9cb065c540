"""The search page and API by role (ROLE_ACCESS: request, role, method, expected status), and
what each role finds there: the pages answer everyone signed in, each with what they may see."""

import pytest
from django.test import Client

from ..api.conftest import client_for

ALL = ("anonymous", "stranger", "lead", "member", "fund_manager", "hr_officer", "admin", "chair")
SIGNED_IN = ALL[1:]


def everyone(status, anonymous):
    return {"anonymous": anonymous, **{role: status for role in SIGNED_IN}}


def rows(path, kind, expected):
    return [(path, kind, role, status) for role, status in expected.items()]


ROLE_ACCESS = [
    # The page: signed-in people; a visitor is sent to sign in.
    *rows("/search/", "page", everyone(200, anonymous=302)),
    *rows("/search/?q=dengue", "page", everyone(200, anonymous=302)),
    *rows("/search/?q=the", "page", everyone(200, anonymous=302)),
    # The API: signed-in people (token); a visitor gets 401 (API.md).
    *rows("/api/v1/search/?q=dengue", "api", everyone(200, anonymous=401)),
    *rows("/api/v1/search/?q=dengue&limit=0", "api", everyone(400, anonymous=401)),
]


def _client(kind, user):
    if kind == "api":
        return client_for(user)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("path, kind, role, expected", ROLE_ACCESS)
def test_role_access(world, path, kind, role, expected):
    user = None if role == "anonymous" else world["users"][role]
    response = _client(kind, user).get(path)
    assert response.status_code == expected, (path, role, response.content[:300])


# Who finds the proposal in review (MOH leads, MOE partners; the chair is of MOE): its lead and
# team, the fund manager and HR officer; never the conflicted chair, a stranger or the admin
# (who takes no part and holds no fund role).
FINDS_IN_REVIEW = {"lead": True, "member": True, "fund_manager": True, "hr_officer": True,
                   "stranger": False, "chair": False, "admin": False}


@pytest.mark.parametrize("role, finds", FINDS_IN_REVIEW.items())
def test_each_role_finds_only_what_it_may_see(world, role, finds):
    user = world["users"][role]
    body = client_for(user).get("/api/v1/search/", {"q": "dengue"}).json()
    assert (world["in_review"].pk in [h["id"] for h in body["proposals"]]) is finds
    html = _client("page", user).get("/search/", {"q": "dengue mosquito"}).content.decode()
    assert ("Dengue" in html) is finds
    # Nobody but the lead and team finds the draft.
    drafts = client_for(user).get("/api/v1/search/", {"q": "maternal"}).json()["proposals"]
    assert (world["draft"].pk in [h["id"] for h in drafts]) is (role in ("lead", "member"))


def test_every_search_route_is_in_the_table(world):
    from django.urls import resolve

    from tests.route_coverage import all_routes

    wanted = {r for r in all_routes() if r.startswith(("search/", "api/v1/search/"))}
    reached = {resolve(path.split("?")[0]).route for path, *_ in ROLE_ACCESS}
    assert wanted <= reached, wanted - reached
