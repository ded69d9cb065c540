"""The panel form's members (issue 15): checkboxes grouped by agency with names, each
person's agency shown, conflicts and ineligibility said in plain words from the services'
rules, a filter box from a static script (the page works without it), constant queries."""

import html
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.factories import AgencyFactory, UserFactory
from proposals.factories import ProposalFactory
from reviews.models import Panel


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _new(scene) -> str:
    return f"/reviews/rounds/{scene.round.pk}/panels/new/"


def _group(page, code) -> str:
    start = page.index(f'data-agency="{code}"')
    return page[start:page.index("</fieldset>", start)]


def test_members_are_checkboxes_grouped_by_agency(scene):
    page = _text(_client(scene.fund_manager).get(_new(scene)))
    assert "<select" not in page[page.index('id="members"'):page.index("</form>")]
    for member in scene.members:
        group = _group(page, member.agency.code)
        assert f'type="checkbox" name="members" value="{member.pk}"' in group
        assert f'<label for="id_members_{member.pk}">{member} ' in group
        assert f"({member.agency.code})" in group
    assert str(member.agency) in page  # the agency's name heads its group


def test_conflicts_and_ineligibility_in_plain_words(scene):
    in_lead_agency = UserFactory(agency=scene.moh, first_name="Dorji", last_name="Wangmo")
    no_agency = UserFactory(agency=None, first_name="Karma", last_name="Lhamo")
    page = _text(_client(scene.fund_manager).get(_new(scene)))
    # The lead's agency conflicts with the round's one submitted proposal.
    note = page[page.index(f'id="member-note-{in_lead_agency.pk}"'):]
    assert note.split("</span>")[0].endswith(
        "Conflict of interest with 1 of the round's 1 submitted proposal: cannot review it.")
    # The lead has a proposal submitted in the round: may review nothing of theirs, not chair.
    lead_note = page[page.index(f'id="member-note-{scene.lead.pk}"'):].split("</span>")[0]
    assert "has a proposal submitted in this round, so cannot chair" in lead_note
    # No agency: may sit on the panel, may not chair.
    none_note = page[page.index(f'id="member-note-{no_agency.pk}"'):].split("</span>")[0]
    assert "belongs to no agency" in none_note and "(no agency)" in page
    # An HR officer is not offered: the box is disabled and says why.
    hr = re.search(rf'<input[^>]*value="{scene.hr_officer.pk}"[^>]*>', page).group(0)
    assert "disabled" in hr
    hr_note = page[page.index(f'id="member-note-{scene.hr_officer.pk}"'):].split("</span>")[0]
    assert "Cannot sit on the panel" in hr_note and "HR officers" in hr_note
    # Someone free of both is told so.
    free = page[page.index(f'id="member-note-{scene.stranger.pk}"'):].split("</span>")[0]
    assert "No conflict with the round's submitted proposals." in free


def test_a_draft_is_never_counted(scene):
    ProposalFactory(round=scene.round, lead=UserFactory(agency=scene.moe))  # a draft
    page = _text(_client(scene.fund_manager).get(_new(scene)))
    assert "of the round's 2 submitted" not in page


def test_filter_box_is_a_static_script_and_hidden_without_it(scene):
    page = _text(_client(scene.fund_manager).get(_new(scene)))
    assert 'src="/static/js/panel-members.js"' in page
    assert re.search(r'<p class="member-filter" hidden>', page)
    assert '<label for="member-filter">' in page


def test_ticked_members_are_kept_and_saved(scene):
    client = _client(scene.fund_manager)
    chosen = [m.pk for m in scene.members]
    response = client.post(_new(scene), {"name": "Mixed", "chair": scene.chair.pk,
                                         "members": [*chosen, scene.hr_officer.pk]})
    page = _text(response)
    assert response.status_code == 200 and "HR officer" in page
    for pk in chosen:  # what was ticked stays ticked on the refused form
        assert re.search(rf'value="{pk}" id="id_members_{pk}" checked', page)
    response = client.post(_new(scene), {"name": "Mixed", "chair": scene.chair.pk,
                                         "members": chosen})
    assert response.status_code == 302
    assert set(Panel.objects.get(name="Mixed").members.values_list("pk", flat=True)) == \
        set(chosen)


def test_edit_form_ticks_the_current_members(scene):
    page = _text(_client(scene.fund_manager).get(f"/reviews/panels/{scene.panel.pk}/edit/"))
    for member in scene.panel.members.all():
        assert re.search(rf'value="{member.pk}" id="id_members_{member.pk}" checked', page)
    assert not re.search(rf'value="{scene.stranger.pk}" id="id_members_{scene.stranger.pk}" '
                         r'checked', page)


def test_the_form_is_a_constant_number_of_queries(scene):
    client = _client(scene.fund_manager)
    client.get(_new(scene))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(_new(scene))
    for i in range(12):
        agency = AgencyFactory(code=f"AG{i}")
        UserFactory(agency=agency, hr_officer=(i % 4 == 0))
        ProposalFactory(round=scene.round, in_review=True, lead=UserFactory(agency=agency))
    with CaptureQueriesContext(connection) as many:
        client.get(_new(scene))
    assert len(many) == len(few)
