"""An object's history as one viewer may read it: the one presentation of the transition log.

Pages (`{% history obj %}`, proposals/templatetags/display.py), the API (`history_data`) and
documents show `history_for(viewer, obj)`, never the raw log (`workflow.services.history`,
which the admin and the services read). It lives in proposals/, not beside the log in
workflow/, because it needs the conflict-of-interest rule (proposals/conflicts.py).

Blind review reaches the history too. When the object belongs to a proposal (the proposal
itself, its award, a tranche, a team membership, an assignment) and the viewer is on that
proposal (its lead or someone named on its team) or has a conflict of interest with it:
- whoever acted from outside the proposal's team is named by role, not by name: "a fund
  manager" screened it or sent it to review, "the panel chair" asked for a revision,
  recommended or rejected it, "a reviewer" submitted a review. A chair's or reviewer's name
  never reaches the applicant, and neither does any other name from outside the team (a fund
  manager may also have reviewed the proposal);
- the history of an assignment is not shown at all.
The team's own steps (submit, withdraw, report the outcome or a milestone) keep the names
of the people who took them. Everyone else reads every name, as before.

Money is part of a proposal's story (issue 15): on the pages, a proposal's history shows its
award's and tranches' steps too (a tranche released, its milestone reported, cancelled and its
money returned, the award cancelled or completed), an award's history its tranches', each
named ("Tranche 2: release") and under the same naming rule. The API's `history` of each
object keeps to that object's own steps (`with_money=False`), as before.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, OuterRef, Q, Subquery
from rest_framework import serializers

from workflow.models import TransitionLog
from workflow.services import history as logged_history

from .conflicts import has_conflict

SYSTEM = "the system"
FUND_MANAGER = "a fund manager"
PANEL_CHAIR = "the panel chair"
REVIEWER = "a reviewer"
ADMINISTRATOR = "an administrator"
THE_FUND = "the fund"

# Who takes each step that is not the applicants' own, by (model, transition): the role
# named to a viewer who may not learn the person.
ACTING_ROLES: dict[tuple[str, str], str] = {
    ("proposals.proposal", "screen_out"): FUND_MANAGER,
    ("proposals.proposal", "send_to_review"): FUND_MANAGER,
    ("proposals.proposal", "fund"): FUND_MANAGER,
    ("proposals.proposal", "decline"): FUND_MANAGER,
    ("proposals.proposal", "close"): FUND_MANAGER,
    ("proposals.proposal", "request_revision"): PANEL_CHAIR,
    ("proposals.proposal", "recommend"): PANEL_CHAIR,
    ("proposals.proposal", "reject"): PANEL_CHAIR,
    ("fund.award", "cancel"): FUND_MANAGER,
    ("fund.tranche", "release"): FUND_MANAGER,
    ("fund.tranche", "cancel"): FUND_MANAGER,
    ("reviews.assignment", "submit_review"): REVIEWER,
    ("reviews.assignment", "declare_conflict"): REVIEWER,
}

# Objects whose whole history stays with the panel: never shown to the applicant.
PANEL_ONLY = frozenset({"reviews.assignment"})


@dataclass(frozen=True)
class HistoryEntry:
    """One step as the viewer may read it: `actor_label` is a name or a role; `subject` names
    the part of the object the step was taken on ("Tranche 2", "The award"), or is empty."""

    at: datetime.datetime
    transition: str
    from_state: str
    to_state: str
    actor_label: str
    note: str
    subject: str = ""


def proposal_of(obj: Model):
    """The proposal an object belongs to, or None (a round, a nomination...)."""
    label = obj._meta.label_lower
    if label == "proposals.proposal":
        return obj
    if label == "fund.tranche":
        return obj.award.proposal
    if label in ("fund.award", "reviews.assignment", "proposals.teammember"):
        return obj.proposal
    return None


def _team_ids(proposal) -> set[int]:
    """The lead and everyone named on the team, whatever their invitation's state."""
    return {proposal.lead_id, *(member.user_id for member in proposal.team.all())}


def sees_names(viewer, obj: Model) -> bool:
    """Whether `viewer` reads the names of those who acted on `obj` from outside its
    proposal's team: not the applicants, not anyone with a conflict of interest."""
    proposal = proposal_of(obj)
    if proposal is None:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk in _team_ids(proposal):
        return False
    return not has_conflict(viewer, proposal)


def _role_of(label: str, transition: str, actor) -> str:
    role = ACTING_ROLES.get((label, transition))
    if role:
        return role
    if actor.is_fund_manager:
        return FUND_MANAGER
    if actor.is_superuser:
        return ADMINISTRATOR
    return THE_FUND


def _logs_with_money(obj: Model) -> list[tuple[object, str, str]]:
    """`obj`'s log and its money's, oldest first, in one query: (log, the subject's model
    label, the words that name it). A proposal's money is its award and the award's tranches,
    an award's its tranches (issue 15); they are reached through the relations fund names on
    the proposal (`award`, `tranches`), never by importing it."""
    label = obj._meta.label_lower
    if label == "proposals.proposal":
        award_model = obj._meta.get_field("award").related_model
        awards = award_model.objects.filter(proposal=obj).values("pk")
    elif label == "fund.award":
        award_model = type(obj)
        awards = award_model.objects.filter(pk=obj.pk).values("pk")
    else:
        return [(log, label, "") for log in logged_history(obj)]
    tranche_model = award_model._meta.get_field("tranches").related_model

    def type_of(model):
        return ContentType.objects.get_for_model(model, for_concrete_model=False)

    own, award_type, tranche_type = type_of(type(obj)), type_of(award_model), type_of(tranche_model)
    logs = (
        TransitionLog.objects.filter(
            Q(content_type=own, object_id=obj.pk)
            | Q(content_type=award_type, object_id__in=awards)
            | Q(content_type=tranche_type,
                object_id__in=tranche_model.objects.filter(award__in=awards).values("pk"))
        )
        .annotate(tranche_sequence=Subquery(
            tranche_model.objects.filter(pk=OuterRef("object_id")).values("sequence")[:1]))
        .select_related("actor")
        .order_by("at", "id")
    )
    rows = []
    for log in logs:
        if log.content_type_id == own.pk and log.object_id == obj.pk:
            rows.append((log, label, ""))
        elif log.content_type_id == tranche_type.pk:
            rows.append((log, tranche_model._meta.label_lower, f"Tranche {log.tranche_sequence}"))
        else:
            rows.append((log, award_model._meta.label_lower, "The award"))
    return rows


def history_for(viewer, obj: Model, *, with_money: bool = True) -> list[HistoryEntry]:
    """`obj`'s history, oldest first, as `viewer` may read it (see the module's doc).

    A proposal's history on its pages shows its award's and tranches' steps too (released,
    milestone reported, cancelled, money returned), an award's its tranches'; `with_money=False`
    keeps to the object's own steps (the API's `history` of each object)."""
    label = obj._meta.label_lower
    names = sees_names(viewer, obj)
    if not names and label in PANEL_ONLY:
        return []
    team = set() if names else _team_ids(proposal_of(obj))
    rows = _logs_with_money(obj) if with_money else [
        (log, label, "") for log in logged_history(obj)]
    entries = []
    for log, subject_label, subject in rows:
        actor = log.actor
        if actor is None:
            actor_label = SYSTEM
        elif names or actor.pk in team:
            actor_label = str(actor)
        else:
            actor_label = _role_of(subject_label, log.transition, actor)
        entries.append(HistoryEntry(
            at=log.at, transition=log.transition, from_state=log.from_state,
            to_state=log.to_state, actor_label=actor_label, note=log.note, subject=subject,
        ))
    return entries


# --- the API's form ------------------------------------------------------------------------------


class HistoryEntrySerializer(serializers.Serializer):
    """One step of an object's history as the requesting user may read it (`history_for`):
    `actor` is a name, or a role ("the panel chair") for an applicant, or "the system"."""

    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField()
    note = serializers.CharField()


def history_data(obj: Model, context) -> list[dict]:
    """`obj`'s history for the request in a serializer's `context`."""
    viewer = getattr((context or {}).get("request"), "user", None)
    return HistoryEntrySerializer(history_for(viewer, obj, with_money=False), many=True).data
