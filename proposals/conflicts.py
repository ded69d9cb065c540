"""Conflict of interest: the one rule, enforced, not advised (DOMAIN.md, "Integrity rules").

A person has a conflict with a proposal when they lead it, are or ever were an accepted
member of its team (`TeamMember.accepted_at` set: leaving does not end it), or their agency
is the lead's agency or one of its partner agencies. Reviews, money, rewards, notifications,
dashboards and documents all ask here.

The same rule exists twice: `conflict_reason` for one person and one proposal (it uses the
prefetched `team` and `partner_agencies` when present) and `conflict_q` for the database, so
lists and pages agree. Both are tested against each other in tests/reviews/test_conflicts.py.

The rule is living: when its inputs change (a proposal's lead, team or partner agencies; a
person's agency; an accepted invitation) the change is announced with `parties_changed`
(proposals) or `people.signals.agency_changed` (people) and the reviews app flags the
assignments that became conflicted (`reviews.services.conflicts`).
"""

from django.db.models import Exists, OuterRef, Q
from django.dispatch import Signal
from django.utils.translation import gettext

# Sent after a proposal's lead, team or partner agencies changed, inside the transaction
# that changed them. Arguments: `proposal` (a Proposal), `actor` (a User or None).
parties_changed = Signal()


def _agency_label(user) -> str:
    agency = user.agency
    return agency.code if agency is not None else "their agency"


def _ever_accepted(member) -> bool:
    return member.accepted_at is not None


def _conflict_kind(user, proposal) -> str | None:
    """Which part of the rule gives `user` a conflict with `proposal` ("anonymous", "lead",
    "team", "lead_agency", "partner_agency"), or None: the rule itself, told in words by
    `conflict_reason` and `own_conflict_reason` and asked by `has_conflict` (which needs no
    words: the screening queue asks it of every fund manager, issue 16)."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    if proposal.lead_id == user.pk:
        return "lead"
    if any(m.user_id == user.pk and _ever_accepted(m) for m in proposal.team.all()):
        return "team"
    if user.agency_id is None:
        return None
    if proposal.lead.agency_id == user.agency_id:
        return "lead_agency"
    if any(agency.pk == user.agency_id for agency in proposal.partner_agencies.all()):
        return "partner_agency"
    return None


def conflict_reason(user, proposal) -> str | None:
    """Why `user` has a conflict of interest with `proposal`, or None when they have none.

    The message names the person and their agency: callers show it only to someone who may
    see the proposal (the actor about themselves, or a panel manager)."""
    kind = _conflict_kind(user, proposal)
    if kind is None:
        return None
    if kind == "anonymous":
        return gettext("Not signed in.")
    if kind == "lead":
        return gettext("%(person)s leads this proposal.") % {"person": user}
    if kind == "team":
        return gettext("%(person)s is or was on this proposal's team.") % {"person": user}
    if kind == "lead_agency":
        return gettext("%(person)s works at %(agency)s, the lead's agency.") % {
            "person": user, "agency": _agency_label(user)}
    return gettext("%(person)s works at %(agency)s, a partner agency of this proposal.") % {
        "person": user, "agency": _agency_label(user)}


def own_conflict_reason(user, proposal) -> str | None:
    """`conflict_reason` told to the person themselves ("You lead this proposal"), for the pages
    that explain why they may not act on it; None when they have no conflict."""
    kind = _conflict_kind(user, proposal)
    if kind is None:
        return None
    if kind == "anonymous":
        return gettext("You are not signed in.")
    if kind == "lead":
        return gettext("You lead this proposal.")
    if kind == "team":
        return gettext("You are or were on this proposal's team.")
    agency = user.agency.code
    if kind == "lead_agency":
        return gettext("Your agency (%(agency)s) leads this proposal.") % {"agency": agency}
    return gettext("Your agency (%(agency)s) is a partner on this proposal.") % {
        "agency": agency}


def has_conflict(user, proposal) -> bool:
    return _conflict_kind(user, proposal) is not None


class ProbedExists(Exists):
    """`EXISTS(... LIMIT 1 OFFSET 0)`: the same test as `Exists`, which the database must ask
    row by row (an index probe per row it reads). PostgreSQL may otherwise turn an EXISTS
    under OR into a "hashed SubPlan": it first reads every row of the subquery's set (all the
    partnerships of a large agency, ~6,800 at 100k proposals, ~3 ms) to test a query that
    reads a few dozen rows; an OFFSET keeps it from rewriting the subquery that way."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def conflict_q(user, prefix: str = "", *, probe: bool = False) -> Q:
    """A filter on Proposal (or on a relation to it, with `prefix`, e.g. "proposal__")
    true where `user` has a conflict of interest.

    `probe=True`: the same rule, its agency's partnerships asked row by row (`ProbedExists`),
    for a query that reads few rows (a home section's first few and bounded count); a query
    that reads many (every proposal of a list) is faster with the database's own choice."""
    from .models import Proposal, TeamMember

    outer = OuterRef(prefix[:-2] if prefix else "pk")
    on_team = TeamMember.objects.filter(proposal=outer, user=user, accepted_at__isnull=False)
    q = Q(**{f"{prefix}lead": user}) | Q(Exists(on_team))
    if user.agency_id:
        partners = Proposal.partner_agencies.through.objects.filter(
            proposal=outer, agency_id=user.agency_id
        )
        exists = ProbedExists if probe else Exists
        q |= Q(**{f"{prefix}lead__agency_id": user.agency_id}) | Q(exists(partners))
    return q


def conflicted_people_q(proposal, prefix: str = "") -> Q:
    """A filter on User (or a relation to it, with `prefix`, e.g. "reviewer__") true for
    everyone with a conflict of interest with `proposal`: the same rule from the other side."""
    from .models import TeamMember

    agencies = set(proposal.partner_agencies.values_list("pk", flat=True))
    if proposal.lead.agency_id:
        agencies.add(proposal.lead.agency_id)
    members = TeamMember.objects.filter(proposal=proposal, accepted_at__isnull=False)
    q = Q(**{f"{prefix}pk": proposal.lead_id}) | Q(
        **{f"{prefix}pk__in": members.values("user_id")}
    )
    if agencies:
        q |= Q(**{f"{prefix}agency_id__in": agencies})
    return q
