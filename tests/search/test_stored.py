"""Similar work found once, at submission (search/services.py), and read back by who may see it.

The proposal's page and the screening queue read the stored rows (search.models
.SimilarCandidate) instead of searching at every view; each viewer sees only the candidates
they may see, in a number of queries that does not grow with the data."""

from io import StringIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from proposals.factories import ProposalFactory
from proposals.services.drafting import proposal_submit
from search import tasks
from search.models import SimilarCandidate
from search.selectors import likely_duplicates, stored_similar_work
from search.services import refresh_similar

TWIN = {"title": "Maternal health reminders by SMS message",
        "summary": "Send expecting mothers SMS reminders of antenatal visits."}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def candidates(proposal) -> set[int]:
    return set(SimilarCandidate.objects.filter(source=proposal, proposal__isnull=False)
               .values_list("proposal_id", flat=True))


@pytest.fixture
def twin(world):
    """A proposal of another agency (MOA, partner MOE) reading like the lead's draft,
    submitted: the lead may not see it, the fund manager may."""
    return ProposalFactory(round=world["round"], lead=world["other_lead"], submitted=True,
                           partners=[world["moe"]], **TWIN)


def submit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=world["draft"], actor=world["lead"])
    world["draft"].refresh_from_db()
    return world["draft"]


def test_submitting_a_proposal_stores_its_similar_work(world, twin,
                                                       django_capture_on_commit_callbacks):
    assert not SimilarCandidate.objects.exists()
    draft = submit(world, django_capture_on_commit_callbacks)
    found = candidates(draft)
    assert {world["funded"].pk, twin.pk} <= found
    assert world["others_draft"].pk not in found  # never a draft
    assert draft.pk not in found
    assert SimilarCandidate.objects.filter(source=draft, learning=world["internal"]).exists()


def test_refreshing_again_replaces_the_rows(world, twin):
    first = refresh_similar(proposal_id=twin.pk)
    assert first and refresh_similar(proposal_id=twin.pk) == first
    assert SimilarCandidate.objects.filter(source=twin).count() == first
    assert refresh_similar(proposal_id=10**9) == 0  # gone: nothing


def test_a_broker_that_is_down_finds_it_in_process(world, twin, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def refuse(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.refresh_similar, "delay", refuse)
    draft = submit(world, django_capture_on_commit_callbacks)
    assert twin.pk in candidates(draft)


def test_each_viewer_sees_only_the_stored_candidates_they_may_see(world, twin,
                                                                  django_capture_on_commit_callbacks):
    draft = submit(world, django_capture_on_commit_callbacks)
    shown = {h.obj.pk for h in stored_similar_work(draft, world["lead"]).proposals}
    assert world["funded"].pk in shown  # the register
    assert twin.pk not in shown  # another agency's proposal in screening
    html = signed_in(world["lead"]).get(f"/proposals/{draft.pk}/").content.decode()
    assert "Similar earlier work" in html and "Antenatal visit reminders for rural mothers" in html
    assert TWIN["title"] not in html
    # The fund manager sees the twin as a likely duplicate in the queue.
    duplicates = likely_duplicates([draft], world["fund_manager"])
    assert twin.pk in {h.obj.pk for h in duplicates[draft.pk]}
    queue = signed_in(world["fund_manager"]).get("/proposals/queue/").content.decode()
    assert "Possible duplicate" in queue and TWIN["title"] in queue
    # The chair of MOE, conflicted on the twin (partner MOE), is not shown it.
    chair_sees = likely_duplicates([draft], world["chair"]).get(draft.pk, [])
    assert twin.pk not in {h.obj.pk for h in chair_sees}


def test_the_page_of_a_submitted_proposal_reads_what_was_stored(world, twin,
                                                                django_capture_on_commit_callbacks):
    draft = submit(world, django_capture_on_commit_callbacks)
    SimilarCandidate.objects.all().delete()
    html = signed_in(world["lead"]).get(f"/proposals/{draft.pk}/").content.decode()
    assert "Similar earlier work" not in html  # nothing searched at read time


def test_the_draft_s_form_and_page_search_as_it_is_written(world):
    for path in (f"/proposals/{world['draft'].pk}/edit/", f"/proposals/{world['draft'].pk}/"):
        html = signed_in(world["lead"]).get(path).content.decode()
        assert "Similar earlier work" in html, path
        assert "Antenatal visit reminders for rural mothers" in html, path
        assert "Secret mothers reminders draft" not in html, path


def alike(world, n):
    """n funded proposals like the draft (the register: the lead may see them)."""
    from .test_queries import grow

    return grow(world, n)


def page_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_submitted_proposal_s_page_reads_a_bounded_number_of_queries(
        world, twin, django_capture_on_commit_callbacks):
    alike(world, 2)
    draft = submit(world, django_capture_on_commit_callbacks)
    client = signed_in(world["lead"])
    path = f"/proposals/{draft.pk}/"
    page_queries(client, path)
    few = page_queries(client, path)
    shown_few = len(stored_similar_work(draft, world["lead"]).proposals)
    alike(world, 10)
    refresh_similar(proposal_id=draft.pk)
    many = page_queries(client, path)
    assert len(stored_similar_work(draft, world["lead"]).proposals) > shown_few
    assert many == few, (few, many)


def test_the_command_fills_proposals_in_screening_with_none_stored(world, twin):
    from django.core.management import call_command

    call_command("refresh_similar", stdout=StringIO())
    assert SimilarCandidate.objects.filter(source=twin).exists()  # submitted, none stored
    assert not SimilarCandidate.objects.filter(source=world["funded"]).exists()  # decided
    call_command("refresh_similar", "--id", str(world["funded"].pk),
                 stdout=StringIO())
    assert SimilarCandidate.objects.filter(source=world["funded"]).exists()


def test_the_proposal_page_tells_the_fund_manager_of_a_likely_duplicate_as_the_queue_does(
        world, twin, django_capture_on_commit_callbacks):
    """Walkthrough: the queue said "Possible duplicate", the proposal's own page did not."""
    draft = submit(world, django_capture_on_commit_callbacks)
    page = signed_in(world["fund_manager"]).get(f"/proposals/{draft.pk}/").content.decode()
    assert 'id="likely-duplicates"' in page and "Possible duplicate" in page
    assert TWIN["title"] in page and f'href="/proposals/{twin.pk}/"' in page
    # Not the lead (who may not see the twin, and screens nothing) nor a chair.
    lead_page = signed_in(world["lead"]).get(f"/proposals/{draft.pk}/").content.decode()
    assert "likely-duplicates" not in lead_page and TWIN["title"] not in lead_page
    chair_page = signed_in(world["chair"]).get(f"/proposals/{draft.pk}/")
    assert b"likely-duplicates" not in chair_page.content
    # Once screened, the queue no longer lists it, and the page no longer says it.
    type(draft).objects.filter(pk=draft.pk).update(state="in_review")
    page = signed_in(world["fund_manager"]).get(f"/proposals/{draft.pk}/").content.decode()
    assert "likely-duplicates" not in page
