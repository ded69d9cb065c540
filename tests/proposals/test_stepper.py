"""The stepper on the proposal page: where the proposal is in its life, with the dates of the
transition log, the current step marked in words and with aria-current, and the branches
(screened out, not recommended, declined, withdrawn, returned for revision) shown where they
happened (proposals/stepper.py, templates/proposals/_stepper.html; issue 15)."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import reverse

from proposals.factories import ProposalFactory
from proposals.stepper import proposal_steps
from workflow.models import TransitionLog

T0 = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=datetime.UTC)


def _day(n):
    return T0 + datetime.timedelta(days=n)


def _log(*entries):
    """(transition, from, to, day) -> log rows as the stepper reads them."""
    return [SimpleNamespace(transition=t, from_state=f, to_state=to, at=_day(d))
            for t, f, to, d in entries]


ROAD = [
    ("submit", "draft", "submitted", 1), ("send_to_review", "submitted", "in_review", 2),
    ("recommend", "in_review", "recommended", 5), ("fund", "recommended", "funded", 7),
    ("report_outcome", "funded", "outcome_reported", 30), ("close", "outcome_reported", "closed", 31),
]


def _steps(state, *entries):
    return proposal_steps(SimpleNamespace(state=state, created_at=T0), _log(*entries))


def _statuses(steps):
    return [step.status for step in steps]


def test_a_funded_proposal_is_at_funded_with_each_date_from_the_log():
    steps = _steps("funded", *ROAD[:4])
    assert [s.label for s in steps] == ["Drafted", "Submitted", "In review", "Decided", "Funded",
                                        "Outcome reported", "Closed"]
    assert _statuses(steps) == ["done", "done", "done", "done", "current", "upcoming", "upcoming"]
    assert [s.at for s in steps] == [T0, _day(1), _day(2), _day(5), _day(7), None, None]
    assert steps[3].notes == (("Recommended by the panel", None),)
    assert [s.is_current for s in steps].count(True) == 1


def test_a_closed_proposal_has_walked_the_whole_road():
    steps = _steps("closed", *ROAD)
    assert _statuses(steps) == ["done"] * 6 + ["current"]
    assert steps[-1].at == _day(31)


@pytest.mark.parametrize(("state", "entries", "stopped_at", "label", "note"), [
    ("ineligible", [ROAD[0], ("screen_out", "submitted", "ineligible", 3)], 1, "Submitted",
     "Screened out: not eligible for the round"),
    ("rejected", [*ROAD[:2], ("reject", "in_review", "rejected", 6)], 3,
     "Decided: not recommended", "Not recommended by the panel"),
    ("declined", [*ROAD[:3], ("decline", "recommended", "declined", 8)], 4, "Not funded",
     "The fund declined to fund it"),
    ("withdrawn", [*ROAD[:2], ("withdraw", "in_review", "withdrawn", 4)], 2, "In review",
     "Withdrawn by the lead"),
])
def test_a_branch_stops_where_it_happened_and_says_so(state, entries, stopped_at, label, note):
    steps = _steps(state, *entries)
    statuses = _statuses(steps)
    assert statuses[:stopped_at] == ["done"] * stopped_at
    assert statuses[stopped_at] == "stopped"
    assert statuses[stopped_at + 1:] == ["not_reached"] * (6 - stopped_at)
    assert steps[stopped_at].label == label
    assert note in [text for text, _at in steps[stopped_at].notes]
    assert steps[stopped_at].status_text == "Stopped here"


def test_a_withdrawn_draft_stops_at_drafted():
    steps = _steps("withdrawn", ("withdraw", "draft", "withdrawn", 1))
    assert _statuses(steps)[:2] == ["stopped", "not_reached"]
    assert steps[0].notes == (("Withdrawn by the lead", _day(1)),)


def test_a_revision_request_is_shown_on_in_review_while_it_waits_and_after():
    waiting = _steps("revision_requested", *ROAD[:2],
                     ("request_revision", "in_review", "revision_requested", 3))
    assert _statuses(waiting)[:3] == ["done", "done", "current"]
    assert waiting[2].notes == (
        ("Returned to the lead for revision", _day(3)),
        ("Waiting for the lead to revise it and submit it again", None))
    back = _steps("in_review", *ROAD[:2],
                  ("request_revision", "in_review", "revision_requested", 3),
                  ("submit", "revision_requested", "submitted", 4),
                  ("send_to_review", "submitted", "in_review", 5))
    assert back[1].at == _day(1)  # first submitted
    assert back[1].notes == (("Submitted again after a revision", _day(4)),)
    assert back[2].notes == (("Returned to the lead for revision", _day(3)),)
    assert back[2].status == "current"


def test_a_step_reached_without_a_logged_date_shows_no_date():
    steps = _steps("in_review")  # e.g. data from before the log
    assert _statuses(steps)[:3] == ["done", "done", "current"]
    assert steps[1].at is None and steps[2].at is None


def test_the_stepper_marks_the_current_step_in_words_and_for_assistive_technology():
    steps = _steps("funded", *ROAD[:4])
    html = render_to_string("proposals/_stepper.html", {"steps": steps})
    assert html.count('aria-current="step"') == 1
    current = html[html.index('aria-current="step"'):]
    current = current[:current.index("</li>")]
    assert "Funded" in current and "Current step" in current and "11 Jan 2027" in current
    assert html.count("Done") == 4 and html.count("Still to come") == 2
    assert "style=" not in html


@pytest.mark.django_db
def test_the_proposal_page_shows_the_stepper_from_one_query(client, django_assert_num_queries):
    proposal = ProposalFactory(submitted=True)
    content_type = ContentType.objects.get_for_model(proposal)
    TransitionLog.objects.create(content_type=content_type, object_id=proposal.pk,
                                 transition="submit", from_state="draft", to_state="submitted")
    with django_assert_num_queries(1):
        steps = proposal_steps(proposal)
    assert _statuses(steps)[:3] == ["done", "current", "upcoming"]
    client.force_login(proposal.lead)
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert 'class="stepper"' in html and html.count('aria-current="step"') == 1
    assert html.index('class="stepper"') > html.index("<h1")
