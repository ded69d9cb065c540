"""Overdue tranches and milestone reports are marked in words, not colour only (issue 15): on
the award page and on the fund manager's home page."""

import datetime

from django.utils import timezone

from fund.models import Tranche
from fund.rules import overdue_reason


def _set(tranche, **fields):
    Tranche.objects.filter(pk=tranche.pk).update(**fields)


def _award_page(client, user, award) -> str:
    client.force_login(user)
    return client.get(f"/awards/{award.pk}/").content.decode()


def _row(html, tranche) -> str:
    start = html.index(f'<tr id="tranche-{tranche.pk}">')
    return html[start:html.index("</tr>", start)]


def test_a_release_past_its_due_date_is_marked_overdue(client, world):
    first, second = world.tranches
    today = timezone.localdate()
    _set(first, due_on=today - datetime.timedelta(days=3))
    html = _award_page(client, world.manager, world.award)
    row = _row(html, first)
    assert "Overdue" in row and "Release overdue" in row
    assert "Overdue" not in _row(html, second)
    assert "1 tranche overdue" in html


def test_a_milestone_report_holding_up_the_next_release_is_marked(client, world):
    first, second = world.tranches
    today = timezone.localdate()
    _set(first, state="released", due_on=today - datetime.timedelta(days=60))
    _set(second, due_on=today - datetime.timedelta(days=1))
    html = _award_page(client, world.lead, world.award)
    assert "Milestone report overdue" in _row(html, first)
    assert "Release overdue" in _row(html, second)
    tranches = list(Tranche.objects.filter(award=world.award).select_related("award"))
    assert [overdue_reason(t, tranches, today) for t in tranches] == [
        "Milestone report overdue", "Release overdue"]
    # The next tranche's date not yet come: nothing overdue about the report.
    _set(second, due_on=today + datetime.timedelta(days=1))
    assert "Milestone report overdue" not in _award_page(client, world.lead, world.award)


def test_nothing_is_overdue_on_a_completed_award(client, world):
    first, _ = world.tranches
    _set(first, due_on=timezone.localdate() - datetime.timedelta(days=3))
    world.award.__class__.objects.filter(pk=world.award.pk).update(state="completed")
    assert "Overdue" not in _award_page(client, world.manager, world.award)


def test_the_fund_managers_home_page_lists_overdue_milestone_reports(client, world):
    first, second = world.tranches
    today = timezone.localdate()
    _set(first, state="released")
    _set(second, due_on=today - datetime.timedelta(days=2))
    client.force_login(world.manager)
    html = client.get("/").content.decode()
    start = html.index('id="milestones-overdue-heading"')
    section = html[start:html.index("</section>", start)]
    assert f"Tranche 1 of “{world.funded.title}”" in section and "Overdue" in section
    # Reported: nothing overdue any more.
    _set(first, state="reported")
    assert 'id="milestones-overdue-heading"' not in client.get("/").content.decode()
    # An applicant's home page has no such section.
    _set(first, state="released")
    client.force_login(world.lead)
    assert 'id="milestones-overdue-heading"' not in client.get("/").content.decode()


def test_the_award_list_marks_awards_with_something_overdue(client, world):
    first, second = world.tranches
    today = timezone.localdate()
    client.force_login(world.manager)

    def row():
        html = client.get("/awards/").content.decode()
        start = html.index(f'href="/awards/{world.award.pk}/"')
        return html[start:html.index("</tr>", start)]

    assert "Overdue" not in row()
    _set(first, due_on=today - datetime.timedelta(days=1))
    assert "Overdue" in row() and "a release" in row()
    _set(first, state="released")
    _set(second, due_on=today - datetime.timedelta(days=1))
    assert "a milestone report" in row() and "a release" in row()
