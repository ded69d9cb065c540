"""The fund's PDF documents, rendered with WeasyPrint from templates/documents/.

Each document is built from a fixed number of queries whatever the size of the round, then
rendered with the DejaVu fonts (they cover Latin text, the ngultrum sign and typographic
punctuation). A missing font is a clear error, never a page of blank boxes.

Who may read a document is decided by the caller with the object's own permission function
(`can_view_proposal`, `can_view_award`, `can_view_portfolio`).
"""

import logging
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Avg, Count, Max, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone

from proposals.models import Proposal

from .models import ZERO, Award, Round

# WeasyPrint's progress and fontTools' subsetting log dozens of INFO lines per document;
# under the project's INFO root logger that is noise in the server log and costs time.
for _name in ("fontTools", "weasyprint.progress"):
    logging.getLogger(_name).setLevel(logging.WARNING)

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FACES = (  # (weight, style, file)
    ("normal", "normal", "DejaVuSans.ttf"),
    ("bold", "normal", "DejaVuSans-Bold.ttf"),
    ("normal", "italic", "DejaVuSans-Oblique.ttf"),
)


class MissingFont(ImproperlyConfigured):
    """The PDF font is not installed where the settings say."""


def font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", "") or DEFAULT_FONT_DIR)


def font_css() -> str:
    """@font-face rules for the bundled family; raises MissingFont naming the missing file."""
    directory = font_dir()
    rules = []
    for weight, style, filename in FONT_FACES:
        path = directory / filename
        if not path.is_file():
            raise MissingFont(
                f"The PDF font {path} is missing. Install the DejaVu fonts "
                "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or set PDF_FONT_DIR to "
                "a folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSans-Oblique.ttf."
            )
        rules.append(
            f'@font-face {{ font-family: "Fund Sans"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{path.as_uri()}"); }}'
        )
    return "\n".join(rules)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint itself: HTML in, PDF bytes out, with the fund's font."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheet = CSS(string=font_css(), font_config=fonts)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[stylesheet], font_config=fonts
    )


def render_pdf(template: str, context: dict) -> bytes:
    font_css()  # fail early and clearly when the font is missing
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


# --- round portfolio ---------------------------------------------------------------------------
RANKED_STATES = (
    Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED, Proposal.State.RECOMMENDED,
    Proposal.State.REJECTED, Proposal.State.FUNDED, Proposal.State.DECLINED,
    Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
)


def _portfolio_rows(round_: Round) -> list[Proposal]:
    """Every proposal of the round past drafting, with its review figures: one query."""
    submitted = Q(assignments__state="submitted")
    return list(
        Proposal.objects.filter(round=round_)
        .exclude(state=Proposal.State.DRAFT)
        .select_related("lead", "lead__agency", "award")
        .annotate(
            mean_score=Avg("assignments__review__weighted_score", filter=submitted),
            review_count=Count("assignments", filter=submitted),
            high_score=Max("assignments__review__weighted_score", filter=submitted),
            low_score=Min("assignments__review__weighted_score", filter=submitted),
        )
        .order_by("id")
    )


def _committed_amount(proposal: Proposal) -> Decimal:
    try:
        award = proposal.award
    except Award.DoesNotExist:
        award = None
    if award is None or award.state == Award.State.CANCELLED:
        return ZERO
    return award.amount


def round_portfolio_context(round_: Round) -> dict:
    round_ = Round.objects.select_related("fund").get(pk=round_.pk)
    rows = _portfolio_rows(round_)
    for row in rows:
        row.awarded = _committed_amount(row)
        # Disagreement between reviewers: the spread of their weighted scores.
        row.spread = (
            row.high_score - row.low_score if row.high_score is not None else None
        )
        row.agency_code = row.lead.agency.code if row.lead.agency_id else "—"
        row.agency_name = row.lead.agency.name if row.lead.agency_id else "No agency"

    ranked = sorted(
        (r for r in rows if r.state in RANKED_STATES),
        key=lambda r: (r.mean_score is None, -(r.mean_score or 0), r.requested_amount or 0, r.pk),
    )
    cumulative = ZERO
    funding_line_after = None  # the last rank that fits within the round's budget
    for position, row in enumerate(ranked, start=1):
        row.rank = position
        cumulative += row.requested_amount or ZERO
        row.cumulative = cumulative
        row.within_budget = cumulative <= round_.budget
        if row.within_budget:
            funding_line_after = position

    by_agency: OrderedDict[str, dict] = OrderedDict()
    by_state: OrderedDict[str, dict] = OrderedDict(
        (value, {"label": label, "count": 0, "requested": ZERO, "awarded": ZERO})
        for value, label in Proposal.State.choices if value != Proposal.State.DRAFT
    )
    for row in sorted(rows, key=lambda r: r.agency_code):
        agency = by_agency.setdefault(
            row.agency_code,
            {"code": row.agency_code, "name": row.agency_name, "count": 0,
             "requested": ZERO, "awarded": ZERO},
        )
        for bucket in (agency, by_state[row.state]):
            bucket["count"] += 1
            bucket["requested"] += row.requested_amount or ZERO
            bucket["awarded"] += row.awarded
    totals = {
        "count": len(rows),
        "requested": sum((r.requested_amount or ZERO for r in rows), ZERO),
        "awarded": sum((r.awarded for r in rows), ZERO),
    }
    decisions = [r for r in rows if r.state in (
        Proposal.State.RECOMMENDED, Proposal.State.REJECTED, Proposal.State.FUNDED,
        Proposal.State.DECLINED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED,
    )]
    return {
        "round": round_, "fund": round_.fund, "currency": round_.fund.currency,
        "ranked": ranked, "funding_line_after": funding_line_after,
        "decisions": sorted(decisions, key=lambda r: (r.state, r.title)),
        "by_agency": list(by_agency.values()),
        "by_state": [v for v in by_state.values() if v["count"]],
        "totals": totals, "remaining": round_.budget - totals["awarded"],
    }


def round_portfolio_pdf(round_: Round) -> bytes:
    return render_pdf("documents/round_portfolio.html", round_portfolio_context(round_))
