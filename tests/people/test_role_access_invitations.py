"""Who may reach setting a password (everyone: it is how people get in) and inviting the
people an import created (fund managers and administrators)."""

import pytest

from people.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "civil_servant": {},
    "fund_manager": {"fund_manager": True},
    "hr_officer": {"hr_officer": True},
    "admin": {"is_superuser": True, "is_staff": True},
}
EVERYONE = ["anonymous", "civil_servant", "fund_manager", "hr_officer", "admin"]

ROLE_ACCESS = [
    (url, role, 200)
    for url in ("/password/reset/", "/password/reset/sent/", "/password/set/done/",
                "/password/set/MQ/not-a-token/")  # an invalid link: a page that says so
    for role in EVERYONE
] + [
    ("/invitations/imported/", role, status)
    for role, status in [("anonymous", 302), ("civil_servant", 403), ("hr_officer", 403),
                         ("fund_manager", 302), ("admin", 302)]
]


@pytest.mark.parametrize("url, role, expected", ROLE_ACCESS)
def test_role_access(client, url, role, expected):
    if role != "anonymous":
        client.force_login(UserFactory(**ROLES[role]))
    method = client.post if url.startswith("/invitations/") else client.get
    response = method(url)
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/login/")
    if expected == 302 and role != "anonymous":
        assert response["Location"] == "/data/import/"


@pytest.mark.parametrize("role", EVERYONE)
def test_inviting_is_post_only(client, role):
    if role != "anonymous":
        client.force_login(UserFactory(**ROLES[role]))
    expected = 302 if role == "anonymous" else 405
    assert client.get("/invitations/imported/").status_code == expected
