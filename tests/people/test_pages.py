"""The layout, sign-in and sign-out, the landing page and the dashboard by role."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fund.factories import RoundFactory
from people.factories import PASSWORD
from proposals.factories import ProposalFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def _nav(page: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', page, re.S).group(0)


# --- sign in and out -------------------------------------------------------------------------


def test_sign_in_takes_the_user_to_the_dashboard(client, civil_servant):
    response = client.post(reverse("login"), {"username": "applicant", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert "What needs me now" in client.get("/").content.decode()


def test_wrong_password_is_explained_and_keeps_the_username(client, civil_servant):
    response = client.post(reverse("login"), {"username": "applicant", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "We could not sign you in" in page
    assert 'value="applicant"' in page
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_the_page_asked_for(client, civil_servant):
    target = reverse("fund:round_list")
    response = client.get(target)
    assert response.status_code == 302 and f"next={target}" in response["Location"]
    response = client.post(
        reverse("login"), {"username": "applicant", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_sign_out_is_post_only(client, civil_servant):
    client.force_login(civil_servant)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- the layout ------------------------------------------------------------------------------


def test_layout_has_skip_link_landmarks_and_local_stylesheet(client):
    page = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and 'aria-label="Main"' in page
    assert "/static/css/site.css" in page
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


def test_stylesheet_is_hand_written_with_visible_focus_and_no_red_for_learning():
    css = (Path(django_settings.BASE_DIR) / "static/css/site.css").read_text()
    assert "@import" not in css and "http" not in css
    assert ":focus-visible" in css
    # Every rule naming a did_not_succeed badge stays away from the error colour.
    rules = [m.group(0) for m in re.finditer(r"[^}]*badge-did_not_succeed[^}]*}", css)]
    assert rules
    for rule in rules:
        body = rule.split("{", 1)[1]
        assert "--error" not in body and "#b3261e" not in body.lower()
        assert not re.search(r"\bred\b", body)


def test_anonymous_nav_offers_sign_in_only(client):
    nav = _nav(client.get("/").content.decode())
    assert "Sign in" in nav
    assert "/proposals/" not in nav and "Sign out" not in nav


def test_civil_servant_nav(client, civil_servant):
    client.force_login(civil_servant)
    nav = _nav(client.get("/").content.decode())
    for label in ["Dashboard", "Open rounds", "New proposal", "My proposals", "Sign out"]:
        assert label in nav
    for label in ["Screening queue", ">Funds<", ">Rounds<", "Admin"]:
        assert label not in nav


def test_fund_manager_nav_adds_management_links(client, fund_manager):
    client.force_login(fund_manager)
    nav = _nav(client.get("/").content.decode())
    for label in ["My proposals", "Screening queue", 'href="/proposals/queue/"', ">Funds<", ">Rounds<"]:
        assert label in nav
    assert "Admin" not in nav


def test_hr_officer_nav_is_dashboard_only(client, hr_officer):
    client.force_login(hr_officer)
    nav = _nav(client.get("/").content.decode())
    assert "Dashboard" in nav
    for label in ["New proposal", "My proposals", "Screening queue", ">Funds<"]:
        assert label not in nav


def test_admin_nav_has_admin_link(client, admin_user):
    client.force_login(admin_user)
    assert 'href="/admin/"' in _nav(client.get("/").content.decode())


# --- landing page and dashboards -----------------------------------------------------------


def test_landing_page_shows_open_rounds_but_not_drafts(client):
    RoundFactory(title="Open for ideas")
    RoundFactory(title="Still a draft", draft=True)
    RoundFactory(title="Already closed", closed=True)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Open for ideas" in page
    assert "Still a draft" not in page and "Already closed" not in page
    assert reverse("login") in page


def test_civil_servant_dashboard_shows_drafts_answers_due_and_days_left(client, civil_servant):
    from datetime import timedelta

    from django.utils import timezone

    round_ = RoundFactory(title="Health round", closes_at=timezone.now() + timedelta(days=12, hours=1))
    ProposalFactory(lead=civil_servant, round=round_, title="My half-written idea")
    ProposalFactory(lead=civil_servant, round=round_, revision_requested=True, title="Needs my answer")
    joined = ProposalFactory(round=round_, revision_requested=True, title="Team answer due")
    TeamMemberFactory(proposal=joined, user=civil_servant)
    ProposalFactory(round=round_, title="Somebody else's draft")
    client.force_login(civil_servant)
    page = client.get("/").content.decode()
    now_part, following = page.split("What I am following")
    assert "My half-written idea" in now_part
    assert "Needs my answer" in now_part and "Team answer due" in now_part
    assert "Somebody else&#x27;s draft" not in page
    assert "Health round" in following and "12 days left" in following
    assert "Nominations to decide" not in page and "Proposals to screen" not in page


def test_fund_manager_dashboard_counts_proposals_to_screen(client, fund_manager):
    ProposalFactory.create_batch(7, submitted=True)
    ProposalFactory(title="Unsubmitted draft")
    RoundFactory(draft=True, title="Next year's round")
    client.force_login(fund_manager)
    page = client.get("/").content.decode()
    assert re.search(r'Proposals to screen <span class="count">7</span>', page)
    assert page.count('href="/proposals/queue/"') >= 2  # nav and the section
    assert "Unsubmitted draft" not in page
    assert "Next year&#x27;s round" in page


def test_hr_officer_dashboard_has_nominations_section(client, hr_officer):
    client.force_login(hr_officer)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nominations to decide" in page
    assert "No nomination is waiting for your decision." in page
    assert "My drafts" not in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_dashboard_queries_are_bounded(client, fund_manager):
    round_ = RoundFactory(rubric=False)
    client.force_login(fund_manager)
    ProposalFactory.create_batch(10, round=round_, lead=fund_manager)
    ProposalFactory.create_batch(10, round=round_, submitted=True, partners=[], budget=False)
    RoundFactory.create_batch(10, rubric=False)
    small = _queries(client)
    ProposalFactory.create_batch(40, round=round_, lead=fund_manager)
    ProposalFactory.create_batch(40, round=round_, submitted=True, partners=[], budget=False)
    RoundFactory.create_batch(40, rubric=False)
    assert _queries(client) == small


def test_fund_manager_is_told_about_open_rounds_past_closing(client, fund_manager, civil_servant):
    from datetime import timedelta

    from django.utils import timezone

    RoundFactory(title="Overdue round", opens_at=timezone.now() - timedelta(days=40),
                 closes_at=timezone.now() - timedelta(days=1))
    client.force_login(fund_manager)
    now_part = client.get("/").content.decode().split("What I am following")[0]
    assert "Rounds past their closing time" in now_part and "Overdue round" in now_part
    client.force_login(civil_servant)
    assert "Overdue round" not in client.get("/").content.decode()
