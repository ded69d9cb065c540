"""API plumbing shared by every state machine: the transitions endpoint (see API.md).

A viewset gains ``POST <collection>/<id>/transitions/<name>/`` by mixing in
`TransitionViewSetMixin` and naming its registry of services::

    class ProposalViewSet(TransitionViewSetMixin, viewsets.ModelViewSet):
        transitions = PROPOSAL_TRANSITIONS      # {"submit": proposal_submit, ...}

The endpoint looks the name up in the registry (unknown: 404), gets the object
through the viewset's `get_object()` (so through its queryset: not visible,
404), checks the state (409) and the user's permission (403) on the model's
state-machine method of that name, and calls the service with the object,
``actor=request.user``, ``note`` and the other keyword parameters of the
service's signature taken from the body (``reason``, ``message``, ``amount``, ...). The body is checked against a
serializer built from the signature's annotations (``str``, ``Decimal``,
``int``, ``bool``, ``date``, lists), or against ``transition_serializers[name]``
when a viewset gives one (use that for nested input such as tranches). The
service decides everything else; `api_common.errors.exception_handler` turns its
exceptions into 400 (condition failed), 403 (not allowed) and 409 (state).
The answer is 200 with the object as it now is, serialized by the viewset's
``transition_response_serializer_class`` (default: the detail serializer).

Parameters never taken from the body: ``actor``, ``system``, the object's own
parameter (found by name: ``proposal``, ``round_``, ``tranche``...; set
``transition_object_param`` when it differs) and anything in
``transition_excluded_params``.

`state_field(Model)` is the read-only `state` of any state machine, and
`AvailableTransitionsField` lists the transitions the requesting user may run
now (state and permission, not conditions), limited to the registry's names.
"""

import copy
import datetime
import inspect
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from workflow.services import (
    TransitionStateConflict,
    UnknownTransition,
    available_transitions,
    may_run,
    refusal_message,
    transition_allowed_in_state,
)

NEVER_FROM_BODY = frozenset({"actor", "system", "self"})


# --- errors, documented once for every endpoint ----------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    """401, 403 and 404: a sentence saying why."""

    detail = serializers.CharField()


class TransitionConflictSerializer(serializers.Serializer):
    """409: the object's current state does not allow the transition."""

    detail = serializers.CharField()
    state = serializers.CharField(help_text="The object's current state.")


class FieldErrorsSerializer(serializers.Serializer):
    """400: `{"field": ["message", ...]}`; `non_field_errors` for what concerns no one field."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


# --- available transitions -----------------------------------------------------------------


@extend_schema_field(
    serializers.ListField(
        child=serializers.CharField(),
        help_text="Transitions the requesting user may run now (POST .../transitions/<name>/).",
    )
)
class AvailableTransitionsField(serializers.Field):
    """Read-only: the names the requesting user may run on the object in its current state.

    Give the registry (`transitions=PROPOSAL_TRANSITIONS`) to list only names the API
    can run; the dict is read at serialization time, so names added later count.
    """

    def __init__(self, transitions: dict | None = None, **kwargs):
        self.transitions = transitions
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        names = available_transitions(instance, user)
        if self.transitions is not None:
            names = [name for name in names if name in self.transitions]
        return names


# --- ids of related objects ----------------------------------------------------------------------


def _request_user(context):
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def people_visible_to(user):
    """The people a signed-in user may name in a write (a chair, a reviewer, a team member, a
    nominee...): active civil servants, as `people/` lists them. Nobody for anyone else."""
    from people.models import User

    if not (user and user.is_authenticated and user.is_active):
        return User.objects.none()
    return User.objects.filter(is_active=True)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """An object named by id, found only among those the requesting user may see.

    `visible(user)` gives that queryset (a selector such as `proposals_visible_to`). An id
    the user may not see gets exactly the answer of an id that does not exist (DRF's
    `does_not_exist`): never the object's title, state or owner from a service further on,
    and never a different status. Without a request in the serializer's context nothing is
    found. `model` is only for the schema.
    """

    def __init__(self, *, visible: Callable, model: type[Model], **kwargs):
        self.visible = visible
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible(_request_user(self.context))


def visible_choices(visible: Callable) -> Callable:
    """A django-filter `queryset=` callable: a filter's choices are what `visible(user)`
    gives, so filtering by an id the user may not see is the same 400 as by an unknown id."""

    def choices(request):
        return visible(getattr(request, "user", None))

    return choices


# --- the state ---------------------------------------------------------------------------------


def state_field(model: type[Model], **kwargs) -> serializers.ChoiceField:
    """Read-only `state` of a state machine, documented as an enum of its states.

    Every state machine has a field named `state`; SPECTACULAR_SETTINGS
    ["ENUM_NAME_OVERRIDES"] names each choice set (`ProposalStateEnum`) so the enums
    do not collide. Add an entry there for a new state machine.
    """
    kwargs.setdefault("read_only", True)
    return serializers.ChoiceField(choices=model._meta.get_field("state").choices, **kwargs)


# --- reading a service's signature ---------------------------------------------------------


def _service_parameters(service: Callable) -> list[inspect.Parameter]:
    return [
        p
        for p in inspect.signature(service).parameters.values()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _hints(service: Callable) -> dict:
    try:
        return typing.get_type_hints(service)
    except Exception:  # unresolvable forward references: fall back to the raw annotations
        return dict(getattr(service, "__annotations__", {}))


def _field_for(annotation, default) -> serializers.Field:
    """A serializer field accepting what the annotation asks for; optional (service default)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        annotation, origin = args[0], typing.get_origin(args[0])
    allow_null = default is None
    common = {"required": False, "allow_null": allow_null}
    if annotation is str or annotation == "str":
        return serializers.CharField(allow_blank=True, trim_whitespace=False, **common)
    if annotation is bool or annotation == "bool":
        return serializers.BooleanField(**common)
    if annotation is int or annotation == "int":
        return serializers.IntegerField(**common)
    if annotation is Decimal or annotation == "Decimal":
        return serializers.DecimalField(max_digits=14, decimal_places=2, **common)
    if annotation is datetime.datetime or annotation == "datetime":
        return serializers.DateTimeField(**common)
    if annotation is datetime.date or annotation == "date":
        return serializers.DateField(**common)
    if annotation in (list, tuple) or origin in (list, tuple):
        return serializers.ListField(child=serializers.JSONField(), **common)
    if annotation is dict or origin is dict:
        return serializers.DictField(**common)
    return serializers.JSONField(**common)


def _object_param(view, service: Callable) -> str | None:
    explicit = getattr(view, "transition_object_param", None)
    if explicit:
        return explicit
    names = [p.name for p in _service_parameters(service)]
    model = view.get_queryset().model
    for candidate in (model._meta.model_name, f"{model._meta.model_name}_", "instance", "obj"):
        if candidate in names:
            return candidate
    return None


@lru_cache(maxsize=256)
def _signature_serializer(service: Callable, excluded: frozenset, name: str) -> type:
    fields: dict[str, serializers.Field] = {}
    hints = _hints(service)
    for param in _service_parameters(service):
        if param.name in excluded or param.name.startswith("_"):
            continue
        default = None if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = _field_for(hints.get(param.name, param.annotation), default)
    fields["note"] = serializers.CharField(
        required=False, allow_blank=True, help_text="Recorded in the object's history."
    )
    return type(name, (serializers.Serializer,), fields)


# --- the endpoint ------------------------------------------------------------------------------


class TransitionSchema(AutoSchema):
    """Documents `transitions/<name>/`: the body's fields, the object as the answer, the errors."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if getattr(self.view, "action", None) == "transition":
            parameters = [
                *parameters,
                OpenApiParameter(
                    "transition",
                    str,
                    OpenApiParameter.PATH,
                    enum=sorted(self.view.transitions),
                    description="The transition to run.",
                ),
            ]
        return parameters

    def get_request_serializer(self):
        if getattr(self.view, "action", None) == "transition":
            return self.view.get_transition_request_schema_serializer()
        return super().get_request_serializer()

    def get_response_serializers(self):
        if getattr(self.view, "action", None) == "transition":
            return {
                200: self.view.get_transition_response_serializer_class(),
                400: OpenApiResponse(FieldErrorsSerializer, "A condition failed, or bad input."),
                401: OpenApiResponse(ErrorDetailSerializer, "Not signed in."),
                403: OpenApiResponse(ErrorDetailSerializer, "Not allowed to run it."),
                404: OpenApiResponse(ErrorDetailSerializer, "No such object or transition."),
                409: OpenApiResponse(
                    TransitionConflictSerializer, "The object's state does not allow it."
                ),
            }
        return super().get_response_serializers()

    def get_description(self):
        if getattr(self.view, "action", None) == "transition":
            return (
                "Run a transition of the object's state machine. Send `note` (kept in the "
                "history) and the transition's own fields. Answers the object as it now is."
            )
        return super().get_description()


_SCHEMA_SERIALIZERS: dict[tuple, type] = {}


class TransitionViewSetMixin:
    """`POST <collection>/<id>/transitions/<name>/` for a viewset with a `transitions` registry."""

    #: {name: service}; each service takes the object, `actor` and `note` keyword arguments.
    transitions: dict[str, Callable] = {}
    #: {name: serializer class} validating that transition's body instead of its signature.
    transition_serializers: dict[str, type] = {}
    #: The service's keyword for the object, when not the model's name (or name + "_").
    transition_object_param: str | None = None
    #: Service parameters never read from the body.
    transition_excluded_params: frozenset = frozenset()
    #: {registry name: state-machine method name} where the two differ.
    transition_fsm_names: dict[str, str] = {}
    #: The serializer of the answer; default: the viewset's serializer for `retrieve`.
    transition_response_serializer_class = None

    schema = TransitionSchema()

    def get_transition_response_serializer_class(self):
        if self.transition_response_serializer_class is not None:
            return self.transition_response_serializer_class
        current = getattr(self, "action", None)
        self.action = "retrieve"
        try:
            return self.get_serializer_class()
        finally:
            self.action = current

    def get_transition_request_serializer_class(self, name: str) -> type:
        if name in self.transition_serializers:
            return self.transition_serializers[name]
        service = self.transitions[name]
        excluded = NEVER_FROM_BODY | self.transition_excluded_params
        obj_param = _object_param(self, service)
        if obj_param:
            excluded = excluded | {obj_param}
        model = self.get_queryset().model.__name__
        label = "".join(part.capitalize() for part in name.split("_"))
        return _signature_serializer(service, frozenset(excluded), f"{model}{label}Transition")

    def get_transition_request_schema_serializer(self):
        """One body schema for all of this collection's transitions: every field is optional."""
        key = (type(self), tuple(sorted(self.transitions)))
        if key not in _SCHEMA_SERIALIZERS:
            fields: dict[str, serializers.Field] = {}
            for name in sorted(self.transitions):
                serializer = self.get_transition_request_serializer_class(name)()
                for field_name, field in serializer.fields.items():
                    if field_name not in fields:
                        fields[field_name] = copy.deepcopy(field)
                        fields[field_name].required = False
            model = self.get_queryset().model.__name__
            _SCHEMA_SERIALIZERS[key] = type(
                f"{model}Transition", (serializers.Serializer,), fields
            )
        return _SCHEMA_SERIALIZERS[key]

    def check_transition(self, name: str, instance: Model) -> None:
        """State first (409), then permission (403), before the body is judged (400).

        Uses the model's state-machine transition of the same name (or
        `transition_fsm_names[name]`); the service checks both again under its lock.
        """
        fsm_name = self.transition_fsm_names.get(name, name)
        try:
            allowed = transition_allowed_in_state(instance, fsm_name)
        except UnknownTransition:
            return  # not a state-machine method: the service decides alone
        if not allowed:
            raise TransitionStateConflict(instance, fsm_name)
        if not may_run(instance, fsm_name, self.request.user):
            raise PermissionDenied(refusal_message(instance, fsm_name, self.request.user))

    def get_transition_kwargs(self, name: str, instance: Model, data) -> dict:
        serializer = self.get_transition_request_serializer_class(name)(
            data=data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        kwargs = dict(serializer.validated_data)
        service = self.transitions[name]
        parameters = {p.name for p in _service_parameters(service)}
        takes_any = any(
            p.kind is p.VAR_KEYWORD for p in inspect.signature(service).parameters.values()
        )
        if not takes_any:
            kwargs = {k: v for k, v in kwargs.items() if k in parameters}
        for never in NEVER_FROM_BODY:
            kwargs.pop(never, None)
        obj_param = _object_param(self, service) or "instance"
        kwargs[obj_param] = instance
        kwargs["actor"] = self.request.user
        return kwargs

    def get_transitioned_object(self, instance: Model, result):
        """The object as it now is, re-read through the queryset (annotations included)."""
        model = self.get_queryset().model
        pk = result.pk if isinstance(result, model) else instance.pk
        fresh = self.get_queryset().filter(pk=pk).first()
        if fresh is not None:
            return fresh
        fresh = result if isinstance(result, model) else instance
        fresh.refresh_from_db()
        return fresh

    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<transition>[^/.]+)",
        url_name="transition",
    )
    def transition(self, request, transition: str, *args, **kwargs):
        if transition not in self.transitions:
            raise exceptions.NotFound(_("No transition named “%(name)s”.") % {"name": transition})
        instance = self.get_object()
        self.check_transition(transition, instance)
        service_kwargs = self.get_transition_kwargs(transition, instance, request.data)
        result = self.transitions[transition](**service_kwargs)
        instance = self.get_transitioned_object(instance, result)
        serializer_class = self.get_transition_response_serializer_class()
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_200_OK)
