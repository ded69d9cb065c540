"""Who reaches each rewards page and endpoint: one row per (URL, role, method)."""

import pytest
from django.urls import reverse

from rewards.models import Nomination

# An administrator (superuser) is, in the rewards module, a civil servant like any other.
ROLES = ["anonymous", "civil_servant", "lead", "team_member", "fund_manager", "hr_officer",
         "reviewer", "admin"]


def each(path, method, expected: dict, body=None):
    """Rows for every role; `expected` maps role → status (anything missing: 'other')."""
    return [(path, role, method, expected.get(role, expected.get("other")), body)
            for role in ROLES]


# The record's subject is `lead` (Pema): she leads the funded experiment, wrote the learning,
# holds the recognition and is nominated by `team_member` (Karma).
def learning(w):
    return w.learning.pk


def public(w):
    return w.public_learning.pk


def person(w):
    return w.lead.pk


def nom(w):
    return w.nomination.pk


def rec(w):
    return w.recognition.pk


def endorsed(w):
    """The nomination, endorsed (set directly, as the factories do: the path has its tests)."""
    Nomination.objects.filter(pk=w.nomination.pk).update(state=Nomination.State.ENDORSED)
    return w.nomination.pk


PAGE = {"anonymous": 302}
NOMINATION_SEEN = {"anonymous": 302, "civil_servant": 404, "reviewer": 404, "admin": 404,
                   "other": 200}
# HR decides an endorsed nomination; those who see it but may not decide get 403.
HR_DECIDES = {**NOMINATION_SEEN, "hr_officer": 302, "lead": 403, "team_member": 403,
              "fund_manager": 403}
API_HR_DECIDES = {**HR_DECIDES, "anonymous": 401, "hr_officer": 200}
LEARNING_BODY = {"title": "T", "what_we_tried": "a", "what_happened": "b",
                 "what_we_learned": "c", "kind": "failure", "visibility": "internal",
                 "tags": "x"}
RECORD_SEEN = {"anonymous": 302, "lead": 200, "fund_manager": 200, "hr_officer": 200,
               "other": 403}
API_RECORD = {**RECORD_SEEN, "anonymous": 401}

ROLE_ACCESS = [
    *each(lambda w: "/learnings/", "get", {**PAGE, "other": 200}),
    *each(lambda w: "/learnings/public/", "get", {"other": 200}),
    *each(lambda w: "/learnings/new/", "get", {**PAGE, "other": 200}),
    *each(lambda w: f"/learnings/{learning(w)}/", "get", {**PAGE, "other": 200}),
    *each(lambda w: f"/learnings/{public(w)}/", "get", {"other": 200}),
    *each(lambda w: f"/learnings/{learning(w)}/edit/", "get",
          {**PAGE, "lead": 200, "team_member": 200, "other": 403}),
    *each(lambda w: "/recognitions/", "get", {**PAGE, "other": 200}),
    *each(lambda w: "/recognitions/new/", "get", {**PAGE, "fund_manager": 200, "other": 403}),
    *each(lambda w: "/nominations/", "get", {**PAGE, "other": 200}),
    *each(lambda w: "/nominations/new/", "get", {**PAGE, "other": 200}),
    *each(lambda w: f"/nominations/{nom(w)}/", "get", NOMINATION_SEEN),
    *each(lambda w: f"/nominations/{nom(w)}/transitions/endorse/", "post",
          {**NOMINATION_SEEN, "fund_manager": 302, "lead": 403, "team_member": 403,
           "hr_officer": 403}),
    *each(lambda w: f"/nominations/{nom(w)}/transitions/withdraw/", "post",
          {**NOMINATION_SEEN, "team_member": 302, "lead": 403, "fund_manager": 403,
           "hr_officer": 403}),
    *each(lambda w: "/people/", "get",
          {**PAGE, "fund_manager": 200, "hr_officer": 200, "other": 403}),
    *each(lambda w: "/people/me/record/", "get", {**PAGE, "other": 302}),
    *each(lambda w: f"/people/{person(w)}/record/", "get", RECORD_SEEN),
    *each(lambda w: f"/people/{person(w)}/dossier.pdf", "get", RECORD_SEEN),
    # --- the API ---------------------------------------------------------------------------
    *each(lambda w: "/api/v1/learnings/", "get", {"other": 200}),
    *each(lambda w: "/api/v1/learnings/", "post", {"anonymous": 401, "other": 201},
          body={"title": "T", "what_we_tried": "a", "what_happened": "b",
                "what_we_learned": "c", "kind": "failure", "tags": ["x"]}),
    *each(lambda w: f"/api/v1/learnings/{learning(w)}/", "get",
          {"anonymous": 404, "other": 200}),
    *each(lambda w: f"/api/v1/learnings/{learning(w)}/", "patch",
          {"anonymous": 401, "lead": 200, "team_member": 200, "other": 403},
          body={"title": "Renamed"}),
    *each(lambda w: "/api/v1/recognitions/", "get", {"anonymous": 401, "other": 200}),
    *each(lambda w: "/api/v1/recognitions/", "post",
          {"anonymous": 401, "fund_manager": 201, "other": 403},
          body=lambda w: {"recipient": w.colleague.pk, "kind": "collaboration",
                          "citation": "For working across agencies."}),
    *each(lambda w: f"/api/v1/recognitions/{rec(w)}/", "get",
          {"anonymous": 401, "lead": 200, "fund_manager": 200, "hr_officer": 200,
           "other": 404}),
    *each(lambda w: "/api/v1/nominations/", "get", {"anonymous": 401, "other": 200}),
    *each(lambda w: "/api/v1/nominations/", "post", {"anonymous": 401, "other": 201},
          body=lambda w: {"nominee": w.colleague.pk, "justification": "Led well."}),
    *each(lambda w: f"/api/v1/nominations/{nom(w)}/", "get",
          {**NOMINATION_SEEN, "anonymous": 401}),
    *each(lambda w: f"/api/v1/nominations/{nom(w)}/transitions/endorse/", "post",
          {**NOMINATION_SEEN, "anonymous": 401, "fund_manager": 200, "lead": 403,
           "team_member": 403, "hr_officer": 403}),
    *each(lambda w: f"/api/v1/people/{person(w)}/innovation-record/", "get", API_RECORD),
    *each(lambda w: f"/api/v1/people/{person(w)}/dossier.pdf", "get", API_RECORD),
    # --- decisions, withdrawal through the API, and the create pages' POSTs ------------------
    *each(lambda w: f"/nominations/{endorsed(w)}/transitions/grant/", "post", HR_DECIDES),
    *each(lambda w: f"/nominations/{endorsed(w)}/transitions/not_grant/", "post", HR_DECIDES,
          body={"reason": "No post at the next level this year."}),
    (lambda w: f"/nominations/{endorsed(w)}/transitions/not_grant/", "hr_officer", "post", 400,
     {"reason": " "}),
    *each(lambda w: f"/api/v1/nominations/{endorsed(w)}/transitions/grant/", "post",
          API_HR_DECIDES),
    *each(lambda w: f"/api/v1/nominations/{endorsed(w)}/transitions/not_grant/", "post",
          API_HR_DECIDES, body={"reason": "No post at the next level this year."}),
    (lambda w: f"/api/v1/nominations/{endorsed(w)}/transitions/not_grant/", "hr_officer",
     "post", 400, {"note": "no reason given"}),
    *each(lambda w: f"/api/v1/nominations/{nom(w)}/transitions/withdraw/", "post",
          {**NOMINATION_SEEN, "anonymous": 401, "team_member": 200, "lead": 403,
           "fund_manager": 403, "hr_officer": 403}),
    *each(lambda w: "/learnings/new/", "post", {"other": 302}, body=LEARNING_BODY),
    *each(lambda w: "/recognitions/new/", "post", {**PAGE, "fund_manager": 302, "other": 403},
          body=lambda w: {"recipient": w.colleague.pk, "kind": "collaboration",
                          "citation": "For working across agencies."}),
    *each(lambda w: "/nominations/new/", "post", {"other": 302},
          body=lambda w: {"nominee": w.colleague.pk, "justification": "Led well."}),
]


def _id(row):
    path, role, method, expected, _ = row
    source = path.__code__.co_consts
    text = next((c for c in source if isinstance(c, str) and c.startswith("/")), "?")
    return f"{method}-{text}-{role}-{expected}"


@pytest.mark.parametrize("row", ROLE_ACCESS, ids=[_id(r) for r in ROLE_ACCESS])
def test_role_access(row, world, client_for, api_for):
    path_builder, role, method, expected, body = row
    url = path_builder(world)
    user = world.user(role)
    if callable(body):
        body = body(world)
    if url.startswith("/api/"):
        client = api_for(user)
        response = getattr(client, method)(url, body, format="json") if body else getattr(
            client, method)(url)
    else:
        client = client_for(user)
        response = getattr(client, method)(url, body or {})
    assert response.status_code == expected, (url, role, getattr(response, "content", b"")[:300])
    if user is None and expected == 302:  # a page's 302 to anonymous is the way to sign in
        assert response["Location"].startswith(reverse("login")), response["Location"]
