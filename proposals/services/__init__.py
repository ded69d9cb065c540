"""Write side of proposals.

Every transition of a proposal, with the service that runs it, is declared in
`proposals/lifecycle.py` (`PROPOSAL_TRANSITIONS`, re-exported here); the services of later
steps live with the app that owns them (the panel's decisions in `reviews`, money in
`fund`). Team membership by consent (invite, accept, decline, leave, remove) is in `team`,
with `TEAM_MEMBER_TRANSITIONS`.
"""

from ..lifecycle import PROPOSAL_TRANSITIONS  # noqa: F401
from .drafting import *  # noqa: F403
from .outcomes import *  # noqa: F403
from .team import *  # noqa: F403
