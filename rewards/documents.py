"""The innovation-record dossier as a PDF (WeasyPrint), for HR officers and the person.

Made like every PDF of the product (fund/documents.py `html_to_pdf`): the fund's fonts from
PDF_FONT_DIR and PDF_TIBETAN_FONT_DIR (DejaVu, and DDC Uchen for Dzongkha names, titles and
learnings), a character no font draws printed as U+FFFD, tagged (PDF/UA-1), loading nothing
but those fonts and static files. It renders the same offline.
"""

from dataclasses import replace

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from .selectors import InnovationRecord


def dossier_filename(person) -> str:
    return f"innovation-record-{slugify(person.username) or person.pk}.pdf"


def _never_submitted(proposal) -> bool:
    return proposal.state == "draft" or (proposal.state == "withdrawn"
                                         and proposal.submitted_at is None)


def render_dossier(record: InnovationRecord) -> bytes:
    """The record's facts, as on the record page: no review scores, no ranking by results.
    A dossier leaves the person's hands, so a never-submitted draft is never in it, whoever
    asks for it (`innovation_record` without a viewer leaves them out already)."""
    from fund.documents import html_to_pdf  # fonts, fetcher and tags of every PDF

    record = replace(record, proposals=[
        entry for entry in record.proposals if not _never_submitted(entry.proposal)
    ])

    html = render_to_string(
        "rewards/dossier.html",
        {"record": record, "person": record.person, "generated_at": timezone.now()},
    )
    return html_to_pdf(html)
