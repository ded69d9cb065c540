"""Conflict of interest: enforced, not advised.

Nobody reviews (or decides on) a proposal they lead or are on the team of, nor
one whose lead's agency or partner agencies include their own agency. A reviewer
may also declare a conflict on an assignment; that assignment then takes no review.
The same rule exists twice: `conflict_reason` for one person and one proposal (it
uses prefetched `team` and `partner_agencies` when present) and `conflict_q` for
the database, so lists and pages agree.
"""

from django.db.models import Exists, OuterRef, Q


def _agency_label(user) -> str:
    agency = user.agency
    return agency.code if agency is not None else "their agency"


def conflict_reason(user, proposal) -> str | None:
    """Why `user` may not review `proposal`, or None when they may."""
    if user is None or not user.is_authenticated:
        return "Not signed in."
    if proposal.lead_id == user.pk:
        return f"{user} leads this proposal."
    if any(member.user_id == user.pk for member in proposal.team.all()):
        return f"{user} is on this proposal's team."
    if user.agency_id is None:
        return None
    if proposal.lead.agency_id == user.agency_id:
        return f"{user} works at {_agency_label(user)}, the lead's agency."
    if any(agency.pk == user.agency_id for agency in proposal.partner_agencies.all()):
        return f"{user} works at {_agency_label(user)}, a partner agency of this proposal."
    return None


def has_conflict(user, proposal) -> bool:
    return conflict_reason(user, proposal) is not None


def conflict_q(user, prefix: str = "") -> Q:
    """A filter on Proposal (or on a relation to it, with `prefix`, e.g. "proposal__")
    true where `user` has a conflict of interest."""
    from proposals.models import Proposal, TeamMember

    outer = OuterRef(prefix[:-2] if prefix else "pk")
    on_team = TeamMember.objects.filter(proposal=outer, user=user)
    q = Q(**{f"{prefix}lead": user}) | Q(Exists(on_team))
    if user.agency_id:
        partners = Proposal.partner_agencies.through.objects.filter(
            proposal=outer, agency_id=user.agency_id
        )
        q |= Q(**{f"{prefix}lead__agency_id": user.agency_id}) | Q(Exists(partners))
    return q
