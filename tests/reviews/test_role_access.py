"""Who gets what on every reviews page and endpoint: one row per (url, role, method)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from reviews import services

from .conftest import full_scores

ROLES = ["anonymous", "stranger", "lead", "team_member", "reviewer", "other_member", "chair",
         "fund_manager", "hr_officer"]


def _user(scene, role):
    if role == "reviewer":
        return scene.members[0]
    return None if role == "anonymous" else getattr(scene, role)


def _submitted(scene):
    """The reviewer's first assignment with a submitted review."""
    a = scene.assignments[0]
    services.assignment_submit_review(
        assignment=a, actor=a.reviewer,
        review={"scores": full_scores(scene.criteria), "recommendation": "fund"})
    return a


def _second_for_reviewer(scene):
    """A second, open assignment of the reviewer (on another proposal of the round)."""
    from proposals.factories import ProposalFactory
    from reviews.factories import AssignmentFactory

    other = ProposalFactory(round=scene.round, in_review=True)
    return AssignmentFactory(proposal=other, panel=scene.panel, reviewer=scene.members[0])


def _drafted(scene):
    a = _second_for_reviewer(scene)
    services.review_save(assignment=a, actor=a.reviewer, scores=full_scores(scene.criteria),
                         recommendation="fund")
    return a


DUE = (timezone.localdate() + timedelta(days=7)).isoformat()

# endpoint name → (method, builder(scene) → (url, body), {role: status})
ENDPOINTS = {
    "my assignments page": ("get", lambda s: ("/reviews/", None),
                            {"anonymous": 302, "*": 200}),
    "assignment page": ("get", lambda s: (f"/reviews/assignments/{s.assignments[0].pk}/", None),
                        {"anonymous": 302, "reviewer": 200, "chair": 200, "fund_manager": 200,
                         "*": 404}),
    "declare conflict page": ("get",
                              lambda s: (f"/reviews/assignments/{s.assignments[0].pk}/conflict/",
                                         None),
                              {"anonymous": 302, "reviewer": 200, "chair": 403,
                               "fund_manager": 403, "*": 404}),
    "panel list page": ("get", lambda s: ("/reviews/panels/", None),
                        {"anonymous": 302, "*": 200}),
    "panel page": ("get", lambda s: (f"/reviews/panels/{s.panel.pk}/", None),
                   {"anonymous": 302, "chair": 200, "fund_manager": 200, "reviewer": 403,
                    "other_member": 403, "*": 404}),
    "assignment plan page": ("get", lambda s: (f"/reviews/panels/{s.panel.pk}/plan/", None),
                             {"anonymous": 302, "chair": 200, "fund_manager": 200,
                              "reviewer": 403, "other_member": 403, "*": 404}),
    "new panel page": ("get", lambda s: (f"/reviews/rounds/{s.round.pk}/panels/new/", None),
                       {"anonymous": 302, "fund_manager": 200, "*": 403}),
    "ranking page": ("get", lambda s: (f"/reviews/rounds/{s.round.pk}/ranking/", None),
                     {"anonymous": 302, "chair": 200, "fund_manager": 200, "*": 403}),
    "proposal reviews page": ("get", lambda s: (f"/reviews/proposals/{s.proposal.pk}/", None),
                              {"anonymous": 302, "stranger": 404, "other_member": 404,
                               "*": 200}),
    "api panels": ("get", lambda s: ("/api/v1/panels/", None), {"anonymous": 401, "*": 200}),
    "api panel": ("get", lambda s: (f"/api/v1/panels/{s.panel.pk}/", None),
                  {"anonymous": 401, "chair": 200, "fund_manager": 200, "reviewer": 200,
                   "other_member": 200, "*": 404}),
    "api create panel": ("post", lambda s: ("/api/v1/panels/", {
        "round": s.round.pk, "name": "Second panel", "chair": s.chair.pk,
        "members": [m.pk for m in s.members]}),
        {"anonymous": 401, "fund_manager": 201, "*": 403}),
    # Acting chairs: fund managers change panels and name stand-in chairs (issue 12).
    "panel edit page": ("get", lambda s: (f"/reviews/panels/{s.panel.pk}/edit/", None),
                        {"anonymous": 302, "fund_manager": 200, "*": 403}),
    "api stand-ins": ("get", lambda s: (f"/api/v1/panels/{s.panel.pk}/stand-ins/", None),
                      {"anonymous": 401, "chair": 200, "fund_manager": 200, "reviewer": 200,
                       "other_member": 200, "*": 404}),
    "api name a stand-in": ("post", lambda s: (f"/api/v1/panels/{s.panel.pk}/stand-ins/", {
        "proposal": s.proposal.pk, "chair": s.other_member.pk}),
        {"anonymous": 401, "fund_manager": 201, "chair": 403, "reviewer": 403,
         "other_member": 403, "hr_officer": 403, "*": 404}),
    "api assignments": ("get", lambda s: ("/api/v1/assignments/", None),
                        {"anonymous": 401, "*": 200}),
    "api assignment": ("get", lambda s: (f"/api/v1/assignments/{s.assignments[0].pk}/", None),
                       {"anonymous": 401, "reviewer": 200, "chair": 200, "fund_manager": 200,
                        "*": 404}),
    "api create assignment": ("post", lambda s: ("/api/v1/assignments/", {
        "proposal": s.proposal.pk, "reviewer": s.other_member.pk, "panel": s.panel.pk,
        "due_on": DUE}),
        {"anonymous": 401, "chair": 201, "fund_manager": 201, "*": 403}),
    "api read review": ("get", lambda s: (f"/api/v1/assignments/{_submitted(s).pk}/review/",
                                          None),
                        {"anonymous": 401, "reviewer": 200, "chair": 200, "fund_manager": 200,
                         "*": 404}),
    "api put review": ("put", lambda s: (f"/api/v1/assignments/{s.assignments[0].pk}/review/", {
        "scores": full_scores(s.criteria), "recommendation": "revise"}),
        {"anonymous": 401, "reviewer": 200, "chair": 403, "fund_manager": 403,
         "hr_officer": 403, "*": 404}),
    "api submit review": ("post", lambda s: (
        f"/api/v1/assignments/{_drafted(s).pk}/transitions/submit_review/", {"note": ""}),
        {"anonymous": 401, "reviewer": 200, "chair": 403, "fund_manager": 403,
         "hr_officer": 403, "*": 404}),
    "api declare conflict": ("post", lambda s: (
        f"/api/v1/assignments/{s.assignments[0].pk}/transitions/declare_conflict/",
        {"reason": "Related to the lead"}),
        {"anonymous": 401, "reviewer": 200, "chair": 403, "fund_manager": 403,
         "hr_officer": 403, "*": 404}),
    "api ranking": ("get", lambda s: (f"/api/v1/rounds/{s.round.pk}/ranking/", None),
                    {"anonymous": 401, "chair": 200, "fund_manager": 200, "*": 403}),
    "api proposal reviews": ("get", lambda s: (f"/api/v1/proposals/{s.proposal.pk}/reviews/",
                                               None),
                             {"anonymous": 401, "stranger": 404, "other_member": 404,
                              "*": 200}),
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
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, body, format="json") if isinstance(
            client, APIClient) else getattr(client, method)(url, body)
    assert response.status_code == expected, (url, role, getattr(response, "data", None))
