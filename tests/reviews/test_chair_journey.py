"""The chair's decision page (issue 15): a link to the proposal, a summary of the counted
reviews (flagged ones left out) computed in services at a constant number of queries, and
decisions offered only when the viewer may record them now; otherwise why not and what is
missing."""

import html
import re
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.models import Assignment
from reviews.services.summary import review_summary


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _submit(assignment, criteria, values, recommendation="fund"):
    services.assignment_submit_review(assignment=assignment, actor=assignment.reviewer, review={
        "scores": [{"criterion": c.pk, "value": v} for c, v in zip(criteria, values, strict=True)],
        "recommendation": recommendation})


def _url(scene) -> str:
    return f"/reviews/proposals/{scene.proposal.pk}/"


def test_summary_counts_submitted_reviews_and_leaves_flagged_ones_out(scene):
    criteria = scene.criteria
    n = len(criteria)
    _submit(scene.assignments[0], criteria, [5] * n)                      # 100.00
    _submit(scene.assignments[1], criteria, [3] * n, "revise")            # 60.00
    _submit(scene.assignments[2], criteria, [1] * n, "do_not_fund")       # 20.00
    flagged = scene.assignments[2].reviewer
    flagged.agency = scene.moh  # the lead's agency: the submitted review is flagged
    flagged.save()
    assert Assignment.objects.get(pk=scene.assignments[2].pk).state == Assignment.State.CONFLICT
    summary = review_summary(proposal=scene.proposal)
    assert summary.count == 2 and summary.flagged == 1
    assert summary.mean == Decimal("80.00")
    assert (summary.lowest, summary.highest, summary.spread) == (
        Decimal("60.00"), Decimal("100.00"), Decimal("40.00"))
    assert [c.name for c in summary.columns] == [str(scene.assignments[0].reviewer),
                                                 str(scene.assignments[1].reviewer)]
    first = summary.rows[0]
    assert first.criterion == criteria[0] and first.values == [5, 3]
    assert first.mean == Decimal("4.00")
    assert dict(summary.recommendations) == {"Fund": 1, "Revise": 1}
    assert not summary.quorum_met  # 3 needed, 2 count

    page = _text(_client(scene.chair).get(_url(scene)))
    assert "Summary of the reviews" in page
    assert "2 of 3 needed" in page and "1 flagged for a conflict of interest" in page
    assert "80.00" in page and "40.00 points" in page and "from 60.00 to 100.00" in page
    assert "Spread (highest minus lowest)" in page
    table = page[page.index("scores-side-by-side"):page.index("</table>")]
    assert "Reviewer 1" in table and "Reviewer 2" in table and "Reviewer 3" not in table
    assert str(flagged) not in table


def test_decision_page_links_the_proposal(scene):
    page = _text(_client(scene.chair).get(_url(scene)))
    assert f'href="/proposals/{scene.proposal.pk}/"' in page


def test_summary_is_a_constant_number_of_queries(scene):
    n = len(scene.criteria)
    _submit(scene.assignments[0], scene.criteria, [4] * n)
    with CaptureQueriesContext(connection) as one:
        review_summary(proposal=scene.proposal)
    client = _client(scene.chair)
    with CaptureQueriesContext(connection) as page_one:
        assert client.get(_url(scene)).status_code == 200
    _submit(scene.assignments[1], scene.criteria, [2] * n)
    _submit(scene.assignments[2], scene.criteria, [3] * n)
    with CaptureQueriesContext(connection) as three:
        summary = review_summary(proposal=scene.proposal)
    assert summary.count == 3
    assert len(one) == len(three) <= 5
    with CaptureQueriesContext(connection) as page_three:
        assert client.get(_url(scene)).status_code == 200
    # At quorum the "what is missing" queries are not needed: never more than with one review.
    assert len(page_three) <= len(page_one)


def test_no_summary_for_a_reviewer_before_submitting_nor_for_the_applicant(scene):
    n = len(scene.criteria)
    _submit(scene.assignments[0], scene.criteria, [4] * n)
    for user in (scene.assignments[1].reviewer, scene.lead, scene.hr_officer):
        page = _text(_client(user).get(_url(scene)))
        assert "Summary of the reviews" not in page and "scores-side-by-side" not in page


def test_before_quorum_the_chair_is_told_why_not_and_what_is_missing(scene):
    n = len(scene.criteria)
    _submit(scene.assignments[0], scene.criteria, [4] * n)
    page = _text(_client(scene.chair).get(_url(scene)))
    # Asking for a revision needs no quorum; recommending and rejecting do.
    assert 'value="request_revision"' in page
    assert 'value="recommend"' not in page and 'value="reject"' not in page
    assert "Not yet possible" in page
    assert "The panel needs 3 submitted reviews before deciding; it has 1." in page
    assert "What is missing" in page
    for waiting in scene.assignments[1:]:
        assert f"A review from {waiting.reviewer}" in page


def test_a_missing_reviewer_is_named_as_one_to_assign_with_the_plan(scene):
    scene.assignments[2].delete()
    page = _text(_client(scene.chair).get(_url(scene)))
    assert "1 more reviewer to assign" in page
    assert f'href="/reviews/panels/{scene.panel.pk}/plan/"' in page


def test_at_quorum_the_acting_chair_is_offered_every_decision(scene):
    n = len(scene.criteria)
    for a in scene.assignments:
        _submit(a, scene.criteria, [4] * n)
    page = _text(_client(scene.chair).get(_url(scene)))
    for name in ("recommend", "reject", "request_revision"):
        assert f'value="{name}"' in page
    assert "Not yet possible" not in page and "Record the decision" in page


def test_others_are_offered_no_decision_and_told_who_decides(scene):
    n = len(scene.criteria)
    for a in scene.assignments:
        _submit(a, scene.criteria, [4] * n)
    for user in (scene.fund_manager, scene.members[0]):
        page = _text(_client(user).get(_url(scene)))
        assert "Record the decision" not in page and 'name="decision"' not in page
        assert "Not yet possible" not in page
        assert re.search(r"recorded by its acting chair\. The panel's chair, .* acts on this "
                         r"proposal\.", page)
    for user in (scene.lead, scene.hr_officer):
        page = _text(_client(user).get(_url(scene)))
        assert 'name="decision"' not in page and "acting chair" not in page


def test_a_conflicted_chair_is_offered_nothing(scene):
    """The chair from a partner agency has a conflict: the page is not theirs to see."""
    scene.chair.agency = scene.moe
    scene.chair.save()
    response = _client(scene.chair).get(_url(scene))
    assert response.status_code == 404
