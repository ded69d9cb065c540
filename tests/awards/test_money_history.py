"""Tranche events appear in the proposal's history and the award's (issue 15): released,
milestone reported, cancelled (money returned), award cancelled; the applicant reads the
fund manager's role, not their name; the API's history of each object (history_data) is unchanged."""

import pytest
from django.test import Client

from fund.services.awards import tranche_cancel, tranche_release, tranche_report_milestone
from proposals.history import FUND_MANAGER, history_for


def _history_section(client, user, url) -> str:
    client.force_login(user)
    page = client.get(url).content.decode()
    start = page.index('id="history-heading"')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def story(world):
    first, second = world.tranches
    tranche_release(tranche=first, actor=world.manager, note="District one is ready.")
    tranche_report_milestone(tranche=first, actor=world.team,
                             milestone_report="Two districts live.")
    tranche_cancel(tranche=second, actor=world.manager, reason="The second district withdrew.")
    return world


def test_the_proposals_history_tells_what_happened_to_its_money(story):
    entries = history_for(story.manager, story.funded)
    money = [(e.subject, e.transition, e.actor_label) for e in entries if e.subject]
    assert money == [
        ("Tranche 1", "release", str(story.manager)),
        ("Tranche 1", "report_milestone", str(story.team)),
        ("Tranche 2", "cancel", str(story.manager)),
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_the_applicant_reads_the_role_not_the_fund_managers_name(story):
    money = {(e.subject, e.transition): e.actor_label
             for e in history_for(story.lead, story.funded) if e.subject}
    assert money[("Tranche 1", "release")] == FUND_MANAGER
    assert money[("Tranche 2", "cancel")] == FUND_MANAGER
    assert money[("Tranche 1", "report_milestone")] == str(story.team)  # the team's own step


@pytest.mark.parametrize("url", ["/proposals/{w.funded.pk}/", "/awards/{w.award.pk}/",
                                 "/awards/outcome/{w.funded.pk}/"])
def test_the_pages_show_the_tranche_events(story, url):
    section = _history_section(Client(), story.manager, url.format(w=story))
    assert "Tranche 1: release" in section and "District one is ready." in section
    assert "Tranche 1: report milestone" in section
    assert "Tranche 2: cancel" in section and "The second district withdrew." in section
    lead_view = _history_section(Client(), story.lead, url.format(w=story))
    assert "Tranche 1: release" in lead_view and story.manager.last_name not in lead_view


def test_the_award_cancelled_shows_in_the_proposals_history(world):
    from fund.services.awards import award_cancel

    award_cancel(award=world.award, actor=world.manager, reason="Budget withdrawn.")
    subjects = [(e.subject, e.transition) for e in history_for(world.manager, world.funded)]
    assert ("The award", "cancel") in subjects
    assert ("Tranche 1", "cancel") in subjects and ("Tranche 2", "cancel") in subjects


def test_the_apis_history_data_keeps_to_the_objects_own_steps(story):
    from types import SimpleNamespace

    from proposals.history import history_data

    context = {"request": SimpleNamespace(user=story.manager)}
    transitions = [entry["transition"] for entry in history_data(story.funded, context)]
    assert "release" not in transitions and "report_milestone" not in transitions
    assert [e["transition"] for e in history_data(story.tranches[0], context)] == [
        "release", "report_milestone"]
