"""Bounded input (DOMAIN.md, "Integrity rules"): every text has a maximum length, imports a
maximum number of rows. Limits apply to writes; longer rows stored before the rule are kept.

- `TITLE_MAX` (200 characters): titles and names;
- `LONG_TEXT_MAX` (20,000 characters): any long text a person types (a proposal's parts,
  comments, reports, notes on transitions);
- `IMPORT_ROWS_MAX` (50,000 rows): one import file.

Lengths count characters, not bytes (Python's `len`), so Dzongkha and Latin text get the same
room. Text is stored in Unicode normalisation form C (`pre_save`, every channel that saves a
model): the same Tibetan letters typed on two keyboards (U+0F73 against U+0F71 U+0F72) are then
the same text, and search (which normalises the query alike) finds one with the other.

Short single-line texts (titles, names: every `CharField` of the fund's models) must also be
*visible text* (`visible_text`): at least one character that shows, and no bidirectional
control character (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), which can make a
title read in another order than it is stored. A title of zero-width spaces, word joiners or
soft hyphens looks empty in every list; Tibetan marks (the tsheg U+0F0B) are visible and a
zero-width joiner inside a word is kept. The rule is the fields' own validator (installed by
`install_visible_text` on every such model field, so model forms, the admin and model
serializers say it), named by plain forms and serializers with `validators=[visible_text]`,
checked by imports (`datafiles.tables.check_length`) and, as the last net, by `pre_save`.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext, gettext_lazy

TITLE_MAX = 200
LONG_TEXT_MAX = 20_000
IMPORT_ROWS_MAX = 50_000


class LongTextField(models.TextField):
    """A `TextField` with the product's limit: enforced by model validation (`full_clean`),
    model forms and serializers (the validator), and shown to browsers (`maxlength`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LONG_TEXT_MAX)
        super().__init__(*args, **kwargs)
        if not any(isinstance(v, MaxLengthValidator) for v in self._validators):
            self._validators = [*self._validators, MaxLengthValidator(self.max_length)]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == LONG_TEXT_MAX:
            kwargs.pop("max_length")
        validators = [v for v in kwargs.get("validators", [])
                      if not isinstance(v, MaxLengthValidator)]
        if validators:
            kwargs["validators"] = validators
        else:
            kwargs.pop("validators", None)
        return name, path, args, kwargs


# --- visible text ------------------------------------------------------------------------------
# Bidirectional controls: embeddings and overrides, isolates, the LRM/RLM/ALM marks.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Characters that show nothing even though they are not format or space characters (Unicode's
# default-ignorable code points and the blank fillers people paste to look "empty").
_BLANK = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0, 0x16FE4, 0x1D159]
    + list(range(0x180B, 0x1810)) + list(range(0xFE00, 0xFE10))
    + list(range(0x1D173, 0x1D17B)) + list(range(0xE0100, 0xE01F0))
)
# Not a character of its own: controls, formats, spaces, and marks (which only change the
# character before them: a text of combining marks alone shows no base to put them on).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp",
                                   "Mn", "Mc", "Me"})
NO_VISIBLE_TEXT = gettext_lazy(
    "Write some visible text: this has only spaces or invisible characters.")
BIDI_CONTROL = gettext_lazy(
    "Take out the hidden text-direction characters (such as U+202E): they can make the text "
    "read in another order than it is stored.")


def _visible(char: str) -> bool:
    return (unicodedata.category(char) not in _INVISIBLE_CATEGORIES
            and ord(char) not in _BLANK)


def has_visible_character(value: str) -> bool:
    """True when at least one character of `value` shows on the page on its own (a letter,
    digit, punctuation or symbol that is not a blank filler; a mark needs one of those)."""
    return any(_visible(char) for char in value)


def visible_text_problem(value) -> tuple[str, str] | None:
    """(code, message) when a non-empty text has no visible character or holds a
    bidirectional control; None when it is fine (an empty text is the field's to judge)."""
    if not isinstance(value, str) or value == "":
        return None
    if BIDI_CONTROLS.search(value):
        return "bidi_control", str(BIDI_CONTROL)
    # Most texts begin with a letter or digit: no need to look at each character.
    first = value[0]
    if not ((first.isalnum() and ord(first) not in _BLANK) or has_visible_character(value)):
        return "no_visible_text", str(NO_VISIBLE_TEXT)
    return None


@deconstructible(path="workflow.bounds.VisibleText")
class VisibleText:
    """The validator of titles and names (`visible_text`): see the module's docstring."""

    def __call__(self, value) -> None:
        problem = visible_text_problem(value)
        if problem:
            raise ValidationError(problem[1], code=problem[0])

    def __eq__(self, other) -> bool:
        return isinstance(other, VisibleText)

    def __hash__(self) -> int:
        return hash(VisibleText)


visible_text = VisibleText()


def single_line_fields(model) -> list:
    """The model's short single-line texts: its `CharField`s (not long texts)."""
    return [f for f in model._meta.concrete_fields
            if isinstance(f, models.CharField) and not f.choices]


def install_visible_text(app_configs) -> None:
    """Give every single-line text field of the fund's models the `visible_text` validator.

    Added to the field's own default validators (as Django's `EmailField` has its), not to
    `validators=`: no migration records it, and every model form, admin form and model
    serializer built from the field (and `full_clean`) applies it."""
    for app_config in app_configs:
        if app_config.label not in BOUNDED_APPS:
            continue
        for model in app_config.get_models():
            for field in single_line_fields(model):
                if visible_text not in field.default_validators:
                    field.default_validators = [*field.default_validators, visible_text]
                    field.__dict__.pop("validators", None)  # a cached_property


def text_too_long(value, label: str, limit: int = LONG_TEXT_MAX) -> str | None:
    """A message when `value` is longer than `limit` characters, else None."""
    if value is not None and len(str(value)) > limit:
        return gettext("%(label)s is %(length)s characters long; keep it within %(limit)s "
                       "characters.") % {"label": label, "length": f"{len(str(value)):,}",
                                         "limit": f"{limit:,}"}
    return None


# --- the net under every channel -----------------------------------------------------------------
# Model validation covers forms, the admin and services that call `full_clean`; a service
# that saves without it (a transition's report, `update_or_create`) or an import is met by this
# `pre_save` check instead, so no channel stores an over-long text. A text that was already
# over the limit when it was loaded (stored before the rule) is kept as it is.
BOUNDED_APPS = ("fund", "proposals", "reviews", "rewards", "people")


def _bounded_fields(model):
    cached = model.__dict__.get("_bounded_fields_cache")
    if cached is None:
        cached = [f for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField) and f.max_length]
        model._bounded_fields_cache = cached
    return cached


# {model: ((attname, max_length, single line), ...)} of the bounded texts `remember_overlong`
# looks at (single line: a `CharField`, which must also be visible text); empty
# for a model outside BOUNDED_APPS. Every row any query loads passes here (`post_init`, 945
# times for a page of 100 proposals of the API with their prefetched rows): one dict lookup,
# then each loaded text's length and, for a single-line one, whether it is visible text
# (issue 16).
_LOADED_LIMITS: dict[type, tuple[tuple[str, int, bool], ...]] = {}


def _loaded_limits(model) -> tuple[tuple[str, int, bool], ...]:
    limits = _LOADED_LIMITS.get(model)
    if limits is None:
        limits = ()
        if model._meta.app_label in BOUNDED_APPS:
            limits = tuple((field.attname, field.max_length, isinstance(field, models.CharField))
                           for field in _bounded_fields(model))
        _LOADED_LIMITS[model] = limits
    return limits


def remember_overlong(sender, instance, **kwargs) -> None:
    """`post_init`: note texts loaded over their limit (rows from before the rule)."""
    limits = _LOADED_LIMITS.get(sender)
    if limits is None:
        limits = _loaded_limits(sender)
    if not limits:
        return
    values = instance.__dict__
    overlong = None
    for attname, max_length, single_line in limits:
        value = values.get(attname)
        if isinstance(value, str) and (len(value) > max_length or (
                single_line and value and visible_text_problem(value))):
            if overlong is None:
                overlong = {}
            overlong[attname] = value
    if overlong and instance.pk is not None:
        instance._overlong_loaded = overlong


def refuse_overlong(sender, instance, raw=False, **kwargs) -> None:
    """`pre_save`: store texts in normalisation form C; refuse a text longer than its field's
    limit, and a single-line text that is not visible text, with a clear message."""
    if raw or sender._meta.app_label not in BOUNDED_APPS:
        return
    kept = getattr(instance, "_overlong_loaded", {})
    errors = {}
    for field in _bounded_fields(sender):
        value = getattr(instance, field.attname)
        if isinstance(value, str) and field.attname not in kept \
                and not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
            setattr(instance, field.attname, value)
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL cannot store it (a 500 there, silently kept on SQLite): refuse it.
            errors[field.name] = [gettext(
                "%(label)s contains a null character (\\x00), which cannot be stored; "
                "remove it.") % {"label": str(field.verbose_name).capitalize()}]
            continue
        if isinstance(value, str) and len(value) > field.max_length \
                and kept.get(field.attname) != value:
            label = str(field.verbose_name).capitalize()
            errors[field.name] = [text_too_long(value, label, field.max_length)]
            continue
        if isinstance(value, str) and isinstance(field, models.CharField) \
                and kept.get(field.attname) != value:
            problem = visible_text_problem(value)
            if problem:
                errors[field.name] = [gettext("%(label)s: %(problem)s") % {
                    "label": str(field.verbose_name).capitalize(), "problem": problem[1]}]
    if errors:
        raise ValidationError(errors)
