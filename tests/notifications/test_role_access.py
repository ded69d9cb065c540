"""Every notifications page and endpoint, for every role: only one's own notifications."""

import pytest
from rest_framework.test import APIClient

from notifications.factories import NotificationFactory

ROLES = ["anonymous", "civil_servant", "lead", "team_member", "fund_manager", "hr_officer",
         "reviewer", "chair"]
OTHERS = [r for r in ROLES if r not in ("anonymous", "lead")]


def mine(ctx):  # a notification of the proposal's lead
    return ctx["notification"].pk


def _rows(path, method, anonymous, lead, others):
    rows = [(path, "anonymous", method, anonymous), (path, "lead", method, lead)]
    return rows + [(path, role, method, others) for role in OTHERS]


ROLE_ACCESS = [
    *_rows("/notifications/", "get", 302, 200, 200),
    *_rows(lambda c: f"/notifications/{mine(c)}/read/", "post", 302, 302, 404),
    (lambda c: f"/notifications/{mine(c)}/read/", "lead", "get", 405),
    *_rows("/notifications/read-all/", "post", 302, 302, 302),
    ("/notifications/read-all/", "lead", "get", 405),
    *_rows("/api/v1/notifications/", "get", 401, 200, 200),
    ("/api/v1/notifications/", "lead", "post", 405),
    *_rows(lambda c: f"/api/v1/notifications/{mine(c)}/", "get", 401, 200, 404),
    *_rows(lambda c: f"/api/v1/notifications/{mine(c)}/read/", "post", 401, 200, 404),
    (lambda c: f"/api/v1/notifications/{mine(c)}/read/", "lead", "get", 405),
]


@pytest.fixture
def ctx(world):
    from people.factories import UserFactory

    users = {
        "civil_servant": world.outsider, "lead": world.lead, "team_member": world.member,
        "fund_manager": world.manager, "hr_officer": UserFactory(hr_officer=True),
        "reviewer": world.reviewer, "chair": world.chair,
    }
    for user in users.values():  # everyone has notifications of their own
        NotificationFactory(recipient=user)
    return {"users": users, "notification": NotificationFactory(recipient=world.lead)}


@pytest.mark.parametrize("path, role, method, expected", ROLE_ACCESS)
def test_role_access(ctx, path, role, method, expected):
    url = path(ctx) if callable(path) else path
    client = APIClient()
    if role != "anonymous":
        client.force_login(ctx["users"][role])
    response = getattr(client, method)(url)
    assert response.status_code == expected, (url, role, method)
    if role == "anonymous" and expected == 302:
        assert response.url.startswith("/login/")
