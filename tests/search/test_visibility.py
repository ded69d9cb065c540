"""Search and similar work show only what the viewer may see (DOMAIN.md visibility)."""

from django.contrib.auth.models import AnonymousUser

from search.selectors import likely_duplicates, search, similar_to
from search.services import refresh_similar


def ids(hits):
    return {h.obj.pk for h in hits}


def test_a_draft_is_found_by_its_team_only(world):
    for who in ("lead", "member"):
        assert world["draft"].pk in ids(search(viewer=world[who], q="maternal SMS").proposals)
    for who in ("stranger", "fund_manager", "hr_officer", "chair", "other_lead"):
        found = search(viewer=world[who], q="maternal health reminders").proposals
        assert world["draft"].pk not in ids(found), who


def test_someone_elses_draft_never_appears_in_similar_work(world):
    similar = similar_to(world["draft"], world["lead"])
    assert world["others_draft"].pk not in ids(similar.proposals)
    assert world["funded"].pk in ids(similar.proposals)  # the register: every signed-in person
    assert world["draft"].pk not in ids(similar.proposals)  # never itself


def test_a_conflicted_chair_never_finds_the_proposal_in_review(world):
    # The chair's agency (MOE) partners the proposal: a conflict hides it from the chair.
    assert world["in_review"].pk not in ids(search(viewer=world["chair"], q="dengue").proposals)
    assert world["in_review"].pk in ids(search(viewer=world["fund_manager"], q="dengue").proposals)
    assert world["in_review"].pk not in ids(search(viewer=world["stranger"], q="dengue").proposals)


def test_a_learning_that_is_not_shared_publicly_never_reaches_a_visitor(world):
    visitor = AnonymousUser()
    found = search(viewer=visitor, q="mothers volunteers", kind="all")
    assert not found.proposals
    assert world["internal"].pk not in ids(found.learnings)
    assert world["internal"].pk not in ids(search(viewer=visitor, q="paper backup").learnings)
    assert world["public"].pk in ids(search(viewer=visitor, q="mosquito volunteers").learnings)
    # Signed in, the library's rule: every learning.
    assert world["internal"].pk in ids(search(viewer=world["stranger"], q="paper").learnings)


def test_a_register_entry_is_shown_but_not_opened_by_a_stranger(world):
    hit = next(h for h in search(viewer=world["stranger"], q="antenatal").proposals
               if h.obj.pk == world["funded"].pk)
    assert hit.url == ""
    lead_hit = next(h for h in search(viewer=world["other_lead"], q="antenatal").proposals
                    if h.obj.pk == world["funded"].pk)
    assert lead_hit.url.endswith(f"/proposals/{world['funded'].pk}/")


def test_likely_duplicates_only_among_what_the_fund_manager_may_see(world):
    refresh_similar(proposal_id=world["funded"].pk)
    found = likely_duplicates([world["funded"]], world["fund_manager"])
    assert world["others_draft"].pk not in {h.obj.pk for hs in found.values() for h in hs}
    assert world["draft"].pk not in {h.obj.pk for hs in found.values() for h in hs}
