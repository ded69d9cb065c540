"""The API against its own schema: schemathesis fuzzes every operation of `/api/schema/`.

Run by .ci/run in its PostgreSQL pass (`pytest -m schemathesis`), deselected otherwise. The
demo (`seed_demo`) is the data; requests go to the product's WSGI application in-process,
signed in with an API token as a fund manager (`sonam`) and as a civil servant who leads
proposals (`pema`). Path ids are drawn from the demo's real objects as often as not, so the
requests reach the code behind the 404.

A case fails on any server error (5xx), on a status code the schema does not document, on a
content type it does not document, and on a JSON body that does not match its schema.
Examples per operation: SCHEMATHESIS_EXAMPLES (default 8); the data is derandomized, so a
failure repeats on the next run.
"""

import os
from io import StringIO

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.schemathesis

PASSWORD = "demo-pass-2026"  # seed_demo's
FUND_MANAGER = "sonam"
APPLICANT = "pema"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples and fuzzing, valid and invalid input; no coverage phase (it enumerates every
# boundary of every field, minutes per operation), no stateful phase.
CONFIG = schemathesis.Config.from_dict({
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"mode": "all", "max-examples": EXAMPLES},
})

# Real ids of the seeded demo, by the first segment of the path (filled by `live`).
REAL_IDS: dict[str, list[int]] = {}
# Operations on one object ("{id}" in the path) that answered 2xx at least once.
REACHED: set[str] = set()


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time an `id` (or `fund_pk`) of a real object instead of the generated one."""
    if not path_parameters or not REAL_IDS:
        return st.just(path_parameters)
    segment = context.operation.path.split("/api/v1/", 1)[-1].split("/", 1)[0]
    key = "fund_pk" if "fund_pk" in path_parameters else "id"
    ids = REAL_IDS.get(segment)
    if key not in path_parameters or not ids:
        return st.just(path_parameters)
    real = st.sampled_from(ids).map(lambda pk: {**path_parameters, key: pk})
    return st.one_of(st.just(path_parameters), real)


def _collect_real_ids():
    from django.apps import apps

    models = {
        "agencies": "people.Agency", "people": "people.User", "funds": "fund.Fund",
        "rounds": "fund.Round", "awards": "fund.Award", "tranches": "fund.Tranche",
        "proposals": "proposals.Proposal", "team-members": "proposals.TeamMember",
        "panels": "reviews.Panel", "assignments": "reviews.Assignment",
        "criteria": "reviews.Criterion", "learnings": "rewards.Learning",
        "learning-authors": "rewards.LearningAuthor", "recognitions": "rewards.Recognition",
        "nominations": "rewards.Nomination", "notifications": "notifications.Notification",
    }
    return {
        segment: list(apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True))
        for segment, label in models.items()
    }


class Tokens:
    """An API token per person, from `POST /api/v1/auth/token/`."""

    def __init__(self, app):
        from werkzeug.test import Client

        self.client = Client(app)
        self.keys: dict[str, str] = {}

    def header(self, username: str) -> dict[str, str]:
        if username not in self.keys:
            response = self.client.post(
                "/api/v1/auth/token/", json={"username": username, "password": PASSWORD},
                headers={"Host": "localhost"},
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            self.keys[username] = response.get_json()["token"]
        return {"Authorization": f"Token {self.keys[username]}"}


def _generated_schema() -> dict:
    """The schema `/api/schema/` serves, made in-process (no database needed to collect)."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


SCHEMA_DICT = _generated_schema()
schema = schemathesis.openapi.from_dict(SCHEMA_DICT, config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture(scope="module")
def live(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module in a transaction rolled back at its end, and the
    people's tokens. Each test runs in a savepoint of it (`db`), so what one operation's
    requests change is undone before the next.

    The WSGI application shares the test's connection: like Django's test client, a request
    must not close it (and with it the transaction) when it starts or finishes.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        with django_db_blocker.unblock(), transaction.atomic(), override_settings(
            PASSWORD_HASHERS=fast, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "localhost"],
        ):
            call_command("seed_demo", stdout=StringIO())
            REAL_IDS.update(_collect_real_ids())
            tokens = Tokens(schema.app)
            for username in (FUND_MANAGER, APPLICANT):
                tokens.header(username)
            yield tokens
            transaction.set_rollback(True)
    finally:
        REAL_IDS.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_served_one(db, live):
    """What is fuzzed is what `/api/schema/` gives a signed-in person."""
    response = live.client.get(
        "/api/schema/?format=json", headers={"Host": "localhost", **live.header(APPLICANT)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json() == SCHEMA_DICT


SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck), print_blob=True,
)


def call_as(case, tokens, username):
    headers = tokens.header(username)
    # A generated Authorization header would only test that a bad token is a 401.
    if case.headers:
        case.headers.pop("Authorization", None)
    response = case.call(headers=headers)
    if "{" in case.path and 200 <= response.status_code < 300:
        REACHED.add(f"{case.method.upper()} {case.path}")
    # `DELETE auth/token/` revokes the token for the rest of its own test only: the test's
    # savepoint is rolled back after it.
    case.validate_response(response, checks=CHECKS, headers=headers)


@SETTINGS
@schema.parametrize()
def test_api_as_fund_manager(case, db, live):
    call_as(case, live, FUND_MANAGER)


@SETTINGS
@schema.parametrize()
def test_api_as_applicant(case, db, live):
    call_as(case, live, APPLICANT)


def test_the_run_reached_real_objects(db, live):
    """Runs after the fuzzing (file order): most operations on one object answered a 2xx at
    least once, so the run went past the 404 into the code behind it."""
    on_one_object = [op for op in schema.get_all_operations() if "{" in op.ok().path]
    assert len(REACHED) >= len(on_one_object) // 2, sorted(REACHED)
