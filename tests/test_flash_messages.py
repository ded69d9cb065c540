"""After an action the page says what happened, in words (issue 15: "Done: endorse."): every
transition a page runs has its sentence, and no page builds one from a transition's name."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ["people", "proposals", "reviews", "fund", "rewards", "notifications", "jobs",
           "datafiles", "documents", "portal", "workflow", "api_common", "securitylog"]


def test_every_transition_a_page_runs_has_its_sentence():
    from fund.services import ROUND_TRANSITIONS
    from fund.views import ROUND_DONE
    from proposals.forms import ACTIONS
    from proposals.views import TRANSITION_DONE as PROPOSAL_DONE
    from reviews.forms import DECISIONS
    from reviews.views import DECISION_DONE
    from rewards.services import NOMINATION_TRANSITIONS
    from rewards.views import TRANSITION_DONE as NOMINATION_DONE

    assert set(ROUND_DONE) == set(ROUND_TRANSITIONS)
    assert set(PROPOSAL_DONE) >= set(ACTIONS)
    assert set(DECISION_DONE) == {name for name, _ in DECISIONS}
    assert set(NOMINATION_DONE) == set(NOMINATION_TRANSITIONS)
    for table in (ROUND_DONE, PROPOSAL_DONE, DECISION_DONE, NOMINATION_DONE):
        for sentence in table.values():
            assert sentence.startswith("You ") and "_" not in sentence


def test_no_page_says_done_with_a_transitions_name():
    pattern = re.compile(r"""["']Done: """)
    found = [str(path.relative_to(ROOT)) for app in PRODUCT
             for path in (ROOT / app).rglob("*.py") if pattern.search(path.read_text())]
    found += [str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html")
              if "Done: " in path.read_text()]
    assert found == []


@pytest.mark.django_db
def test_opening_a_round_says_what_happened(client):
    from fund.factories import RoundFactory
    from people.factories import UserFactory

    round_ = RoundFactory(draft=True, title="Spring 2027", opens_at=timezone.now(),
                          closes_at=timezone.now() + timedelta(days=20))
    client.force_login(UserFactory(fund_manager=True))
    response = client.post(reverse("fund:round_transition", args=[round_.pk, "open"]))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You opened “Spring 2027” for proposals. Every civil servant is told."]
