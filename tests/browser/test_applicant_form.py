"""The applicant's form in a real browser (issue 15): a colleague found by name, the draft
saved automatically, the error summary focused and its links moving to the fields, and a
refused upload seen at the attachments. Scripts: static/js/people-search.js, autosave.js,
error-summary.js."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.usefixtures("_async_unsafe_allowed")]

PASSWORD = "a-long-enough-passphrase-42"


@pytest.mark.django_db(transaction=True)
def test_the_applicant_form_with_its_scripts(live_server, page, tmp_path):
    from people.factories import AgencyFactory, UserFactory
    from proposals.factories import ProposalFactory

    UserFactory(first_name="Karma", last_name="Dorji",
                agency=AgencyFactory(code="MOH", name="Ministry of Health"))
    lead = UserFactory(username="lead1", agency=AgencyFactory(code="NSB"))
    lead.set_password(PASSWORD)
    lead.save()
    proposal = ProposalFactory(ready=True, lead=lead)
    base = live_server.url
    page.goto(base + "/login/")
    page.get_by_label("Username").fill("lead1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(base + f"/proposals/{proposal.pk}/edit/")
    # A colleague by name: the choices show name and agency.
    page.locator("#id_team-0-user").press_sequentially("karm", delay=50)
    expect(page.locator('#id_team-0-user-choices option[value="Karma Dorji (MOH)"]')
           ).to_have_count(1)
    expect(page.locator("#id_team-0-user-found")).to_contain_text("One person found")

    # The draft saves itself once a changed field is left.
    page.locator("#id_hypothesis").fill("Autosaved text")
    page.locator("#id_hypothesis").press("Tab")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Draft saved at")
    proposal.refresh_from_db()
    assert proposal.hypothesis == "Autosaved text"

    # A refused form: the summary is focused and its links move to the fields.
    page.locator("#id_title").fill("")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator('#error-summary a[href="#id_title"]').click()
    expect(page.locator("#id_title")).to_be_focused()

    # A refused upload: the page opens at the attachments, the message focused.
    page.goto(base + f"/proposals/{proposal.pk}/")
    bad = tmp_path / "notes.exe"
    bad.write_bytes(b"MZ")
    page.locator("#id_file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    assert page.url.endswith("#attachments")
    expect(page.locator("#attachment-errors")).to_be_focused()
    expect(page.locator("#attachment-errors")).to_contain_text("is not an accepted type")
