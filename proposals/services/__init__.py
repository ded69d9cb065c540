"""Write side of proposals.

`PROPOSAL_TRANSITIONS` maps each transition name to the service that runs it; the
pages and the API look transitions up here. Team membership by consent (invite, accept,
decline, leave, remove) is in `team`, with `TEAM_MEMBER_TRANSITIONS`. Apps that own later steps (the panel's
decisions in `reviews`, funding and outcomes) add theirs when they load.
"""

from .drafting import *  # noqa: F403
from .drafting import PROPOSAL_TRANSITIONS  # noqa: F401
from .outcomes import *  # noqa: F403
from .team import *  # noqa: F403
