"""Who may open the home page, sign in and sign out: every page, every role."""

import pytest

from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "civil_servant", "lead", "team_member", "fund_manager", "hr_officer", "admin"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def rows(path: str, method: str, statuses: dict, default: int):
    return [(path, role, method, statuses.get(role, default)) for role in ROLES]


ROLE_ACCESS = [
    # Anonymous visitors get the public landing page; everyone else their dashboard.
    *rows("/", "get", {}, 200),
    # A signed-in user asking for the sign-in page is sent to the dashboard.
    *rows("/login/", "get", {"anonymous": 200}, 302),
    # A failed sign-in (empty form) shows the form again; signed-in users are sent home.
    *rows("/login/", "post", {"anonymous": 200}, 302),
    *rows("/logout/", "post", {}, 302),
    *rows("/logout/", "get", {}, 405),
    # Who decides when someone has a conflict of interest: plain words, open to everyone.
    *rows("/help/conflicts/", "get", {}, 200),
    # The code step of signing in answers a form posted from the sign-in page: without a
    # valid password step it goes back to sign-in; signed-in users are sent home.
    *rows("/login/code/", "get", {}, 302),
    *rows("/login/code/", "post", {}, 302),
    # Two-factor sign-in: everyone signed in may set it up (nobody here has it on, so the
    # recovery-codes and turn-off pages send them back to the two-factor page).
    *rows("/account/two-factor/", "get", {"anonymous": 302}, 200),
    *rows("/account/two-factor/", "post", {"anonymous": 302}, 405),
    *rows("/account/two-factor/setup/", "get", {"anonymous": 302}, 200),
    *rows("/account/two-factor/setup/", "post", {"anonymous": 302}, 200),
    *rows("/account/two-factor/recovery-codes/", "get", {}, 302),
    *rows("/account/two-factor/recovery-codes/", "post", {}, 302),
    *rows("/account/two-factor/turn-off/", "get", {}, 302),
    *rows("/account/two-factor/turn-off/", "post", {}, 302),
]


@pytest.fixture
def users(db):
    proposal = ProposalFactory(round=RoundFactory(), ready=True)
    member = TeamMemberFactory(proposal=proposal)
    return {
        "anonymous": None,
        "civil_servant": UserFactory(),
        "lead": proposal.lead,
        "team_member": member.user,
        "fund_manager": UserFactory(fund_manager=True),
        "hr_officer": UserFactory(hr_officer=True),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize(("path", "role", "method", "expected"), ROLE_ACCESS)
def test_role_access(client, users, path, role, method, expected):
    if users[role] is not None:
        client.force_login(users[role])
    response = getattr(client, method)(path, {})
    assert response.status_code == expected
    if path == "/":
        heading = "What needs me now" if users[role] else "Sign in to propose an experiment"
        assert heading in response.content.decode()


# Where every role may be required to use two-factor sign-in (TWO_FACTOR_ROLES), the roles
# named and without it are sent from any page to set it up; enrolment stays open to them.
REQUIRED = {"fund_manager", "hr_officer", "admin"}
TWO_FACTOR_REQUIRED_ACCESS = [
    *[("/", role, 302 if role in REQUIRED else 200) for role in ROLES[1:]],
    *[("/account/two-factor/setup/", role, 200) for role in ROLES[1:]],
    *[("/help/conflicts/", role, 200) for role in ROLES[1:]],
]


@pytest.mark.parametrize(("path", "role", "expected"), TWO_FACTOR_REQUIRED_ACCESS)
def test_role_access_where_two_factor_is_required(client, users, settings, path, role,
                                                  expected):
    settings.TWO_FACTOR_ROLES = ["fund_managers", "hr_officers", "superusers"]
    client.force_login(users[role])
    response = client.get(path)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == "/account/two-factor/setup/"


def test_every_people_page_is_in_the_table():
    from people import urls

    listed = {path for path, *_ in ROLE_ACCESS}
    assert {"/" + str(p.pattern) for p in urls.urlpatterns} <= listed
    for path in listed:
        assert {role for p, role, *_ in ROLE_ACCESS if p == path} == set(ROLES)
