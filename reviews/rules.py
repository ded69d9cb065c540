"""The panel's part of a proposal's state machine (named in `proposals/lifecycle.py`): who
may ask for a revision, recommend or reject (the acting chair), and the quorum of reviews a
decision needs."""

from django.utils.translation import gettext

from workflow.services import permission, rule

from .chairs import is_acting_chair as acts_as_chair
from .chairs import who_acts_instead
from .models import Assignment


def _chair_refusal(proposal, user) -> str:
    return (gettext("Only the acting chair of this proposal's panel may do this. ")
            + who_acts_instead(proposal))


@permission(_chair_refusal)
def is_acting_chair(proposal, user) -> bool:
    """The proposal's acting chair: the first of its panel's chair, deputy chair and
    stand-in who has no conflict of interest with it (reviews/chairs.py)."""
    signed_in = bool(user and user.is_authenticated and user.is_active)
    return signed_in and acts_as_chair(user, proposal)


@rule()
def review_quorum_reached(proposal):
    needed = proposal.round.reviews_required
    done = proposal.assignments.filter(state=Assignment.State.SUBMITTED).count()
    if done < needed:
        return gettext("The panel needs %(needed)s submitted reviews before deciding; it has "
                       "%(done)s.") % {"needed": needed, "done": done}
    return None
