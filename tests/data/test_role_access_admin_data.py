"""Who may reach the new exports and the admin's import views.

Exports and imports are for fund managers and administrators only. The admin views also
need a staff account (Django's admin check comes first: anyone else is sent to the admin
login); a staff account without the fund manager role is refused with 403.
"""

import pytest

from people.factories import UserFactory
from reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(role: str):
    staff = role.startswith("staff_")
    role = role.removeprefix("staff_")
    if role == "reviewer":
        return AssignmentFactory(reviewer=UserFactory(is_staff=staff)).reviewer
    kwargs = {
        "civil_servant": {},
        "hr_officer": {"hr_officer": True},
        "fund_manager": {"fund_manager": True},
        "admin": {"is_superuser": True},
    }[role]
    return UserFactory(is_staff=staff or role == "admin", **kwargs)


EXPORT_URLS = [
    f"/data/export/{kind}.{fmt}" for kind in ("reviews", "awards", "learnings", "proposals")
    for fmt in ("csv", "xlsx")
] + ["/data/export/reviews.csv?without_reviewer_names=1", "/data/export/awards.csv?round=1"]

EXPORT_ACCESS = [
    (url, role, status)
    for url in EXPORT_URLS
    for role, status in [("anonymous", 302), ("civil_servant", 403), ("reviewer", 403),
                         ("hr_officer", 403), ("fund_manager", 200), ("admin", 200)]
]


@pytest.mark.parametrize("url, role, expected", EXPORT_ACCESS)
def test_role_access_exports(client, url, role, expected):
    if role != "anonymous":
        client.force_login(make_user(role))
    response = client.get(url)
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/login/")


ADMIN_IMPORTS = ["/admin/people/agency/import/", "/admin/people/user/import/",
                 "/admin/fund/contribution/import/"]
ADMIN_ROLES = [
    ("anonymous", 302), ("civil_servant", 302), ("staff_civil_servant", 403),
    ("staff_reviewer", 403), ("staff_hr_officer", 403), ("fund_manager", 302),
    ("staff_fund_manager", 200), ("admin", 200),
]
ADMIN_ACCESS = [
    (url, role, status) for url in ADMIN_IMPORTS for role, status in ADMIN_ROLES
] + [
    # nothing waits to be confirmed: those who may import are sent back to choose a file
    (url + "confirm/", role, status)
    for url in ADMIN_IMPORTS for role, status in ADMIN_ROLES
]


@pytest.mark.parametrize("url, role, expected", ADMIN_ACCESS)
def test_role_access_admin_imports(client, url, role, expected):
    if role != "anonymous":
        client.force_login(make_user(role))
    confirm = url.endswith("confirm/")
    response = client.post(url, {"token": "x"}) if confirm else client.get(url)
    if confirm and expected == 200:
        assert response.status_code == 302
        assert response["Location"] == url.removesuffix("confirm/")
        return
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


ADMIN_EXPORTS = ["/admin/people/agency/", "/admin/people/user/", "/admin/fund/contribution/",
                 "/admin/proposals/proposal/", "/admin/reviews/review/", "/admin/fund/award/",
                 "/admin/rewards/learning/"]


@pytest.mark.parametrize("url", ADMIN_EXPORTS)
@pytest.mark.parametrize("role", ["staff_civil_servant", "staff_hr_officer", "staff_reviewer"])
def test_role_access_admin_export_actions_refused(client, url, role):
    """A staff user who may change the objects but not move files cannot run the export."""
    from django.apps import apps
    from django.contrib.auth.models import Permission

    user = make_user(role)
    app_label, model_name = url.strip("/").split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label=app_label, codename__endswith=f"_{model_name}"))
    instance = model.objects.first() or user  # the user changelist always has one
    client.force_login(user)
    response = client.post(url, {"action": "export_selected_csv",
                                 "_selected_action": [instance.pk]})
    # Django refuses an action the user may not run: the changelist comes back, no file.
    assert response.status_code in (200, 302)
    assert not response.get("Content-Disposition", "").startswith("attachment")
