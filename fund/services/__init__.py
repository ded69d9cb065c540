"""Write side of the fund: funds, contributions and rounds (`funds`); awards and tranches (`awards`)."""

from .awards import *  # noqa: F403
from .funds import *  # noqa: F403
from .funds import ROUND_TRANSITIONS  # noqa: F401
