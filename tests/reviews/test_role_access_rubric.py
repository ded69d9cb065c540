"""Who gets what on the rubric pages and endpoints: one row per (url, role, method).

Reading a round's rubric through the API is for anyone who may see the round; the rubric
pages and every change are for fund managers; a draft round is unknown (404) to the rest;
once a review is submitted the rubric is locked (409)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from people.factories import UserFactory
from reviews import services

from .conftest import full_scores

ROLES = ["anonymous", "civil_servant", "reviewer", "chair", "fund_manager", "hr_officer",
         "admin"]


def _user(scene, role):
    if role == "anonymous":
        return None
    if role == "civil_servant":
        return scene.stranger
    if role == "reviewer":
        return scene.members[0]
    if role == "admin":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    return getattr(scene, role)


def _locked(scene):
    """The scene's round once its first review is submitted."""
    a = scene.assignments[0]
    services.assignment_submit_review(
        assignment=a, actor=a.reviewer,
        review={"scores": full_scores(scene.criteria), "recommendation": "fund"})
    return scene.round


def _draft(scene):
    return RoundFactory(draft=True)


def _page(round_):
    return f"/funds/rounds/{round_.pk}/rubric/"


def _api(round_):
    return f"/api/v1/rounds/{round_.pk}/criteria/"


NEW = {"name": "Equity", "description": "Who gains, who is left out.", "weight": "2",
       "max_score": 5}
CHANGE = {"name": "Public value", "description": "", "weight": "3", "max_score": 5}

PAGE_FM_ONLY = {"anonymous": 302, "fund_manager": 200, "*": 403}
PAGE_FM_WRITE = {"anonymous": 302, "fund_manager": 302, "*": 403}
PAGE_DRAFT = {"anonymous": 302, "fund_manager": 200, "*": 404}
PAGE_LOCKED_WRITE = {"anonymous": 302, "fund_manager": 409, "*": 403}
API_READ = {"anonymous": 401, "*": 200}
API_DRAFT = {"anonymous": 401, "fund_manager": 200, "*": 404}

# endpoint name → (method, builder(scene) → (url, body), {role: status})
ENDPOINTS = {
    "rubric page": ("get", lambda s: (_page(s.round), None), PAGE_FM_ONLY),
    "rubric page of a draft round": ("get", lambda s: (_page(_draft(s)), None), PAGE_DRAFT),
    "rubric page, locked": ("get", lambda s: (_page(_locked(s)), None), PAGE_FM_ONLY),
    "add a criterion": ("post", lambda s: (_page(s.round), NEW), PAGE_FM_WRITE),
    "add a criterion, locked": ("post", lambda s: (_page(_locked(s)), NEW), PAGE_LOCKED_WRITE),
    "edit page": ("get", lambda s: (f"{_page(s.round)}{s.criteria[0].pk}/edit/", None),
                  PAGE_FM_ONLY),
    "edit a criterion": ("post", lambda s: (f"{_page(s.round)}{s.criteria[0].pk}/edit/",
                                            CHANGE), PAGE_FM_WRITE),
    "edit a criterion, locked": ("post", lambda s: (
        f"{_page(_locked(s))}{s.criteria[0].pk}/edit/", CHANGE), PAGE_LOCKED_WRITE),
    "delete page": ("get", lambda s: (f"{_page(s.round)}{s.criteria[0].pk}/delete/", None),
                    PAGE_FM_ONLY),
    "delete a criterion": ("post", lambda s: (f"{_page(s.round)}{s.criteria[0].pk}/delete/",
                                              {}), PAGE_FM_WRITE),
    "delete a criterion, locked": ("post", lambda s: (
        f"{_page(_locked(s))}{s.criteria[0].pk}/delete/", {}), PAGE_LOCKED_WRITE),
    "api criteria": ("get", lambda s: (_api(s.round), None), API_READ),
    "api criteria of a draft round": ("get", lambda s: (_api(_draft(s)), None), API_DRAFT),
    "api add a criterion": ("post", lambda s: (_api(s.round), NEW),
                            {"anonymous": 401, "fund_manager": 201, "*": 403}),
    "api add a criterion, locked": ("post", lambda s: (_api(_locked(s)), NEW),
                                    {"anonymous": 401, "fund_manager": 409, "*": 403}),
    "api add to a draft round": ("post", lambda s: (_api(_draft(s)), NEW),
                                 {"anonymous": 401, "fund_manager": 201, "*": 404}),
    "api criterion": ("get", lambda s: (f"/api/v1/criteria/{s.criteria[0].pk}/", None),
                      API_READ),
    "api criterion of a draft round": ("get", lambda s: (
        f"/api/v1/criteria/{_draft(s).criteria.first().pk}/", None), API_DRAFT),
    "api change a criterion": ("patch", lambda s: (f"/api/v1/criteria/{s.criteria[0].pk}/",
                                                   {"weight": "2.5"}),
                               {"anonymous": 401, "fund_manager": 200, "*": 403}),
    "api change a criterion, locked": ("patch", lambda s: (
        f"/api/v1/criteria/{s.criteria[0].pk}/", {"weight": "2.5"}) if _locked(s) else None,
        {"anonymous": 401, "fund_manager": 409, "*": 403}),
    "api delete a criterion": ("delete", lambda s: (f"/api/v1/criteria/{s.criteria[0].pk}/",
                                                    None),
                               {"anonymous": 401, "fund_manager": 204, "*": 403}),
    "api delete a criterion, locked": ("delete", lambda s: (
        f"/api/v1/criteria/{s.criteria[0].pk}/", None) if _locked(s) else None,
        {"anonymous": 401, "fund_manager": 409, "*": 403}),
}

ROLE_ACCESS = [
    (builder, role, method, expected.get(role, expected.get("*")))
    for name, (method, builder, expected) in ENDPOINTS.items()
    for role in ROLES
]
IDS = [f"{name}-{role}" for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize("builder, role, method, expected", ROLE_ACCESS, ids=IDS)
def test_role_access(scene, builder, role, method, expected):
    url, body = builder(scene)
    user = _user(scene, role)
    client = APIClient() if url.startswith("/api/") else Client()
    if user is not None:
        client.force_login(user)
    if isinstance(client, APIClient):
        response = getattr(client, method)(url, body, format="json")
    else:
        response = getattr(client, method)(url, body)
    assert response.status_code == expected, (url, role, getattr(response, "data", None))
