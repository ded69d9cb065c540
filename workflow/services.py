"""Running a state machine's transition: the one place where any state changes.

Every transition of every model goes through `run_transition`, which checks the
state (409), the actor's permission (403) and the transition's conditions (400,
with the reasons), then changes the state, saves and appends to the log, all in
one transaction.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext

from .models import TransitionLog


class TransitionStateConflict(Exception):
    """The object's current state does not allow this transition (HTTP 409)."""

    def __init__(self, instance: Model, name: str):
        self.instance = instance
        self.name = name
        self.state = current_state(instance)
        # In the words of the page, in the reader's language: the object and its state's label
        # (a transition's name is no verb to put in a sentence: "declare conflict this
        # assignment while it is conflict", found when a form was sent twice).
        shown = getattr(instance, "get_state_display", None)
        super().__init__(gettext(
            "This cannot be done now: the %(object)s is “%(state)s”. Reload the page to see "
            "what can be done.") % {
            "object": instance._meta.verbose_name,
            "state": shown() if callable(shown) else self.state.replace("_", " ")})


class UnknownTransition(Exception):
    """No transition of that name exists on the object (HTTP 404)."""


class Rule:
    """A transition condition that can say why it fails.

    `check(instance)` returns None when the condition holds, else a message or
    a {field: message} dict. django-fsm calls the rule as a plain condition.
    """

    def __init__(self, check: Callable[[Any], Any], field: str = "non_field_errors"):
        self.check = check
        self.field = field
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def __call__(self, instance) -> bool:
        return not self.errors(instance)

    def errors(self, instance) -> dict[str, list[str]]:
        result = self.check(instance)
        if not result:
            return {}
        if isinstance(result, dict):
            return {k: v if isinstance(v, list) else [v] for k, v in result.items() if v}
        if isinstance(result, list | tuple):
            return {self.field: list(result)}
        return {self.field: [str(result)]}


class Permission:
    """A transition permission that can say why it refuses and who may act instead.

    `check(instance, user)` answers yes or no; `refusal(instance, user)` the message shown to
    a refused actor (it must not describe what the actor may not see). django-fsm calls the
    permission as a plain function.
    """

    def __init__(self, check: Callable[[Any, Any], bool], refusal: Callable[[Any, Any], str]):
        self.check = check
        self.refusal = refusal
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def __call__(self, instance, user) -> bool:
        return bool(self.check(instance, user))


def permission(refusal: Callable[[Any, Any], str]):
    """Decorator: a permission function with its refusal message (see `Permission`)."""

    def wrap(check):
        return Permission(check, refusal)

    return wrap


def refusal_message(instance: Model, name: str, actor) -> str:
    """Why `actor` may not run `name` on `instance` now (its state allowing it)."""
    _, meta = _transition_meta(instance, name)
    transition = meta.get_transition(meta.field.get_state(instance))
    perm = getattr(transition, "permission", None)
    if isinstance(perm, Permission):
        message = perm.refusal(instance, actor)
        if message:
            return message
    return f"You may not {name.replace('_', ' ')} this."


def rule(field: str = "non_field_errors"):
    """Decorator: make a function returning a message (or None) into a `Rule`."""

    def wrap(check):
        return Rule(check, field)

    return wrap


def _transition_meta(instance: Model, name: str):
    method = getattr(instance, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise UnknownTransition(name)
    return method, meta


def current_state(instance: Model) -> str:
    return instance.state


def transition_allowed_in_state(instance: Model, name: str) -> bool:
    _, meta = _transition_meta(instance, name)
    return meta.has_transition(meta.field.get_state(instance))


def condition_errors(instance: Model, name: str) -> dict[str, list[str]]:
    _, meta = _transition_meta(instance, name)
    transition = meta.get_transition(meta.field.get_state(instance))
    errors: dict[str, list[str]] = {}
    for condition in transition.conditions if transition else []:
        if isinstance(condition, Rule):
            found = condition.errors(instance)
        else:
            found = {} if condition(instance) else {"non_field_errors": ["A condition is not met."]}
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def may_run(instance: Model, name: str, actor) -> bool:
    """The state allows `name` and `actor` holds its permission (conditions not checked)."""
    _, meta = _transition_meta(instance, name)
    state = meta.field.get_state(instance)
    if not meta.has_transition(state):
        return False
    return meta.get_transition(state).has_perm(instance, actor)


def available_transitions(instance: Model, actor) -> list[str]:
    """Names of the transitions `actor` may try on `instance` in its current state."""
    field = instance._meta.get_field("state")
    names = []
    for t in field.get_all_transitions(instance.__class__):
        if t.name not in names and may_run(instance, t.name, actor):
            names.append(t.name)
    return names


def check_transition(instance: Model, name: str, actor, *, system: bool = False) -> None:
    """Raise what `run_transition` would for the state (409) or the actor (403), in that order.

    Services that need input besides the conditions (a reason, a message) call this first,
    so a wrong state or a stranger gets 409 or 403 rather than a complaint about the input.
    """
    _, meta = _transition_meta(instance, name)
    from_state = meta.field.get_state(instance)
    if not meta.has_transition(from_state):
        raise TransitionStateConflict(instance, name)
    if not system and not meta.get_transition(from_state).has_perm(instance, actor):
        raise PermissionDenied(refusal_message(instance, name, actor))


def run_transition(
    *, instance: Model, name: str, actor, note: str = "", system: bool = False, **kwargs
) -> TransitionLog:
    """Check state, permission and conditions, change the state, save and log it.

    `system=True` is for work the product does by itself (a round closing at
    `closes_at`, an assignment flagged when a conflict arises): no permission is checked;
    the log names `actor` when the work follows someone's change, else none.
    """
    from .bounds import text_too_long

    method, meta = _transition_meta(instance, name)
    from_state = meta.field.get_state(instance)
    check_transition(instance, name, actor, system=system)
    if problem := text_too_long(note, gettext("The note")):
        raise ValidationError({"note": [problem]})
    errors = condition_errors(instance, name)
    if errors:
        raise ValidationError(errors)
    from people.signals import acting_as

    with transaction.atomic(), acting_as(actor):
        method(**kwargs)
        instance.save()
        log = TransitionLog.objects.create(
            subject=instance,
            transition=name,
            from_state=from_state,
            to_state=meta.field.get_state(instance),
            actor=actor,
            note=note or "",
        )
        after_transition(log)
    return log


_listeners: list[Callable[[TransitionLog], None]] = []


def after_transition(log: TransitionLog) -> None:
    for listener in _listeners:
        listener(log)


def on_transition(listener: Callable[[TransitionLog], None]) -> Callable[[TransitionLog], None]:
    """Register a function run inside the transition's transaction (e.g. to enqueue notifications)."""
    _listeners.append(listener)
    return listener


def history(instance: Model):
    return TransitionLog.objects.for_object(instance).select_related("actor")
