"""Fund managers edit a round's rubric, on its page and through the API, until the round's
first review is submitted; the weights then count in every review saved afterwards."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from fund.factories import RoundFactory
from reviews import services
from reviews.models import Criterion, Score

from .conftest import full_scores


def _page(round_):
    return f"/funds/rounds/{round_.pk}/rubric/"


def _client(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def _submit_first_review(scene):
    a = scene.assignments[0]
    services.assignment_submit_review(
        assignment=a, actor=a.reviewer,
        review={"scores": full_scores(scene.criteria), "recommendation": "fund"})


def _names(round_):
    return list(round_.criteria.values_list("name", flat=True))


# --- the services' rules, directly -----------------------------------------------------------


def test_services_refuse_anyone_but_a_fund_manager(scene):
    for user in (scene.chair, scene.members[0], scene.hr_officer, scene.stranger):
        with pytest.raises(PermissionDenied):
            services.criterion_create(actor=user, round_=scene.round, name="Equity")
        with pytest.raises(PermissionDenied):
            services.criterion_update(actor=user, criterion=scene.criteria[0], weight=2)
        with pytest.raises(PermissionDenied):
            services.criterion_delete(actor=user, criterion=scene.criteria[0])
    assert len(_names(scene.round)) == 6


def test_services_refuse_once_a_review_is_submitted(scene):
    services.review_save(assignment=scene.assignments[1], actor=scene.members[1],
                         scores=full_scores(scene.criteria), recommendation="fund")
    # A saved draft does not lock the rubric...
    services.criterion_update(actor=scene.fund_manager, criterion=scene.criteria[0], weight=2)
    _submit_first_review(scene)
    # ...a submitted review does.
    with pytest.raises(ValidationError, match="no longer change"):
        services.criterion_create(actor=scene.fund_manager, round_=scene.round, name="Equity")
    with pytest.raises(ValidationError, match="no longer change"):
        services.criterion_update(actor=scene.fund_manager, criterion=scene.criteria[0],
                                  weight=3)
    with pytest.raises(ValidationError, match="no longer change"):
        services.criterion_delete(actor=scene.fund_manager, criterion=scene.criteria[0])


@pytest.mark.parametrize("fields, field", [
    ({"name": "   "}, "name"),
    ({"name": "equity and INCLUSION "}, None),  # a new name: accepted, stored stripped
    ({"name": "Equity", "max_score": 1}, "max_score"),
    ({"name": "Equity", "max_score": 100}, "max_score"),
])
def test_the_services_check_what_a_criterion_looks_like(scene, fields, field):
    """The rules live in the services, so every caller (page, API, code) meets them."""
    if field is None:
        created = services.criterion_create(actor=scene.fund_manager, round_=scene.round,
                                            **fields)
        assert created.name == "equity and INCLUSION"
        return
    with pytest.raises(ValidationError) as refused:
        services.criterion_create(actor=scene.fund_manager, round_=scene.round, **fields)
    assert field in refused.value.message_dict
    assert len(_names(scene.round)) == 6


def test_the_services_refuse_a_second_criterion_of_the_same_name(scene):
    taken = scene.criteria[0].name
    with pytest.raises(ValidationError, match="already has a criterion"):
        services.criterion_create(actor=scene.fund_manager, round_=scene.round,
                                  name=f" {taken.upper()} ")
    with pytest.raises(ValidationError, match="already has a criterion"):
        services.criterion_update(actor=scene.fund_manager, criterion=scene.criteria[1],
                                  name=taken)
    # renaming a criterion to its own name is no clash
    services.criterion_update(actor=scene.fund_manager, criterion=scene.criteria[0], name=taken)


# --- the rubric page -------------------------------------------------------------------------


def test_rubric_page_lists_the_criteria_with_forms(scene, django_assert_max_num_queries):
    client = _client(scene.fund_manager)
    with django_assert_max_num_queries(12):
        response = client.get(_page(scene.round))
    assert response.status_code == 200
    html = response.content.decode()
    for criterion in scene.criteria:
        assert criterion.name in html
        assert f"{criterion.pk}/edit/" in html and f"{criterion.pk}/delete/" in html
    assert "Add a criterion" in html
    for label in ("Name", "What reviewers look for", "Weight", "Scored out of"):
        assert f">{label}:</label>" in html
    assert "17%" in html  # six equal criteria: a sixth of the score each


def test_fund_manager_adds_a_criterion_on_the_page(scene):
    response = _client(scene.fund_manager).post(_page(scene.round), {
        "name": "Equity", "description": "Who gains, who is left out.", "weight": "1.5",
        "max_score": "7"}, follow=True)
    assert response.status_code == 200
    assert "“Equity” is added to the rubric." in response.content.decode()
    equity = scene.round.criteria.get(name="Equity")
    assert (equity.weight, equity.max_score, equity.position) == (Decimal("1.50"), 7, 6)
    assert equity.description == "Who gains, who is left out."


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "weight": "1", "max_score": "5"}, "name", "Give the criterion a name."),
    ({"name": "   ", "weight": "1", "max_score": "5"}, "name", "Give the criterion a name."),
    ({"name": "Equity", "weight": "0", "max_score": "5"}, "weight", "weight above 0"),
    ({"name": "Equity", "weight": "-2", "max_score": "5"}, "weight", "weight above 0"),
    ({"name": "Equity", "weight": "lots", "max_score": "5"}, "weight", "Enter a number"),
    ({"name": "Equity", "weight": "1", "max_score": "1"}, "max_score", "from 2 to 10"),
    ({"name": "Equity", "weight": "1", "max_score": "1000"}, "max_score", "from 2 to 10"),
    ({"name": "novelty", "weight": "1", "max_score": "5"}, "name",
     "already has a criterion called “novelty”"),
])
def test_bad_input_is_refused_next_to_the_field_keeping_what_was_typed(scene, data, field,
                                                                       message):
    response = _client(scene.fund_manager).post(_page(scene.round), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    if data["name"].strip():
        assert f'value="{data["name"]}"' in html
    assert len(_names(scene.round)) == 6


def test_fund_manager_edits_a_criterion_on_the_page(scene):
    novelty = scene.round.criteria.get(name="Novelty")
    url = f"{_page(scene.round)}{novelty.pk}/edit/"
    client = _client(scene.fund_manager)
    page = client.get(url).content.decode()
    assert 'value="Novelty"' in page and 'value="1"' in page
    # Its own name is no duplicate; another criterion's is.
    refused = client.post(url, {"name": "Public value", "weight": "2", "max_score": "5"})
    assert refused.status_code == 400
    assert "already has a criterion called “Public value”" in refused.content.decode()
    assert 'value="2"' in refused.content.decode()
    response = client.post(url, {"name": "Novelty", "description": "New to us.", "weight": "2",
                                 "max_score": "4"})
    assert response.status_code == 302
    novelty.refresh_from_db()
    assert (novelty.weight, novelty.max_score, novelty.description) == (Decimal("2"), 4,
                                                                        "New to us.")


def test_fund_manager_removes_a_criterion_on_the_page_and_its_draft_scores(scene):
    services.review_save(assignment=scene.assignments[0], actor=scene.members[0],
                         scores=full_scores(scene.criteria), recommendation="fund")
    novelty = scene.round.criteria.get(name="Novelty")
    url = f"{_page(scene.round)}{novelty.pk}/delete/"
    client = _client(scene.fund_manager)
    assert "1 draft score given on it will be discarded" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert "Novelty" not in _names(scene.round)
    assert not Score.objects.filter(criterion_id=novelty.pk).exists()


def test_a_criterion_of_another_round_is_not_found_under_this_one(scene):
    other = RoundFactory().criteria.first()
    client = _client(scene.fund_manager)
    assert client.get(f"{_page(scene.round)}{other.pk}/edit/").status_code == 404
    assert client.post(f"{_page(scene.round)}{other.pk}/delete/").status_code == 404
    assert Criterion.objects.filter(pk=other.pk).exists()


def test_others_change_nothing_through_the_pages(scene):
    novelty = scene.round.criteria.get(name="Novelty")
    for user in (scene.chair, scene.hr_officer, scene.members[0]):
        client = _client(user)
        assert client.post(_page(scene.round), {"name": "Equity", "weight": "1",
                                                "max_score": "5"}).status_code == 403
        assert client.post(f"{_page(scene.round)}{novelty.pk}/edit/", {
            "name": "X", "weight": "9", "max_score": "5"}).status_code == 403
        assert client.post(f"{_page(scene.round)}{novelty.pk}/delete/").status_code == 403
    novelty.refresh_from_db()
    assert novelty.name == "Novelty" and novelty.weight == 1
    assert len(_names(scene.round)) == 6


def test_once_a_review_is_submitted_the_page_says_the_rubric_is_locked_and_why(scene):
    _submit_first_review(scene)
    client = _client(scene.fund_manager)
    novelty = scene.round.criteria.get(name="Novelty")
    for url in (_page(scene.round), f"{_page(scene.round)}{novelty.pk}/edit/",
                f"{_page(scene.round)}{novelty.pk}/delete/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "The rubric is locked" in html
        assert "The first review in this round was submitted on" in html
        assert 'name="max_score"' not in html and "criterion</button>" not in html
        assert response.context["locked"]
    refused = client.post(_page(scene.round), {"name": "Equity", "weight": "1",
                                               "max_score": "5"})
    assert refused.status_code == 409 and "The rubric is locked" in refused.content.decode()
    assert client.post(f"{_page(scene.round)}{novelty.pk}/edit/", {
        "name": "Novelty", "weight": "3", "max_score": "5"}).status_code == 409
    assert client.post(f"{_page(scene.round)}{novelty.pk}/delete/").status_code == 409
    novelty.refresh_from_db()
    assert novelty.weight == 1 and len(_names(scene.round)) == 6


def test_round_page_links_to_the_rubric_for_fund_managers_while_editable(scene):
    url = f"/funds/rounds/{scene.round.pk}/"
    link = f'href="{_page(scene.round)}">Edit the rubric'
    assert link in _client(scene.fund_manager).get(url).content.decode()
    assert link not in _client(scene.chair).get(url).content.decode()
    _submit_first_review(scene)
    assert link not in _client(scene.fund_manager).get(url).content.decode()


# --- the API ---------------------------------------------------------------------------------


def test_api_lists_and_adds_criteria(scene, django_assert_max_num_queries):
    client = _client(scene.fund_manager, api=True)
    url = f"/api/v1/rounds/{scene.round.pk}/criteria/"
    response = client.post(url, {"name": "Equity", "weight": "2.5", "max_score": 4},
                           format="json")
    assert response.status_code == 201, response.data
    assert response.data["name"] == "Equity" and response.data["weight"] == "2.50"
    assert response.data["max_score"] == 4 and response.data["round"] == scene.round.pk
    chair = _client(scene.chair, api=True)
    # 7: a page reads its ids, then its rows (api_common/pagination.py, issue 16)
    with django_assert_max_num_queries(7):
        listed = chair.get(url)
    assert listed.data["count"] == 7
    assert [c["name"] for c in listed.data["results"]][-1] == "Equity"
    assert set(listed.data["results"][0]) == {"id", "round", "name", "description", "weight",
                                              "max_score", "position"}


@pytest.mark.parametrize("body, field", [
    ({"name": "", "weight": "1"}, "name"),
    ({"name": "  "}, "name"),
    ({"weight": "1"}, "name"),
    ({"name": "Equity", "weight": "0"}, "weight"),
    ({"name": "Equity", "weight": -1}, "weight"),
    ({"name": "Equity", "weight": "1.234"}, "weight"),
    ({"name": "Equity", "weight": "99999"}, "weight"),
    ({"name": "Equity", "weight": None}, "weight"),
    ({"name": "Equity", "max_score": 1}, "max_score"),
    ({"name": "Equity", "max_score": 0}, "max_score"),
    ({"name": "Equity", "max_score": 500}, "max_score"),
    ({"name": "Equity", "max_score": 10 ** 30}, "max_score"),
    ({"name": "Equity", "max_score": "five"}, "max_score"),
    ({"name": "PUBLIC VALUE"}, "name"),
    ({"name": ["Equity"]}, "name"),
    ({"name": "x" * 201}, "name"),
])
def test_api_refuses_bad_input_with_field_messages(scene, body, field):
    response = _client(scene.fund_manager, api=True).post(
        f"/api/v1/rounds/{scene.round.pk}/criteria/", body, format="json")
    assert response.status_code == 400
    assert field in response.data and all(isinstance(m, str) for m in response.data[field])
    assert len(_names(scene.round)) == 6


def test_api_refuses_a_body_that_is_not_an_object(scene):
    response = _client(scene.fund_manager, api=True).post(
        f"/api/v1/rounds/{scene.round.pk}/criteria/", [1, 2], format="json")
    assert response.status_code == 400


def test_api_changes_only_the_fields_sent_and_removes(scene):
    client = _client(scene.fund_manager, api=True)
    novelty = scene.round.criteria.get(name="Novelty")
    url = f"/api/v1/criteria/{novelty.pk}/"
    response = client.patch(url, {"weight": "3"}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["name"], response.data["weight"]) == ("Novelty", "3.00")
    assert client.patch(url, {"name": "Novelty"}, format="json").status_code == 200
    duplicate = client.patch(url, {"name": "public value"}, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.data
    assert client.patch(url, {"max_score": 1}, format="json").status_code == 400
    assert client.put(url, {"name": "X"}, format="json").status_code == 405
    assert client.delete(url).status_code == 204
    assert "Novelty" not in _names(scene.round)
    assert client.get(url).status_code == 404


def test_api_refuses_non_fund_managers_and_hides_draft_rounds(scene):
    draft = RoundFactory(draft=True)
    novelty = scene.round.criteria.get(name="Novelty")
    for user in (scene.chair, scene.hr_officer, scene.members[0], scene.stranger):
        client = _client(user, api=True)
        assert client.post(f"/api/v1/rounds/{scene.round.pk}/criteria/", {"name": "Equity"},
                           format="json").status_code == 403
        assert client.patch(f"/api/v1/criteria/{novelty.pk}/", {"weight": "9"},
                            format="json").status_code == 403
        assert client.delete(f"/api/v1/criteria/{novelty.pk}/").status_code == 403
        assert client.get(f"/api/v1/rounds/{draft.pk}/criteria/").status_code == 404
        assert client.post(f"/api/v1/rounds/{draft.pk}/criteria/", {"name": "Equity"},
                           format="json").status_code == 404
    client = _client(scene.fund_manager, api=True)
    assert client.get("/api/v1/rounds/999999/criteria/").status_code == 404
    assert client.get(f"/api/v1/criteria/{10 ** 30}/").status_code == 404
    novelty.refresh_from_db()
    assert novelty.weight == 1 and len(_names(scene.round)) == 6


def test_api_answers_409_once_a_review_is_submitted(scene):
    _submit_first_review(scene)
    client = _client(scene.fund_manager, api=True)
    novelty = scene.round.criteria.get(name="Novelty")
    for response in (
        client.post(f"/api/v1/rounds/{scene.round.pk}/criteria/", {"name": "Equity"},
                    format="json"),
        # Locked comes before bad input: fixing the input would not help.
        client.post(f"/api/v1/rounds/{scene.round.pk}/criteria/", {"name": ""}, format="json"),
        client.patch(f"/api/v1/criteria/{novelty.pk}/", {"weight": "3"}, format="json"),
        client.delete(f"/api/v1/criteria/{novelty.pk}/"),
    ):
        assert response.status_code == 409
        assert response.data["state"] == "locked"
        assert "first review in this round was submitted" in response.data["detail"]
    assert client.get(f"/api/v1/rounds/{scene.round.pk}/criteria/").status_code == 200
    novelty.refresh_from_db()
    assert novelty.weight == 1 and len(_names(scene.round)) == 6


# --- the weights count in the reviews saved afterwards ---------------------------------------


def test_weights_set_through_the_api_change_the_weighted_score_of_later_reviews(scene):
    public_value = scene.round.criteria.get(name="Public value")
    # Before: six equal weights, Public value 5 and the rest 1 of 5: 10/30.
    before = services.review_save(
        assignment=scene.assignments[0], actor=scene.members[0], recommendation="fund",
        scores=[{"criterion": c.pk, "value": 5 if c.pk == public_value.pk else 1}
                for c in scene.criteria])
    assert before.weighted_score == Decimal("33.33")
    response = _client(scene.fund_manager, api=True).patch(
        f"/api/v1/criteria/{public_value.pk}/", {"weight": "5"}, format="json")
    assert response.status_code == 200
    # After: (5·5 + 5·1) ÷ (10·5) × 100.
    after = services.review_save(
        assignment=scene.assignments[1], actor=scene.members[1], recommendation="fund",
        scores=[{"criterion": c.pk, "value": 5 if c.pk == public_value.pk else 1}
                for c in scene.criteria])
    assert after.weighted_score == Decimal("60.00")


def test_a_scale_set_on_the_page_is_what_reviewers_score_on(scene):
    novelty = scene.round.criteria.get(name="Novelty")
    response = _client(scene.fund_manager).post(f"{_page(scene.round)}{novelty.pk}/edit/", {
        "name": "Novelty", "weight": "1", "max_score": "10"})
    assert response.status_code == 302
    reviewer, assignment = scene.members[0], scene.assignments[0]
    form_page = _client(reviewer).get(f"/reviews/assignments/{assignment.pk}/")
    assert f'name="criterion_{novelty.pk}" value="10"' in form_page.content.decode()
    scores = [{"criterion": c.pk, "value": 10 if c.pk == novelty.pk else 5}
              for c in scene.round.criteria.all()]
    review = services.review_save(assignment=assignment, actor=reviewer, scores=scores,
                                  recommendation="fund")
    assert review.weighted_score == Decimal("100.00")
    with pytest.raises(ValidationError):
        services.review_save(assignment=assignment, actor=reviewer, recommendation="fund",
                             scores=[{**s, "value": 11} if s["criterion"] == novelty.pk else s
                                     for s in scores])


def test_a_draft_saved_before_a_weight_change_is_scored_with_the_new_weights_on_submit(scene):
    public_value = scene.round.criteria.get(name="Public value")
    assignment, reviewer = scene.assignments[0], scene.members[0]
    services.review_save(
        assignment=assignment, actor=reviewer, recommendation="fund",
        scores=[{"criterion": c.pk, "value": 5 if c.pk == public_value.pk else 1}
                for c in scene.criteria])
    response = _client(scene.fund_manager).post(
        f"{_page(scene.round)}{public_value.pk}/edit/",
        {"name": "Public value", "weight": "5", "max_score": "5"})
    assert response.status_code == 302
    services.assignment_submit_review(assignment=assignment, actor=reviewer)
    assignment.review.refresh_from_db()
    assert assignment.review.weighted_score == Decimal("60.00")
