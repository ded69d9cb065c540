"""The proposal form as the applicant goes through it (issue 15): five sections with a progress
list, an error summary that lists and links every error (formset rows too), the draft saved
automatically, and what was typed kept when the session ends before it was saved."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from fund.factories import RoundFactory
from people.factories import UserFactory
from proposals.factories import BudgetLineFactory, ProposalFactory, TeamMemberFactory
from proposals.models import Proposal
from tests.proposals.test_pages import form_data

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-42"


def _summary(page: str) -> str:
    found = re.search(r'<div class="error-summary"[^>]*id="error-summary".*?</div>', page, re.S)
    assert found, "no error summary"
    return found.group(0)


def _ids(page: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', page))


# --- sections and the progress list ----------------------------------------------------------


def test_the_form_is_in_five_sections_with_a_progress_list(client):
    RoundFactory()
    client.force_login(UserFactory())
    page = client.get(reverse("proposals:create")).content.decode()
    nav = re.search(r'<nav class="form-progress".*?</nav>', page, re.S).group(0)
    for number, (key, heading) in enumerate([
        ("about", "About the idea"), ("plan", "Plan"), ("people", "Team and partners"),
        ("budget", "Budget"), ("attachments", "Attachments"),
    ], start=1):
        assert f'href="#section-{key}"' in nav and heading in nav
        assert f'id="section-{key}"' in page
        assert f"Section {number} of 5:</span> {heading}" in page
    assert "to fill in" in nav and "done" not in nav.replace("progress-done", "")


def test_the_progress_list_marks_done_sections_and_those_that_need_attention(client):
    proposal = ProposalFactory(ready=True)
    BudgetLineFactory(proposal=proposal, amount=proposal.requested_amount)
    client.force_login(proposal.lead)
    page = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    about = re.search(r'<li class="(\S+)">\s*<a href="#section-about">', page).group(1)
    assert about == "progress-done"

    data = form_data(proposal.round, title="", duration_months="0")
    data.pop("round", None)
    page = client.post(reverse("proposals:edit", args=[proposal.pk]), data).content.decode()
    about = re.search(r'<li class="(\S+)">\s*<a href="#section-about">\s*About the idea</a>\s*'
                      r'<span class="progress-state">([^<]+)</span>', page)
    assert about.group(1) == "progress-error" and "needs attention (1 message)" in about.group(2)
    plan = re.search(r'<li class="(\S+)">\s*<a href="#section-plan">', page).group(1)
    assert plan == "progress-error"


# --- the error summary ---------------------------------------------------------------------------


def test_the_error_summary_lists_and_links_every_error_to_its_field(client):
    round_ = RoundFactory()
    data = form_data(round_, title="", duration_months="0", **{
        "budget-1-amount": "-5", "team-0-user": "nobody-like-this", "team-0-role": "Designer",
    })
    client.force_login(UserFactory())
    response = client.post(reverse("proposals:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    summary = _summary(page)
    assert 'tabindex="-1"' in summary
    assert "Your draft is not saved yet" in summary
    expected = {
        "id_title": "Fill in “Title”.",
        "id_duration_months": "The duration must be at least 1 month.",
        "id_budget-1-amount": "The amount of a budget line must be more than zero.",
        "id_team-0-user": "Nobody active is known as “nobody-like-this”.",
    }
    ids = _ids(page)
    for anchor, text in expected.items():
        link = re.search(rf'<a href="#{re.escape(anchor)}">([^<]+)</a>: ([^<]+)', summary)
        assert link, anchor
        assert text in link.group(2)
        assert anchor in ids  # the link leads somewhere
    assert "Budget line 2, Amount (BTN)" in summary and "Team member 1, Colleague" in summary
    assert "js/error-summary.js" in page


def test_a_refused_partner_choice_links_to_the_first_checkbox(client):
    round_ = RoundFactory()
    client.force_login(UserFactory())
    page = client.post(reverse("proposals:create"),
                       form_data(round_, partner_agencies=["999999"])).content.decode()
    summary = _summary(page)
    assert 'href="#id_partner_agencies_0"' in summary
    assert "the options offered for “Partner agencies”" in summary


# --- autosave ------------------------------------------------------------------------------------


def _autosave(client, proposal, **changes):
    data = form_data(proposal.round, **changes)
    data.pop("round", None)
    return client.post(reverse("proposals:autosave", args=[proposal.pk]), data)


def test_autosave_saves_the_draft_and_says_when(client):
    proposal = ProposalFactory(ready=True)
    client.force_login(proposal.lead)
    response = _autosave(client, proposal, hypothesis="Typed a minute ago.")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["saved"] is True and re.fullmatch(r"Draft saved at \d\d:\d\d\.", body["message"])
    proposal.refresh_from_db()
    assert proposal.hypothesis == "Typed a minute ago."


def test_autosave_leaves_the_team_alone(client):
    proposal = ProposalFactory(ready=True)
    colleague = UserFactory()
    client.force_login(proposal.lead)
    assert _autosave(client, proposal, **{"team-0-user": colleague.username}).status_code == 200
    assert not proposal.team.exists()  # no invitation goes out while typing


def test_autosave_saves_nothing_when_an_answer_needs_attention(client):
    proposal = ProposalFactory(ready=True)
    client.force_login(proposal.lead)
    response = _autosave(client, proposal, hypothesis="New text", duration_months="0")
    assert response.status_code == 400
    assert "1 answer needs attention." in json.loads(response.content)["message"]
    proposal.refresh_from_db()
    assert proposal.hypothesis != "New text"


def test_autosave_once_submitted_says_so(client):
    proposal = ProposalFactory(submitted=True)
    client.force_login(proposal.lead)
    response = _autosave(client, proposal)
    assert response.status_code == 409
    assert "can no longer be edited" in json.loads(response.content)["message"]


def test_the_edit_page_offers_autosave_with_a_live_status_and_the_create_page_does_not(client):
    proposal = ProposalFactory(ready=True)
    client.force_login(proposal.lead)
    page = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert f'data-autosave-url="{reverse("proposals:autosave", args=[proposal.pk])}"' in page
    assert re.search(r'data-autosave-status role="status" aria-live="polite"', page)
    assert "js/autosave.js" in page
    RoundFactory()
    page = client.get(reverse("proposals:create")).content.decode()
    assert "data-autosave-url" not in page and "js/autosave.js" not in page


# --- work never lost across a new sign-in --------------------------------------------------------


def _sign_in(client, user, next_url=""):
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD,
                                              "next": next_url})
    assert response.status_code == 302
    return response


def _session_ends(client, user, page):
    """`user` opens `page` signed in, then the session ends (the browser keeps its cookies)."""
    client.force_login(user)
    assert client.get(page).status_code == 200
    del client.cookies[settings.SESSION_COOKIE_NAME]


def test_an_edit_sent_after_the_session_ended_comes_back_after_signing_in(client):
    proposal = ProposalFactory(ready=True)
    edit = reverse("proposals:edit", args=[proposal.pk])
    data = form_data(proposal.round, hypothesis="Three paragraphs typed over an hour.")
    data.pop("round", None)
    _session_ends(client, proposal.lead, edit)

    response = client.post(edit, data)  # no session: it has ended
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]
    login_page = client.get(response["Location"]).content.decode()
    assert "what you typed is kept" in login_page

    assert 'name="next" value="' + edit + '"' in login_page
    signed_in = _sign_in(client, proposal.lead, next_url=edit)
    assert signed_in["Location"] == edit  # back to the form
    page = client.get(edit).content.decode()
    assert "We kept what you typed" in page
    assert "Three paragraphs typed over an hour." in page
    proposal.refresh_from_db()
    assert proposal.hypothesis != "Three paragraphs typed over an hour."  # not saved unasked
    # Shown once: a later visit shows the saved draft.
    assert "Three paragraphs typed" not in client.get(edit).content.decode()


def test_a_new_proposal_sent_after_the_session_ended_comes_back_too(client):
    round_ = RoundFactory()
    user = UserFactory()
    _session_ends(client, user, reverse("proposals:create"))
    response = client.post(reverse("proposals:create"), form_data(round_, title="Kept title"))
    assert response.status_code == 302
    _sign_in(client, user)
    page = client.get(reverse("proposals:create")).content.decode()
    assert 'value="Kept title"' in page and "We kept what you typed" in page
    assert not Proposal.objects.exists()


def test_an_autosave_after_the_session_ended_keeps_the_text_for_the_form(client):
    proposal = ProposalFactory(ready=True)
    data = form_data(proposal.round, approach="Typed while signed out.")
    data.pop("round", None)
    _session_ends(client, proposal.lead, reverse("proposals:edit", args=[proposal.pk]))
    response = client.post(reverse("proposals:autosave", args=[proposal.pk]), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    _sign_in(client, proposal.lead)
    page = client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode()
    assert "Typed while signed out." in page


def test_what_was_kept_goes_only_to_its_own_form(client):
    proposal, other = ProposalFactory(ready=True), None
    other = ProposalFactory(ready=True, lead=proposal.lead)
    data = form_data(proposal.round, approach="Only for the first.")
    data.pop("round", None)
    _session_ends(client, proposal.lead, reverse("proposals:edit", args=[other.pk]))
    client.post(reverse("proposals:edit", args=[proposal.pk]), data)
    _sign_in(client, proposal.lead)
    assert "Only for the first." not in client.get(
        reverse("proposals:edit", args=[other.pk])).content.decode()
    assert "Only for the first." in client.get(
        reverse("proposals:edit", args=[proposal.pk])).content.decode()


# --- kept only for the person who typed it ------------------------------------------------------


def test_someone_elses_new_proposal_is_not_shown_to_the_next_person_to_sign_in(client):
    round_ = RoundFactory()
    pema, karma = UserFactory(), UserFactory()
    create = reverse("proposals:create")
    _session_ends(client, pema, create)
    client.post(create, form_data(round_, title="Pema's idea"))  # pema's session had ended
    _sign_in(client, karma, next_url=create)  # karma signs in on the same browser
    page = client.get(create).content.decode()
    assert "Pema&#x27;s idea" not in page and "Pema's idea" not in page
    assert "We kept what you typed" not in page
    client.logout()
    _sign_in(client, pema)
    assert "We kept what you typed" not in client.get(create).content.decode()  # dropped


def test_a_team_members_edit_is_not_shown_to_another_editor_of_the_same_draft(client):
    proposal = ProposalFactory(ready=True)
    colleague = TeamMemberFactory(proposal=proposal).user  # may edit the draft too
    edit = reverse("proposals:edit", args=[proposal.pk])
    data = form_data(proposal.round, hypothesis="The lead's unsaved words.")
    data.pop("round", None)
    _session_ends(client, proposal.lead, edit)
    client.post(edit, data)
    _sign_in(client, colleague)
    response = client.get(edit)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The lead&#x27;s unsaved words." not in page and "We kept what you typed" not in page


def test_a_form_sent_with_no_signed_in_person_named_is_not_kept(client):
    round_ = RoundFactory()
    user = UserFactory()
    create = reverse("proposals:create")
    client.post(create, form_data(round_, title="Nobody's"))  # no cookie naming anyone
    client.cookies["proposals_who"] = str(user.pk)  # forged: not signed by the server
    client.post(create, form_data(round_, title="Forged"))
    _sign_in(client, user)
    page = client.get(create).content.decode()
    assert "Nobody" not in page and "Forged" not in page and "We kept" not in page


def test_only_the_forms_own_answers_are_kept(client):
    round_ = RoundFactory()
    user = UserFactory()
    create = reverse("proposals:create")
    _session_ends(client, user, create)
    client.post(create, {**form_data(round_, title="Mine"), "junk": "x" * 1000,
                         "budget-999-amount": "1", "team-0-password": "no"})
    kept = client.session["proposals.kept_form"]["data"]
    assert kept["title"] == ["Mine"] and "budget-0-amount" in kept
    assert not {"junk", "budget-999-amount", "team-0-password"} & set(kept)


def test_nothing_is_kept_above_100_kb(client):
    round_ = RoundFactory()
    user = UserFactory()
    create = reverse("proposals:create")
    _session_ends(client, user, create)
    response = client.post(create, form_data(round_, summary="x" * (101 * 1024)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "proposals.kept_form" not in client.session
    login_page = client.get(response["Location"]).content.decode()
    assert "your changes are not saved" in login_page


# --- a save never replaces a newer version ------------------------------------------------------


def _version_on(page: str) -> str:
    found = re.search(r'name="version" value="([^"]+)" data-autosave-version', page)
    assert found, "the edit page carries the draft's version"
    return found.group(1)


def test_autosave_refuses_to_replace_a_draft_changed_elsewhere_and_saving_carries_on(client):
    proposal = ProposalFactory(ready=True)
    client.force_login(proposal.lead)
    seen = _version_on(client.get(reverse("proposals:edit", args=[proposal.pk])).content.decode())
    first = _autosave(client, proposal, hypothesis="First tab.", version=seen)
    assert first.status_code == 200
    newer = json.loads(first.content)["version"]
    assert newer != seen
    # A second save from the same page, with the version the first answered: saved.
    assert _autosave(client, proposal, hypothesis="First tab again.",
                     version=newer).status_code == 200
    # A stale tab (still showing the version it was opened with): refused, nothing saved.
    stale = _autosave(client, proposal, hypothesis="Stale tab.", version=seen)
    assert stale.status_code == 409
    body = json.loads(stale.content)
    assert body["saved"] is False and "changed elsewhere since you opened it" in body["message"]
    proposal.refresh_from_db()
    assert proposal.hypothesis == "First tab again."


def test_save_draft_refuses_to_replace_a_draft_another_editor_changed(client):
    proposal = ProposalFactory(ready=True)
    editor = TeamMemberFactory(proposal=proposal).user
    edit = reverse("proposals:edit", args=[proposal.pk])
    client.force_login(proposal.lead)
    seen = _version_on(client.get(edit).content.decode())
    other = client_class_for(client)
    other.force_login(editor)
    assert _autosave(other, proposal, hypothesis="The editor's words.").status_code == 200
    data = form_data(proposal.round, hypothesis="The lead's words.", version=seen)
    data.pop("round", None)
    response = client.post(edit, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "changed elsewhere since you opened it" in page
    assert "The lead&#x27;s words." in page  # still on the form, to copy
    proposal.refresh_from_db()
    assert proposal.hypothesis == "The editor's words."


def client_class_for(client):
    return client.__class__()
