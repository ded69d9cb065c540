"""`learning-authors/` (API.md): co-authorships of learnings by consent; 409 for a wrong
state, 403 for someone not allowed, 404 for a row one may not see; nothing changed on
refusal. The learning's `authors` are those who accepted."""

import pytest

from people.factories import UserFactory
from rewards.factories import LearningAuthorFactory, LearningFactory
from rewards.models import LearningAuthor

pytestmark = pytest.mark.django_db

URL = "/api/v1/learning-authors/"


def transition(author, name):
    return f"{URL}{author.pk}/transitions/{name}/"


def _state(author) -> str:
    return LearningAuthor.objects.get(pk=author.pk).state


@pytest.fixture
def scene(db):
    learning = LearningFactory()
    return {
        "learning": learning,
        "writer": learning.created_by,
        "co_author": LearningAuthorFactory(learning=learning),
        "invited": LearningAuthorFactory(learning=learning, invited=True),
    }


def test_rows_by_person_and_the_writer_sees_all_of_theirs(api, scene):
    ids = {r["id"] for r in api(scene["writer"]).get(URL).json()["results"]}
    assert ids == set(scene["learning"].author_rows.values_list("pk", flat=True))
    rows = api(scene["invited"].user).get(URL).json()["results"]
    assert [(r["id"], r["state"], r["available_transitions"]) for r in rows] == [
        (scene["invited"].pk, "invited", ["accept", "decline"])]
    assert api(UserFactory()).get(f"{URL}{scene['invited'].pk}/").status_code == 404
    assert api(None).get(URL).status_code == 401


def test_the_writer_invites_and_others_may_not(api, scene):
    colleague = UserFactory()
    body = {"learning": scene["learning"].pk, "user": colleague.pk}
    for actor in (scene["co_author"].user, scene["invited"].user, UserFactory()):
        assert api(actor).post(URL, body, format="json").status_code == 403
    assert not LearningAuthor.objects.filter(user=colleague).exists()
    response = api(scene["writer"]).post(URL, body, format="json")
    assert response.status_code == 201 and response.json()["state"] == "invited"
    again = api(scene["writer"]).post(URL, body, format="json")
    assert again.status_code == 400
    assert api(scene["writer"]).post(URL, {"learning": 999999, "user": colleague.pk},
                                     format="json").status_code == 404


def test_accept_leave_and_remove(api, scene):
    invited, co_author = scene["invited"], scene["co_author"]
    assert api(scene["writer"]).post(transition(invited, "accept"), {},
                                     format="json").status_code == 403
    assert _state(invited) == "invited"
    response = api(invited.user).post(transition(invited, "accept"), {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    assert api(invited.user).post(transition(invited, "accept"), {},
                                  format="json").status_code == 409
    assert api(co_author.user).post(transition(co_author, "leave"), {},
                                    format="json").status_code == 200
    assert _state(co_author) == "left"
    assert api(scene["writer"]).post(transition(invited, "remove"), {},
                                     format="json").status_code == 200
    assert _state(invited) == "removed"
    learning = api(scene["writer"]).get(f"/api/v1/learnings/{scene['learning'].pk}/").json()
    assert learning["authors"] == [scene["writer"].pk]


def test_the_writer_cannot_leave_their_own_learning(api, scene):
    row = LearningAuthor.objects.get(learning=scene["learning"], user=scene["writer"])
    response = api(scene["writer"]).post(transition(row, "leave"), {}, format="json")
    assert response.status_code == 403 and _state(row) == "accepted"


def test_a_learning_lists_only_accepted_authors_and_invites_the_rest(api):
    writer, colleague = UserFactory(), UserFactory()
    response = api(writer).post("/api/v1/learnings/", {
        "title": "T", "what_we_tried": "a", "what_happened": "b", "what_we_learned": "c",
        "kind": "failure", "authors": [colleague.pk],
    }, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["authors"] == [writer.pk]
    assert LearningAuthor.objects.get(user=colleague).state == "invited"
