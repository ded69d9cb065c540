"""Evidence is permanent (DOMAIN.md, "Integrity rules").

No interface deletes a submitted review or its scores, a transition record, an award, a
tranche, an outcome report, a recognition, a nomination, or anything a transition record or a
submitted review refers to (panels and assignments included); people and agencies are
deactivated, never deleted once referenced.

The rule is held at the model level, below every interface: `refuse_deleting_evidence` is a
`pre_delete` receiver for every model (so a queryset's delete, a cascade, the admin and the
shell all meet it) that raises `ProtectedError` for evidence. Being connected for every model
also switches off Django's "fast delete", so no deletion slips past it. The admin mixin
`EvidenceAdmin` offers no delete button or action for evidence, so nobody meets a refusal
there.
"""

from __future__ import annotations

from django.db.models import ProtectedError

# Models whose rows are always evidence, by `app_label.model`.
ALWAYS = {
    "workflow.transitionlog", "fund.award", "fund.tranche", "proposals.outcomereport",
    "rewards.recognition", "rewards.nomination",
}
# Models deleted only before they carry evidence (no transition record, nothing below them).
PEOPLE = {"people.user", "people.agency"}


def _has_history(instance) -> bool:
    from django.contrib.contenttypes.models import ContentType

    from .models import TransitionLog

    if instance.pk is None:
        return False
    content_type = ContentType.objects.get_for_model(type(instance), for_concrete_model=False)
    return TransitionLog.objects.filter(content_type=content_type,
                                        object_id=instance.pk).exists()


def evidence_reason(instance) -> str | None:
    """Why `instance` may not be deleted, or None when it may."""
    label = instance._meta.label_lower
    name = f"{instance._meta.verbose_name} “{instance}”"
    if label in ALWAYS:
        return f"The {name} is evidence a decision or a record rests on; it is never deleted."
    if label == "reviews.review":
        if instance.submitted_at is not None:
            return f"The {name} was submitted; submitted reviews are kept as evidence."
        return None
    if label == "reviews.score":
        if instance.review.submitted_at is not None:
            return "Scores of a submitted review are kept as evidence."
        return None
    if label == "reviews.panel" and instance.assignments.exists():
        return f"The {name} has assignments; panels with reviews are kept as evidence."
    if label == "reviews.panelstandin":
        return f"The {name} is a record of who acted as chair; it is kept."
    if label in PEOPLE:
        return (f"The {name} may be referenced by decisions and records: deactivate it "
                "instead of deleting it.") if _referenced(instance) else None
    if _has_history(instance):
        return f"The {name} has a recorded history; it is kept as evidence."
    return None


def _referenced(instance) -> bool:
    """Whether any row of the product points at `instance` (people and agencies); Django's
    own bookkeeping (sessions, permissions, admin log) does not count."""
    for relation in instance._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue  # forward fields: not a reference to the instance
        model = relation.related_model
        if model._meta.app_label not in ("workflow", "fund", "proposals", "reviews",
                                         "rewards", "people", "jobs"):
            continue
        if model._base_manager.filter(**{relation.field.name: instance}).exists():
            return True
    return False


def evidence_below(instance) -> bool:
    """Whether deleting `instance` would take evidence with it (a cascade to a row that is
    evidence, e.g. a learning's recorded co-authorship). A row that on_delete=PROTECT already
    guards counts as evidence too."""
    from django.db import router
    from django.db.models.deletion import Collector

    collector = Collector(using=router.db_for_write(type(instance), instance=instance))
    try:
        collector.collect([instance])
    except ProtectedError:
        return True
    for rows in collector.data.values():
        for row in rows:
            if row is not instance and evidence_reason(row):
                return True
    return False


def refuse_deleting_evidence(sender, instance, **kwargs) -> None:
    """`pre_delete` for every model: evidence is never deleted, in any channel."""
    if sender._meta.app_label not in ("workflow", "fund", "proposals", "reviews", "rewards",
                                      "people"):
        return
    reason = evidence_reason(instance)
    if reason:
        raise ProtectedError(reason, {instance})


class EvidenceAdmin:
    """Admin mixin: no deletion of evidence (nor bulk deletion, which cannot say why)."""

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return False
        if evidence_reason(obj) or evidence_below(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
