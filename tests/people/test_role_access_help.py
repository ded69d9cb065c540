"""The help page on conflicts of interest is open to everyone, signed in or not."""

import pytest

from people.factories import UserFactory


@pytest.mark.parametrize("role", ["anonymous", "civil_servant", "fund_manager", "hr_officer"])
def test_help_on_conflicts_is_open_to_all(client, db, role):
    if role != "anonymous":
        client.force_login(UserFactory(**({role: True} if role != "civil_servant" else {})))
    response = client.get("/help/conflicts/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "deputy chair" in text and "stand-in chair" in text
    assert "another fund manager" in text
