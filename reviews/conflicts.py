"""Conflict of interest: enforced, not advised.

Nobody reviews (or decides on) a proposal they lead or are on the team of, nor
one whose lead's agency or partner agencies include their own agency.
"""


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
    lead_agency_id = proposal.lead.agency_id
    if lead_agency_id == user.agency_id:
        return f"{user} works at {user.agency.code}, the lead's agency."
    if any(agency.pk == user.agency_id for agency in proposal.partner_agencies.all()):
        return f"{user} works at {user.agency.code}, a partner agency of this proposal."
    return None


def has_conflict(user, proposal) -> bool:
    return conflict_reason(user, proposal) is not None
