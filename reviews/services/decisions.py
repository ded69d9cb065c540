"""The panel's decisions on a proposal (`recommend`, `reject`), named in
`proposals/lifecycle.py`: the acting chair, on a quorum of reviews, with a rationale."""


from django.core.exceptions import ValidationError
from django.db import transaction

from proposals.models import Proposal
from workflow.services import (
    check_transition,
    condition_errors,
    run_transition,
)

from .common import ARCHIVED, _refuse_if_archived, _required  # noqa: F401


# --- the panel's decisions on proposals ----------------------------------------------------
def _decide(proposal: Proposal, actor, name: str, rationale: str) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_transition(proposal, name, actor)
    _refuse_if_archived(proposal.round)
    errors = condition_errors(proposal, name)
    if not (rationale or "").strip():
        errors["rationale"] = ["Give the panel's rationale for the decision."]
    if errors:
        raise ValidationError(errors)
    run_transition(instance=proposal, name=name, actor=actor, note=rationale.strip())
    return proposal


@transaction.atomic
def proposal_recommend(*, proposal: Proposal, actor, note: str = "",
                       rationale: str = "") -> Proposal:
    """The chair recommends a proposal for funding once `reviews_required` reviews are
    submitted, always with the panel's rationale."""
    return _decide(proposal, actor, "recommend", rationale or note)


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor, note: str = "", rationale: str = "") -> Proposal:
    """The chair rejects a proposal on the same quorum, always with the panel's rationale."""
    return _decide(proposal, actor, "reject", rationale or note)
