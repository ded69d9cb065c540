"""`Idempotency-Key` on every POST under /api/ but auth/token/ (API.md, "One request, one
effect"; workflow/one_effect.py)."""

import pytest
from rest_framework.test import APIClient, APIRequestFactory

from fund.factories import FundFactory
from fund.models import Contribution
from people.factories import AgencyFactory, UserFactory
from workflow.models import IdempotencyKey
from workflow.one_effect import _fingerprint
from workflow.services import history

from .conftest import API

pytestmark = pytest.mark.django_db


def contributions_url(fund):
    return f"{API}funds/{fund.pk}/contributions/"


def body(agency, amount="250000.00"):
    return {"agency": agency.pk, "amount": amount, "received_on": "2026-07-01", "note": "Q1"}


def post(client, url, data, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, data, format="json", headers=headers)


@pytest.fixture
def fund():
    return FundFactory()


@pytest.fixture
def agency():
    return AgencyFactory(code="MOF")


def test_a_repeated_contribution_answers_as_the_first_time_and_records_once(
        api, people, fund, agency):
    client = api(people["fund_manager"])
    first = post(client, contributions_url(fund), body(agency), key="contribution-2026-07-01")
    again = post(client, contributions_url(fund), body(agency), key="contribution-2026-07-01")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Idempotent-Replayed"] == "true"
    assert Contribution.objects.filter(fund=fund).count() == 1
    assert client.get(f"{API}funds/{fund.pk}/").json()["available_balance"] == "250000.00"


def test_a_repeated_transition_answers_as_the_first_time_and_moves_once(api, people, draft):
    client = api(people["lead"])
    url = f"{API}proposals/{draft.pk}/transitions/submit/"
    first = post(client, url, {"note": "Ready"}, key="submit-once")
    again = post(client, url, {"note": "Ready"}, key="submit-once")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["state"] == "submitted"
    assert [log.transition for log in history(draft)].count("submit") == 1
    # Without the key, a second submit is what it always was: a state conflict.
    assert post(client, url, {"note": "Ready"}).status_code == 409


def test_the_same_key_for_another_request_is_400(api, people, fund, agency):
    client = api(people["fund_manager"])
    assert post(client, contributions_url(fund), body(agency), key="k1").status_code == 201

    other_body = post(client, contributions_url(fund), body(agency, "1.00"), key="k1")
    assert other_body.status_code == 400
    assert "different body" in other_body.json()["detail"]
    other_path = post(client, contributions_url(FundFactory()), body(agency), key="k1")
    assert other_path.status_code == 400
    assert f"for POST {contributions_url(fund)}" in other_path.json()["detail"]
    assert Contribution.objects.count() == 1


def test_keys_are_per_user(api, people, fund, agency):
    other_manager = UserFactory(username="manager2", fund_manager=True)
    for user in (people["fund_manager"], other_manager):
        response = post(api(user), contributions_url(fund), body(agency), key="same-key")
        assert response.status_code == 201
        assert response.get("Idempotent-Replayed") is None
    assert Contribution.objects.filter(fund=fund).count() == 2
    assert IdempotencyKey.objects.filter(key="same-key").count() == 2


def test_without_a_key_nothing_changes(api, people, fund, agency):
    client = api(people["fund_manager"])
    assert post(client, contributions_url(fund), body(agency)).status_code == 201
    assert post(client, contributions_url(fund), body(agency)).status_code == 201
    assert Contribution.objects.filter(fund=fund).count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refused_request_keeps_its_key_for_the_corrected_one(api, people, fund, agency):
    client = api(people["fund_manager"])
    refused = post(client, contributions_url(fund), body(agency, "-5.00"), key="k")
    assert refused.status_code == 400 and "amount" in refused.json()
    assert not IdempotencyKey.objects.exists()
    assert post(client, contributions_url(fund), body(agency), key="k").status_code == 201
    assert post(client, contributions_url(fund), body(agency), key="k").status_code == 201
    assert Contribution.objects.count() == 1


def test_a_repeat_while_the_first_runs_is_409(api, people, fund, agency):
    url = contributions_url(fund)
    sent = APIRequestFactory().post(url, body(agency), format="json")
    IdempotencyKey.objects.create(user_pk=people["fund_manager"].pk, key="k", method="POST",
                                  path=url, fingerprint=_fingerprint(sent, sent.body))
    response = post(api(people["fund_manager"]), url, body(agency), key="k")
    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert not Contribution.objects.exists()


def test_a_session_user_is_known_too(people, fund, agency):
    client = APIClient()
    client.force_login(people["fund_manager"])
    assert post(client, contributions_url(fund), body(agency), key="s").status_code == 201
    assert post(client, contributions_url(fund), body(agency), key="s").status_code == 201
    assert Contribution.objects.count() == 1
    assert IdempotencyKey.objects.get().user_pk == people["fund_manager"].pk


def test_refused_callers_leave_no_key(api, people, fund, agency):
    assert post(api(None), contributions_url(fund), body(agency), key="k").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert post(bad, contributions_url(fund), body(agency), key="k").status_code == 401
    assert post(api(people["stranger"]), contributions_url(fund), body(agency),
                key="k").status_code == 403
    assert not IdempotencyKey.objects.exists() and not Contribution.objects.exists()


def test_a_repeated_upload_attaches_once(api, people, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(people["lead"])
    url = f"{API}proposals/{draft.pk}/attachments/"
    answers = [
        client.post(url, {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 a plan",
                                                     content_type="application/pdf")},
                    format="multipart", headers={"Idempotency-Key": "upload"})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[1].json() == answers[0].json() and answers[0].json()["name"] == "plan.pdf"
    assert draft.attachments.count() == 1


def test_a_multipart_body_is_the_same_whatever_its_boundary():
    from django.test.client import RequestFactory, encode_multipart

    def sent(boundary, note):
        return RequestFactory().post(
            "/api/v1/x/", data=encode_multipart(boundary, {"note": note}),
            content_type=f"multipart/form-data; boundary={boundary}")

    one, two, other = sent("aaaa1111", "hi"), sent("bbbb2222", "hi"), sent("aaaa1111", "ho")
    assert _fingerprint(one, one.body) == _fingerprint(two, two.body)
    assert _fingerprint(one, one.body) != _fingerprint(other, other.body)


def test_a_key_longer_than_255_characters_is_400(api, people, fund, agency):
    client = api(people["fund_manager"])
    response = post(client, contributions_url(fund), body(agency), key="k" * 256)
    assert response.status_code == 400 and "255" in response.json()["detail"]
    assert post(client, contributions_url(fund), body(agency), key="k" * 255).status_code == 201


def test_auth_token_ignores_the_header(people):
    client = APIClient()
    credentials = {"username": "manager", "password": "wrong"}
    assert post(client, f"{API}auth/token/", credentials, key="t").status_code == 401
    from people.factories import PASSWORD

    credentials["password"] = PASSWORD
    first = post(client, f"{API}auth/token/", credentials, key="t")
    again = post(client, f"{API}auth/token/", credentials, key="t")
    assert first.status_code == again.status_code == 200
    assert again.get("Idempotent-Replayed") is None
    assert not IdempotencyKey.objects.exists()


def test_the_schema_documents_the_header_on_every_post(client):
    from people.factories import UserFactory

    client.force_login(UserFactory())  # the schema is for signed-in people
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    assert len(posts) > 10
    for path, operation in posts.items():
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        expected = [] if path == "/api/v1/auth/token/" else ["Idempotency-Key"]
        assert names == expected, path
