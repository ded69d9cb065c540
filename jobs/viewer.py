"""What a job's owner could see when the job read the data: a fingerprint, checked at download.

An export or a portfolio report is made as its owner sees the data while the job runs. If
what they may see changes afterwards (their agency becomes a partner on a proposal, they join
a team, they are given a review to write, a role is taken away) the finished file would show
them what they may no longer see. So the job keeps `viewer_fingerprint(owner)` from the moment
it read the data, and `jobs.selectors.can_read_result` gives the file only while the owner's
fingerprint is still the same: otherwise the owner is told to make it again.

The fingerprint is a SHA-256 (64 hex characters) over everything the visibility and conflict
rules read about the person (`proposals.selectors.visible_proposal_ids`,
`proposals.conflicts.conflict_q`, the roles): their account flags and agency, their groups,
their assignments and each one's state (a pending review hides the others' scores), the panels
they chair, deputise or sit on, their stand-in duties, the proposals they lead, their team
rows, and the proposals their agency leads or partners. Ten small queries, each on an index
and bounded by the person's (or their agency's) own part in the fund, never the whole table.
It changes whenever one of these changes, also when the change widens what they may see (a
review submitted): the file is then simply made again.
"""

from __future__ import annotations

import hashlib


def _rows(queryset, *fields) -> list:
    return sorted(tuple(row) for row in queryset.order_by().values_list(*fields))


def viewer_fingerprint(user) -> str:
    """A 64-character hex digest of what decides what `user` may see (see the module)."""
    from proposals.models import Proposal, TeamMember

    parts: list = [
        ("user", user.pk, user.is_active, user.is_superuser, user.is_staff, user.agency_id),
        ("groups", _rows(user.groups.all(), "pk")),
        ("assignments", _rows(user.assignments.all(), "pk", "proposal_id", "state")),
        ("panels", _rows(user.panels_chaired.model.objects.filter(chair=user), "pk", "round_id"),
         _rows(user.panels_deputised.all(), "pk", "round_id"),
         _rows(user.panels.all(), "pk", "round_id")),
        ("stand_in", _rows(user.stand_in_duties.all(), "pk", "proposal_id")),
        ("lead", _rows(Proposal.objects.filter(lead=user), "pk")),
        ("team", _rows(TeamMember.objects.filter(user=user), "proposal_id", "state",
                       "accepted_at")),
    ]
    if user.agency_id:
        through = Proposal.partner_agencies.through
        parts.append(("agency",
                      _rows(Proposal.objects.filter(lead__agency_id=user.agency_id), "pk"),
                      _rows(through.objects.filter(agency_id=user.agency_id), "proposal_id")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()
