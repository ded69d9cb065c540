"""The proposal state machine's conditions and permissions, one function per rule.

Conditions return None when they hold, else a message a civil servant
understands (see `workflow.services.Rule`). `lifecycle.py` names which transition uses
which; the panel's (the acting chair, the quorum of reviews) are in `reviews/rules.py`.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow.services import permission, rule

from .conflicts import conflict_reason, has_conflict
from .models import OutcomeReport


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_lead(proposal, user) -> bool:
    return _signed_in(user) and proposal.lead_id == user.pk


def _accepted_member(proposal, user) -> bool:
    """An accepted team member (DOMAIN.md, "Consent"): an invitee has no member's rights.
    Iterates `team.all()` so a prefetched team costs no query."""
    return any(m.user_id == user.pk and m.state == m.State.ACCEPTED for m in proposal.team.all())


def is_lead_or_team(proposal, user) -> bool:
    """The lead or an accepted team member."""
    if not _signed_in(user):
        return False
    return proposal.lead_id == user.pk or _accepted_member(proposal, user)


def _on_proposal(proposal, user) -> bool:
    return proposal.lead_id == user.pk or _accepted_member(proposal, user)


def _fund_manager_refusal(proposal, user) -> str:
    if not _signed_in(user) or not user.is_fund_manager:
        return gettext("Only fund managers may do this.")
    reason = conflict_reason(user, proposal)
    return (gettext("You have a conflict of interest with this proposal (%(reason)s); another "
                    "fund manager must act.") % {"reason": reason})


@permission(_fund_manager_refusal)
def is_unconflicted_fund_manager(proposal, user) -> bool:
    """Fund managers decide on money and screening, except on a proposal they have a conflict
    of interest with (they lead it, were on its team, or their agency leads or partners it):
    another fund manager acts (DOMAIN.md, "No one decides on their own interest")."""
    return _signed_in(user) and user.is_fund_manager and not has_conflict(user, proposal)


@rule("round")
def round_accepts_submission(proposal):
    round_ = proposal.round
    if proposal.state == proposal.State.REVISION_REQUESTED:
        # A resubmission after a revision request may come after the round closes.
        if round_.state in (round_.State.OPEN, round_.State.CLOSED):
            return None
        return gettext("This round is archived and no longer takes resubmissions.")
    if round_.state != round_.State.OPEN:
        return gettext("The round “%(title)s” is not open for proposals.") % {"title": round_.title}
    if timezone.now() >= round_.closes_at:
        return gettext("The round “%(title)s” closed for proposals.") % {"title": round_.title}
    return None


# The required fields as the proposal form names them (never "duration months").
SUBMIT_LABELS = {
    "title": _("Title"), "summary": _("Summary"), "problem": _("The problem"),
    "hypothesis": _("What the experiment will test"),
    "success_criteria": _("What result would show it works"),
    "approach": _("How you will run it"), "citizen_engagement": _("How citizens co-create it"),
    "expected_outcomes": _("Expected outcomes"), "requested_amount": _("Requested amount"),
    "duration_months": _("Duration in months"),
}


@rule()
def required_fields_filled(proposal):
    missing = {}
    for name in proposal.REQUIRED_FIELDS:
        value = getattr(proposal, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            label = SUBMIT_LABELS.get(name) or proposal._meta.get_field(name).verbose_name
            missing[name] = gettext("Fill in “%(label)s” before submitting.") % {"label": label}
    return missing or None


@rule("partner_agencies")
def enough_partner_agencies(proposal):
    agencies = {a.pk for a in proposal.partner_agencies.all()}
    if proposal.lead.agency_id:
        agencies.add(proposal.lead.agency_id)
    needed = proposal.round.min_partner_agencies
    if len(agencies) < needed:
        return (
            gettext("This round needs at least %(needed)s agencies on the proposal (the lead's "
                    "and the partners'); it has %(len_agencies)s.") % {
                "needed": needed, "len_agencies": len(agencies)}
        )
    return None


@rule("budget_lines")
def budget_lines_sum_to_requested(proposal):
    if proposal.requested_amount is None:
        return None  # reported by required_fields_filled
    total = proposal.budget_total
    if total != proposal.requested_amount:
        return (
            gettext("The budget lines add up to %(total)s, but the requested amount is "
                    "%(requested_amount)s; they must be equal.") % {
                "total": format(total, ",.2f"), "requested_amount": format(proposal.requested_amount, ",.2f")}
        )
    return None


@rule("requested_amount")
def requested_within_max_award(proposal):
    if proposal.requested_amount is None:
        return None
    max_award = proposal.round.max_award
    if proposal.requested_amount > max_award:
        return (
            gettext("The requested amount %(requested_amount)s is above this round's maximum "
                    "award of %(max_award)s.") % {
                "requested_amount": format(proposal.requested_amount, ",.2f"), "max_award": format(max_award, ",.2f")}
        )
    return None


@rule()
def no_chair_duty_in_round(proposal):
    """A chair, deputy chair or stand-in of a panel of the round cannot submit a proposal in
    it, as lead or accepted member (DOMAIN.md, "No one decides on their own interest")."""
    people = {proposal.lead_id} | {m.user_id for m in proposal.team.all()
                                   if m.state == m.State.ACCEPTED}
    duties = proposal.round.panels.filter(
        Q(chair_id__in=people) | Q(deputy_chair_id__in=people) | Q(stand_ins__chair_id__in=people)
    )
    if duties.exists():
        return (gettext("Someone on this proposal chairs, deputises for or stands in for the "
                        "chair of a review panel of this round, so the proposal cannot be "
                        "submitted here. Ask a fund manager to name another chair, or submit it "
                        "to another round."))
    return None


@rule()
def outcome_report_exists(proposal):
    if not OutcomeReport.objects.filter(proposal=proposal).exists():
        return gettext("Write the outcome report first.")
    return None
