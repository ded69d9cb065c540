"""Every API endpoint by role: ROLE_ACCESS rows (request, role, method, expected status).

A request builder takes the scenario (`ctx`) and returns the path, or (path, data) for writes.
Roles: anonymous, stranger (an unrelated civil servant), lead, member (on the team),
fund_manager, hr_officer, admin (superuser) and chair (of a panel of the round).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fund.factories import FundFactory, RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.tokens import token_create
from proposals.factories import ProposalFactory, TeamMemberFactory
from reviews.models import Panel

from .conftest import client_for

V1 = "/api/v1"
ALL = ("anonymous", "stranger", "lead", "member", "fund_manager", "hr_officer", "admin", "chair")
SIGNED_IN = ALL[1:]


def rows(builder, method, expected: dict):
    return [(builder, role, method, status) for role, status in expected.items()]


def everyone(status, anonymous=401):
    return {"anonymous": anonymous, **{role: status for role in SIGNED_IN}}


def proposal_body(ctx):
    return {
        "round": ctx["round"].pk, "title": "New idea", "partner_agencies": [ctx["partner"].pk],
        "budget_lines": [{"category": "travel", "description": "Visits", "amount": "100.00"}],
    }


def upload(ctx):
    return (f"{V1}/proposals/{ctx['draft'].pk}/attachments/",
            {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 x")}, "multipart")


def new_round(ctx):
    now = timezone.now()
    return (f"{V1}/rounds/", {
        "fund": ctx["fund"].pk, "title": "Next round", "opens_at": now.isoformat(),
        "closes_at": (now + timezone.timedelta(days=30)).isoformat(), "budget": "100.00",
        "max_award": "50.00",
    })


ROLE_ACCESS = [
    # Signed-in people only (API_SCHEMA_PUBLIC off); the docs page sends anonymous to sign in.
    *rows(lambda ctx: "/api/schema/", "get", everyone(200)),
    *rows(lambda ctx: "/api/docs/", "get", everyone(200, anonymous=302)),
    *rows(lambda ctx: (f"{V1}/auth/token/", {"username": "x", "password": "y"}), "post",
          everyone(401, anonymous=401)),  # wrong credentials: 401 (API.md)
    *rows(lambda ctx: f"{V1}/auth/token/", "delete", everyone(204)),  # revokes the token sent
    # One's own tokens: listed; revoked by id by their owner only (another's id is 404).
    *rows(lambda ctx: f"{V1}/auth/tokens/", "get", everyone(200)),
    *rows(lambda ctx: f"{V1}/auth/tokens/{ctx['lead_token'].pk}/", "delete",
          {**everyone(404), "lead": 204}),
    # agencies
    *rows(lambda ctx: f"{V1}/agencies/", "get", everyone(200)),
    *rows(lambda ctx: (f"{V1}/agencies/", {"code": "NEW", "name": "New agency"}), "post",
          {**everyone(403), "admin": 201}),
    *rows(lambda ctx: f"{V1}/agencies/{ctx['partner'].pk}/", "get", everyone(200)),
    *rows(lambda ctx: (f"{V1}/agencies/{ctx['partner'].pk}/", {"name": "Renamed"}), "patch",
          {**everyone(403), "admin": 200}),
    # people
    *rows(lambda ctx: f"{V1}/people/", "get", everyone(200)),
    *rows(lambda ctx: f"{V1}/people/{ctx['lead'].pk}/", "get", everyone(200)),
    # funds and contributions
    *rows(lambda ctx: f"{V1}/funds/", "get", everyone(200)),
    *rows(lambda ctx: (f"{V1}/funds/", {"name": "Another fund"}), "post",
          {**everyone(403), "fund_manager": 201}),
    *rows(lambda ctx: f"{V1}/funds/{ctx['fund'].pk}/", "get", everyone(200)),
    *rows(lambda ctx: (f"{V1}/funds/{ctx['fund'].pk}/", {"description": "x"}), "patch",
          {**everyone(403), "fund_manager": 200}),
    *rows(lambda ctx: f"{V1}/funds/{ctx['fund'].pk}/contributions/", "get", everyone(200)),
    *rows(lambda ctx: (f"{V1}/funds/{ctx['fund'].pk}/contributions/",
                       {"agency": ctx["partner"].pk, "amount": "10.00", "received_on": "2026-01-05"}),
          "post", {**everyone(403), "fund_manager": 201}),
    # rounds
    *rows(lambda ctx: f"{V1}/rounds/", "get", everyone(200)),
    *rows(new_round, "post", {**everyone(403), "fund_manager": 201}),
    *rows(lambda ctx: f"{V1}/rounds/{ctx['round'].pk}/", "get", everyone(200)),
    *rows(lambda ctx: f"{V1}/rounds/{ctx['draft_round'].pk}/", "get",
          {**everyone(404), "fund_manager": 200}),
    *rows(lambda ctx: (f"{V1}/rounds/{ctx['round'].pk}/", {"description": "x"}), "patch",
          {**everyone(403), "fund_manager": 200}),
    *rows(lambda ctx: (f"{V1}/rounds/{ctx['round'].pk}/transitions/close/", {"note": "Done"}),
          "post", {**everyone(403), "fund_manager": 200}),
    # proposals
    *rows(lambda ctx: f"{V1}/proposals/", "get", everyone(200)),
    *rows(lambda ctx: (f"{V1}/proposals/", proposal_body(ctx)), "post",
          {**everyone(201), "hr_officer": 403}),
    *rows(lambda ctx: f"{V1}/proposals/{ctx['draft'].pk}/", "get",
          {**everyone(404), "lead": 200, "member": 200}),
    *rows(lambda ctx: f"{V1}/proposals/{ctx['submitted'].pk}/", "get",
          {**everyone(404), "lead": 200, "member": 200, "fund_manager": 200, "hr_officer": 200}),
    *rows(lambda ctx: f"{V1}/proposals/{ctx['in_review'].pk}/", "get",
          {**everyone(404), "lead": 200, "member": 200, "fund_manager": 200, "hr_officer": 200,
           "chair": 200}),
    *rows(lambda ctx: (f"{V1}/proposals/{ctx['draft'].pk}/", {"title": "Edited"}), "patch",
          {**everyone(404), "lead": 200, "member": 200, "hr_officer": 403}),
    *rows(lambda ctx: (f"{V1}/proposals/{ctx['submitted'].pk}/", {"title": "Edited"}), "patch",
          {**everyone(404), "lead": 400, "member": 400, "fund_manager": 403, "hr_officer": 403}),
    *rows(upload, "post", {**everyone(404), "lead": 201, "member": 201, "hr_officer": 403}),
    *rows(lambda ctx: (f"{V1}/proposals/{ctx['draft'].pk}/transitions/submit/", {}), "post",
          {**everyone(404), "lead": 200, "member": 403, "hr_officer": 403}),
    *rows(lambda ctx: (f"{V1}/proposals/{ctx['submitted'].pk}/transitions/screen_out/",
                       {"reason": "Out of scope"}), "post",
          {**everyone(404), "lead": 403, "member": 403, "fund_manager": 200, "hr_officer": 403}),
    *rows(lambda ctx: (f"{V1}/proposals/{ctx['in_review'].pk}/transitions/request_revision/",
                       {"message": "Add a control group"}), "post",
          {**everyone(404), "lead": 403, "member": 403, "fund_manager": 403, "hr_officer": 403,
           "chair": 200}),
]


@pytest.fixture
def ctx(db):
    lead_agency = AgencyFactory(code="MOH")
    partner = AgencyFactory(code="MOE")
    users = {
        "stranger": UserFactory(), "lead": UserFactory(agency=lead_agency),
        "member": UserFactory(), "fund_manager": UserFactory(fund_manager=True),
        "hr_officer": UserFactory(hr_officer=True), "chair": UserFactory(),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
    fund = FundFactory()
    round_ = RoundFactory(fund=fund)
    Panel.objects.create(round=round_, name="Panel", chair=users["chair"])

    def proposal(**state):
        made = ProposalFactory(round=round_, lead=users["lead"], partners=[partner], **state)
        TeamMemberFactory(proposal=made, user=users["member"])
        return made

    return {
        **users, "users": users, "partner": partner, "fund": fund, "round": round_,
        "draft_round": RoundFactory(fund=fund, draft=True),
        "lead_token": token_create(user=users["lead"]),
        "draft": proposal(ready=True),
        "submitted": proposal(submitted=True, submitted_at=timezone.now()),
        "in_review": proposal(in_review=True, submitted_at=timezone.now()),
    }


@pytest.mark.parametrize("builder, role, method, expected", ROLE_ACCESS)
def test_role_access(ctx, builder, role, method, expected):
    built = builder(ctx)
    if isinstance(built, str):
        built = (built,)
    path, data, fmt = (*built, None, None, "json")[:3]
    client = client_for(None if role == "anonymous" else ctx["users"][role])
    kwargs = {} if data is None else {"data": data, "format": fmt}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == expected, (path, role, method, response.content[:300])
    assert response.status_code != 500


def test_every_api_route_of_this_issue_is_in_the_table(ctx):
    """Each route of the collections built here is reached by a row, for every role."""
    from django.urls import resolve

    from tests.route_coverage import all_routes

    prefixes = (
        "api/schema/", "api/docs/", "api/v1/auth/", "api/v1/agencies", "api/v1/people",
        "api/v1/funds", "api/v1/rounds", "api/v1/proposals",
    )
    # Sub-routes of later issues (reviews, ranking, records, PDFs and the portfolio's CSV, the
    # rubric) have their own tables (the portfolio's: tests/awards/test_role_access.py).
    later = ("/reviews/", "/ranking/", "/innovation-record/", ".pdf", "/portfolio.csv",
             "/criteria/")
    wanted = {r for r in all_routes() if r.startswith(prefixes) and not any(x in r for x in later)}
    reached: dict[str, set[str]] = {}
    for builder, role, _, _ in ROLE_ACCESS:
        built = builder(ctx)
        path = built if isinstance(built, str) else built[0]
        reached.setdefault(resolve(path).route, set()).add(role)
    missing = {r for r in wanted if r not in reached}
    assert not missing, missing
    for route, roles in reached.items():
        assert roles == set(ALL), (route, set(ALL) - roles)
