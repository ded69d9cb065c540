"""Inviting people created by an import: one email each with a link to set their password."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from people.factories import AgencyFactory, UserFactory
from people.imports import CivilServantImport
from people.models import User
from people.services import invite_people

pytestmark = pytest.mark.django_db

HEADER = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"
NEW_PASSWORD = "Thimphu-river-2026"


@pytest.fixture
def imported(db):
    AgencyFactory(code="MOH")
    CivilServantImport(system=True).run((
        f"{HEADER}\nE1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3\n"
        "E2,karma,Karma,Dorji,karma@gov.bt,MOH,Analyst,P4\n"
    ).encode(), "people.csv")
    return list(User.objects.filter(employee_id__in=["E1", "E2"]).order_by("employee_id"))


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def set_password_through(client, link: str, settings) -> None:
    path = link.removeprefix(settings.SITE_URL.rstrip("/"))
    form = client.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else path,
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Your password is set" in done.content.decode()


def test_each_new_person_gets_one_email_with_a_link_that_sets_their_password(
        client, imported, fund_manager, settings):
    settings.SITE_URL = "https://fund.example.gov.bt"
    result = invite_people(actor=fund_manager, users=imported)
    assert (len(result.sent), result.skipped) == (2, [])
    assert sorted(m.to[0] for m in mail.outbox) == ["karma@gov.bt", "pema@gov.bt"]
    to_pema = next(m for m in mail.outbox if m.to == ["pema@gov.bt"])
    assert "Innovation Fund" in to_pema.subject
    assert "added to the Innovation Fund" in to_pema.body and "pema" in to_pema.body
    # nothing about anyone else's account
    assert "karma" not in to_pema.body.lower() and "manager" not in to_pema.body
    link = link_in(to_pema)
    assert link.startswith("https://fund.example.gov.bt/")
    set_password_through(client, link, settings)
    assert client.post("/login/", {"username": "pema", "password": NEW_PASSWORD}).status_code == 302
    # the link works once
    assert not client.get(link.removeprefix(settings.SITE_URL), follow=True).context["validlink"]


def test_people_with_a_password_or_without_email_are_skipped_and_reported(imported, admin_user):
    with_password = UserFactory(username="has-pw", email="has@gov.bt")
    no_email = UserFactory(username="no-mail", email="", password=None)
    no_email.set_unusable_password()
    no_email.save()
    inactive = UserFactory(username="gone", is_active=False, password=None)
    inactive.set_unusable_password()
    inactive.save()
    result = invite_people(actor=admin_user, users=[*imported, with_password, no_email, inactive])
    assert [u.username for u in result.sent] == ["pema", "karma"]
    reasons = {u.username: reason for u, reason in result.skipped}
    assert reasons == {"has-pw": "already has a password", "no-mail": "has no email address",
                       "gone": "is not active"}
    assert len(mail.outbox) == 2
    assert result.summary() == (
        "Sent 2 invitations. Not sent to 3: has-pw (already has a password), "
        "no-mail (has no email address), gone (is not active)."
    )


@pytest.mark.parametrize("role", ["civil_servant", "hr_officer"])
def test_only_fund_managers_and_admins_may_invite(request, imported, role):
    with pytest.raises(PermissionDenied):
        invite_people(actor=request.getfixturevalue(role), users=imported)
    assert mail.outbox == []
    assert not User.objects.get(username="pema").has_usable_password()


def test_admin_action_invites_the_selected_people(client, imported, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/people/user/", {
        "action": "invite_people", "_selected_action": [u.pk for u in imported] + [admin_user.pk],
    }, follow=True)
    assert response.status_code == 200
    assert len(mail.outbox) == 2
    assert "Sent 2 invitations. Not sent to 1: root (already has a password)." in (
        response.content.decode())


def test_admin_action_is_offered_by_its_description(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/people/user/").content.decode()
    assert "Invite the selected people (email a link to set their password)" in page


def test_after_an_import_of_civil_servants_the_page_offers_to_invite_the_new_people(
        client, fund_manager):
    AgencyFactory(code="MOH")
    UserFactory(username="old", employee_id="E0", email="old@gov.bt", password=None)
    User.objects.filter(username="old").update(password=make_password(None))
    client.force_login(fund_manager)
    text = (f"{HEADER}\nE0,old,Old,Timer,old@gov.bt,MOH,Officer,P3\n"
            "E1,pema,Pema,Wangmo,pema@gov.bt,MOH,Officer,P3\n"
            "E2,karma,Karma,Dorji,,MOH,Analyst,P4\n")
    page = client.post("/data/import/", {
        "kind": "civil-servants", "file": SimpleUploadedFile("p.csv", text.encode()),
    })
    assert "Invite the" not in page.content.decode()
    done = client.post("/data/import/confirm/", {"token": page.context["pending"]["token"]})
    body = done.content.decode()
    assert "Invite the 2 new people" in body
    sent = client.post("/invitations/imported/", follow=True)
    assert sent.redirect_chain[-1][0] == "/data/import/"
    # only the people this import created: not "old", who also has no usable password
    assert [m.to for m in mail.outbox] == [["pema@gov.bt"]]
    assert "Sent 1 invitation. Not sent to 1: karma (has no email address)." in (
        sent.content.decode())
    # the list is used once
    again = client.post("/invitations/imported/", follow=True)
    assert len(mail.outbox) == 1 and "No people from an import are waiting" in (
        again.content.decode())


def test_an_import_of_agencies_offers_no_invitation(client, fund_manager):
    client.force_login(fund_manager)
    page = client.post("/data/import/", {
        "kind": "agencies", "file": SimpleUploadedFile("a.csv", b"code,name,kind\nX,X,agency\n"),
    })
    done = client.post("/data/import/confirm/", {"token": page.context["pending"]["token"]})
    assert "Invite the" not in done.content.decode()


def test_login_page_links_to_setting_a_password(client):
    body = client.get("/login/").content.decode()
    assert "Forgot your password or first time here?" in body
    assert 'href="/password/reset/"' in body


def test_an_imported_person_can_ask_for_the_link_themselves(client, imported, settings):
    response = client.post("/password/reset/", {"email": "pema@gov.bt"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["pema@gov.bt"]]
    set_password_through(client, link_in(mail.outbox[0]), settings)
    assert User.objects.get(username="pema").check_password(NEW_PASSWORD)


def test_asking_for_an_unknown_address_reveals_nothing(client, imported):
    response = client.post("/password/reset/", {"email": "nobody@gov.bt"}, follow=True)
    assert response.status_code == 200 and mail.outbox == []
    assert "If an account has that address" in response.content.decode()
