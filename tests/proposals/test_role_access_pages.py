"""Every proposal page and action, for every role, with the status each role gets.

404 means "you may not know this exists"; 403 "you see it, but may not do this"; 302 for an
anonymous visitor is the way to /login/, for others the redirect after a done action (or,
for the lead editing a submitted proposal, back to its page with a message); 400 a refusal
shown on the page.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people.factories import AgencyFactory, UserFactory
from proposals.factories import AttachmentFactory, ProposalFactory, TeamMemberFactory
from reviews.models import Assignment, Panel

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "civil_servant", "lead", "team", "fund_manager", "hr_officer"]
PANEL = ["chair", "reviewer"]


def _url(name, proposal=None, *extra):
    def build(world):
        if proposal is None:
            return reverse(f"proposals:{name}")
        obj = world[proposal]
        args = [obj.pk] + [world[e].pk if e in world else e for e in extra]
        return reverse(f"proposals:{name}", args=args)

    build.__name__ = f"{name}({proposal or ''}{',' if extra else ''}{','.join(extra)})"
    return build


def _rows(path, method, expected: dict[str, int]):
    return [(path, role, method, status) for role, status in expected.items()]


# Shorthand: who gets what for a page that any signed-in person may open.
EVERYONE = dict.fromkeys(ROLES[1:], 200)

ROLE_ACCESS = [
    *_rows(_url("mine"), "get", {"anonymous": 302, **EVERYONE}),
    # HR officers change nothing, their own drafts included (issue 2).
    *_rows(_url("create"), "get", {"anonymous": 302, **EVERYONE, "hr_officer": 403}),
    *_rows(_url("queue"), "get", {
        "anonymous": 302, "civil_servant": 403, "lead": 403, "team": 403, "fund_manager": 200,
        "hr_officer": 403, "chair": 403,
    }),
    # The proposal's page.
    *_rows(_url("detail", "draft"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 200, "team": 200, "fund_manager": 404,
        "hr_officer": 404, "chair": 404,
    }),
    *_rows(_url("detail", "submitted"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 200, "team": 200, "fund_manager": 200,
        "hr_officer": 200, "chair": 404,
    }),
    *_rows(_url("detail", "in_review"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 200, "team": 200, "fund_manager": 200,
        "hr_officer": 200, "chair": 200, "reviewer": 200,
    }),
    # The guided form, editing.
    *_rows(_url("edit", "draft"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 200, "team": 200, "fund_manager": 404,
        "hr_officer": 404,
    }),
    *_rows(_url("edit", "submitted"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 302, "team": 302, "fund_manager": 403,
        "hr_officer": 403,
    }),
    *_rows(_url("edit", "submitted"), "post", {"fund_manager": 403, "hr_officer": 403}),
    # Transitions.
    *_rows(_url("transition", "draft", "submit"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 302, "team": 403, "fund_manager": 404,
        "hr_officer": 404,
    }),
    *_rows(_url("transition", "draft", "submit"), "get", {"lead": 405}),
    *_rows(_url("transition", "submitted", "submit"), "post", {"lead": 409}),
    *_rows(_url("transition", "submitted", "screen_out"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 403, "team": 403, "fund_manager": 302,
        "hr_officer": 403,
    }),
    *_rows(_url("transition", "submitted", "send_to_review"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 403, "team": 403, "fund_manager": 302,
        "hr_officer": 403,
    }),
    *_rows(_url("transition", "submitted", "withdraw"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 302, "team": 403, "fund_manager": 403,
        "hr_officer": 403,
    }),
    *_rows(_url("transition", "in_review", "request_revision"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 403, "fund_manager": 403,
        "hr_officer": 403, "chair": 302, "reviewer": 403,
    }),
    *_rows(_url("transition", "draft", "no_such_thing"), "post", {"lead": 404}),
    # Attachments: upload, download, remove.
    *_rows(_url("attachment_add", "draft"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 302, "team": 302, "fund_manager": 404,
        "hr_officer": 404,
    }),
    *_rows(_url("attachment_add", "submitted"), "post", {
        "civil_servant": 404, "lead": 400, "team": 400, "fund_manager": 403, "hr_officer": 403,
    }),
    *_rows(_url("attachment", "draft", "draft_file"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 200, "team": 200, "fund_manager": 404,
        "hr_officer": 404,
    }),
    *_rows(_url("attachment", "submitted", "submitted_file"), "get", {
        "anonymous": 302, "civil_servant": 404, "lead": 200, "team": 200, "fund_manager": 200,
        "hr_officer": 200, "chair": 404,
    }),
    *_rows(_url("attachment_delete", "draft", "draft_file"), "post", {
        "anonymous": 302, "civil_servant": 404, "lead": 302, "team": 302, "fund_manager": 404,
        "hr_officer": 404,
    }),
    *_rows(_url("attachment_delete", "submitted", "submitted_file"), "post", {
        "civil_servant": 404, "lead": 400, "team": 400, "fund_manager": 403, "hr_officer": 403,
    }),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    lead = UserFactory(agency=AgencyFactory(code="MOH"))
    member = UserFactory(agency=AgencyFactory(code="MOE"))
    chair, reviewer = UserFactory(), UserFactory(agency=AgencyFactory(code="NSB"))
    proposals = {
        "draft": ProposalFactory(ready=True, lead=lead),
        "submitted": ProposalFactory(submitted=True, lead=lead),
        "in_review": ProposalFactory(in_review=True, lead=lead),
    }
    for proposal in proposals.values():
        TeamMemberFactory(proposal=proposal, user=member)
    panel = Panel.objects.create(round=proposals["in_review"].round, name="Panel", chair=chair)
    Assignment.objects.create(
        proposal=proposals["in_review"], reviewer=reviewer, panel=panel,
        due_on=timezone.localdate() + timedelta(days=14),
    )
    return {
        **proposals,
        "draft_file": AttachmentFactory(proposal=proposals["draft"]),
        "submitted_file": AttachmentFactory(proposal=proposals["submitted"]),
        "users": {
            "anonymous": None,
            "civil_servant": UserFactory(),
            "lead": lead,
            "team": member,
            "fund_manager": UserFactory(fund_manager=True),
            "hr_officer": UserFactory(hr_officer=True),
            "chair": chair,
            "reviewer": reviewer,
        },
    }


def _payload():
    return {
        "reason": "Outside the round's theme.",
        "message": "Please add a control group.",
        "note": "",
        "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
    }


@pytest.mark.parametrize(
    "path, role, method, expected", ROLE_ACCESS,
    ids=[f"{p.__name__}-{r}-{m}" for p, r, m, _ in ROLE_ACCESS],
)
def test_role_access(client, world, path, role, method, expected):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = path(world)
    response = client.post(url, _payload()) if method == "post" else client.get(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert response.url.startswith("/login/")


def test_every_role_is_in_the_table():
    """Each page that people open (GET) lists every role of ROLES."""
    pages = {}
    for path, role, method, _ in ROLE_ACCESS:
        if method == "get" and path.__name__.split("(")[0] in {"mine", "create", "queue", "detail"}:
            pages.setdefault(path.__name__, set()).add(role)
    assert pages and all(set(ROLES) <= roles for roles in pages.values())
