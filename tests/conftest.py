import pytest

from people.factories import AgencyFactory, UserFactory


@pytest.fixture(autouse=True)
def _stalled_asked_each_time(settings):
    """Tests change the world and look at once: the stalled list is asked every time
    (tests/portal/test_stalled_cache.py tests it kept)."""
    settings.STALLED_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _jobs_in_the_request(settings):
    """Tests look at a job right after starting it: it runs in the request
    (tests/jobs/test_in_thread.py tests the thread)."""
    settings.JOBS_IN_THREAD = False


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


# --- Every URL in a role-access test (see tests/route_coverage.py) -----------------------
def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        from tests import route_coverage

        route_coverage.routes_dir()  # created before xdist workers start, shared with them


@pytest.fixture(autouse=True)
def _record_role_access_routes(request, monkeypatch):
    if not request.module.__name__.rsplit(".", 1)[-1].startswith("test_role_access"):
        yield
        return
    from django.test.client import Client

    from tests import route_coverage

    original = Client.request

    def recording_request(self, **kwargs):
        response = original(self, **kwargs)
        try:
            route_coverage.record(response.resolver_match.route)
        except Exception:  # the path did not resolve: nothing to record
            pass
        return response

    monkeypatch.setattr(Client, "request", recording_request)
    yield


WHOLE_SUITE_MARKS = (
    "",
    "not schemathesis and not screenshots",
    "not schemathesis and not screenshots and not browser",
)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or exitstatus != 0:
        return
    # The default selection (pyproject.toml's addopts) and make test's first pass count as the
    # whole suite; any other -k or -m picks a part of it.
    whole_suite = not config.option.keyword and config.option.markexpr in WHOLE_SUITE_MARKS and all(
        str(a).rstrip("/") in ("tests", str(config.rootpath / "tests")) for a in config.args
    )
    if not whole_suite:
        return
    import django

    django.setup()
    from tests import route_coverage

    missing = sorted(route_coverage.all_routes() - route_coverage.seen_routes())
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line("\nURLs no role-access test reaches (add rows to a ROLE_ACCESS table):", red=True)
        for route in missing:
            reporter.write_line(f"  /{route}")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password for every user; the real hasher would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process(request, settings):
    """Tasks run in-process in every test, also in the PostgreSQL pass where a broker is
    configured (nothing is left waiting in Redis); only `worker` tests use a real worker.
    Celery reads the Django setting live, so overriding it is what changes it."""
    if not request.node.get_closest_marker("worker"):
        settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request leaves its language active in the thread (Django's LocaleMiddleware does not
    reset it): the next test, in this worker, starts in the default language again. For every
    test: a Dzongkha request in one file left later files' conflict tests in Dzongkha on
    PostgreSQL."""
    yield
    from django.utils import translation

    translation.deactivate()
