"""The one-line hooks in pages other apps own, on their real views: the proposal's page and
form with `{% similar_work proposal %}`, and the screening queue with
`{% likely_duplicates_badge proposal page.object_list %}` in each row's title cell (the whole
page's stored duplicates read at once: the queue's query count does not grow with its rows)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from proposals.factories import ProposalFactory
from search.services import refresh_similar


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_proposal_page_shows_similar_earlier_work_to_its_team(world):
    html = signed_in(world["lead"]).get(f"/proposals/{world['draft'].pk}/").content.decode()
    assert "Similar earlier work" in html and "Antenatal visit reminders for rural mothers" in html
    assert "SMS reminders need a paper backup" in html  # the learning, with its lesson
    assert "Secret mothers reminders draft" not in html  # someone else's draft


def submitted(world, n):
    """n submitted proposals alike, each with its similar work found as after its submission."""
    for i in range(n):
        made = ProposalFactory(round=world["round"], lead=world["other_lead"], submitted=True,
                               partners=[world["moe"]], title=f"Dengue mosquito breeding site maps {i}",
                        summary="Volunteers map stagnant water with a phone app.")
        refresh_similar(proposal_id=made.pk)


def queue_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/proposals/queue/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_queue_shows_likely_duplicates_in_a_bounded_number_of_queries(world):
    client = signed_in(world["fund_manager"])
    submitted(world, 2)
    queue_queries(client)  # caches filled once
    few, html = queue_queries(client)
    assert "Possible duplicate" in html
    submitted(world, 6)
    many, html = queue_queries(client)
    assert "Possible duplicate" in html
    assert many == few, (few, many)


def test_the_queue_rows_with_their_badges_are_the_templates_loop(world):
    """`{% queue_rows %}` (issue 16) writes the badge as `{% likely_duplicates_badge %}` does,
    in both languages (tests/proposals/test_queue_rows.py for the other kinds of row)."""
    from django.utils import translation

    from tests.proposals.test_queue_rows import assert_rows_are_the_loops

    submitted(world, 3)
    try:
        for language in ("en-gb", "dz"):
            world["fund_manager"].language = language
            world["fund_manager"].save(update_fields=["language"])
            html = assert_rows_are_the_loops(signed_in(world["fund_manager"]),
                                             language=language)
            assert 'class="badge badge-duplicate"' in html
    finally:
        translation.deactivate()  # the Dzongkha request left it active in this thread
