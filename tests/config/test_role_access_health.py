"""The probes are public: every role, signed in or not, gets the same JSON answer.

/health/live/ and /health/ready/ are for load balancers and orchestrators, which never sign
in; they reveal nothing about the fund (check names and "ok"), and answer POST with 405.
"""

import pytest
from django.urls import reverse

from people.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "civil_servant", "fund_manager", "hr_officer", "admin"]
ROLE_ACCESS = [
    (name, role, method, expected)
    for name in ("health-live", "health-ready")
    for role in ROLES
    for method, expected in (("get", 200), ("post", 405))
]


def sign_in(client, role):
    if role == "anonymous":
        return
    kwargs = {
        "civil_servant": {}, "fund_manager": {"fund_manager": True},
        "hr_officer": {"hr_officer": True}, "admin": {"is_staff": True, "is_superuser": True},
    }[role]
    client.force_login(UserFactory(username=f"probe-{role}", **kwargs))


@pytest.mark.parametrize(("name", "role", "method", "expected"), ROLE_ACCESS)
def test_probe_answers_every_role_alike(client, name, role, method, expected):
    sign_in(client, role)
    response = getattr(client, method)(reverse(name))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/json"
        assert response.json()["status"] == "ok"
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
