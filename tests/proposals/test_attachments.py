"""Attachments through the pages: type and size checks, and who may download or change them."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.factories import UserFactory
from proposals.factories import AttachmentFactory, ProposalFactory, TeamMemberFactory
from proposals.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a small plan\n"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def upload(client, proposal, name, data, content_type="application/octet-stream"):
    return client.post(
        reverse("proposals:attachment_add", args=[proposal.pk]),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def download_url(attachment):
    return reverse("proposals:attachment", args=[attachment.proposal_id, attachment.pk])


def test_lead_attaches_a_pdf_and_it_is_listed(client):
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    response = upload(client, proposal, "plan.pdf", PDF, "application/pdf")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "plan.pdf" and attachment.uploaded_by == proposal.lead
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert download_url(attachment) in page
    assert settings.MEDIA_URL not in page


def test_team_member_attaches_a_csv(client):
    proposal = ProposalFactory()
    member = TeamMemberFactory(proposal=proposal)
    client.force_login(member.user)
    response = upload(client, proposal, "survey.csv", b"district,visits\nThimphu,12\n", "text/csv")
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "text/csv"


def test_too_large_is_refused_with_a_message(client, settings):
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    big = PDF + b"0" * (settings.ATTACHMENT_MAX_BYTES + 1 - len(PDF))
    response = upload(client, proposal, "huge.pdf", big, "application/pdf")
    assert response.status_code == 400
    assert "the limit is 10 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_type_outside_the_list_is_refused(client):
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    response = upload(client, proposal, "tool.exe", b"MZ\x90\x00", "application/x-msdownload")
    assert response.status_code == 400
    assert "is not an accepted type" in response.content.decode()
    assert not Attachment.objects.exists()


def test_fake_magic_bytes_are_refused(client):
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    response = upload(client, proposal, "invoice.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert response.status_code == 400
    assert "does not look like a PDF file" in response.content.decode()
    assert not Attachment.objects.exists()


def test_uploading_without_a_file_says_so(client):
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    response = client.post(reverse("proposals:attachment_add", args=[proposal.pk]), {})
    assert response.status_code == 400
    assert "Choose a file to attach." in response.content.decode()
    assert "This field is required." not in response.content.decode()


def test_no_upload_once_submitted_or_by_others(client):
    submitted = ProposalFactory(submitted=True)
    client.force_login(submitted.lead)
    response = upload(client, submitted, "late.pdf", PDF, "application/pdf")
    assert response.status_code == 400
    assert "can no longer be edited" in response.content.decode()

    client.force_login(UserFactory(hr_officer=True))
    assert upload(client, submitted, "hr.pdf", PDF).status_code == 403
    client.force_login(UserFactory(fund_manager=True))
    assert upload(client, submitted, "fm.pdf", PDF).status_code == 403
    client.force_login(UserFactory())
    assert upload(client, ProposalFactory(), "x.pdf", PDF).status_code == 404
    assert not Attachment.objects.exists()


def test_download_streams_as_an_attachment_with_safe_headers(client):
    attachment = AttachmentFactory(proposal=ProposalFactory(submitted=True))
    client.force_login(attachment.proposal.lead)
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="plan.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_unexpected_stored_type_downloads_as_octet_stream(client):
    attachment = AttachmentFactory(content_type="text/html", original_name="x.html")
    client.force_login(attachment.proposal.lead)
    response = client.get(download_url(attachment))
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("who, state, expected", [
    ("lead", "draft", 200),
    ("team", "draft", 200),
    ("team", "submitted", 200),
    ("fund_manager", "submitted", 200),
    ("fund_manager", "draft", 404),
    ("civil_servant", "draft", 404),
    ("civil_servant", "submitted", 404),
    ("hr_officer", "draft", 404),
])
def test_who_may_download(client, who, state, expected):
    proposal = ProposalFactory(**({"submitted": True} if state == "submitted" else {}))
    member = TeamMemberFactory(proposal=proposal)
    attachment = AttachmentFactory(proposal=proposal)
    user = {
        "lead": proposal.lead,
        "team": member.user,
        "fund_manager": UserFactory(fund_manager=True),
        "civil_servant": UserFactory(),
        "hr_officer": UserFactory(hr_officer=True),
    }[who]
    client.force_login(user)
    assert client.get(download_url(attachment)).status_code == expected


def test_anonymous_download_goes_to_login(client):
    attachment = AttachmentFactory()
    response = client.get(download_url(attachment))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_an_attachment_of_another_proposal_is_404(client):
    mine = ProposalFactory()
    other = AttachmentFactory()
    client.force_login(mine.lead)
    url = reverse("proposals:attachment", args=[mine.pk, other.pk])
    assert client.get(url).status_code == 404


def test_a_missing_file_is_404_not_500(client):
    attachment = AttachmentFactory()
    attachment.file.delete(save=False)
    client.force_login(attachment.proposal.lead)
    assert client.get(download_url(attachment)).status_code == 404


def test_files_are_not_served_from_media_url(client):
    attachment = AttachmentFactory()
    client.force_login(attachment.proposal.lead)
    assert client.get(settings.MEDIA_URL + attachment.file.name).status_code == 404


def test_lead_removes_an_attachment_others_cannot(client):
    attachment = AttachmentFactory()
    url = reverse("proposals:attachment_delete", args=[attachment.proposal_id, attachment.pk])

    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    assert Attachment.objects.exists()

    client.force_login(attachment.proposal.lead)
    assert client.post(url).status_code == 302
    assert not Attachment.objects.exists()


def test_no_removal_once_submitted(client):
    attachment = AttachmentFactory(proposal=ProposalFactory(submitted=True))
    url = reverse("proposals:attachment_delete", args=[attachment.proposal_id, attachment.pk])
    client.force_login(UserFactory(hr_officer=True))
    assert client.post(url).status_code == 403
    client.force_login(attachment.proposal.lead)
    response = client.post(url)
    assert response.status_code == 400
    assert "can no longer be edited" in response.content.decode()
    assert Attachment.objects.exists()
