"""Every analytics page and API endpoint by role: (url, role, expected status).

Fund managers' pages and API (`/analytics/<figure>/`, `/api/v1/analytics/<figure>/`): fund
managers only (anonymous: sign in, 302 on pages, 401 in the API; everyone else 403, an HR
officer and an administrator who is not a fund manager included). The public pages and API
(`/analytics/public/...`): everyone, signed in or not. Downloads go with their page.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from analytics.figures import FIGURES, PUBLIC_FIGURES
from people.factories import UserFactory
from people.tokens import token_create
from proposals.factories import ProposalFactory
from reviews.factories import PanelFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "civil_servant", "lead", "chair", "fund_manager", "hr_officer", "admin"]


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANALYTICS_CACHE_SECONDS = 0


def managers(anonymous):
    return {**dict.fromkeys(ROLES, 403), "anonymous": anonymous, "fund_manager": 200}


EVERYONE = dict.fromkeys(ROLES, 200)

PAGES = [("/analytics/", managers(302)), ("/analytics/public/", EVERYONE)]
PAGES += [(f"/analytics/{key}/", managers(302)) for key in FIGURES]
PAGES += [(f"/analytics/{key}/?download=csv", managers(302)) for key in FIGURES]
PAGES += [(f"/analytics/{key}/?download=json", managers(302)) for key in FIGURES]
PAGES += [(f"/analytics/public/{key}/", EVERYONE) for key in PUBLIC_FIGURES]
PAGES += [(f"/analytics/public/{key}/?download=csv", EVERYONE) for key in PUBLIC_FIGURES]
API = [(f"/api/v1/analytics/{key}/", managers(401)) for key in FIGURES]
API += [(f"/api/v1/analytics/public/{key}/", EVERYONE) for key in PUBLIC_FIGURES]

ROWS = [(url, role, expected[role]) for url, expected in PAGES + API for role in ROLES]


@pytest.fixture
def people(db):
    proposal = ProposalFactory(submitted=True)
    chair = PanelFactory(round=proposal.round).chair
    return {
        "anonymous": None, "civil_servant": UserFactory(), "lead": proposal.lead, "chair": chair,
        "fund_manager": UserFactory(fund_manager=True), "hr_officer": UserFactory(hr_officer=True),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("url, role, expected", ROWS, ids=[f"{u} {r}" for u, r, _ in ROWS])
def test_role_access(people, url, role, expected):
    user = people[role]
    if url.startswith("/api/"):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_create(user=user).key}")
    else:
        client = Client()
        if user is not None:
            client.force_login(user)
    response = client.get(url)
    assert response.status_code == expected, response.content[:300]
