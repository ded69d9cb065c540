"""API tokens listed and revoked by their owner (API and page), expiring, revoked on a password
reset and deactivation; short sessions for privileged people; "Sign out everywhere"."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from people import sessions
from people.factories import PASSWORD, UserFactory
from people.models import ApiToken, User
from people.signals import api_token_created, api_tokens_revoked
from people.tokens import EXPIRED, digest, sweep_expired_tokens, token_create

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
PAGE = "/account/security/"
EVERYWHERE = "/account/security/sign-out-everywhere/"
ANY = "/api/v1/agencies/"
NEW_PASSWORD = "a-new-pass-2026-long"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TWO_FACTOR_ROLES = []  # two-factor sign-in is tested on its own


@pytest.fixture
def pema(db):
    return UserFactory(username="pema")


@pytest.fixture
def signals():
    """Every api_token_created / api_tokens_revoked sent during the test."""
    sent = []

    def created(sender, user, token, request, **kwargs):
        sent.append(("created", user.pk, token.pk, request is not None))

    def revoked(sender, user, count, reason, request, **kwargs):
        sent.append(("revoked", user.pk, count, reason))

    api_token_created.connect(created, dispatch_uid="test-created")
    api_tokens_revoked.connect(revoked, dispatch_uid="test-revoked")
    yield sent
    api_token_created.disconnect(dispatch_uid="test-created")
    api_tokens_revoked.disconnect(dispatch_uid="test-revoked")


def get_key(username="pema", password=PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": password},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_key(key) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def stored(key):
    return ApiToken.objects.get(digest=digest(key))


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- several tokens, listed and revoked by their owner ---------------------------------------
def test_each_sign_in_makes_a_token_and_the_owner_lists_them_without_their_keys(pema, signals):
    keys = [get_key() for _ in range(3)]
    assert len(set(keys)) == 3
    assert all(with_key(k).get(ANY).status_code == 200 for k in keys)
    assert [s[0] for s in signals] == ["created"] * 3 and all(s[3] for s in signals)
    UserFactory(username="other") and get_key("other")  # someone else's is not listed

    response = with_key(keys[1]).get(TOKENS_URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [stored(k).pk for k in reversed(keys)]  # newest first
    assert [r["current"] for r in rows] == [False, True, False]
    assert set(rows[0]) == {"id", "starts_with", "created", "last_used_at", "expires_at",
                            "current"}
    assert rows[0]["starts_with"] == keys[2][:6]
    assert not any(k in response.content.decode() for k in keys)
    assert not any(digest(k) in response.content.decode() for k in keys)
    # a fresh token: refused 8 hours (API_TOKEN_IDLE) after it was made, unless used
    made = stored(keys[2])
    assert rows[0]["expires_at"].startswith(
        timezone.localtime(made.created + timedelta(hours=8)).isoformat()[:16])


def test_keys_are_stored_only_as_digests(pema):
    key = get_key()
    token = stored(key)
    assert key not in {token.digest, token.starts_with}
    assert not Token.objects.exists()


def test_the_owner_revokes_one_token_and_keeps_the_others(pema, signals):
    first, second = get_key(), get_key()
    response = with_key(first).delete(f"{TOKENS_URL}{stored(second).pk}/")
    assert response.status_code == 204
    assert with_key(second).get(ANY).status_code == 401
    assert with_key(first).get(ANY).status_code == 200
    assert signals[-1] == ("revoked", pema.pk, 1, "owner")


def test_someone_elses_token_is_404_and_stays(pema):
    mine = get_key()
    UserFactory(username="karma")
    theirs = get_key("karma")
    response = with_key(mine).delete(f"{TOKENS_URL}{stored(theirs).pk}/")
    assert response.status_code == 404
    assert "no API token with this id" in response.json()["detail"]
    assert with_key(theirs).get(ANY).status_code == 200
    assert with_key(mine).delete(f"{TOKENS_URL}999999/").status_code == 404


def test_delete_auth_token_revokes_only_the_token_sent(pema, signals):
    first, second = get_key(), get_key()
    assert with_key(first).delete(TOKEN_URL).status_code == 204
    assert with_key(first).get(ANY).status_code == 401
    assert with_key(second).get(ANY).status_code == 200
    assert ("revoked", pema.pk, 1, "owner") in signals


def test_the_page_lists_the_tokens_and_revokes_one(pema, client, signals):
    first, second = get_key(), get_key()
    client.force_login(pema)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign-in and API tokens" in html
    assert first[:6] in html and second[:6] in html
    assert first not in html and second not in html
    assert html.count(">Revoke<") == 2
    assert 'name="form_token"' in html and 'name="csrfmiddlewaretoken"' in html
    assert f'action="/account/security/tokens/{stored(first).pk}/revoke/"' in html

    response = client.post(f"/account/security/tokens/{stored(first).pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert "revoked" in texts(response)[0]
    assert with_key(first).get(ANY).status_code == 401
    assert with_key(second).get(ANY).status_code == 200
    assert signals[-1] == ("revoked", pema.pk, 1, "owner")
    assert first[:6] not in client.get(PAGE).content.decode()


def test_the_page_refuses_to_revoke_someone_elses_token_and_says_why(pema, client):
    UserFactory(username="karma")
    theirs = get_key("karma")
    client.force_login(pema)
    response = client.post(f"/account/security/tokens/{stored(theirs).pk}/revoke/")
    assert response.status_code == 302
    assert "not one of yours" in texts(response)[0]
    assert with_key(theirs).get(ANY).status_code == 200


def test_the_signed_in_persons_links_lead_to_the_page(pema, client):
    client.force_login(pema)
    assert f'href="{PAGE}"' in client.get("/").content.decode()


# --- expiry ----------------------------------------------------------------------------------
def test_an_idle_token_is_refused_deleted_and_announced(pema, signals):
    key = get_key()
    ApiToken.objects.filter(pk=stored(key).pk).update(
        created=timezone.now() - timedelta(days=2),
        last_used_at=timezone.now() - timedelta(hours=8, minutes=1))
    response = with_key(key).get(ANY)
    assert response.status_code == 401 and response.json() == {"detail": EXPIRED}
    assert not ApiToken.objects.exists()
    assert signals[-1] == ("revoked", pema.pk, 1, "expired")


def test_a_token_past_its_maximum_age_is_refused_though_in_use(pema, settings):
    key = get_key()
    ApiToken.objects.filter(pk=stored(key).pk).update(
        created=timezone.now() - timedelta(days=30, minutes=1), last_used_at=timezone.now())
    assert with_key(key).get(ANY).json() == {"detail": EXPIRED}


def test_expired_tokens_leave_the_list_and_a_sweep_deletes_everyones(pema, signals):
    fresh, idle = get_key(), get_key()
    ApiToken.objects.filter(pk=stored(idle).pk).update(
        created=timezone.now() - timedelta(hours=9))
    rows = with_key(fresh).get(TOKENS_URL).json()["results"]
    assert [r["id"] for r in rows] == [stored(fresh).pk]
    assert ("revoked", pema.pk, 1, "expired") in signals
    karma = UserFactory(username="karma")
    token_create(user=karma)
    ApiToken.objects.filter(user=karma).update(created=timezone.now() - timedelta(days=31))
    assert sweep_expired_tokens() == 1
    assert list(ApiToken.objects.values_list("user_id", flat=True)) == [pema.pk]


# --- revoked on a password reset (the emailed link) and on deactivation -------------------------
def test_a_reset_through_the_emailed_link_revokes_every_token(pema, client, signals):
    keys = [get_key(), get_key()]
    uid = urlsafe_base64_encode(force_bytes(pema.pk))
    link = f"/password/set/{uid}/{default_token_generator.make_token(pema)}/"
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD,
                                      "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert all(with_key(k).get(ANY).status_code == 401 for k in keys)
    assert not ApiToken.objects.filter(user=pema).exists()
    assert signals[-1] == ("revoked", pema.pk, 2, "password")


def test_deactivation_revokes_every_token(pema, signals):
    get_key(), get_key()
    user = User.objects.get(pk=pema.pk)
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=pema).exists()
    assert signals[-1] == ("revoked", pema.pk, 2, "deactivated")


def test_a_drf_token_made_the_old_way_works_and_is_kept_only_as_a_digest(pema):
    key = Token.objects.create(user=pema).key
    assert not Token.objects.exists()
    assert stored(key).user == pema
    assert with_key(key).get(ANY).status_code == 200


def test_an_administrator_deleting_a_token_in_the_admin_revokes_it(pema, admin_user, client,
                                                                   signals):
    key = get_key()
    client.force_login(admin_user)
    token = stored(key)
    response = client.post(f"/admin/people/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert with_key(key).get(ANY).status_code == 401
    assert signals[-1] == ("revoked", pema.pk, 1, "admin")


# --- short sessions for privileged people ------------------------------------------------------
def signed_in(user) -> Client:
    client = Client()
    # Django's login(), as the sign-in page calls it (user_logged_in is sent), with the person as
    # stored now (as authenticate() would load them)
    client.force_login(User.objects.get(pk=user.pk))
    return client


def move_back(client, **seconds):
    """Move the session's stored timestamps back in time, as if that time had passed."""
    session = client.session
    for key, value in seconds.items():
        session[f"_{key}"] -= value
    session.save()


@pytest.mark.parametrize("role", ["fund_manager", "hr_officer", "staff", "superuser"])
def test_a_privileged_session_ends_after_30_idle_minutes(role):
    user = UserFactory(**{"fund_manager": {"fund_manager": True},
                          "hr_officer": {"hr_officer": True},
                          "staff": {"is_staff": True},
                          "superuser": {"is_superuser": True}}[role])
    client = signed_in(user)
    assert client.get(PAGE).status_code == 200
    move_back(client, last_seen_at=29 * 60)
    assert client.get(PAGE).status_code == 200  # 29 minutes: still on, and seen now
    move_back(client, last_seen_at=31 * 60)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={PAGE}"
    assert "session ended after 30 minutes without activity" in texts(response)[0]
    assert client.get(PAGE)["Location"].startswith("/login/")  # signed out for good


def test_a_privileged_session_ends_8_hours_after_signing_in_though_active(fund_manager):
    client = signed_in(fund_manager)
    move_back(client, signed_in_at=8 * 3600 - 60, last_seen_at=0)
    assert client.get(PAGE).status_code == 200
    move_back(client, signed_in_at=120)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "ended 8 hours after you signed in" in texts(response)[0]


def test_the_limits_are_settings(fund_manager, settings):
    settings.PRIVILEGED_SESSION_IDLE = 5 * 60
    client = signed_in(fund_manager)
    move_back(client, last_seen_at=6 * 60)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "after 5 minutes without activity" in texts(response)[0]


def test_an_api_call_with_an_ended_session_is_refused(fund_manager):
    client = signed_in(fund_manager)
    assert client.get(ANY).status_code == 200
    move_back(client, last_seen_at=31 * 60)
    assert client.get(ANY).status_code in (401, 403)


def test_a_privileged_session_cookie_lasts_8_hours(fund_manager):
    client = signed_in(fund_manager)
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs((session.expire_date - timezone.now()) - timedelta(hours=8)) < timedelta(minutes=1)


def test_last_activity_is_written_at_most_once_a_minute(fund_manager):
    client = signed_in(fund_manager)
    first = client.session["_last_seen_at"]
    client.get(PAGE)
    assert client.session["_last_seen_at"] == first
    move_back(client, last_seen_at=90)
    client.get(PAGE)
    assert client.session["_last_seen_at"] >= first


def test_a_role_given_after_signing_in_counts_from_then(pema):
    from django.contrib.auth.models import Group

    client = signed_in(pema)
    assert "_signed_in_at" not in client.session
    pema.groups.add(Group.objects.get_or_create(name="fund_managers")[0])
    assert client.get(PAGE).status_code == 200
    assert "_signed_in_at" in client.session
    move_back(client, last_seen_at=31 * 60)
    assert client.get(PAGE).status_code == 302


def test_an_ordinary_person_keeps_a_two_week_session_unwritten(pema):
    client = signed_in(pema)
    session_key = client.session.session_key
    expires = Session.objects.get(session_key=session_key).expire_date
    assert abs((expires - timezone.now()) - timedelta(days=14)) < timedelta(minutes=1)
    assert "_last_seen_at" not in client.session
    session = client.session
    session["_last_seen_at"] = session["_signed_in_at"] = 0  # long ago: not theirs to end
    session.save()
    saved = Session.objects.get(session_key=session_key).session_data
    assert client.get(PAGE).status_code == 200
    assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=session_key).session_data == saved  # not rewritten


# --- sign out everywhere -----------------------------------------------------------------------
def test_sign_out_everywhere_ends_every_session_and_revokes_every_token(pema, signals):
    keys = [get_key(), get_key()]
    laptop, phone = signed_in(pema), signed_in(pema)
    assert phone.get(PAGE).status_code == 200
    page = laptop.get(PAGE).content.decode()
    assert f'action="{EVERYWHERE}"' in page and "Sign out everywhere" in page

    response = laptop.post(EVERYWHERE, follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "signed out on every device" in response.content.decode()
    assert "2 tokens" in response.content.decode()
    assert all(with_key(k).get(ANY).status_code == 401 for k in keys)
    assert signals[-1] == ("revoked", pema.pk, 2, "everywhere")

    other = phone.get(PAGE)
    assert other.status_code == 302 and other["Location"].startswith("/login/")
    assert "Your session ended" in texts(other)[0]
    assert laptop.get(PAGE)["Location"].startswith("/login/")
    assert phone.get(ANY).status_code in (401, 403)
    fresh = signed_in(pema)  # signing in again works
    assert fresh.get(PAGE).status_code == 200


def test_sign_out_everywhere_with_no_token_is_announced(pema, signals):
    client = signed_in(pema)
    client.post(EVERYWHERE)
    assert signals == [("revoked", pema.pk, 0, "everywhere")]


def test_sign_out_everywhere_leaves_other_people_signed_in(pema):
    karma = UserFactory(username="karma")
    theirs, key = signed_in(karma), get_key("karma")
    signed_in(pema).post(EVERYWHERE)
    assert theirs.get(PAGE).status_code == 200
    assert with_key(key).get(ANY).status_code == 200


def test_sessions_from_before_the_version_stay_signed_in(pema):
    from django.contrib.auth.base_user import AbstractBaseUser

    assert pema.sessions_version == 0
    assert pema.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(pema)
    sessions.sign_out_everywhere(actor=pema)
    assert pema.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(pema)


def test_changing_ones_password_keeps_this_session_and_ends_the_others(admin_user):
    here, elsewhere = signed_in(admin_user), signed_in(admin_user)
    here.post(EVERYWHERE)  # a version above 0, so the hash includes it
    here, elsewhere = signed_in(admin_user), signed_in(admin_user)
    response = here.post(f"/admin/people/user/{admin_user.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    assert User.objects.get(pk=admin_user.pk).check_password(NEW_PASSWORD)
    assert here.get(PAGE).status_code == 200  # update_session_auth_hash kept it
    assert elsewhere.get(PAGE).status_code == 302


def test_the_sweep_command_deletes_expired_tokens_only(pema):
    from io import StringIO

    from django.core.management import call_command

    fresh, old = get_key(), get_key()
    ApiToken.objects.filter(pk=stored(old).pk).update(created=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("sweep_api_tokens", stdout=out)
    assert out.getvalue().strip() == "1 expired API token deleted."
    assert list(ApiToken.objects.all()) == [stored(fresh)]
