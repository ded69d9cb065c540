"""Write side of proposals.

`PROPOSAL_TRANSITIONS` maps each transition name to the service that runs it; the
pages and the API look transitions up here. Apps that own later steps (the panel's
decisions in `reviews`, funding and outcomes) add theirs when they load.
"""

from .drafting import *  # noqa: F403
from .drafting import PROPOSAL_TRANSITIONS  # noqa: F401
from .outcomes import *  # noqa: F403
