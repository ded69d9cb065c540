"""The one-line hooks for pages other apps own, tried on their real views: the proposal's
page with `{% similar_work proposal %}` after its actions, and the screening queue with
`{% likely_duplicates_badge proposal page.object_list %}` in each row's title cell (the whole
page's duplicates found at once: the queue's query count does not grow with its rows)."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from proposals.factories import ProposalFactory

DETAIL_HOOK = "{% load similar %}{% similar_work proposal %}\n"
QUEUE_HOOK = "{% load similar %}{% likely_duplicates_badge proposal page.object_list %}"
TEMPLATES = Path(django_settings.BASE_DIR) / "templates" / "proposals"


@pytest.fixture
def hooked(tmp_path, settings):
    """The proposal templates with the hooks in, ahead of the product's own."""
    folder = tmp_path / "proposals"
    folder.mkdir()
    detail = (TEMPLATES / "detail.html").read_text()
    assert "{% if award %}" in detail
    folder.joinpath("detail.html").write_text(
        detail.replace("{% if award %}", DETAIL_HOOK + "{% if award %}", 1))
    queue = (TEMPLATES / "queue.html").read_text()
    cell = "{{ proposal.title }}</a>"
    assert cell in queue
    folder.joinpath("queue.html").write_text(queue.replace(cell, cell + QUEUE_HOOK, 1))
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_proposal_page_shows_similar_earlier_work_to_its_team(world, hooked):
    html = signed_in(world["lead"]).get(f"/proposals/{world['draft'].pk}/").content.decode()
    assert "Similar earlier work" in html and "Antenatal visit reminders for rural mothers" in html
    assert "SMS reminders need a paper backup" in html  # the learning, with its lesson
    assert "Secret mothers reminders draft" not in html  # someone else's draft


def submitted(world, n):
    for i in range(n):
        ProposalFactory(round=world["round"], lead=world["other_lead"], submitted=True,
                        partners=[world["moe"]], title=f"Dengue mosquito breeding site maps {i}",
                        summary="Volunteers map stagnant water with a phone app.")


def queue_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/proposals/queue/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_queue_shows_likely_duplicates_in_a_bounded_number_of_queries(world, hooked):
    client = signed_in(world["fund_manager"])
    submitted(world, 2)
    queue_queries(client)  # caches filled once
    few, html = queue_queries(client)
    assert "Possible duplicate" in html
    submitted(world, 6)
    many, html = queue_queries(client)
    assert "Possible duplicate" in html
    assert many == few, (few, many)
