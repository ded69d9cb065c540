import pytest

from people.factories import AgencyFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def agency(db):
    return AgencyFactory(code="MOH", name="Ministry of Health")


@pytest.fixture
def civil_servant(db, agency):
    return UserFactory(username="applicant", agency=agency)


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague")


@pytest.fixture
def fund_manager(db):
    return UserFactory(username="manager", fund_manager=True)


@pytest.fixture
def hr_officer(db):
    return UserFactory(username="hr", hr_officer=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` skip on SQLite; they run in the PostgreSQL pass of .ci/run."""
    import os

    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
