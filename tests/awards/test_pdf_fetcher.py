"""Every PDF loads only the fund's own fonts and static files (fund/pdf_fetcher.py): a
`file://` URL elsewhere, `http://`, `https://` and `data:` are refused, logged by WeasyPrint
and skipped, and the document still renders with the fund's font."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from fund import documents, pdf_fonts
from fund.pdf_fetcher import PdfURLFetcher, RefusedResource
from people.factories import UserFactory
from rewards import documents as dossier_documents
from rewards.selectors import innovation_record


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def fetched(monkeypatch):
    """Each URL the fetcher was asked for, with "served" or the refusal."""
    outcomes = []
    original = PdfURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except RefusedResource as refusal:
            outcomes.append((url, refusal))
            raise
        outcomes.append((url, "served"))
        return response

    monkeypatch.setattr(PdfURLFetcher, "fetch", spy)
    return outcomes


@pytest.fixture
def outside_file(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "LEAKED-SECRET-CONTENT"; }')
    return secret


def hostile_html(outside: Path) -> str:
    return (
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        f'<link rel="stylesheet" href="{outside.as_uri()}">'
        '<p>Ngultrum “Nu. 1,000” — still rendered</p>'
        '<img src="file:///etc/passwd">'
        '<img src="https://example.org/x.png">'
        '<img src="../../../../../../etc/hostname">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
    )


REFUSED = ("http://127.0.0.1:9/x.css", "file:///etc/passwd", "https://example.org/x.png",
           "file:///etc/hostname", "data:image/png;base64,iVBORw0KGgo=")


def _assert_refused(fetched, outside):
    refused = {url for url, outcome in fetched if isinstance(outcome, RefusedResource)}
    for url in (*REFUSED, outside.as_uri()):
        assert url in refused, (url, fetched)
    assert not any(outcome == "served" and not url.endswith(".ttf") for url, outcome in fetched)


def test_fund_pdfs_refuse_files_and_hosts_but_load_the_fund_font(fetched, outside_file,
                                                                     caplog):
    documents._renderer.__dict__.clear()  # parse the @font-face rules again, through the fetcher
    text = _text(documents.html_to_pdf(hostile_html(outside_file)))

    assert "Ngultrum “Nu. 1,000” — still rendered" in text
    assert "LEAKED-SECRET-CONTENT" not in text
    assert "root:" not in text
    _assert_refused(fetched, outside_file)
    served = [url for url, outcome in fetched if outcome == "served"]
    # the fund's (prepared) faces: DejaVu's three, and DDC Uchen when it is installed
    assert len(served) == len(pdf_fonts.font_sources())
    assert "RefusedResource" in caplog.text  # WeasyPrint logged and skipped them


@pytest.mark.django_db
def test_the_dossier_refuses_them_too(fetched, outside_file, monkeypatch):
    render = dossier_documents.render_to_string

    def with_hostile_content(template, context):
        return render(template, context).replace("<body>", "<body>" + hostile_html(outside_file))

    monkeypatch.setattr(dossier_documents, "render_to_string", with_hostile_content)
    documents._renderer.__dict__.clear()  # the dossier loads the fund's fonts too (html_to_pdf)
    person = UserFactory()
    text = _text(dossier_documents.render_dossier(innovation_record(person=person)))

    assert "still rendered" in text
    assert "LEAKED-SECRET-CONTENT" not in text
    _assert_refused(fetched, outside_file)
    assert any(outcome == "served" for url, outcome in fetched)  # the fund's fonts


def test_static_files_and_fonts_are_allowed_and_nothing_else(settings, outside_file):
    fetcher = PdfURLFetcher()
    font = pdf_fonts.font_files()[0]
    assert fetcher.allowed_path(font.as_uri()) == font.resolve()
    static = Path(settings.BASE_DIR) / "static"
    asset = next(p for p in static.rglob("*") if p.is_file())
    assert fetcher.allowed_path(asset.as_uri()) == asset.resolve()
    relative = asset.relative_to(static).as_posix()
    assert fetcher.allowed_path(f"file:///static/{relative}") == asset.resolve()
    for url in (outside_file.as_uri(), "file:///static/../etc/passwd",
                (font.parent / ".." / ".." / ".." / ".." / "etc" / "passwd").as_uri(),
                "file://evil.example/etc/passwd", "ftp://example.org/x"):
        with pytest.raises(RefusedResource):
            fetcher.allowed_path(url)
