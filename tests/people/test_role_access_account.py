"""Who may open the "Sign-in and API tokens" page and use its buttons: every role."""

import pytest

from people.factories import UserFactory
from people.models import ApiToken
from people.tokens import token_create

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "civil_servant", "fund_manager", "hr_officer", "admin"]
PAGE = "/account/security/"
EVERYWHERE = "/account/security/sign-out-everywhere/"


def revoke(ctx):
    return f"/account/security/tokens/{ctx['owner_token'].pk}/revoke/"


def rows(build, method, statuses: dict, default: int):
    return [(build, role, method, statuses.get(role, default)) for role in ROLES]


ROLE_ACCESS = [
    # Anonymous visitors are sent to sign in; everyone signed in sees their own tokens.
    *rows(lambda ctx: PAGE, "get", {}, 200),
    # A POST revokes one's own token; another's id changes nothing (back to the page, 302).
    *rows(revoke, "post", {}, 302),
    *rows(revoke, "get", {"anonymous": 302}, 405),
    *rows(lambda ctx: EVERYWHERE, "post", {}, 302),
    *rows(lambda ctx: EVERYWHERE, "get", {"anonymous": 302}, 405),
]
ROLE_ACCESS = [(b, r, m, 302 if r == "anonymous" else s) for b, r, m, s in ROLE_ACCESS]


@pytest.fixture
def ctx(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = {
        "anonymous": None,
        "civil_servant": UserFactory(),
        "fund_manager": UserFactory(fund_manager=True),
        "hr_officer": UserFactory(hr_officer=True),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }
    return {"users": users, "owner_token": token_create(user=users["civil_servant"])}


@pytest.mark.parametrize(("build", "role", "method", "expected"), ROLE_ACCESS)
def test_role_access(client, ctx, build, role, method, expected):
    user = ctx["users"][role]
    if user is not None:
        client.force_login(user)
    path = build(ctx)
    response = getattr(client, method)(path, {})
    assert response.status_code == expected, (path, role, method)
    if role == "anonymous":
        assert response["Location"].startswith("/login/")
    owner_token_left = ApiToken.objects.filter(pk=ctx["owner_token"].pk).exists()
    # Only its owner revokes the token, by its button or by signing out everywhere.
    assert owner_token_left == (role != "civil_servant" or method == "get")


def test_every_account_page_is_in_the_table():
    from people import account_urls

    listed = set()
    for build, *_ in ROLE_ACCESS:
        listed.add(build({"owner_token": ApiToken(pk=1)}).replace("/1/", "/<int:pk>/"))
    assert {"/account/" + str(p.pattern) for p in account_urls.urlpatterns} == listed
