"""Who reaches the list of all proposals (issue 15): fund managers only."""

import pytest

from people.factories import UserFactory

ROLES = {
    "anonymous": 302, "civil_servant": 403, "hr_officer": 403, "fund_manager": 200,
}


@pytest.mark.parametrize(("role", "expected"), ROLES.items())
@pytest.mark.parametrize("query", ["", "?state=submitted&sort=title&page=2"])
def test_role_access_all_proposals(client, db, role, expected, query):
    users = {
        "civil_servant": lambda: UserFactory(),
        "hr_officer": lambda: UserFactory(hr_officer=True),
        "fund_manager": lambda: UserFactory(fund_manager=True),
    }
    if role in users:
        client.force_login(users[role]())
    assert client.get("/proposals/all/" + query).status_code == expected
