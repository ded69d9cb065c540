"""Fixtures for the API tests: a token-authenticated client per role and small helpers."""

import pytest
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from people.factories import AgencyFactory, UserFactory
from people.tokens import token_create
from proposals.factories import ProposalFactory, TeamMemberFactory

API = "/api/v1/"


def client_for(user=None) -> APIClient:
    """An API client sending `Authorization: Token <key>` for `user` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    return client


@pytest.fixture
def api():
    """api(user) -> a client signed in with the user's token."""
    return client_for


@pytest.fixture
def open_round(db):
    return RoundFactory()


@pytest.fixture
def people(db):
    """One user per role around one submitted-ready draft: lead, team member, others."""
    lead_agency = AgencyFactory(code="MOH", name="Ministry of Health")
    lead = UserFactory(username="lead", agency=lead_agency)
    member = UserFactory(username="member")
    return {
        "lead": lead,
        "member": member,
        "stranger": UserFactory(username="stranger"),
        "fund_manager": UserFactory(username="manager", fund_manager=True),
        "hr_officer": UserFactory(username="hr", hr_officer=True),
        "admin": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def draft(people, open_round):
    """A draft ready to submit, led by `lead` with `member` on the team."""
    proposal = ProposalFactory(ready=True, round=open_round, lead=people["lead"])
    TeamMemberFactory(proposal=proposal, user=people["member"], role="Analyst")
    return proposal


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password for every user; a slow hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
