"""Write side of reviews: rubric, panels, assignments, reviews and the panel's decisions.

One module per purpose: `rubric`, `panels` (stand-in chairs and moving a proposal between
panels too), `assignments`, `reviewing` (scores, submitting, declaring a conflict;
`ASSIGNMENT_TRANSITIONS`) and `decisions` (`recommend`, `reject`, declared with the other
proposal transitions in `proposals/lifecycle.py`). Every public name is re-exported here, so
`from reviews import services` and `services.panel_create(...)` keep working.
"""

from .assignments import (  # noqa: F401
    FLAGGED_PREFIX,
    NOT_ASSIGNABLE,
    assignment_create,
    assignment_plan,
    assignment_plan_accept,
    assignment_problems,
)
from .common import (  # noqa: F401
    ARCHIVED,
)
from .decisions import (  # noqa: F401
    proposal_recommend,
    proposal_reject,
)
from .panels import (  # noqa: F401
    HR_NOT_ON_PANELS,
    chair_duty_problem,
    panel_create,
    panel_people_notes,
    panel_problems,
    panel_stand_in_name,
    panel_update,
    proposal_move_to_panel,
)
from .reviewing import (  # noqa: F401
    ASSIGNMENT_TRANSITIONS,
    assignment_declare_conflict,
    assignment_submit_review,
    review_save,
)
from .rubric import (  # noqa: F401
    MAX_SCORE_MESSAGE,
    MAX_SCORE_SCALE,
    MIN_SCORE_SCALE,
    NAME_MESSAGE,
    criterion_create,
    criterion_delete,
    criterion_update,
    default_rubric_create,
    duplicate_name_problem,
)
