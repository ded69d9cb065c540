"""The proposal's transitions are declared once (proposals/lifecycle.py), as in DOMAIN.md.

The state machine takes its states from that table, the pages and the API run transitions
by name through it, and nothing adds to it by being imported (issue 19).
"""

import ast
import inspect
from pathlib import Path

import pytest

from proposals import lifecycle
from proposals.lifecycle import LIFECYCLE, PROPOSAL_TRANSITIONS
from proposals.models import Proposal

# DOMAIN.md, "Proposal": transition, from → to.
DOMAIN = {
    "submit": ({"draft", "revision_requested"}, "submitted"),
    "screen_out": ({"submitted"}, "ineligible"),
    "send_to_review": ({"submitted"}, "in_review"),
    "request_revision": ({"in_review"}, "revision_requested"),
    "recommend": ({"in_review"}, "recommended"),
    "reject": ({"in_review"}, "rejected"),
    "fund": ({"recommended"}, "funded"),
    "decline": ({"recommended"}, "declined"),
    "report_outcome": ({"funded"}, "outcome_reported"),
    "close": ({"outcome_reported"}, "closed"),
    "withdraw": ({"draft", "submitted", "in_review", "revision_requested"}, "withdrawn"),
}

OWNER = {
    "recommend": "reviews.", "reject": "reviews.", "fund": "fund.", "decline": "fund.",
}


def _state_machine() -> dict[str, tuple[set, str]]:
    field = Proposal._meta.get_field("state")
    found: dict[str, tuple[set, str]] = {}
    for t in field.get_all_transitions(Proposal):
        sources, target = found.setdefault(t.name, (set(), t.target))
        assert target == t.target
        sources.add(t.source)
    return found


def test_the_table_is_domain_md():
    declared = {t.name: (set(t.sources), t.target) for t in LIFECYCLE}
    assert declared == DOMAIN
    states = set(Proposal.State.values)
    for sources, target in declared.values():
        assert sources | {target} <= states


def test_the_state_machine_follows_the_table():
    assert _state_machine() == DOMAIN


def test_who_may_and_the_conditions_resolve_where_each_step_is_owned():
    for step in LIFECYCLE:
        chair = step.name in ("recommend", "reject", "request_revision")
        assert step.permission.startswith("reviews." if chair else "proposals.rules."), step
        kwargs = lifecycle.fsm(step.name)
        assert callable(kwargs["permission"].target)
        assert [c.target.__name__ for c in kwargs["conditions"]] == [
            path.rsplit(".", 1)[-1] for path in step.conditions]
    assert lifecycle.transition("recommend").conditions == (
        "reviews.rules.review_quorum_reached",)
    assert len(lifecycle.transition("submit").conditions) == 6


def test_the_model_imports_no_rule():
    from proposals import models

    source = Path(inspect.getfile(models)).read_text()
    assert "from .lifecycle import fsm" in source
    assert "rules" not in source


def test_every_name_runs_the_service_of_the_app_that_owns_the_step():
    assert list(PROPOSAL_TRANSITIONS) == [t.name for t in LIFECYCLE]
    for step in LIFECYCLE:
        service = PROPOSAL_TRANSITIONS[step.name]
        assert service.__name__ == f"proposal_{step.name}"
        assert service.__module__.startswith(OWNER.get(step.name, "proposals."))
        params = inspect.signature(service).parameters
        assert {"proposal", "actor", "note"} <= set(params)
        assert step.who


def test_unknown_names_are_not_transitions():
    assert "approve" not in PROPOSAL_TRANSITIONS
    assert PROPOSAL_TRANSITIONS.get("approve") is None
    with pytest.raises(KeyError):
        PROPOSAL_TRANSITIONS["approve"]


def test_nothing_changes_the_registry():
    with pytest.raises((TypeError, AttributeError)):
        PROPOSAL_TRANSITIONS["approve"] = print
    assert not hasattr(PROPOSAL_TRANSITIONS, "update")


def test_the_table_imports_nothing_above_proposals():
    tree = ast.parse(Path(inspect.getfile(lifecycle)).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported
    assert all(name.split(".")[0] in {"collections", "dataclasses", "django", "workflow"}
               for name in imported), imported


@pytest.mark.parametrize("module", ["fund/services/awards.py", "reviews/apps.py",
                                    "reviews/services.py", "proposals/services/outcomes.py"])
def test_no_module_adds_transitions_when_imported(module):
    source = (Path(__file__).resolve().parents[2] / module)
    if not source.exists():  # moved into a package
        source = source.with_suffix("")
    text = "".join(p.read_text() for p in ([source] if source.is_file()
                                           else sorted(source.glob("*.py"))))
    assert text
    assert "PROPOSAL_TRANSITIONS.update" not in text
    assert "PROPOSAL_TRANSITIONS[" not in text
