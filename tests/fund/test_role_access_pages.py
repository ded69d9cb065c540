"""Who may open each fund and round page: every page, every role, the expected status.

Anonymous visitors are sent to sign in; every signed-in user sees active funds and
rounds that are not drafts; only fund managers see drafts and inactive funds (404 for
others: they may not know they exist) and create, edit, record or run transitions (403).
"""

import pytest
from django.urls import reverse

from fund.factories import ContributionFactory, FundFactory, RoundFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Factories hash a password per user; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ROLES = ["anonymous", "civil_servant", "lead", "team_member", "fund_manager", "hr_officer", "admin"]
SIGNED_IN = ROLES[1:]


class Page:
    """A URL built from the test's world: `Page("fund:detail", "fund")`."""

    def __init__(self, name: str, *keys: str, extra: tuple = ()):
        self.name, self.keys, self.extra = name, keys, extra

    def __call__(self, world) -> str:
        return reverse(self.name, args=[world[k].pk for k in self.keys] + list(self.extra))

    def __repr__(self) -> str:
        return "/".join([self.name, *self.keys, *self.extra])


def rows(page, method, statuses: dict, default=None):
    """One row per role: `statuses` by role, else `default`."""
    return [(page, role, method, statuses.get(role, default)) for role in ROLES]


def anyone_signed_in(page, method="get", status=200):
    return rows(page, method, {"anonymous": 302}, default=status)


def managers_only(page, method="get", manager_status=200, others=403):
    return rows(page, method, {"anonymous": 302, "fund_manager": manager_status}, default=others)


ROLE_ACCESS = [
    *anyone_signed_in(Page("fund:list")),
    *anyone_signed_in(Page("fund:detail", "fund")),
    *managers_only(Page("fund:detail", "inactive_fund"), others=404),
    *managers_only(Page("fund:create")),
    *managers_only(Page("fund:create"), "post"),  # empty form: errors shown, 200
    *managers_only(Page("fund:edit", "fund")),
    *managers_only(Page("fund:edit", "fund"), "post"),
    *managers_only(Page("fund:contribution_create", "fund")),
    *managers_only(Page("fund:contribution_create", "fund"), "post"),
    *anyone_signed_in(Page("fund:round_list")),
    *anyone_signed_in(Page("fund:round_detail", "open_round")),
    *anyone_signed_in(Page("fund:round_detail", "closed_round")),
    *managers_only(Page("fund:round_detail", "draft_round"), others=404),
    *managers_only(Page("fund:round_create")),
    *managers_only(Page("fund:round_create"), "post"),
    *managers_only(Page("fund:round_edit", "open_round")),
    *managers_only(Page("fund:round_edit", "open_round"), "post"),
    *managers_only(Page("fund:round_transition", "open_round", extra=("close",)), "post", 302),
    *managers_only(Page("fund:round_transition", "draft_round", extra=("open",)), "post", 302, 404),
    *anyone_signed_in(Page("fund:round_transition", "open_round", extra=("close",)), status=405),
]


@pytest.fixture
def world(db):
    fund = FundFactory()
    ContributionFactory(fund=fund)
    open_round = RoundFactory(fund=fund)
    proposal = ProposalFactory(round=open_round, ready=True)
    member = TeamMemberFactory(proposal=proposal)
    return {
        "fund": fund,
        "inactive_fund": FundFactory(is_active=False),
        "open_round": open_round,
        "closed_round": RoundFactory(fund=fund, closed=True),
        "draft_round": RoundFactory(fund=fund, draft=True),
        "users": {
            "anonymous": None,
            "civil_servant": UserFactory(),
            "lead": proposal.lead,
            "team_member": member.user,
            "fund_manager": UserFactory(fund_manager=True),
            "hr_officer": UserFactory(hr_officer=True),
            "admin": UserFactory(is_staff=True, is_superuser=True),
        },
    }


@pytest.mark.parametrize(
    ("page", "role", "method", "expected"),
    ROLE_ACCESS,
    ids=lambda v: repr(v) if isinstance(v, Page) else None,
)
def test_role_access(client, world, page, role, method, expected):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(page(world), {})
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_every_fund_page_is_in_the_table():
    from fund import urls

    listed = {page.name for page, *_ in ROLE_ACCESS}
    assert {f"fund:{p.name}" for p in urls.urlpatterns} <= listed
    for name in listed:
        assert {role for page, role, *_ in ROLE_ACCESS if page.name == name} == set(ROLES)
