"""The fund's PDF documents, rendered with WeasyPrint from templates/documents/.

Each document is built from a fixed number of queries whatever the size of the round, then
rendered with the DejaVu fonts (they cover Latin text, the ngultrum sign and typographic
punctuation) and, for Dzongkha, the Tibetan-script DDC Uchen (fund/pdf_fonts.py). A missing
DejaVu font is a clear error, never a page of blank boxes; a character no font of the fund
draws (an emoji) is printed as U+FFFD, never as a blank (`pdf_fonts.replace_missing_glyphs`).
The faces are prepared once for fast subsetting (`pdf_fonts.prepare_font`) and registered once
per thread, so what a document costs is WeasyPrint's layout of its own content
(bench/award_documents.py).

Who may read a document is decided by the caller with the object's own permission function
(`can_view_proposal`, `can_view_award`, `can_view_portfolio`).
"""

import atexit
import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from proposals.models import Proposal

from .models import Award
from .pdf_fonts import font_css, font_files, font_sources, replace_missing_glyphs

# Parsing the @font-face rules registers the faces with fontconfig (a copy of each file and
# a rescan): done once per thread and font folder, not per document. WeasyPrint's objects are
# not shared between threads.
_renderer = threading.local()


@atexit.register
def _release_fonts() -> None:
    """Let the main thread's FontConfiguration remove its temporary folder while the modules
    its __del__ needs still exist."""
    _renderer.__dict__.clear()


def _fonts():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .pdf_fetcher import PdfURLFetcher  # WeasyPrint is loaded when a PDF is made

    key = tuple((str(path), path.stat().st_mtime_ns) for path in font_sources())
    if getattr(_renderer, "key", None) != key:
        fonts = FontConfiguration()
        _renderer.fonts = fonts
        _renderer.stylesheet = CSS(string=font_css(), font_config=fonts,
                                   url_fetcher=PdfURLFetcher())
        _renderer.key = key
    return _renderer.fonts, _renderer.stylesheet


# Every PDF the product makes is tagged for screen readers: PDF/UA-1 (a structure tree, the
# document's language from <html lang>, its title from <title> shown as the window's title).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint itself: HTML in, PDF bytes out, with the fund's fonts, tagged (PDF/UA-1).
    Only the fund's fonts and static files are loaded (fund/pdf_fetcher.py); a character no
    font of the fund draws is printed as U+FFFD (`pdf_fonts.replace_missing_glyphs`). The
    HTML's stylesheet sets its text in `pdf_fonts.FONT_FAMILY`."""
    from weasyprint import HTML

    from .pdf_fetcher import PdfURLFetcher

    fonts, stylesheet = _fonts()
    html = replace_missing_glyphs(html)
    return HTML(string=html, base_url=str(settings.BASE_DIR),
                url_fetcher=PdfURLFetcher()).write_pdf(stylesheets=[stylesheet], font_config=fonts,
                                                       **PDF_OPTIONS)


def render_pdf(template: str, context: dict) -> bytes:
    font_files()  # fail early and clearly when the font is missing
    context = {"generated_at": timezone.now(), **context}
    return html_to_pdf(render_to_string(template, context))


# --- proposal summary ------------------------------------------------------------------------
def proposal_summary_context(proposal: Proposal) -> dict:
    proposal = (
        Proposal.objects.select_related("round", "round__fund", "lead", "lead__agency")
        .prefetch_related("team__user__agency", "partner_agencies", "budget_lines")
        .get(pk=proposal.pk)
    )
    award = Award.objects.filter(proposal=proposal).prefetch_related("tranches").first()
    from proposals.models import OutcomeReport

    outcome = OutcomeReport.objects.filter(proposal=proposal).first()
    return {
        "proposal": proposal, "award": award, "outcome": outcome,
        "currency": proposal.round.fund.currency,
    }


def proposal_summary_pdf(proposal: Proposal) -> bytes:
    return render_pdf("documents/proposal_summary.html", proposal_summary_context(proposal))


# --- award letter ------------------------------------------------------------------------------
def award_letter_context(award: Award) -> dict:
    award = (
        Award.objects.select_related(
            "proposal", "proposal__lead", "proposal__lead__agency", "proposal__round",
            "proposal__round__fund", "approved_by", "approved_by__agency",
        )
        .prefetch_related("tranches", "proposal__partner_agencies", "proposal__team__user")
        .get(pk=award.pk)
    )
    return {
        "award": award, "proposal": award.proposal, "round": award.proposal.round,
        "fund": award.proposal.round.fund, "currency": award.proposal.round.fund.currency,
        "tranches": list(award.tranches.all()),
    }


def award_letter_pdf(award: Award) -> bytes:
    return render_pdf("documents/award_letter.html", award_letter_context(award))
