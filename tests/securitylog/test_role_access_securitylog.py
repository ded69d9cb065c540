"""Who may read and export the security log (the admin, /admin/securitylog/): superusers only;
nobody adds, changes or deletes a row, whatever permissions they were given."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from people.factories import UserFactory
from securitylog.models import SecurityEvent
from securitylog.receivers import record
from securitylog.resources import SecurityEventResource

pytestmark = pytest.mark.django_db
BASE = "/admin/securitylog/securityevent/"


def make_user(role: str):
    if role == "civil_servant":
        return UserFactory()
    if role == "staff_fund_manager":
        # Staff with every Django permission on the log: still refused, as only superusers read it.
        user = UserFactory(fund_manager=True, is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(
            content_type__app_label="securitylog"))
        return user
    if role == "staff_hr_officer":
        return UserFactory(hr_officer=True, is_staff=True)
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def failed_sign_in(db):
    return record(SecurityEvent.Kind.SIGN_IN_FAILED, username="=cmd|' /C calc'!A0",
                  ip_address="10.0.0.9", detail="no such account")


PAGES = ["", "{id}/change/", "export/", "add/", "{id}/delete/"]
ROLES = {
    # role: the answer for the list, a row, the export; then for add and delete
    "anonymous": (302, 302),
    "civil_servant": (302, 302),
    "staff_hr_officer": (403, 403),
    "staff_fund_manager": (403, 403),
    "admin": (200, 403),
}
ACCESS = [
    (page, role, statuses[0] if page in ("", "{id}/change/", "export/") else statuses[1])
    for page in PAGES for role, statuses in ROLES.items()
]


@pytest.mark.parametrize("page, role, expected", ACCESS)
def test_role_access_security_log(client, failed_sign_in, page, role, expected):
    if role != "anonymous":
        client.force_login(make_user(role))
    response = client.get(BASE + page.format(id=failed_sign_in.pk))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")
    if expected == 200 and page == "":
        page_text = response.getvalue().decode()
        assert "=cmd" in page_text and f'href="{BASE}export/' in page_text


@pytest.mark.parametrize("role, expected", [("staff_fund_manager", 403), ("admin", 403)])
def test_role_access_nobody_deletes_or_changes_a_row(client, failed_sign_in, role, expected):
    client.force_login(make_user(role))
    delete = client.post(BASE + f"{failed_sign_in.pk}/delete/", {"post": "yes"})
    change = client.post(BASE + f"{failed_sign_in.pk}/change/", {"detail": "nothing"})
    assert (delete.status_code, change.status_code) == (expected, expected)
    kept = SecurityEvent.objects.get(pk=failed_sign_in.pk)
    assert kept.detail == "no such account"


@pytest.mark.parametrize("role", ["staff_hr_officer", "staff_fund_manager", "admin"])
def test_role_access_the_log_is_on_the_admin_index_for_superusers_only(client, role):
    client.force_login(make_user(role))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert (BASE in response.getvalue().decode()) == (role == "admin")


def export(client, fmt_index, **query):
    data = {"format": str(fmt_index), "resource": "0"}
    return client.post(BASE + "export/" + ("?" + "&".join(f"{k}={v}" for k, v in query.items())
                                           if query else ""), data)


def test_the_export_is_a_csv_of_the_filtered_rows_with_formulas_kept_as_text(
        client, failed_sign_in):
    admin = make_user("admin")
    pema = UserFactory(username="pema")
    record(SecurityEvent.Kind.SIGN_IN, subject=pema, actor=pema, username="pema",
           ip_address="10.0.0.8")
    client.force_login(admin)
    response = export(client, 0, kind__exact="sign_in_failed")
    assert response.status_code == 200, response.getvalue()[:500]
    assert response["Content-Disposition"].startswith("attachment")
    table = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert table[0] == ["When", "What", "By", "Whose account", "Username typed", "Address",
                        "Detail"]
    assert [row[1:] for row in table[1:]] == [
        ["Sign-in failed", "", "", "'=cmd|' /C calc'!A0", "10.0.0.9", "no such account"]]

    everything = export(client, 0)
    kinds = [row[1] for row in csv.reader(io.StringIO(everything.getvalue().decode("utf-8-sig")))]
    assert "Signed in" in kinds and "Role granted" in kinds  # the admin's own grant is there


def test_the_export_as_xlsx(client, failed_sign_in):
    client.force_login(make_user("admin"))
    response = export(client, 1, kind__exact="sign_in_failed")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:] == ("Sign-in failed", None, None, "'=cmd|' /C calc'!A0", "10.0.0.9",
                           "no such account")
    assert sheet.cell(row=2, column=5).data_type == "s"  # text, never a formula


def test_the_export_refused_to_a_staff_fund_manager(client, failed_sign_in):
    client.force_login(make_user("staff_fund_manager"))
    response = export(client, 0)
    assert response.status_code == 403
    assert not response.get("Content-Disposition", "").startswith("attachment")


def test_the_resource_names_people_by_username_even_once_they_are_gone(failed_sign_in):
    pema = UserFactory(username="pema")
    row = record(SecurityEvent.Kind.SIGN_OUT, subject=pema, actor=pema)
    pema.delete()
    exported = SecurityEventResource().export(SecurityEvent.objects.filter(pk=row.pk))
    assert exported.dict[0]["By"] == "pema" and exported.dict[0]["Whose account"] == "pema"


def test_the_list_page_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    admin = make_user("admin")
    people = UserFactory.create_batch(5)
    for person in people * 8:
        record(SecurityEvent.Kind.SIGN_IN, subject=person, actor=person, ip_address="10.0.0.1")
    client.force_login(admin)
    with django_assert_max_num_queries(12):  # session, user, counts, dates, rows: not per row
        response = client.get(BASE)
    assert response.status_code == 200
    assert response.getvalue().decode().count("10.0.0.1") == 40


def test_the_log_pages_keep_the_strict_content_security_policy(client, failed_sign_in):
    from tests.test_csp import check

    client.force_login(make_user("admin"))
    problems = []
    for url in [BASE, BASE + "?kind__exact=sign_in_failed", BASE + "export/",
                BASE + f"{failed_sign_in.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 200
        problems += check(response, f"GET {url}")
    assert not problems, "\n".join(problems)
