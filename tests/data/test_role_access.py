"""Who may reach the import and export pages."""

import pytest

from people.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "civil_servant": {},
    "fund_manager": {"fund_manager": True},
    "hr_officer": {"hr_officer": True},
    "admin": {"is_superuser": True, "is_staff": True},
}

ROLE_ACCESS = [
    (url, role, status)
    for url in ("/data/import/", "/data/export/", "/data/export/agencies.csv",
                "/data/export/360giving.json")
    for role, status in [("anonymous", 302), ("civil_servant", 403), ("hr_officer", 403),
                         ("fund_manager", 200), ("admin", 200)]
] + [
    ("/data/import/confirm/", role, status)
    for role, status in [("anonymous", 302), ("civil_servant", 403), ("hr_officer", 403),
                         ("fund_manager", 302), ("admin", 302)]
]


@pytest.mark.parametrize("url, role, expected", ROLE_ACCESS)
def test_role_access(client, url, role, expected):
    if role != "anonymous":
        client.force_login(UserFactory(**ROLES[role]))
    method = client.post if url.endswith("confirm/") else client.get
    response = method(url)
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/login/")


API_ROLE_ACCESS = [
    ("/api/v1/awards/360giving.json", role, status)
    for role, status in [("anonymous", 401), ("civil_servant", 200), ("hr_officer", 200),
                         ("fund_manager", 200), ("admin", 200)]
]


@pytest.mark.parametrize("url, role, expected", API_ROLE_ACCESS)
def test_role_access_api(client, url, role, expected):
    if role != "anonymous":
        client.force_login(UserFactory(**ROLES[role]))
    assert client.get(url).status_code == expected
