"""The embedded default holds concurrent use (issue 13): on SQLite, four simultaneous submits
of one proposal answered 200, 409, 500, 500 ("database is locked"). Writes now wait their
turn (config/settings.py: immediate transactions, a busy timeout, write-ahead log): one
submit takes effect and the others are told the proposal is no longer a draft.

The test database of pytest-django is in memory, where SQLite's locking is not the one a
server meets; this test copies it to a file (a few milliseconds) and points the threads'
connections there, as the web server's processes would be, so the rest of the suite keeps
its fast in-memory database. PostgreSQL has its own tests (tests/awards/test_concurrency.py).
"""

import sqlite3
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 4


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def file_database(tmp_path):
    """The test database copied to a file; connections opened meanwhile (other threads') use it."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's locking; PostgreSQL has row locks and its own tests")
    path = tmp_path / "fund.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield path
    finally:
        settings_dict["NAME"] = original


def test_the_sqlite_settings_make_writers_wait():
    options = connections.settings["default"].get("OPTIONS", {})
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


def test_simultaneous_submits_wait_their_turn_and_never_fail(file_database):
    proposal = ProposalFactory(ready=True)
    signed_in = Client()
    signed_in.force_login(proposal.lead)
    url = reverse("proposals:transition", args=[proposal.pk, "submit"])
    # The copy is taken after the sign-in, so the session is in the file too.
    connection.ensure_connection()
    copy = sqlite3.connect(file_database)
    connection.connection.backup(copy)
    copy.close()

    barrier, answers, lock = threading.Barrier(REQUESTS), [], threading.Lock()

    def submit():
        client = Client(raise_request_exception=False)
        client.cookies = signed_in.cookies
        try:
            barrier.wait(timeout=30)
            answer = client.post(url).status_code
        except Exception as error:  # any failure is the finding
            answer = repr(error)
        finally:
            connections.close_all()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=submit) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert sorted(answers, key=str) == [302] + [409] * (REQUESTS - 1), answers
    with sqlite3.connect(file_database) as db:
        state = db.execute("SELECT state FROM proposals_proposal WHERE id = ?",
                           (proposal.pk,)).fetchone()[0]
        submits = db.execute(
            "SELECT COUNT(*) FROM workflow_transitionlog WHERE transition = 'submit'"
        ).fetchone()[0]
    assert (state, submits) == ("submitted", 1)
