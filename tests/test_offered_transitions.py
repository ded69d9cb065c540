"""Pages and the API offer a row's transitions by name (selectors) and run them through a
registry of services (services); the two lists name the same transitions, so no button is
offered that nothing runs, and nothing runnable goes unoffered (issue 19: the selectors no
longer import the services)."""

import pytest

from proposals import selectors as proposal_selectors
from proposals.models import TeamMember
from proposals.services import team
from rewards import selectors as reward_selectors
from rewards import services as reward_services
from rewards.models import LearningAuthor, Nomination


def _state_machine_names(model) -> set[str]:
    return {t.name for t in model._meta.get_field("state").get_all_transitions(model)}


@pytest.mark.parametrize(("offered", "registry", "model", "not_offered"), [
    (proposal_selectors.TEAM_ACTIONS, team.TEAM_MEMBER_TRANSITIONS, TeamMember, {"invite"}),
    (reward_selectors.LEARNING_AUTHOR_ACTIONS, reward_services.LEARNING_AUTHOR_TRANSITIONS,
     LearningAuthor, None),
    (reward_selectors.NOMINATION_ACTIONS, reward_services.NOMINATION_TRANSITIONS, Nomination,
     None),
])
def test_offered_names_are_the_registry_and_the_state_machine(offered, registry, model,
                                                              not_offered):
    assert set(offered) == set(registry)
    assert set(offered) <= _state_machine_names(model)
    if not_offered is not None:
        assert _state_machine_names(model) - set(offered) == not_offered
