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
"""

import unicodedata

from django.core.validators import MaxLengthValidator
from django.db import models

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


def text_too_long(value, label: str, limit: int = LONG_TEXT_MAX) -> str | None:
    """A message when `value` is longer than `limit` characters, else None."""
    if value is not None and len(str(value)) > limit:
        return (f"{label} is {len(str(value)):,} characters long; keep it within "
                f"{limit:,} characters.")
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


def remember_overlong(sender, instance, **kwargs) -> None:
    """`post_init`: note texts loaded over their limit (rows from before the rule)."""
    if sender._meta.app_label not in BOUNDED_APPS or instance.pk is None:
        return
    overlong = {}
    for field in _bounded_fields(sender):
        value = instance.__dict__.get(field.attname)
        if isinstance(value, str) and len(value) > field.max_length:
            overlong[field.attname] = value
    if overlong:
        instance._overlong_loaded = overlong


def refuse_overlong(sender, instance, raw=False, **kwargs) -> None:
    """`pre_save`: store texts in normalisation form C; refuse a text longer than its field's
    limit, with a clear message."""
    from django.core.exceptions import ValidationError

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
            errors[field.name] = [f"{str(field.verbose_name).capitalize()} contains a null "
                                  "character (\\x00), which cannot be stored; remove it."]
            continue
        if isinstance(value, str) and len(value) > field.max_length \
                and kept.get(field.attname) != value:
            label = str(field.verbose_name).capitalize()
            errors[field.name] = [text_too_long(value, label, field.max_length)]
    if errors:
        raise ValidationError(errors)
