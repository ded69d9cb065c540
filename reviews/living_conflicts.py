"""Conflicts of interest are living facts (DOMAIN.md, "Integrity rules").

When what the conflict rule depends on changes (a proposal's lead, team or partner agencies; a
person's agency; an accepted team invitation), every assignment of a proposal still under
review (`submitted`, `in_review`, `revision_requested`) whose reviewer now has a conflict moves
to `conflict` through `flag_conflict`, in the same transaction as the change, logged with the
change's actor and the reason. The reviewer, the acting chair and the unconflicted fund managers
are told (notifications/notices.py). Once the panel has decided, its reviews stand.

The changes are announced by `proposals.conflicts.parties_changed` and
`people.signals.agency_changed` (sent by the services, the imports and the admin) and, as a net
under every other channel (the shell, a data fix), by model signals on the partner agencies,
the team and the user's agency. Flagging twice is harmless: an assignment already in
`conflict` is left alone.
"""

from __future__ import annotations

from django.db import transaction

from proposals.conflicts import conflict_reason
from proposals.models import Proposal

from .models import Assignment
from .services import FLAGGED_PREFIX

UNDER_REVIEW = (Proposal.State.SUBMITTED, Proposal.State.IN_REVIEW,
                Proposal.State.REVISION_REQUESTED)
FLAGGABLE = (Assignment.State.ASSIGNED, Assignment.State.SUBMITTED)


@transaction.atomic
def flag_new_conflicts(*, proposal_ids=None, people_ids=None, actor=None) -> list[Assignment]:
    """Flag the assignments that became conflicted among those of `proposal_ids` or of the
    reviewers `people_ids` (both None: every open assignment). Returns those flagged."""
    from people.signals import current_actor
    from workflow.services import run_transition

    actor = actor or current_actor()
    qs = Assignment.objects.filter(state__in=FLAGGABLE, proposal__state__in=UNDER_REVIEW)
    if proposal_ids is not None:
        qs = qs.filter(proposal_id__in=list(proposal_ids))
    if people_ids is not None:
        qs = qs.filter(reviewer_id__in=list(people_ids))
    qs = qs.select_related("proposal__lead__agency", "reviewer__agency").prefetch_related(
        "proposal__team", "proposal__partner_agencies"
    )
    flagged = []
    for assignment in qs:
        reason = conflict_reason(assignment.reviewer, assignment.proposal)
        if not reason:
            continue
        locked = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
        if locked.state not in FLAGGABLE:
            continue
        locked.proposal = assignment.proposal
        locked.reviewer = assignment.reviewer
        note = f"{FLAGGED_PREFIX}: {reason}"
        run_transition(instance=locked, name="flag_conflict", actor=actor, system=True,
                       note=note, reason=note)
        flagged.append(locked)
    return flagged


# --- receivers (connected in apps.py) ----------------------------------------------------------
def on_parties_changed(sender, proposal, actor=None, **kwargs) -> None:
    flag_new_conflicts(proposal_ids=[proposal.pk], actor=actor)


def on_agency_changed(sender, people, actor=None, **kwargs) -> None:
    if people:
        flag_new_conflicts(people_ids=people, actor=actor)


def on_partner_agencies_changed(sender, instance, action, pk_set=None, **kwargs) -> None:
    """Net for partner agencies changed outside the services (admin inline, shell)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Proposal):
        flag_new_conflicts(proposal_ids=[instance.pk])
    else:  # changed from the agency's side: every proposal it touches
        flag_new_conflicts(proposal_ids=list(pk_set or []))


def on_team_member_saved(sender, instance, **kwargs) -> None:
    if instance.accepted_at is not None:
        flag_new_conflicts(proposal_ids=[instance.proposal_id])


def on_proposal_saved(sender, instance, created=False, **kwargs) -> None:
    """A proposal's lead may be changed in the admin: check when it is under review."""
    if not created and instance.state in UNDER_REVIEW:
        flag_new_conflicts(proposal_ids=[instance.pk])


def on_user_saved(sender, instance, created=False, **kwargs) -> None:
    if created:
        return
    loaded = getattr(instance, "_loaded_agency_id", instance.agency_id)
    if loaded != instance.agency_id:
        flag_new_conflicts(people_ids=[instance.pk])
    instance._loaded_agency_id = instance.agency_id
