"""A file named in Dzongkha keeps its name (issue 18): listed on the proposal and offered for
download under the name it was uploaded with (RFC 6266 `filename*`, UTF-8), whatever the
storage made of it."""

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.factories import ProposalFactory
from proposals.models import Attachment

from .dzongkha import TITLE

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% a small plan\n"
NAME = f"{TITLE} ལས་འཆར.pdf"  # vowel signs, a subjoined letter, tsheg, shad and a space


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_dzongkha_file_name_is_kept_and_offered_for_download(client):
    proposal = ProposalFactory()
    client.force_login(proposal.lead)
    response = client.post(reverse("proposals:attachment_add", args=[proposal.pk]),
                           {"file": SimpleUploadedFile(NAME, PDF, "application/pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == NAME
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert NAME in page
    download = client.get(reverse("proposals:attachment", args=[proposal.pk, attachment.pk]))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == NAME
    assert b"".join(download.streaming_content) == PDF
