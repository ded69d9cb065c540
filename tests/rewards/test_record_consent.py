"""What the innovation record holds (DOMAIN.md, rewards/): proposals led and joined count
accepted memberships only, and never-submitted drafts are the person's own business: never
shown to HR officers or fund managers, never in the dossier."""

import io

import pytest
from pypdf import PdfReader

from people.factories import UserFactory
from proposals.factories import ProposalFactory, TeamMemberFactory
from proposals.services import team_member_leave
from rewards import selectors

pytestmark = pytest.mark.django_db

DRAFT = "Bus pass idea"
WITHDRAWN_DRAFT = "Quiet draft idea"
SUBMITTED = "Ferry experiment"
INVITED = "Never joined team"
DECLINED = "Declined team"
LEFT = "Left team"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def person(db):
    person = UserFactory(username="sonam.wangmo")
    ProposalFactory(lead=person, title=DRAFT)
    ProposalFactory(lead=person, withdrawn=True, title=WITHDRAWN_DRAFT)
    ProposalFactory(lead=person, submitted=True, title=SUBMITTED)
    TeamMemberFactory(user=person, invited=True, proposal=ProposalFactory(title=INVITED))
    TeamMemberFactory(user=person, proposal=ProposalFactory(submitted=True, title=DECLINED),
                      state="declined", accepted_at=None)
    left = TeamMemberFactory(user=person, proposal=ProposalFactory(in_review=True, title=LEFT))
    team_member_leave(actor=person, member=left)
    return person


def _titles(record) -> set[str]:
    return {entry.proposal.title for entry in record.proposals}


def test_the_person_sees_their_drafts_others_never(person):
    own = _titles(selectors.innovation_record(person=person, viewer=person))
    assert own == {DRAFT, WITHDRAWN_DRAFT, SUBMITTED, LEFT}
    for viewer in (UserFactory(hr_officer=True), UserFactory(fund_manager=True), None):
        assert _titles(selectors.innovation_record(person=person, viewer=viewer)) == {
            SUBMITTED, LEFT}


def test_invitations_not_accepted_are_not_on_the_record_accepted_work_stays(person):
    titles = _titles(selectors.innovation_record(person=person, viewer=person))
    assert INVITED not in titles and DECLINED not in titles
    assert LEFT in titles  # accepted past work stays after leaving


@pytest.mark.parametrize("role", ["hr_officer", "fund_manager"])
def test_record_page_and_api_hide_drafts_from_hr_and_fund_managers(person, client, role):
    client.force_login(UserFactory(**{role: True}))
    page = client.get(f"/people/{person.pk}/record/").content.decode()
    body = client.get(f"/api/v1/people/{person.pk}/innovation-record/").content.decode()
    for text in (page, body):
        assert SUBMITTED in text and LEFT in text
        for hidden in (DRAFT, WITHDRAWN_DRAFT, INVITED, DECLINED):
            assert hidden not in text


def test_the_person_reads_their_drafts_on_their_own_page(person, client):
    client.force_login(person)
    page = client.get(f"/people/{person.pk}/record/").content.decode()
    assert DRAFT in page and WITHDRAWN_DRAFT in page and "only you see it" in page
    assert INVITED not in page


@pytest.mark.parametrize("viewer", ["self", "hr_officer"])
def test_the_dossier_never_holds_a_draft(person, client, viewer):
    client.force_login(person if viewer == "self" else UserFactory(hr_officer=True))
    for url in (f"/people/{person.pk}/dossier.pdf", f"/api/v1/people/{person.pk}/dossier.pdf"):
        text = pdf_text(client.get(url).content)
        assert SUBMITTED in text and LEFT in text
        for hidden in (DRAFT, WITHDRAWN_DRAFT, INVITED, DECLINED):
            assert hidden not in text


def test_the_hr_list_counts_only_submitted_and_accepted(person):
    hr = UserFactory(hr_officer=True)
    row = selectors.people_with_record_summary(viewer=hr).get(pk=person.pk)
    assert (row.led_count, row.joined_count) == (1, 1)


def test_nomination_evidence_is_only_submitted_accepted_work(person):
    evidence = selectors.nomination_evidence_open_to(viewer=UserFactory(fund_manager=True),
                                                     nominee=person)
    assert {p.title for p in evidence["proposals"]} == {SUBMITTED, LEFT}
