"""The browser tests: Debian's Chromium driven by Playwright, axe-core on the pages.

- Chromium is Debian's (`/usr/bin/chromium`, or `CHROMIUM_PATH`), never a browser downloaded
  by `playwright install`; axe-core comes from npm (`package.json`, `package-lock.json`,
  installed by `make test` with `npm ci`). Without either, every browser test is skipped with
  a reason that says what is missing (`make test` prints a line too). `BROWSER_TESTS=0` skips
  them on purpose (the PostgreSQL pass of .ci/run does, to save CI time).
- One browser per pytest worker (pytest-playwright's session-scoped `browser`).
- One seeded demo (`manage.py seed_demo`) per test module, served by pytest-django's live
  server (`LiveServer`, the class behind its `live_server` fixture). The `live_server` fixture
  itself would flush the database after every test; a module's tests share one dataset
  instead, and the database is flushed when the module is done.
"""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import AXE_JS, chromium_path, skip_reason

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser/ is a `browser` test (but the `screenshots` one), marked
    before `-m` selects; all are skipped, with the reason, where they cannot run."""
    reason = skip_reason()
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        if item.get_closest_marker("screenshots") is None:
            item.add_marker(pytest.mark.browser)
        if reason is not None:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so a fixture knows whether its test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say plainly, at the end of the run, when the browser tests did not run."""
    reason = skip_reason()
    if reason is not None and not hasattr(config, "workerinput"):
        terminalreporter.write_line(f"Browser tests (tests/browser/) SKIPPED: {reason}",
                                    yellow=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless; `--no-sandbox` as CI runs as root."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800},
            "locale": "en-GB", "timezone_id": "Asia/Thimphu"}


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    """Playwright's sync API runs an event loop in this thread; Django refuses database calls
    from a thread with a running loop unless told that it is safe here (it is: the loop only
    drives the browser). Only for the browser tests' modules."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _flush_database():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    for name in ("fund_managers", "hr_officers"):  # made by people's migration 0002
        Group.objects.get_or_create(name=name)


@pytest.fixture(scope="module")
def site(request, django_db_setup, django_db_blocker, _async_unsafe_allowed):
    """The demo, seeded once for the module, and a live server on it. Yields the server's
    base URL. Tests of the module share the data (the crawl only reads; a module that
    changes data walks one story in order)."""
    from django.core.management import call_command
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            _flush_database()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


