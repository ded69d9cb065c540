"""Imports in the Django admin go through the same once-only engine as /data/import/;
exports from the admin go through the same export function."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fund.factories import FundFactory
from fund.models import Contribution
from people.factories import AgencyFactory, UserFactory
from people.models import Agency, User
from reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

AGENCIES = "/admin/people/agency/import/"
PEOPLE = "/admin/people/user/import/"
CONTRIBUTIONS = "/admin/fund/contribution/import/"
HEADER = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"


def upload(text: str, name: str = "file.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def check(client, url, text, **extra):
    return client.post(url, {"file": upload(text), **extra})


def confirm(client, url, page):
    return client.post(url + "confirm/", {"token": page.context["pending"]["token"]})


def test_dry_run_touches_nothing_then_confirm_imports(client, admin_user):
    client.force_login(admin_user)
    page = check(client, AGENCIES, "code,name,kind\nMOH,Ministry of Health,ministry\n"
                                   "GNH,GNH Commission,agency\n")
    assert page.status_code == 200
    body = page.getvalue().decode()
    assert "Dry run: nothing saved yet" in body and "2 new" in body
    assert not Agency.objects.filter(code__in=["MOH", "GNH"]).exists()
    assert page.context["report"].new == 2 and page.context["pending"]["kind"] == "agencies"
    done = confirm(client, AGENCIES, page)
    assert done.status_code == 200 and "Imported 2 rows: 2 new" in done.getvalue().decode()
    assert Agency.objects.filter(code__in=["MOH", "GNH"]).count() == 2
    # the pending file is gone: confirming it again imports nothing and says so
    again = client.post(AGENCIES + "confirm/", {"token": page.context["pending"]["token"]})
    assert again.status_code == 302 and again["Location"] == AGENCIES
    assert Agency.objects.filter(code__in=["MOH", "GNH"]).count() == 2


def test_the_same_file_twice_changes_nothing_the_second_time(client, admin_user):
    AgencyFactory(code="MOH")
    client.force_login(admin_user)
    text = f"{HEADER}\nE1,pema,Pema,Wangmo,p@gov.bt,MOH,Officer,P3\n"
    confirm(client, PEOPLE, check(client, PEOPLE, text))
    pema = User.objects.get(employee_id="E1")
    page = check(client, PEOPLE, text)
    assert page.context["report"].unchanged == 1 and page.context["report"].new == 0
    second = confirm(client, PEOPLE, page)
    assert "Nothing changed: all 1 imported rows were already up to date." in (
        second.getvalue().decode())
    assert User.objects.filter(employee_id="E1").count() == 1
    pema.refresh_from_db()
    assert pema.position_level == "P3"


def test_bad_rows_are_listed_by_row_and_field_and_nothing_can_be_confirmed(client, admin_user):
    FundFactory(slug="gnh-fund")
    AgencyFactory(code="MOH")
    client.force_login(admin_user)
    text = ("fund,agency,amount,received_on,note\n"
            "gnh-fund,MOH,1000.00,2026-01-15,first\n"
            "gnh-fund,XXX,500.00,2026-01-16,second\n")
    page = check(client, CONTRIBUTIONS, text)
    body = page.getvalue().decode()
    assert page.context["pending"] is None and "Confirm the import" not in body
    assert "Nothing was imported" in body
    [error] = page.context["report"].errors
    assert (error.row, error.field) == (3, "agency")
    assert not Contribution.objects.exists()
    # choosing to skip bad rows imports the good one only
    page = check(client, CONTRIBUTIONS, text, skip_bad_rows="on")
    assert page.context["pending"] is not None and not Contribution.objects.exists()
    done = confirm(client, CONTRIBUTIONS, page)
    assert "1 bad rows skipped" in done.getvalue().decode()
    assert list(Contribution.objects.values_list("amount", flat=True)) == [Decimal("1000.00")]


def test_a_wrong_file_is_refused_next_to_the_field(client, admin_user):
    client.force_login(admin_user)
    page = check(client, AGENCIES, "x,y\n1,2\n")
    assert "Wrong header" in " ".join(page.context["form"].errors["file"])
    assert page.context["pending"] is None


def test_a_pending_import_is_confirmed_only_on_its_own_admin_page(client, admin_user):
    client.force_login(admin_user)
    page = check(client, AGENCIES, "code,name,kind\nMOH,Ministry of Health,ministry\n")
    wrong = client.post(CONTRIBUTIONS + "confirm/", {"token": page.context["pending"]["token"]})
    assert wrong.status_code == 302 and not Agency.objects.filter(code="MOH").exists()


def test_the_changelists_link_to_the_import(client, admin_user):
    client.force_login(admin_user)
    for url in (AGENCIES, PEOPLE, CONTRIBUTIONS):
        changelist = client.get(url.removesuffix("import/"))
        assert changelist.status_code == 200
        assert f'href="{url}"' in changelist.getvalue().decode()


def test_a_staff_user_who_may_not_import_sees_no_link(client):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_agency"))
    client.force_login(clerk)
    changelist = client.get("/admin/people/agency/")
    assert changelist.status_code == 200
    assert f'href="{AGENCIES}"' not in changelist.getvalue().decode()
    assert "export_selected_csv" not in changelist.getvalue().decode()


# --- exports from the admin ------------------------------------------------------------------
def test_admin_export_action_exports_the_selected_rows(client, admin_user):
    keep, other = AgencyFactory(code="MOH", name="Ministry of Health"), AgencyFactory(code="MOE")
    client.force_login(admin_user)
    changelist = client.get("/admin/people/agency/")
    assert "export_selected_csv" in changelist.getvalue().decode()
    response = client.post("/admin/people/agency/", {
        "action": "export_selected_csv", "_selected_action": [keep.pk],
    })
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8-sig")
    assert text.splitlines() == ["code,name,kind", "MOH,Ministry of Health,agency"]
    assert other.code not in text
    xlsx = client.post("/admin/people/agency/", {
        "action": "export_selected_xlsx", "_selected_action": [keep.pk, other.pk],
    })
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"


def test_admin_review_export_obeys_the_same_rules(client, admin_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    submitted = AssignmentFactory(submitted=True)
    draft = AssignmentFactory(review=True)
    client.force_login(admin_user)
    response = client.post("/admin/reviews/review/", {
        "action": "export_selected_csv",
        "_selected_action": [submitted.review.pk, draft.review.pk],
    })
    assert response.status_code == 200
    exported = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [r["proposal"] for r in exported] == [submitted.proposal.title]
    assert "budget for SMS looks high" not in response.getvalue().decode("utf-8-sig")


def test_admin_award_export_has_the_tranches_of_the_selected_awards(client, admin_user):
    from tests.data.test_exports_more import AWARD_HEADER, make_award

    chosen, _ = make_award(admin_user), make_award(admin_user)
    client.force_login(admin_user)
    response = client.post("/admin/fund/award/", {
        "action": "export_selected_csv", "_selected_action": [chosen.pk],
    })
    exported = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert list(exported[0]) == AWARD_HEADER
    assert {r["award_id"] for r in exported} == {str(chosen.pk)} and len(exported) == 2


@pytest.mark.parametrize("model", ["proposals.Proposal", "rewards.Learning", "people.User",
                                   "people.Agency", "fund.Contribution", "reviews.Review",
                                   "fund.Award"])
def test_every_exporting_admin_offers_the_actions_to_those_who_may_export(rf, admin_user, model):
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(model)]
    request = rf.get("/admin/")
    for user, offered in [(admin_user, True), (UserFactory(fund_manager=True, is_staff=True), True),
                          (UserFactory(is_staff=True, is_superuser=False), False),
                          (UserFactory(hr_officer=True, is_staff=True), False)]:
        request.user = user
        actions = model_admin.get_actions(request)
        assert ("export_selected_csv" in actions) is offered
        assert ("export_selected_xlsx" in actions) is offered
