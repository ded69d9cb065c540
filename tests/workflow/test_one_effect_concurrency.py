"""The same form token, or the same Idempotency-Key, sent twice at the same instant records
once (workflow/one_effect.py): the reservation is a committed row with a unique token.

Runs on PostgreSQL only (the PostgreSQL pass of .ci/run): each thread has its own database
connection, and the database decides which of the two reserves the token first.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from fund import services as fund_services
from fund.factories import FundFactory
from fund.models import Contribution
from people.factories import AgencyFactory, UserFactory
from workflow.models import FormToken, IdempotencyKey
from workflow.one_effect import ALREADY_RECORDED, FIELD, new_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _slowly(monkeypatch):
    """The service takes a moment, so that the second request arrives while the first runs
    (the page and the API both call `fund.services.contribution_create`)."""
    original = fund_services.contribution_create

    def slow(**kwargs):
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(fund_services, "contribution_create", slow)


def _at_once(send, clients):
    barrier = threading.Barrier(len(clients))
    answers, errors = [], []

    def run(client):
        try:
            barrier.wait(timeout=30)
            answers.append(send(client))
        except Exception as error:  # a failure of the test
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(answers) == len(clients)
    return answers


def test_the_same_form_sent_twice_at_once_records_once(monkeypatch):
    assert connection.vendor == "postgresql"
    manager = UserFactory(fund_manager=True)
    fund, agency = FundFactory(), AgencyFactory()
    url = reverse("fund:contribution_create", args=[fund.pk])
    detail = reverse("fund:detail", args=[fund.pk])
    token = new_token()
    data = {"agency": agency.pk, "amount": "250000.00", "received_on": "2026-11-01", FIELD: token}
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(manager)
    _slowly(monkeypatch)

    answers = _at_once(lambda c: (c.post(url, data), c), clients)

    assert Contribution.objects.filter(fund=fund).count() == 1
    assert FormToken.objects.get(token=token).state == FormToken.State.SPENT
    recorded = [r for r, _ in answers if r.status_code == 302 and r["Location"] == detail]
    assert len(recorded) == 1
    (other, client), = [(r, c) for r, c in answers if r not in recorded]
    if other.status_code == 302:  # the first had finished: "already recorded"
        assert other["Location"] == url
        assert ALREADY_RECORDED in client.get(url).content.decode()
    else:
        assert other.status_code == 409


def test_the_same_api_post_sent_twice_at_once_records_once(monkeypatch):
    assert connection.vendor == "postgresql"
    manager = UserFactory(fund_manager=True)
    fund, agency = FundFactory(), AgencyFactory()
    url = f"/api/v1/funds/{fund.pk}/contributions/"
    token, _ = Token.objects.get_or_create(user=manager)
    clients = [APIClient(), APIClient()]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    data = {"agency": agency.pk, "amount": "250000.00", "received_on": "2026-07-01"}
    _slowly(monkeypatch)

    answers = _at_once(
        lambda c: c.post(url, data, format="json", headers={"Idempotency-Key": "once"}), clients)

    assert Contribution.objects.filter(fund=fund).count() == 1
    assert IdempotencyKey.objects.get(key="once").state == IdempotencyKey.State.DONE
    first = [r for r in answers if r.status_code == 201 and not r.get("Idempotent-Replayed")]
    assert len(first) == 1
    (other,) = [r for r in answers if r is not first[0]]
    assert other.status_code == 409 or (
        other.status_code == 201 and other.content == first[0].content)
