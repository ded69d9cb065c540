"""The security log (securitylog/): every sign-in, failure, lockout, token, two-factor device and
grant or removal of a role is a row naming who, whose, when and from where; nothing else is."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import timezone

from people.factories import PASSWORD, UserFactory
from people.models import FUND_MANAGERS, HR_OFFICERS, User
from people.signals import acting_as, api_token_created, api_tokens_revoked
from proposals.factories import ProposalFactory
from reviews.factories import PanelFactory
from reviews.models import PanelStandIn
from securitylog.models import SecurityEvent

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
ADDRESS = "10.1.2.3"


def rows(**filters):
    return list(SecurityEvent.objects.filter(**filters).order_by("id"))


def only_row(**filters):
    found = rows(**filters)
    assert len(found) == 1, found
    return found[0]


def assert_recent(row):
    assert timezone.now() - timedelta(minutes=1) < row.at <= timezone.now()


@pytest.fixture
def admin(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# --- signing in and out ---------------------------------------------------------------------
def test_a_sign_in_is_logged_with_the_person_as_actor_and_their_address(client):
    pema = UserFactory(username="pema")
    response = client.post("/login/", {"username": "PEMA", "password": PASSWORD},
                           REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    row = only_row(kind=Kind.SIGN_IN)
    assert (row.actor, row.subject, row.username, row.ip_address) == (pema, pema, "pema", ADDRESS)
    assert_recent(row)


def test_a_wrong_password_is_logged_against_the_account(client):
    pema = UserFactory(username="pema")
    client.post("/login/", {"username": "pema", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    row = only_row(kind=Kind.SIGN_IN_FAILED)
    assert (row.actor, row.subject, row.username, row.ip_address) == (None, pema, "pema", ADDRESS)
    assert not rows(kind=Kind.SIGN_IN)


def test_a_failed_sign_in_with_an_unknown_username_keeps_what_was_typed(client):
    client.post("/login/", {"username": "=HYPERLINK(evil)", "password": "x"},
                REMOTE_ADDR=ADDRESS)
    row = only_row(kind=Kind.SIGN_IN_FAILED)
    assert (row.subject, row.username, row.detail) == (None, "=HYPERLINK(evil)", "no such account")
    assert row.ip_address == ADDRESS
    assert_recent(row)


def test_a_failed_sign_in_on_the_token_endpoint_is_logged(client):
    UserFactory(username="pema")
    response = client.post("/api/v1/auth/token/", {"username": "pema", "password": "wrong"},
                           REMOTE_ADDR=ADDRESS)
    assert response.status_code in (400, 401)
    assert only_row(kind=Kind.SIGN_IN_FAILED).subject.username == "pema"


def test_a_lockout_is_logged_once_the_limit_is_reached(client, settings):
    pema = UserFactory(username="pema")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "pema", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    assert not rows(kind=Kind.LOCKED_OUT)
    response = client.post("/login/", {"username": "pema", "password": "wrong"},
                           REMOTE_ADDR=ADDRESS)
    assert response.status_code == 429
    row = only_row(kind=Kind.LOCKED_OUT)
    assert (row.subject, row.username, row.ip_address) == (pema, "pema", ADDRESS)
    assert_recent(row)
    assert len(rows(kind=Kind.SIGN_IN_FAILED)) == settings.AXES_FAILURE_LIMIT


def test_a_sign_out_is_logged(client):
    pema = UserFactory(username="pema")
    client.force_login(pema)  # force_login sends user_logged_in too
    client.post("/logout/", REMOTE_ADDR=ADDRESS)
    row = only_row(kind=Kind.SIGN_OUT)
    assert (row.actor, row.subject, row.ip_address) == (pema, pema, ADDRESS)


def test_signing_out_when_not_signed_in_writes_nothing(client):
    client.post("/logout/")
    assert not rows(kind=Kind.SIGN_OUT)


# --- API tokens (the signals people/ sends) ---------------------------------------------------
def test_a_token_made_and_tokens_revoked_are_logged():
    pema = UserFactory(username="pema")
    request = RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR=ADDRESS)
    request.user = pema
    token = type("Token", (), {"starts_with": "a1b2c3"})()
    api_token_created.send(sender=User, user=pema, token=token, request=request)
    row = only_row(kind=Kind.TOKEN_CREATED)
    assert (row.actor, row.subject, row.ip_address) == (pema, pema, ADDRESS)
    assert row.detail == "token a1b2c3\N{HORIZONTAL ELLIPSIS}"
    assert_recent(row)

    api_tokens_revoked.send(sender=User, user=pema, count=2, reason="password", request=None)
    row = only_row(kind=Kind.TOKEN_REVOKED)
    assert (row.subject, row.detail) == (pema, "password changed (2 tokens)")


def test_a_token_asked_for_and_revoked_through_the_api_is_logged(client):
    pema = UserFactory(username="pema")
    response = client.post("/api/v1/auth/token/", {"username": "pema", "password": PASSWORD},
                           REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    created = only_row(kind=Kind.TOKEN_CREATED)
    assert (created.actor, created.subject, created.ip_address) == (pema, pema, ADDRESS)
    assert created.detail == f"token {key[:6]}\N{HORIZONTAL ELLIPSIS}"
    response = client.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {key}",
                             REMOTE_ADDR=ADDRESS)
    assert response.status_code == 204
    revoked = only_row(kind=Kind.TOKEN_REVOKED)
    assert (revoked.actor, revoked.subject, revoked.detail) == (
        pema, pema, "revoked by its owner (1 token)")


def test_signing_out_everywhere_without_tokens_is_still_recorded():
    pema = UserFactory()
    api_tokens_revoked.send(sender=User, user=pema, count=0, reason="everywhere", request=None)
    assert only_row(kind=Kind.TOKEN_REVOKED).detail == "signed out everywhere (no tokens)"


def test_a_token_revoked_by_an_administrator_names_them():
    pema, admin = UserFactory(), UserFactory(is_superuser=True)
    with acting_as(admin):
        api_tokens_revoked.send(sender=User, user=pema, count=1, reason="admin", request=None)
    row = only_row(kind=Kind.TOKEN_REVOKED)
    assert (row.actor, row.subject, row.detail) == (
        admin, pema, "revoked by an administrator (1 token)")


# --- two-factor devices (django-otp) -----------------------------------------------------------
needs_otp = pytest.mark.skipif(
    not apps.is_installed("django_otp.plugins.otp_totp"), reason="django-otp is not installed")


@needs_otp
def test_an_authenticator_counts_once_confirmed_and_its_removal_is_logged():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pema = UserFactory()
    device = TOTPDevice.objects.create(user=pema, name="phone", confirmed=False)
    assert not rows(kind=Kind.TWO_FACTOR_ENROLLED)  # set up but not confirmed: not enrolled
    device = TOTPDevice.objects.get(pk=device.pk)
    device.confirmed = True
    device.save()
    row = only_row(kind=Kind.TWO_FACTOR_ENROLLED)
    assert (row.subject, row.actor, row.detail) == (pema, pema, "authenticator app")
    assert_recent(row)
    device.name = "new phone"
    device.save()
    assert len(rows(kind=Kind.TWO_FACTOR_ENROLLED)) == 1  # still the one enrolment

    admin = UserFactory(is_superuser=True)
    with acting_as(admin):
        TOTPDevice.objects.get(pk=device.pk).delete()
    row = only_row(kind=Kind.TWO_FACTOR_REMOVED)
    assert (row.subject, row.actor, row.detail) == (pema, admin, "authenticator app")


@needs_otp
def test_recovery_codes_and_an_unconfirmed_device_removed():
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    pema = UserFactory()
    StaticDevice.objects.create(user=pema, name="backup", confirmed=True)
    assert only_row(kind=Kind.TWO_FACTOR_ENROLLED).detail == "recovery codes"
    TOTPDevice.objects.create(user=pema, name="abandoned", confirmed=False).delete()
    assert not rows(kind=Kind.TWO_FACTOR_REMOVED)


@needs_otp
def test_turning_two_factor_on_and_off_with_the_products_services_is_logged():
    from django_otp.oath import TOTP
    from django_otp.util import random_hex

    from people.two_factor import remove_devices, two_factor_enable

    pema, admin = UserFactory(), UserFactory(is_superuser=True)
    key = random_hex(20)
    device, codes = two_factor_enable(actor=pema, key=key,
                                      code=f"{TOTP(bytes.fromhex(key)).token():06d}")
    assert device is not None and codes
    assert sorted((r.subject, r.actor, r.detail) for r in rows(kind=Kind.TWO_FACTOR_ENROLLED)) == [
        (pema, pema, "authenticator app"), (pema, pema, "recovery codes")]
    with acting_as(admin):
        remove_devices(pema)
    assert sorted((r.actor, r.detail) for r in rows(kind=Kind.TWO_FACTOR_REMOVED)) == [
        (admin, "authenticator app"), (admin, "recovery codes")]


# --- roles: groups --------------------------------------------------------------------------
def admin_change_data(person, **changes):
    data = {
        "username": person.username, "first_name": person.first_name,
        "last_name": person.last_name, "email": person.email, "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "agency": person.agency_id, "employee_id": person.employee_id or "",
        "position_title": person.position_title, "position_level": person.position_level,
        "groups": [g.pk for g in person.groups.all()],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_role_granted_and_removed_in_the_admin_names_the_administrator(client, admin):
    pema = UserFactory(username="pema")
    managers = Group.objects.get_or_create(name=FUND_MANAGERS)[0]
    client.force_login(admin)
    response = client.post(f"/admin/people/user/{pema.pk}/change/",
                           admin_change_data(pema, groups=[managers.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(pema.groups.all()) == [managers]
    row = only_row(kind=Kind.ROLE_GRANTED, subject=pema)
    assert (row.actor, row.subject, row.detail) == (admin, pema, "fund managers group")
    assert (row.actor_username, row.subject_username, row.ip_address) == ("root", "pema", ADDRESS)
    assert_recent(row)

    response = client.post(f"/admin/people/user/{pema.pk}/change/",
                           admin_change_data(pema, groups=None))
    assert response.status_code == 302
    row = only_row(kind=Kind.ROLE_REMOVED, subject=pema)
    assert (row.actor, row.subject, row.detail) == (admin, pema, "fund managers group")


def test_superuser_and_staff_granted_in_the_admin(client, admin):
    pema = UserFactory(username="pema")
    client.force_login(admin)
    response = client.post(f"/admin/people/user/{pema.pk}/change/",
                           admin_change_data(pema, is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    granted = rows(kind=Kind.ROLE_GRANTED, subject=pema)
    assert sorted(r.detail for r in granted) == ["staff", "superuser"]
    assert {(r.actor, r.subject) for r in granted} == {(admin, pema)}
    pema.refresh_from_db()  # sends no post_init: the flags are read again at save
    pema.is_superuser = False
    pema.save()
    removed = only_row(kind=Kind.ROLE_REMOVED, subject=pema)
    assert (removed.subject, removed.actor, removed.detail) == (pema, None, "superuser")


def test_a_superuser_created_is_a_grant():
    person = User.objects.create_superuser("boss", "boss@example.gov.bt", PASSWORD)
    assert sorted(r.detail for r in rows(kind=Kind.ROLE_GRANTED, subject=person)) == [
        "staff", "superuser"]


def test_roles_changed_from_the_group_side_and_by_clear():
    pema, karma = UserFactory(username="pema"), UserFactory(username="karma")
    hr = Group.objects.get_or_create(name=HR_OFFICERS)[0]
    admin = UserFactory(is_superuser=True)
    with acting_as(admin):
        hr.user_set.add(pema, karma)
    granted = rows(kind=Kind.ROLE_GRANTED, detail="HR officers group")
    assert {(r.subject, r.actor, r.detail) for r in granted} == {
        (pema, admin, "HR officers group"), (karma, admin, "HR officers group")}

    hr.user_set.add(pema)  # already a member: nothing changes, nothing is logged
    hr.user_set.remove(UserFactory())  # never a member: nothing is logged
    assert len(rows(kind=Kind.ROLE_GRANTED, detail="HR officers group")) == 2
    assert not rows(kind=Kind.ROLE_REMOVED)

    hr.user_set.remove(karma)
    assert [(r.subject, r.detail) for r in rows(kind=Kind.ROLE_REMOVED)] == [
        (karma, "HR officers group")]
    hr.user_set.clear()
    assert [r.subject for r in rows(kind=Kind.ROLE_REMOVED)] == [karma, pema]


def test_clearing_a_persons_groups_logs_each_group():
    pema = UserFactory(fund_manager=True, roles=[HR_OFFICERS])
    before = len(rows(kind=Kind.ROLE_REMOVED))
    pema.groups.clear()
    removed = rows(kind=Kind.ROLE_REMOVED)[before:]
    assert sorted(r.detail for r in removed) == ["HR officers group", "fund managers group"]


# --- roles: panel chair, deputy chair, stand-in chair -----------------------------------------
def test_panel_chair_and_deputy_changes_grant_the_new_and_remove_the_old():
    old_chair, new_chair, deputy = UserFactory(), UserFactory(), UserFactory()
    manager = UserFactory(fund_manager=True)
    with acting_as(manager):
        panel = PanelFactory(chair=old_chair, name="Health 2026")
    row = only_row(kind=Kind.ROLE_GRANTED, subject=old_chair)
    assert (row.actor, row.detail) == (manager, "chair of panel 'Health 2026'")

    with acting_as(manager):
        panel.chair = new_chair
        panel.deputy_chair = deputy
        panel.save()
    assert only_row(kind=Kind.ROLE_REMOVED, subject=old_chair).detail == (
        "chair of panel 'Health 2026'")
    assert only_row(kind=Kind.ROLE_GRANTED, subject=new_chair).actor == manager
    assert only_row(kind=Kind.ROLE_GRANTED, subject=deputy).detail == (
        "deputy chair of panel 'Health 2026'")

    panel.deputy_chair = None
    panel.save()
    assert only_row(kind=Kind.ROLE_REMOVED, subject=deputy).detail == (
        "deputy chair of panel 'Health 2026'")


def test_saving_a_panel_without_changing_its_chairs_writes_nothing():
    panel = PanelFactory()
    count = SecurityEvent.objects.count()
    panel.name = "Renamed"
    panel.save()
    panel.save(update_fields=["name"])
    assert SecurityEvent.objects.count() == count


def test_a_stand_in_chair_named_is_a_grant_by_whoever_named_them():
    panel = PanelFactory(name="Health 2026")
    manager = UserFactory(fund_manager=True)
    proposal = ProposalFactory(round=panel.round, in_review=True, title="Queues")
    stand_in = PanelStandIn.objects.create(panel=panel, proposal=proposal,
                                           chair=panel.members.first(), named_by=manager)
    row = only_row(kind=Kind.ROLE_GRANTED, subject=stand_in.chair)
    assert row.actor == manager
    assert row.detail == "stand-in chair of panel 'Health 2026' for proposal 'Queues'"
    try:
        with transaction.atomic():
            stand_in.delete()
    except ProtectedError:  # kept as evidence (workflow/evidence.py): not removed, not logged
        assert not rows(kind=Kind.ROLE_REMOVED)
    else:
        assert only_row(kind=Kind.ROLE_REMOVED, subject=stand_in.chair).detail == row.detail


# --- nothing else, and nothing lost ------------------------------------------------------------
def test_ordinary_changes_write_nothing(client, admin):
    pema = UserFactory(username="pema", fund_manager=True)
    client.force_login(admin)
    count = SecurityEvent.objects.count()
    response = client.post(f"/admin/people/user/{pema.pk}/change/",
                           admin_change_data(pema, first_name="Pema", last_name="Choden"))
    assert response.status_code == 302
    pema.refresh_from_db()
    assert pema.get_full_name() == "Pema Choden"
    pema.position_title = "Director"
    pema.save()
    User.objects.only("id", "username").get(pk=pema.pk).save()  # deferred flags: not compared
    PanelFactory()  # grants its chair (one row) and nothing for its members
    assert SecurityEvent.objects.count() == count + 1


def test_the_log_is_append_only_and_outlives_the_people_it_names():
    pema = UserFactory(username="pema")
    pema.groups.add(Group.objects.get_or_create(name=FUND_MANAGERS)[0])
    row = only_row(kind=Kind.ROLE_GRANTED)
    row.detail = "nothing happened"
    with pytest.raises(ValueError, match="append-only"):
        row.save()
    with pytest.raises(ProtectedError):
        row.delete()
    pema.groups.clear()
    pema.delete()
    row = SecurityEvent.objects.get(pk=row.pk)
    assert (row.subject, row.subject_username, row.detail) == (
        None, "pema", "fund managers group")
