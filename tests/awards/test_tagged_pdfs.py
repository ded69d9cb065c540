"""Every PDF the product makes is tagged for screen readers (PDF/UA-1: a structure tree, the
document's language, its title shown as the window's title) and is sent as a download, so a
link that says "Download" does what it says (issue 15)."""

import io

import pytest
from pypdf import PdfReader


def _catalog_and_info(content: bytes):
    reader = PdfReader(io.BytesIO(content))
    return reader.trailer["/Root"], reader.metadata or {}


def _documents(world):
    """(url, who may read it, the title the PDF must carry, the file name) of each PDF."""
    return [
        (f"/api/v1/awards/{world.award.pk}/letter.pdf", world.lead,
         f"Award letter: {world.funded.title}", f"award-{world.award.pk}-letter.pdf"),
        (f"/api/v1/proposals/{world.funded.pk}/summary.pdf", world.lead,
         f"Proposal summary: {world.funded.title}", ".pdf"),
        (f"/api/v1/rounds/{world.round.pk}/portfolio.pdf", world.manager,
         f"Round portfolio: {world.round.title}", ".pdf"),
        (f"/people/{world.lead.pk}/dossier.pdf", world.hr,
         "Innovation record of", "innovation-record-lead.pdf"),
        (f"/api/v1/people/{world.lead.pk}/dossier.pdf", world.hr,
         "Innovation record of", "innovation-record-lead.pdf"),
    ]


@pytest.mark.parametrize("index", range(5))
def test_every_pdf_is_tagged_with_language_and_title_and_downloads(client, world, index):
    url, reader, title, filename = _documents(world)[index]
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert filename in disposition
    catalog, info = _catalog_and_info(response.content)
    assert "/StructTreeRoot" in catalog, f"{url}: no structure tree (untagged)"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert info.get("/Title", "").startswith(title), info
    assert info.get("/Author") == "Innovation Fund"


def test_pdf_links_say_download(client, world):
    """The pages' PDF links say what they do: the file is downloaded, not opened in place."""
    client.force_login(world.lead)
    award_page = client.get(f"/awards/{world.award.pk}/").content.decode()
    proposal_page = client.get(f"/proposals/{world.funded.pk}/").content.decode()
    assert "Download the award letter (PDF)" in award_page
    assert "Download the proposal summary (PDF)" in award_page
    assert "Download the proposal summary (PDF)" in proposal_page
    for page in (award_page, proposal_page):
        assert ">Award letter (PDF)<" not in page and ">Proposal summary (PDF)<" not in page
