"""The innovation-record dossier as a PDF (WeasyPrint), for HR officers and the person.

Fonts come from the system's DejaVu files, so the PDF renders the same offline.
"""

import logging
from dataclasses import replace
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from .selectors import InnovationRecord

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# fontTools logs every glyph it subsets at INFO; a dossier is not worth that noise.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _font_faces() -> str:
    faces = []
    for weight, style, name in (
        ("normal", "normal", "DejaVuSans.ttf"),
        ("bold", "normal", "DejaVuSans-Bold.ttf"),
        ("normal", "italic", "DejaVuSans-Oblique.ttf"),
    ):
        path = FONT_DIR / name
        if path.exists():
            faces.append(
                f"@font-face {{ font-family: 'Dossier'; font-weight: {weight}; "
                f"font-style: {style}; src: url('{path.as_uri()}'); }}"
            )
    return "\n".join(faces)


def dossier_filename(person) -> str:
    return f"innovation-record-{slugify(person.username) or person.pk}.pdf"


def _never_submitted(proposal) -> bool:
    return proposal.state == "draft" or (proposal.state == "withdrawn"
                                         and proposal.submitted_at is None)


def render_dossier(record: InnovationRecord) -> bytes:
    """The record's facts, as on the record page: no review scores, no ranking by results.
    A dossier leaves the person's hands, so a never-submitted draft is never in it, whoever
    asks for it (`innovation_record` without a viewer leaves them out already)."""
    from weasyprint import HTML

    from fund.documents import PDF_OPTIONS  # tagged, as every PDF of the product
    from fund.pdf_fetcher import PdfURLFetcher

    record = replace(record, proposals=[
        entry for entry in record.proposals if not _never_submitted(entry.proposal)
    ])

    html = render_to_string(
        "rewards/dossier.html",
        {"record": record, "person": record.person, "font_faces": _font_faces(),
         "generated_at": timezone.now()},
    )
    # Only the dossier's fonts and the static files are loaded (fund/pdf_fetcher.py).
    return HTML(string=html, base_url=str(FONT_DIR),
                url_fetcher=PdfURLFetcher(font_dirs=[FONT_DIR])).write_pdf(**PDF_OPTIONS)
