"""Write side of proposals: drafting, attachments and the applicant's and screener's transitions."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fund.models import Round
from people.models import User
from workflow.services import run_transition

from ..models import Attachment, BudgetLine, Proposal, TeamMember
from ..permissions import can_edit_proposal

CONTENT_FIELDS = (
    "title", "summary", "problem", "hypothesis", "success_criteria", "approach",
    "citizen_engagement", "expected_outcomes", "requested_amount", "duration_months",
)

# Extension → (content type, accepted leading bytes). Office files are ZIP (OOXML) or OLE2.
_ZIP, _OLE = (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0",)
ALLOWED_UPLOADS = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".png": ("image/png", (b"\x89PNG",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".csv": ("text/csv", None),
}


def _require_editor(actor, proposal: Proposal) -> None:
    if not can_edit_proposal(actor, proposal):
        if proposal.state not in Proposal.EDITABLE_STATES:
            raise ValidationError(
                f"This proposal is {proposal.get_state_display().lower()} and can no longer be edited."
            )
        raise PermissionDenied("Only the lead and team may edit this proposal.")


def _clean_budget_lines(lines) -> list[BudgetLine]:
    cleaned, errors = [], []
    for i, line in enumerate(lines or [], start=1):
        try:
            amount = Decimal(str(line.get("amount", "")))
        except (InvalidOperation, ValueError):
            errors.append(f"Line {i}: the amount is not a number.")
            continue
        if amount <= 0:
            errors.append(f"Line {i}: the amount must be more than zero.")
        if line.get("category") not in BudgetLine.Category.values:
            errors.append(f"Line {i}: choose a category.")
        if not (line.get("description") or "").strip():
            errors.append(f"Line {i}: describe what the money is for.")
        if amount != amount.quantize(Decimal("0.01")):
            errors.append(f"Line {i}: use at most two decimal places.")
        cleaned.append(BudgetLine(category=line.get("category"),
                                  description=(line.get("description") or "").strip(), amount=amount))
    if errors:
        raise ValidationError({"budget_lines": errors})
    return cleaned


def _clean_team(team, lead: User) -> list[TeamMember]:
    members, seen, errors = [], set(), []
    for entry in team or []:
        user = entry.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(pk=user, is_active=True).first()
        if user is None:
            errors.append("A team member was not found.")
            continue
        if user.pk == lead.pk:
            errors.append(f"{user} leads the proposal and need not be added to the team.")
            continue
        if user.pk in seen:
            errors.append(f"{user} is on the team twice.")
            continue
        seen.add(user.pk)
        members.append(TeamMember(user=user, role=(entry.get("role") or "").strip()))
    if errors:
        raise ValidationError({"team": errors})
    return members


def _apply(proposal: Proposal, *, fields: dict, partner_agencies, team, budget_lines, actor) -> None:
    for name in CONTENT_FIELDS:
        if name in fields:
            setattr(proposal, name, fields[name])
    lines = _clean_budget_lines(budget_lines) if budget_lines is not None else None
    members = _clean_team(team, proposal.lead) if team is not None else None
    if partner_agencies is not None:
        partner_agencies = list(partner_agencies)
        inactive = [a for a in partner_agencies if not getattr(a, "is_active", True)]
        if inactive:
            raise ValidationError({"partner_agencies": f"{inactive[0].code} is not an active agency."})
    proposal.full_clean(exclude=["round", "lead"])
    proposal.save()
    if partner_agencies is not None:
        proposal.partner_agencies.set(partner_agencies)
    if lines is not None:
        proposal.budget_lines.all().delete()
        for line in lines:
            line.proposal = proposal
        BudgetLine.objects.bulk_create(lines)
    if members is not None:
        proposal.team.all().delete()
        for member in members:
            member.proposal = proposal
        TeamMember.objects.bulk_create(members)


@transaction.atomic
def proposal_create(*, actor: User, round_: Round, partner_agencies=None, team=None,
                    budget_lines=None, **fields) -> Proposal:
    """Any active civil servant drafts a proposal in a round that takes proposals; they lead it."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied("Sign in to draft a proposal.")
    if not round_.is_accepting_proposals:
        raise ValidationError({"round": f"The round “{round_.title}” is not open for proposals."})
    if not (fields.get("title") or "").strip():
        raise ValidationError({"title": "Give the proposal a title."})
    proposal = Proposal(round=round_, lead=actor)
    _apply(proposal, fields=fields, partner_agencies=partner_agencies, team=team,
           budget_lines=budget_lines, actor=actor)
    return proposal


@transaction.atomic
def proposal_update(*, actor: User, proposal: Proposal, partner_agencies=None, team=None,
                    budget_lines=None, **fields) -> Proposal:
    """The lead and team edit a draft or a proposal whose revision was requested."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require_editor(actor, proposal)
    if "title" in fields and not (fields.get("title") or "").strip():
        raise ValidationError({"title": "Give the proposal a title."})
    _apply(proposal, fields=fields, partner_agencies=partner_agencies, team=team,
           budget_lines=budget_lines, actor=actor)
    return proposal


def validate_upload(upload) -> str:
    """Refuse files over the size limit or of a type outside PDF, Office, images and CSV."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": f"“{upload.name}” is {upload.size / 1048576:.1f} MB; the limit is {limit // 1048576} MB."}
        )
    if upload.size == 0:
        raise ValidationError({"file": f"“{upload.name}” is empty."})
    ext = Path(upload.name).suffix.lower()
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError(
            {"file": f"“{upload.name}” is not an accepted type. Attach PDF, Office documents, images or CSV."}
        )
    content_type, magic = ALLOWED_UPLOADS[ext]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head[:-4].decode("utf-8")  # a multi-byte character cut at the edge
            except UnicodeDecodeError:
                raise ValidationError({"file": f"“{upload.name}” is not a text CSV file."}) from None
        if b"\x00" in head:
            raise ValidationError({"file": f"“{upload.name}” is not a text CSV file."})
    elif not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": f"“{upload.name}” does not look like a {ext[1:].upper()} file."})
    return content_type


@transaction.atomic
def attachment_add(*, actor: User, proposal: Proposal, upload) -> Attachment:
    _require_editor(actor, proposal)
    content_type = validate_upload(upload)
    name = Path(upload.name).name[:255]
    return Attachment.objects.create(
        proposal=proposal, file=upload, original_name=name, content_type=content_type,
        size=upload.size, uploaded_by=actor,
    )


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    _require_editor(actor, attachment.proposal)
    attachment.file.delete(save=False)
    attachment.delete()


def _required(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: message})
    return value.strip()


def _locked(proposal: Proposal) -> Proposal:
    """Re-read the proposal under a row lock so two people cannot move it at once."""
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_submit(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """The lead submits when the round is open, fields are filled, enough agencies take part,
    the budget adds up and stays within the maximum award."""
    proposal = _locked(proposal)
    run_transition(instance=proposal, name="submit", actor=actor, note=note)
    Proposal.objects.filter(pk=proposal.pk).update(submitted_at=timezone.now())
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """The lead withdraws a proposal that has not been decided yet."""
    proposal = _locked(proposal)
    run_transition(instance=proposal, name="withdraw", actor=actor, note=note)
    return proposal


@transaction.atomic
def proposal_screen_out(*, proposal: Proposal, actor: User, note: str = "", reason: str = "") -> Proposal:
    """A fund manager screens out a submitted proposal, always with a reason."""
    reason = _required(reason or note, "reason", "Say why the proposal is ineligible.")
    proposal = _locked(proposal)
    run_transition(instance=proposal, name="screen_out", actor=actor, note=reason)
    return proposal


@transaction.atomic
def proposal_send_to_review(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    proposal = _locked(proposal)
    run_transition(instance=proposal, name="send_to_review", actor=actor, note=note)
    return proposal


@transaction.atomic
def proposal_request_revision(*, proposal: Proposal, actor: User, note: str = "",
                              message: str = "") -> Proposal:
    """The panel chair asks the applicant for a revision, always with a message."""
    message = _required(message or note, "message", "Tell the applicant what to revise.")
    proposal = _locked(proposal)
    run_transition(instance=proposal, name="request_revision", actor=actor, note=message)
    return proposal


# The transitions the API and pages may run by name; later apps add theirs.
PROPOSAL_TRANSITIONS = {
    "submit": proposal_submit,
    "withdraw": proposal_withdraw,
    "screen_out": proposal_screen_out,
    "send_to_review": proposal_send_to_review,
    "request_revision": proposal_request_revision,
}
