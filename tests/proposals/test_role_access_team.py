"""Who reaches each consent page and endpoint: team membership (proposals) and co-authorship
(learnings), one row per (URL, role, method) with the status each role gets.

The scene: a draft led by `lead`, with `member` (accepted) and `invitee` (invited) on its
team; a learning written by `lead`, co-authored by `member` (accepted), `invitee` invited.
`stranger`, `fund_manager` and `hr_officer` have nothing to do with either.

Pages: 302 for an anonymous visitor is the way to sign in, for others the redirect after a
done (or explained) action; 404 "you may not know this exists"; 403 "you see it, but may
not do this". API: 401, 403, 404, 409 as API.md says.
"""

import pytest
from rest_framework.test import APIClient

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from rewards.factories import LearningAuthorFactory, LearningFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "lead", "invitee", "member", "stranger", "fund_manager", "hr_officer"]
V1 = "/api/v1"


@pytest.fixture
def scene(db):
    lead, member, invitee = UserFactory(), UserFactory(), UserFactory()
    proposal = ProposalFactory(ready=True, lead=lead)
    learning = LearningFactory(created_by=lead)
    return {
        "users": {
            "lead": lead, "member": member, "invitee": invitee, "stranger": UserFactory(),
            "fund_manager": UserFactory(fund_manager=True),
            "hr_officer": UserFactory(hr_officer=True),
        },
        "proposal": proposal,
        "accepted_row": TeamMemberFactory(proposal=proposal, user=member),
        "invited_row": TeamMemberFactory(proposal=proposal, user=invitee, invited=True),
        "learning": learning,
        "co_author_row": LearningAuthorFactory(learning=learning, user=member),
        "invited_author_row": LearningAuthorFactory(learning=learning, user=invitee,
                                                    invited=True),
    }


def rows(kind, build, method, expected: dict):
    return [(kind, build, method, role, expected[role]) for role in ROLES]


def team_page(row, name):
    def build(s):
        member = s[row]
        return f"/proposals/{member.proposal_id}/team/{member.pk}/transitions/{name}/"
    build.__name__ = f"team_page({row},{name})"
    return build


def author_page(row, name):
    def build(s):
        author = s[row]
        return f"/learnings/{author.learning_id}/authors/{author.pk}/transitions/{name}/"
    build.__name__ = f"author_page({row},{name})"
    return build


def api(path_of, body_of=None):
    def build(s):
        return (path_of(s), body_of(s) if body_of else None)
    return build


PAGE_NOT_SEEN = {"anonymous": 302, "stranger": 404, "fund_manager": 404, "hr_officer": 404}
API_NOT_SEEN = {"anonymous": 401, "stranger": 404, "fund_manager": 404, "hr_officer": 404}
API_LIST = {"anonymous": 401, **{role: 200 for role in ROLES[1:]}}

ROLE_ACCESS = [
    # --- pages: the team ------------------------------------------------------------------
    *rows("page", team_page("invited_row", "accept"), "post",
          {**PAGE_NOT_SEEN, "lead": 403, "invitee": 302, "member": 403}),
    *rows("page", team_page("invited_row", "decline"), "post",
          {**PAGE_NOT_SEEN, "lead": 403, "invitee": 302, "member": 403}),
    *rows("page", team_page("accepted_row", "leave"), "post",
          {**PAGE_NOT_SEEN, "lead": 403, "invitee": 403, "member": 302}),
    *rows("page", team_page("accepted_row", "remove"), "post",
          {**PAGE_NOT_SEEN, "lead": 302, "invitee": 403, "member": 403}),
    *rows("page", team_page("accepted_row", "invite"), "post",
          {**PAGE_NOT_SEEN, "lead": 404, "invitee": 404, "member": 404}),
    *rows("page", team_page("invited_row", "accept"), "get",
          {**PAGE_NOT_SEEN, "lead": 405, "invitee": 405, "member": 405, "stranger": 405,
           "fund_manager": 405, "hr_officer": 405}),
    # --- pages: co-authors of a learning -------------------------------------------------
    *rows("page", author_page("invited_author_row", "accept"), "post",
          {**PAGE_NOT_SEEN, "lead": 403, "invitee": 302, "member": 404}),
    *rows("page", author_page("invited_author_row", "decline"), "post",
          {**PAGE_NOT_SEEN, "lead": 403, "invitee": 302, "member": 404}),
    *rows("page", author_page("co_author_row", "leave"), "post",
          {**PAGE_NOT_SEEN, "lead": 403, "invitee": 404, "member": 302}),
    *rows("page", author_page("co_author_row", "remove"), "post",
          {**PAGE_NOT_SEEN, "lead": 302, "invitee": 404, "member": 403}),
    # --- API: team-members/ -------------------------------------------------------------
    *rows("api", api(lambda s: f"{V1}/team-members/"), "get", API_LIST),
    *rows("api", api(lambda s: f"{V1}/team-members/{s['invited_row'].pk}/"), "get",
          {**API_NOT_SEEN, "lead": 200, "invitee": 200, "member": 404}),
    *rows("api", api(lambda s: f"{V1}/team-members/",
                     lambda s: {"proposal": s["proposal"].pk, "user": UserFactory().pk}),
          "post", {**API_NOT_SEEN, "lead": 201, "invitee": 403, "member": 403}),
    *rows("api", api(lambda s: f"{V1}/team-members/{s['invited_row'].pk}/transitions/accept/",
                     lambda s: {}),
          "post", {**API_NOT_SEEN, "lead": 403, "invitee": 200, "member": 404}),
    *rows("api", api(lambda s: f"{V1}/team-members/{s['accepted_row'].pk}/transitions/leave/",
                     lambda s: {}),
          "post", {**API_NOT_SEEN, "lead": 403, "invitee": 404, "member": 200}),
    *rows("api", api(lambda s: f"{V1}/team-members/{s['accepted_row'].pk}/transitions/accept/",
                     lambda s: {}),
          "post", {**API_NOT_SEEN, "lead": 409, "invitee": 404, "member": 409}),
    # --- API: learning-authors/ --------------------------------------------------------------
    *rows("api", api(lambda s: f"{V1}/learning-authors/"), "get", API_LIST),
    *rows("api", api(lambda s: f"{V1}/learning-authors/{s['invited_author_row'].pk}/"), "get",
          {**API_NOT_SEEN, "lead": 200, "invitee": 200, "member": 404}),
    *rows("api", api(lambda s: f"{V1}/learning-authors/",
                     lambda s: {"learning": s["learning"].pk, "user": UserFactory().pk}),
          "post", {"anonymous": 401, "lead": 201, "invitee": 403, "member": 403,
                   "stranger": 403, "fund_manager": 403, "hr_officer": 403}),
    *rows("api", api(lambda s: f"{V1}/learning-authors/{s['invited_author_row'].pk}"
                               "/transitions/accept/", lambda s: {}),
          "post", {**API_NOT_SEEN, "lead": 403, "invitee": 200, "member": 404}),
    *rows("api", api(lambda s: f"{V1}/learning-authors/{s['co_author_row'].pk}"
                               "/transitions/remove/", lambda s: {}),
          "post", {**API_NOT_SEEN, "lead": 200, "invitee": 404, "member": 403}),
]


def _id(row):
    kind, build, method, role, status = row
    return f"{kind}-{getattr(build, '__name__', 'api')}-{method}-{role}"


@pytest.mark.parametrize("kind, build, method, role, expected", ROLE_ACCESS,
                         ids=[_id(r) for r in ROLE_ACCESS])
def test_role_access(scene, client, kind, build, method, role, expected):
    user = None if role == "anonymous" else scene["users"][role]
    if kind == "page":
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(build(scene))
    else:
        path, body = build(scene)
        api_client = APIClient()
        if user is not None:
            api_client.force_authenticate(user)
        kwargs = {} if body is None else {"data": body, "format": "json"}
        response = getattr(api_client, method)(path, **kwargs)
    assert response.status_code == expected, (role, method, response.content[:300])
    if kind == "page" and role == "anonymous":
        assert response.url.startswith("/login/")
