"""Who may use the language switcher (/i18n/setlang/): everyone, signed in or not, by POST only."""

import pytest
from django.conf import settings

from people.factories import UserFactory

pytestmark = pytest.mark.django_db

PATH = "/i18n/setlang/"
ROLES = ["anonymous", "civil_servant", "fund_manager", "hr_officer", "admin"]
ROLE_ACCESS = [
    *[(role, "post", 302) for role in ROLES],  # the language changes, back to `next`
    *[(role, "get", 405) for role in ROLES],  # a link cannot change anyone's language
]


@pytest.fixture
def users(db):
    return {
        "anonymous": None,
        "civil_servant": UserFactory(),
        "fund_manager": UserFactory(fund_manager=True),
        "hr_officer": UserFactory(hr_officer=True),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize(("role", "method", "expected"), ROLE_ACCESS)
def test_role_access(client, users, role, method, expected):
    user = users[role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(PATH, {"language": "dz", "next": "/"})
    assert response.status_code == expected, (role, method)
    changed = settings.LANGUAGE_COOKIE_NAME in response.cookies
    assert changed == (method == "post")
    if user is not None:
        user.refresh_from_db()
        assert user.language == ("dz" if method == "post" else "")
