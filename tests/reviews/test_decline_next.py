"""After a reviewer declines an assignment (declares a conflict of interest), the page says
what happened and what to do next (walkthrough: "Your conflict is recorded" above a plain
list, the declined row ending in "–", read oddly)."""

from django.test import Client

from reviews.factories import AssignmentFactory
from reviews.models import Assignment


def _decline(client, assignment):
    return client.post(f"/reviews/assignments/{assignment.pk}/conflict/",
                       {"reason": "My cousin leads it."}, follow=True)


def test_declining_says_what_happened_and_leads_to_the_next_review(scene):
    reviewer = scene.members[0]
    declined = scene.assignments[0]
    nearest = AssignmentFactory(panel=scene.panel, reviewer=reviewer)
    client = Client()
    client.force_login(reviewer)
    response = _decline(client, declined)
    assert response.redirect_chain == [(f"/reviews/?declined={declined.pk}", 302)]
    declined.refresh_from_db()
    assert declined.state == Assignment.State.CONFLICT
    [message] = [str(m) for m in response.context["messages"]]
    title = scene.proposal.title
    assert f"You declined to review “{title}”" in str(message)
    assert "chair is told to ask another reviewer" in str(message)
    page = response.content.decode()
    assert 'id="declined-next"' in page and "What next" in page
    assert f"“{title}” is no longer yours to review" in page
    assert f'href="/reviews/assignments/{nearest.pk}/" id="declined-next-link"' in page
    assert "Declined: nothing to do" in page


def test_with_nothing_left_to_review_it_says_so(scene):
    reviewer = scene.members[1]
    client = Client()
    client.force_login(reviewer)
    page = _decline(client, scene.assignments[1]).content.decode()
    assert "You have no other review to do now." in page
    assert "declined-next-link" not in page


def test_what_next_is_shown_only_for_ones_own_declined_assignment(scene):
    client = Client()
    client.force_login(scene.members[2])
    own_open = scene.assignments[2]
    for value in (own_open.pk, scene.assignments[0].pk, "abc", "-1", 10**30):
        page = client.get("/reviews/", {"declined": value}).content.decode()
        assert 'id="declined-next"' not in page, value
