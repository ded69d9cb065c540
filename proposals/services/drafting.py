"""Write side of proposals: drafting, attachments and the applicant's and screener's transitions."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fund.models import Round
from people.models import Agency, User
from workflow.services import check_transition, run_transition

from ..models import Attachment, BudgetLine, Proposal, TeamMember
from ..permissions import (
    HR_OFFICERS_DO_NOT_DRAFT,
    can_draft_proposals,
    can_edit_proposal,
    why_not_team_member,
)
from . import team as membership

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


def _require_drafter(actor) -> None:
    """Every active user is a civil servant who may draft, except an HR officer
    (`can_draft_proposals`). No role lets anyone edit a proposal they are not on: that is
    `_require_editor`."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied(gettext("Sign in to draft a proposal."))
    if not can_draft_proposals(actor):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)


def _require_editor(actor, proposal: Proposal) -> None:
    """Only the lead and accepted team members change a proposal (an invitee reads it, to
    decide), and only while it is a draft or a revision
    is requested; being a fund manager or chair never widens this, and an HR officer never
    changes a proposal, even one whose team they are on."""
    if actor and actor.is_authenticated and not can_draft_proposals(actor):
        raise PermissionDenied(HR_OFFICERS_DO_NOT_DRAFT)
    if not can_edit_proposal(actor, proposal):
        on_proposal = bool(actor and actor.is_authenticated) and (
            proposal.lead_id == actor.pk
            or proposal.team.accepted().filter(user_id=actor.pk).exists()
        )
        if not on_proposal:
            raise PermissionDenied(gettext("Only the lead and team may edit this proposal."))
        raise ValidationError(
            gettext("This proposal is %(state)s and can no longer be "
                    "edited.") % {
                "state": proposal.get_state_display().lower()}
        )


_MAX_MONEY = Decimal("999999999999.99")  # the largest amount a MONEY column holds


def _parse_amount(value) -> Decimal | None:
    """A finite Decimal from what the user typed, or None when it is not a number."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() else None


def _clean_budget_lines(lines) -> list[BudgetLine]:
    cleaned, errors = [], []
    if isinstance(lines, dict | str):
        raise ValidationError({"budget_lines": [gettext("Give the budget as a list of lines.")]})
    for i, line in enumerate(lines or [], start=1):
        if not isinstance(line, dict):
            errors.append(f"Line {i}: give a category, a description and an amount.")
            continue
        amount = _parse_amount(line.get("amount", ""))
        if amount is None:
            errors.append(f"Line {i}: the amount is not a number.")
            continue
        if amount <= 0:
            errors.append(f"Line {i}: the amount must be more than zero.")
        elif amount > _MAX_MONEY:
            errors.append(f"Line {i}: the amount is too large.")
        elif amount != amount.quantize(Decimal("0.01")):
            errors.append(f"Line {i}: use at most two decimal places.")
        if line.get("category") not in BudgetLine.Category.values:
            errors.append(f"Line {i}: choose a category.")
        description = str(line.get("description") or "").strip()
        if not description:
            errors.append(f"Line {i}: describe what the money is for.")
        elif len(description) > 300:
            errors.append(f"Line {i}: keep the description under 300 characters.")
        cleaned.append(BudgetLine(category=line.get("category"), description=description,
                                  amount=amount))
    if errors:
        raise ValidationError({"budget_lines": errors})
    return cleaned


def _find_user(value) -> User | None:
    if isinstance(value, User):
        return value
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, is_active=True).select_related("agency").first()


def _clean_team(team, lead: User) -> list[tuple[User, str]]:
    """The team asked for: (person, role) pairs, each person once, never the lead."""
    members, seen, errors = [], set(), []
    if isinstance(team, dict | str):
        raise ValidationError({"team": [gettext("Give the team as a list of people.")]})
    for entry in team or []:
        if isinstance(entry, User) or not isinstance(entry, dict):
            entry = {"user": entry}
        user = _find_user(entry.get("user"))
        if user is None:
            errors.append("A team member was not found.")
            continue
        role = str(entry.get("role") or "").strip()
        if len(role) > 200:
            errors.append(f"Keep {user}'s role under 200 characters.")
            continue
        if user.pk == lead.pk:
            errors.append(f"{user} leads the proposal and need not be added to the team.")
            continue
        if user.pk in seen:
            errors.append(f"{user} is on the team twice.")
            continue
        seen.add(user.pk)
        members.append((user, role))
    if errors:
        raise ValidationError({"team": errors})
    return members


ONLY_THE_LEAD_CHANGES_THE_TEAM = (
    "Only the proposal's lead invites and removes team members; your other changes were not "
    "saved. Ask the lead to change the team."
)


def _current_team(proposal: Proposal) -> dict[int, TeamMember]:
    """The team as it stands (invited or accepted), by person."""
    if proposal.pk is None:
        return {}
    rows = TeamMember.objects.filter(proposal=proposal, state__in=membership.CURRENT_STATES)
    return {m.user_id: m for m in rows.select_for_update()}


def _check_team_writer(actor, proposal: Proposal, wanted, current: dict) -> None:
    """Only the lead writes the team. Anyone else may send it back unchanged (a form or an API
    client that sends the whole proposal), never changed."""
    if proposal.lead_id == actor.pk:
        return
    asked = {user.pk: role for user, role in wanted}
    if asked != {pk: m.role for pk, m in current.items()}:
        raise PermissionDenied(ONLY_THE_LEAD_CHANGES_THE_TEAM)


def _write_team(proposal: Proposal, wanted, current: dict, actor) -> None:
    """Compare the team asked for with the team as it stands: new people are invited (again,
    on their old row, if they once declined, left or were removed), missing people removed,
    the others kept with their role. Rows are never deleted."""
    asked = {user.pk for user, _ in wanted}
    # Someone who may not be a team member is never invited (those already on it may stay).
    refused = [why_not_team_member(user) for user, _ in wanted if user.pk not in current]
    if any(refused):
        raise ValidationError({"team": [text for text in refused if text]})
    for pk, member in current.items():
        if pk not in asked:
            membership.remove(actor=actor, member=member)
    for user, role in wanted:
        member = current.get(user.pk)
        if member is None:
            membership.invite(actor=actor, proposal=proposal, user=user, role=role)
        elif member.role != role:
            member.role = role
            member.save(update_fields=["role"])


def _clean_partners(partner_agencies) -> list[Agency]:
    if isinstance(partner_agencies, dict | str):
        raise ValidationError({"partner_agencies": [gettext("Give the partner agencies as a list.")]})
    wanted, agencies = list(partner_agencies), []
    pks = []
    for item in wanted:
        if isinstance(item, Agency):
            agencies.append(item)
            continue
        try:
            pks.append(int(item))
        except (TypeError, ValueError):
            raise ValidationError({"partner_agencies": [gettext("An agency was not found.")]}) from None
    found = {a.pk: a for a in Agency.objects.filter(pk__in=pks)}
    if len(found) != len(set(pks)):
        raise ValidationError({"partner_agencies": [gettext("An agency was not found.")]})
    agencies.extend(found.values())
    inactive = [a for a in agencies if not a.is_active]
    if inactive:
        message = f"{inactive[0].code} is not an active agency."
        raise ValidationError({"partner_agencies": [message]})
    return agencies


def _collect(errors: dict, clean, value, *args):
    """Run `clean(value, *args)` unless value is None (not given); gather its errors."""
    if value is None:
        return None
    try:
        return clean(value, *args)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


def _apply(proposal: Proposal, *, fields: dict, partner_agencies, team, budget_lines,
           actor) -> None:
    """Validate everything first and report every problem at once, then write. Changes to
    partner agencies are made as `actor`, so a conflict they cause is logged as theirs."""
    from people.signals import acting_as

    with acting_as(actor):
        _write(proposal, fields=fields, partner_agencies=partner_agencies, team=team,
               budget_lines=budget_lines, actor=actor)


def _write(proposal: Proposal, *, fields: dict, partner_agencies, team, budget_lines,
           actor) -> None:
    for name in CONTENT_FIELDS:
        if name in fields:
            value = fields[name]
            if isinstance(value, str) and name in ("requested_amount", "duration_months"):
                value = value.strip() or None
            setattr(proposal, name, value)
    errors: dict[str, list[str]] = {}
    lines = _collect(errors, _clean_budget_lines, budget_lines)
    members = _collect(errors, _clean_team, team, proposal.lead)
    current = _current_team(proposal)
    if members is not None:
        _check_team_writer(actor, proposal, members, current)
    partners = _collect(errors, _clean_partners, partner_agencies)
    try:
        proposal.full_clean(exclude=["round", "lead", "state"])  # state is FSM-protected
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    proposal.save()
    if partners is not None:
        proposal.partner_agencies.set(partners)
    if lines is not None:
        proposal.budget_lines.all().delete()
        for line in lines:
            line.proposal = proposal
        BudgetLine.objects.bulk_create(lines)
    if members is not None and proposal.lead_id == actor.pk:
        _write_team(proposal, members, current, actor)


@transaction.atomic
def proposal_create(*, actor: User, round_: Round, partner_agencies=None, team=None,
                    budget_lines=None, **fields) -> Proposal:
    """Any active civil servant (an HR officer excepted) drafts a proposal in a round that
    takes proposals; they lead it."""
    _require_drafter(actor)
    if not round_.is_accepting_proposals:
        raise ValidationError({"round": gettext("The round “%(title)s” is not open for proposals.") % {
            "title": round_.title}})
    if not str(fields.get("title") or "").strip():
        raise ValidationError({"title": gettext("Give the proposal a title.")})
    proposal = Proposal(round=round_, lead=actor)
    _apply(proposal, fields=fields, partner_agencies=partner_agencies, team=team,
           budget_lines=budget_lines, actor=actor)
    return proposal


@transaction.atomic
def proposal_update(*, actor: User, proposal: Proposal, partner_agencies=None, team=None,
                    budget_lines=None, **fields) -> Proposal:
    """The lead and accepted team members edit a draft or a proposal whose revision was
    requested; nobody else, whatever their role (the pages and the API both come through
    here). Only the lead changes the team: invitations, not additions."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _require_editor(actor, proposal)
    if "title" in fields and not str(fields.get("title") or "").strip():
        raise ValidationError({"title": gettext("Give the proposal a title.")})
    _apply(proposal, fields=fields, partner_agencies=partner_agencies, team=team,
           budget_lines=budget_lines, actor=actor)
    return proposal


def validate_upload(upload) -> str:
    """Refuse files over the size limit or of a type outside PDF, Office, images and CSV."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {"file": gettext("“%(name)s” is %(size_mb)s MB; the limit is "
                             "%(limit_mb)s MB.") % {
                "name": upload.name, "size_mb": format(upload.size / 1048576, ".1f"), "limit_mb": limit // 1048576}}
        )
    if upload.size == 0:
        raise ValidationError({"file": gettext("“%(name)s” is empty.") % {"name": upload.name}})
    ext = Path(upload.name).suffix.lower()
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError(
            {"file": gettext("“%(name)s” is not an accepted type. Attach PDF, Office documents, "
                             "images or CSV.") % {"name": upload.name}}
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
                raise ValidationError({"file": gettext("“%(name)s” is not a text CSV file.") % {
                    "name": upload.name}}) from None
        if b"\x00" in head:
            raise ValidationError({"file": gettext("“%(name)s” is not a text CSV file.") % {
                "name": upload.name}})
    elif not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": gettext("“%(name)s” does not look like a %(kind)s "
                                               "file.") % {
            "name": upload.name, "kind": ext[1:].upper()}})
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
    value = str(value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _locked(proposal: Proposal) -> Proposal:
    """Re-read the proposal under a row lock so two people cannot move it at once.
    Callers use the returned instance (saving the caller's copy could write stale fields)."""
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_submit(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """The lead submits when the round is open, fields are filled, enough agencies take part,
    the budget adds up and stays within the maximum award. Invitations to the team still
    open lapse: the proposal goes in with the team that accepted."""
    proposal = _locked(proposal)
    proposal.submitted_at = timezone.now()  # saved with the state, only if the submit succeeds
    run_transition(instance=proposal, name="submit", actor=actor, note=note)
    membership.lapse_open_invitations(proposal, membership.LAPSED_ON_SUBMIT)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """The lead withdraws a proposal that has not been decided yet."""
    proposal = _locked(proposal)
    run_transition(instance=proposal, name="withdraw", actor=actor, note=note)
    membership.lapse_open_invitations(proposal, membership.LAPSED_ON_WITHDRAW)
    return proposal


@transaction.atomic
def proposal_screen_out(*, proposal: Proposal, actor: User, note: str = "", reason: str = "") -> Proposal:
    """A fund manager screens out a submitted proposal, always with a reason."""
    proposal = _locked(proposal)
    check_transition(proposal, "screen_out", actor)
    reason = _required(reason or note, "reason", "Say why the proposal is ineligible.")
    run_transition(instance=proposal, name="screen_out", actor=actor, note=reason)
    return proposal


@transaction.atomic
def proposal_send_to_review(*, proposal: Proposal, actor: User, note: str = "",
                            panel: int | None = None) -> Proposal:
    """An unconflicted fund manager sends a submitted proposal to a panel of its round: the
    round's only panel, or the one chosen (`panel`, a Panel or its id) when it has several."""
    proposal = _locked(proposal)
    check_transition(proposal, "send_to_review", actor)
    panels = proposal.round.panels.all()
    if panel not in (None, ""):
        pk = getattr(panel, "pk", panel)
        try:
            chosen = panels.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            chosen = None
        if chosen is None:
            raise ValidationError({"panel": [gettext("Choose a panel of this proposal's round.")]})
    else:
        found = list(panels[:2])
        if len(found) > 1:
            raise ValidationError({"panel": [gettext("This round has several panels: choose the "
                                                     "one that reviews this proposal.")]})
        chosen = found[0] if found else None
    proposal.panel = chosen
    run_transition(instance=proposal, name="send_to_review", actor=actor, note=note)
    return proposal


@transaction.atomic
def proposal_request_revision(*, proposal: Proposal, actor: User, note: str = "",
                              message: str = "") -> Proposal:
    """The panel chair asks the applicant for a revision, always with a message."""
    proposal = _locked(proposal)
    check_transition(proposal, "request_revision", actor)
    if proposal.round.state == proposal.round.State.ARCHIVED:
        raise ValidationError(gettext("This round is archived: a revision could never be "
                                      "resubmitted."))
    message = _required(message or note, "message", "Tell the applicant what to revise.")
    run_transition(instance=proposal, name="request_revision", actor=actor, note=message)
    return proposal

