"""The stored acting chair of each proposal (`ProposalActingChair`, issue 16) follows every
change of what the rule (`reviews.chairs.acting_chair`) reads, in every channel.

The rule reads, for a proposal in a panel's states (`in_review`, `revision_requested`): its
panel (or its round's only panel), that panel's chair and deputy chair, the latest stand-in
named for it, and for each of those people whether they are active, an HR officer, or in
conflict with it (they lead it, are or were an accepted member of its team, their agency is
the lead's or a partner's, or they declared a conflict on their own assignment to review it).
So the store is refreshed (`reviews.chairs.refresh_acting_chairs`, the one writer) when:

- a proposal is saved with another state, panel, round or lead (transitions, admin, API,
  imports): `on_proposal_saved`;
- its partner agencies change (from either side of the many-to-many): `on_partners_changed`;
- a team member is accepted, removed, or their row changes or goes: `on_team_member_*`;
- a panel is made, deleted, or its chair, deputy chair or round changes (a new panel in a
  round changes which panel the proposals without one belong to): `on_panel_*`;
- a stand-in is named (or its row changes or goes): `on_stand_in_*`;
- an assignment enters or leaves `conflict`, or one in `conflict` is made or deleted:
  `on_assignment_*`;
- a person's agency or active flag changes (`on_user_saved`), or their groups gain or lose
  HR officers (`on_groups_changed`, from either side; the HR officers' group renamed or
  deleted, `on_group_*`): every proposal for which they are a candidate chair (chair or
  deputy of its panel, or a stand-in) or which they lead;
- the announcements the conflict rule already has: `people.signals.agency_changed` (HR
  imports, agency merges, the admin, the API) and `proposals.conflicts.parties_changed` (team
  changes, partner agencies moved by a merge).

Writes that skip the ORM's signals call `refresh_acting_chairs` themselves: moving a proposal
to another panel (`services.panels.proposal_move_to_panel`, a queryset's `update`) and the
bulk load (`portal.load`, `generate_load`). Fixtures loaded raw are left to the nightly
`reconcile_acting_chairs` (which also catches any channel forgotten here, and logs how many
rows it corrected).
"""

from __future__ import annotations

from django.db.models import Q

from people.models import HR_OFFICERS
from proposals.models import Proposal

from ..chairs import PANEL_STATES, refresh_acting_chairs
from ..models import Assignment

CONFLICT = Assignment.State.CONFLICT


def proposals_touching_people(people_ids) -> list[int]:
    """Proposals in a panel's states whose acting chair may change when something about
    `people_ids` changes (agency, active, HR): those whose panel (or, without one, whose
    round's panels) they chair or deputise, those they stand in for, those they lead, and
    those they act for now."""
    from ..models import Panel, ProposalActingChair

    ids = sorted({int(pk) for pk in people_ids if pk is not None})
    if not ids:
        return []
    panels = list(Panel.objects.filter(Q(chair_id__in=ids) | Q(deputy_chair_id__in=ids))
                  .order_by().values_list("pk", "round_id"))
    in_panel_states = Proposal.objects.filter(state__in=PANEL_STATES).order_by()
    found = set(in_panel_states.filter(
        Q(panel_id__in=[pk for pk, _ in panels])
        | Q(panel__isnull=True, round_id__in={r for _, r in panels})
        | Q(lead_id__in=ids)).values_list("pk", flat=True))
    found |= set(in_panel_states.filter(stand_in_chairs__chair_id__in=ids)
                 .values_list("pk", flat=True))
    found |= set(ProposalActingChair.objects.filter(chair_id__in=ids)
                 .values_list("proposal_id", flat=True))
    return sorted(found)


def refresh_for_people(people_ids) -> int:
    return refresh_acting_chairs(proposals_touching_people(people_ids))


def refresh_for_panel_rounds(*, panels=(), rounds=()) -> int:
    """Proposals of `panels`, and the proposals without a panel of `rounds` (whose panel is
    their round's only one), in a panel's states."""
    panels = [pk for pk in panels if pk is not None]
    rounds = [pk for pk in rounds if pk is not None]
    if not (panels or rounds):
        return 0
    ids = Proposal.objects.filter(state__in=PANEL_STATES).filter(
        Q(panel_id__in=panels) | Q(panel__isnull=True, round_id__in=rounds)
    ).values_list("pk", flat=True)
    return refresh_acting_chairs(ids)


# --- what each instance was read with (post_init) ----------------------------------------------
_WATCHED = {
    "Proposal": ("state", "panel_id", "round_id", "lead_id"),
    "Panel": ("chair_id", "deputy_chair_id", "round_id"),
    "Assignment": ("state", "proposal_id", "reviewer_id"),
    "TeamMember": ("proposal_id", "user_id", "accepted_at"),
    "PanelStandIn": ("panel_id", "proposal_id", "chair_id", "named_at"),
    "User": ("is_active", "agency_id"),
}
_MISSING = object()


def _values(instance) -> dict:
    return {name: instance.__dict__.get(name, _MISSING)
            for name in _WATCHED[type(instance).__name__]}


def remember_inputs(sender, instance, **kwargs) -> None:
    """post_init: the inputs of the rule this row was read with."""
    instance._chair_inputs = _values(instance)


def _changes(instance, created: bool) -> dict:
    """{field: (before, now)} of the watched fields changed by this save (all when created
    or not read from the database), and remember the saved values."""
    before = getattr(instance, "_chair_inputs", None) or {}
    now = _values(instance)
    instance._chair_inputs = now
    return {name: (None if created else before.get(name, _MISSING), value)
            for name, value in now.items()
            if created or before.get(name, _MISSING) != value}


# --- receivers (connected in reviews/apps.py) ---------------------------------------------------
def on_proposal_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """Its state, panel, round or lead changed (a transition, the admin, the API)."""
    if raw:
        return
    changes = _changes(instance, created)
    if created:
        if instance.state in PANEL_STATES:
            refresh_acting_chairs([instance.pk])
        return
    if not changes:
        return
    before = changes["state"][0] if "state" in changes else instance.state
    if before is _MISSING or before in PANEL_STATES or instance.state in PANEL_STATES:
        refresh_acting_chairs([instance.pk])


def on_partners_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs) -> None:
    """Partner agencies changed, from the proposal's side or the agency's."""
    if action == "pre_clear" and reverse:  # agency.partnered_proposals.clear(): whose?
        instance._cleared_proposals = list(
            sender.objects.filter(agency_id=instance.pk).values_list("proposal_id", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_acting_chairs([instance.pk])
    elif action == "post_clear":
        refresh_acting_chairs(getattr(instance, "_cleared_proposals", []))
    else:
        refresh_acting_chairs(pk_set or [])


def on_groups_changed(sender, instance, action, reverse=False, pk_set=None, model=None,
                      **kwargs) -> None:
    """A person joins or leaves the HR officers (user.groups or group.user_set)."""
    from django.contrib.auth.models import Group

    if action == "pre_clear":
        if reverse:
            instance._cleared_users = (list(sender.objects.filter(group_id=instance.pk)
                                            .values_list("user_id", flat=True))
                                       if instance.name == HR_OFFICERS else [])
        else:
            instance._cleared_hr = sender.objects.filter(
                user_id=instance.pk, group__name=HR_OFFICERS).exists()
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    instance.__dict__.pop("_group_names", None)  # its cached groups are no longer true
    if reverse:  # group.user_set: `instance` is the group, `pk_set` people
        if instance.name != HR_OFFICERS:
            return
        people = (getattr(instance, "_cleared_users", []) if action == "post_clear"
                  else list(pk_set or []))
    else:  # user.groups: `instance` is the person, `pk_set` groups
        if action == "post_clear":
            hr = getattr(instance, "_cleared_hr", False)
        else:
            hr = Group.objects.filter(pk__in=list(pk_set or []), name=HR_OFFICERS).exists()
        people = [instance.pk] if hr else []
    if people:
        refresh_for_people(people)


def remember_group_name(sender, instance, **kwargs) -> None:
    instance._chair_group_name = instance.__dict__.get("name")


def on_group_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """The HR officers' group renamed (its members stop or start being HR officers)."""
    before = getattr(instance, "_chair_group_name", None)
    instance._chair_group_name = instance.name
    if raw or created or before == instance.name or HR_OFFICERS not in (before, instance.name):
        return
    refresh_for_people(sender.user_set.through.objects.filter(group_id=instance.pk)
                       .values_list("user_id", flat=True))


def on_group_deleting(sender, instance, **kwargs) -> None:
    """pre_delete of the HR officers' group: its members, whom the deletion frees."""
    instance._chair_members = (
        list(sender.user_set.through.objects.filter(group_id=instance.pk)
             .values_list("user_id", flat=True)) if instance.name == HR_OFFICERS else [])


def on_group_deleted(sender, instance, **kwargs) -> None:
    if getattr(instance, "_chair_members", None):
        refresh_for_people(instance._chair_members)


def on_team_member_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    changes = _changes(instance, created)
    accepted = changes.get("accepted_at")
    if created and instance.accepted_at is None:
        return  # an invitation: no conflict until it is accepted
    if accepted and (accepted[0] is None) == (accepted[1] is None) and len(changes) == 1:
        return  # the acceptance's time moved (the demo's history): still accepted
    if changes:
        before = changes.get("proposal_id", (None,))[0]
        refresh_acting_chairs([instance.proposal_id, before if before is not _MISSING else None])


def on_team_member_deleted(sender, instance, **kwargs) -> None:
    if instance.__dict__.get("accepted_at") is not None:
        refresh_acting_chairs([instance.proposal_id])


def on_panel_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    changes = _changes(instance, created)
    if not changes:
        return
    round_before = changes.get("round_id", (None,))[0]
    refresh_for_panel_rounds(
        panels=[instance.pk],
        rounds=[instance.round_id, round_before if round_before is not _MISSING else None])


def on_panel_deleted(sender, instance, **kwargs) -> None:
    """The round may be left with one panel: its proposals without a panel now belong to it."""
    refresh_for_panel_rounds(rounds=[instance.round_id])


def on_stand_in_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    changes = _changes(instance, created)
    if changes:
        before = changes.get("proposal_id", (None,))[0]
        refresh_acting_chairs([instance.proposal_id, before if before is not _MISSING else None])


def on_stand_in_deleted(sender, instance, **kwargs) -> None:
    refresh_acting_chairs([instance.proposal_id])


def on_assignment_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    changes = _changes(instance, created)
    state = changes.get("state")
    was_conflict = state is not None and state[0] == CONFLICT
    if instance.state == CONFLICT and changes or was_conflict:
        before = changes.get("proposal_id", (None,))[0]
        refresh_acting_chairs([instance.proposal_id, before if before is not _MISSING else None])


def on_assignment_deleted(sender, instance, **kwargs) -> None:
    if instance.__dict__.get("state") == CONFLICT:
        refresh_acting_chairs([instance.proposal_id])


def on_user_saved(sender, instance, created=False, raw=False, update_fields=None,
                  **kwargs) -> None:
    """A person's agency or active flag changed (admin, API, services; a login's
    `last_login` is not one)."""
    if raw or created:
        return
    if update_fields is not None and not ({"agency", "agency_id", "is_active"}
                                          & set(update_fields)):
        return
    if _changes(instance, False):
        refresh_for_people([instance.pk])


def on_agency_changed(sender, people, **kwargs) -> None:
    if people:
        refresh_for_people(people)


def on_parties_changed(sender, proposal, **kwargs) -> None:
    refresh_acting_chairs([proposal.pk])
