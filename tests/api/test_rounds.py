"""rounds/: rubric criteria, filters, drafts for fund managers only, writes and transitions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fund.factories import FundFactory, RoundFactory
from fund.models import Round
from workflow.services import history

pytestmark = pytest.mark.django_db
LIST = "/api/v1/rounds/"


def transition(round_, name):
    return f"{LIST}{round_.pk}/transitions/{name}/"


def state_of(round_):
    return Round.objects.get(pk=round_.pk).state


def new_round_body(fund_, **overrides):
    now = timezone.now()
    body = {
        "fund": fund_.pk, "title": "Round 3: Service design", "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=60)).isoformat(), "budget": "5000000.00",
        "max_award": "750000.00",
    }
    body.update(overrides)
    return body


def test_round_shows_its_rubric(api, people, open_round):
    body = api(people["stranger"]).get(f"{LIST}{open_round.pk}/").json()
    assert len(body["criteria"]) == 6
    assert set(body["criteria"][0]) == {"id", "name", "weight", "max_score"}
    assert body["criteria"][0]["weight"] == "1.00" and body["criteria"][0]["max_score"] == 5
    assert body["budget"] == "5000000.00"
    assert body["available_transitions"] == []


def test_drafts_are_seen_by_fund_managers_only(api, people):
    draft = RoundFactory(draft=True)
    shown = RoundFactory()
    for role in ("stranger", "lead", "hr_officer"):
        client = api(people[role])
        assert [r["id"] for r in client.get(LIST).json()["results"]] == [shown.pk]
        assert client.get(f"{LIST}{draft.pk}/").status_code == 404
    manager = api(people["fund_manager"])
    assert manager.get(LIST).json()["count"] == 2
    assert manager.get(f"{LIST}{draft.pk}/").json()["available_transitions"] == ["open"]


def test_filters_fund_and_state(api, people):
    fund = FundFactory()
    a = RoundFactory(fund=fund)
    b = RoundFactory(closed=True)
    client = api(people["fund_manager"])
    assert [r["id"] for r in client.get(LIST, {"fund": fund.pk}).json()["results"]] == [a.pk]
    assert [r["id"] for r in client.get(LIST, {"state": "closed"}).json()["results"]] == [b.pk]
    for bad in ({"state": "maybe"}, {"fund": "abc"}, {"fund": 999999}):
        assert client.get(LIST, bad).status_code == 400


def test_fund_manager_creates_a_draft_round_with_the_default_rubric(api, people):
    fund = FundFactory()
    response = api(people["fund_manager"]).post(LIST, new_round_body(fund), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["slug"] == "round-3-service-design"
    assert len(body["criteria"]) == 6 and body["min_partner_agencies"] == 2


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"closes_at": (timezone.now() - timedelta(days=400)).isoformat()}, "closes_at"),
        ({"max_award": "9000000.00"}, "max_award"),
        ({"budget": "-1"}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"fund": 999999}, "fund"),
        ({"opens_at": "soon"}, "opens_at"),
        ({"min_partner_agencies": 0}, "min_partner_agencies"),
        ({"reviews_required": -1}, "reviews_required"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_round_input_is_400(api, people, overrides, field):
    body = new_round_body(FundFactory(), **overrides)
    response = api(people["fund_manager"]).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_fund_manager_updates_a_round_but_not_its_fund(api, people, open_round):
    other = FundFactory()
    response = api(people["fund_manager"]).patch(
        f"{LIST}{open_round.pk}/", {"title": "Renamed", "fund": other.pk}, format="json"
    )
    assert response.status_code == 200
    fresh = Round.objects.get(pk=open_round.pk)
    assert fresh.title == "Renamed" and fresh.fund_id == open_round.fund_id


def test_archived_round_cannot_change(api, people):
    round_ = RoundFactory(archived=True)
    response = api(people["fund_manager"]).patch(f"{LIST}{round_.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["stranger", "lead", "hr_officer"])
def test_only_fund_managers_write_rounds(api, people, open_round, role):
    client = api(people[role])
    assert client.post(LIST, new_round_body(FundFactory()), format="json").status_code == 403
    assert client.patch(f"{LIST}{open_round.pk}/", {"title": "x"}, format="json").status_code == 403
    assert client.post(transition(open_round, "close"), {}, format="json").status_code == 403
    assert state_of(open_round) == "open"


# --- transitions ----------------------------------------------------------------------------


def test_open_close_archive(api, people):
    round_ = RoundFactory(draft=True)
    client = api(people["fund_manager"])
    for name, state in (("open", "open"), ("close", "closed"), ("archive", "archived")):
        response = client.post(transition(round_, name), {"note": f"{name} it"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == state
    assert [log.transition for log in history(round_)] == ["open", "close", "archive"]
    assert all(log.actor == people["fund_manager"] for log in history(round_))


def test_open_with_closing_date_passed_is_400(api, people):
    round_ = RoundFactory(draft=True, closes_at=timezone.now() - timedelta(days=1))
    response = api(people["fund_manager"]).post(transition(round_, "open"), {}, format="json")
    assert response.status_code == 400
    assert "closes_at" in response.json()


def test_open_without_rubric_is_400(api, people):
    round_ = RoundFactory(draft=True, rubric=False)
    response = api(people["fund_manager"]).post(transition(round_, "open"), {}, format="json")
    assert response.status_code == 400
    assert "criteria" in response.json()


@pytest.mark.parametrize(
    "state, name", [("open", "open"), ("draft", "close"), ("open", "archive"), ("archived", "close")]
)
def test_transition_in_the_wrong_state_is_409(api, people, state, name):
    round_ = RoundFactory(state=state)
    response = api(people["fund_manager"]).post(transition(round_, name), {}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == state


def test_system_cannot_be_claimed_from_the_body(api, people, open_round):
    response = api(people["fund_manager"]).post(
        transition(open_round, "close"), {"system": True, "actor": 1}, format="json"
    )
    assert response.status_code == 200
    assert list(history(open_round))[-1].actor == people["fund_manager"]


def test_unknown_round_transition_and_ids_are_404(api, people, open_round):
    client = api(people["fund_manager"])
    assert client.post(transition(open_round, "reopen"), {}, format="json").status_code == 404
    assert client.post(f"{LIST}999999/transitions/close/", {}, format="json").status_code == 404
    assert client.post(f"{LIST}abc/transitions/close/", {}, format="json").status_code == 404
