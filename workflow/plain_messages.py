"""Error messages in the fund's own words, for every form and every API field at once.

Django and Django REST framework ship messages written for developers ("This field is
required.", "Ensure this value is greater than or equal to 0.01.", "Select a valid choice. 7 is
not one of the available choices."). `install()` (called once by `WorkflowConfig.ready`) puts
plain words in their place, on the classes themselves, so that every form and serializer of the
product, and every one still to be written, says them without doing anything:

- the default messages of Django's form fields, formsets and model fields, and of the REST
  framework's fields and serializers (`FORM_FIELDS`, `MODEL_FIELDS`, `API_FIELDS`, `FORMSETS`);
- the messages of Django's validators, which the REST framework passes on as they are
  (`VALIDATORS`), and of the REST framework's own (`_api_validators`: unique values);
- on a page, a field left empty is named by its label: "Fill in “Received on”.", "Choose
  “Contributing agency”." (`name_the_field`); an API error already sits under the field's key.

A form that says something more precise keeps it: `error_messages=` on a field wins, as in
Django. `tests/test_form_messages.py` renders every form's and serializer's errors and fails on
a snake_case name or one of the defaults.
"""

from __future__ import annotations

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REQUIRED = _("This is needed.")
NUMBER = _("Enter a number, e.g. 1250.50.")
WHOLE_NUMBER = _("Enter a whole number, e.g. 12.")
AT_LEAST = _("Enter %(limit_value)s or more.")
AT_MOST = _("Enter %(limit_value)s or less.")
DATE = _("Enter a date like 2026-12-31.")
DATE_TIME = _("Enter a date and time like 2026-12-31 14:30.")
TIME = _("Enter a time like 14:30.")
CHOICE = _("Choose one of the options offered.")
TOO_LONG = _("Keep it to %(limit_value)d characters or fewer (this has %(show_value)d).")
TOO_SHORT = _("Write at least %(limit_value)d characters (this has %(show_value)d).")

# Validators' own codes: Django fields look them up in the field's messages by code.
_VALIDATOR_CODES = {
    "min_value": AT_LEAST,
    "max_value": AT_MOST,
    "step_size": _("Enter a multiple of %(limit_value)s."),
    "max_length": TOO_LONG,
    "min_length": TOO_SHORT,
    "max_digits": _("Enter a number with at most %(max)s digits."),
    "max_decimal_places": _("Enter at most %(max)s digits after the decimal point."),
    "max_whole_digits": _("Enter at most %(max)s digits before the decimal point."),
    "null_characters_not_allowed": _("Take out the invisible null characters."),
}

FORM_FIELDS: dict[type, dict[str, str]] = {
    forms.Field: {"required": REQUIRED, **_VALIDATOR_CODES},
    forms.CharField: {},
    forms.IntegerField: {"invalid": WHOLE_NUMBER},
    forms.DecimalField: {"invalid": NUMBER},
    forms.FloatField: {"invalid": NUMBER},
    forms.DateField: {"invalid": DATE},
    forms.DateTimeField: {"invalid": DATE_TIME},
    forms.TimeField: {"invalid": TIME},
    forms.DurationField: {
        "invalid": _("Enter a duration like 3 days, 04:00:00."),
        "overflow": _("Enter between {min_days} and {max_days} days."),
    },
    forms.SplitDateTimeField: {"invalid_date": DATE, "invalid_time": TIME},
    forms.ChoiceField: {"invalid_choice": CHOICE},
    forms.MultipleChoiceField: {"invalid_choice": CHOICE,
                                "invalid_list": _("Choose from the options offered.")},
    forms.ModelChoiceField: {"invalid_choice": CHOICE},
    forms.ModelMultipleChoiceField: {
        "invalid_choice": CHOICE, "invalid_list": _("Choose from the options offered."),
        "invalid_pk_value": CHOICE,
    },
    forms.MultiValueField: {"invalid": _("Fill in every part."), "incomplete": _("Fill in every part.")},
    forms.EmailField: {"invalid": _("Enter an email address like name@agency.gov.bt.")},
    forms.URLField: {"invalid": _("Enter a web address like https://www.gov.bt.")},
    forms.SlugField: {"invalid": _("Use only letters, numbers, hyphens and underscores.")},
    forms.UUIDField: {"invalid": _("Enter the identifier as it was given.")},
    forms.JSONField: {"invalid": _("Enter the data as JSON.")},
    forms.GenericIPAddressField: {"invalid": _("Enter an address like 192.0.2.1.")},
    forms.FileField: {
        "invalid": _("Choose a file to upload."),
        "missing": _("Choose a file to upload."),
        "empty": _("The file you chose is empty."),
        "max_length": _("Give the file a shorter name: at most %(max)d characters (it has "
                      "%(length)d)."),
        "contradiction": _("Either choose a new file or tick “Clear”, not both."),
    },
    forms.ImageField: {"invalid_image": _("Choose a picture (PNG, JPEG or GIF); this file is not "
                                        "one or is damaged.")},
}

FORMSETS: dict[str, str] = {
    "missing_management_form": _("The form was not sent whole: reload the page and try again."),
    "too_many_forms": _("Add at most %(num)d."),
    "too_few_forms": _("Add at least %(num)d."),
}

MODEL_FIELDS: dict[type, dict[str, str]] = {
    models.Field: {
        "invalid_choice": CHOICE,
        "null": REQUIRED,
        "blank": REQUIRED,
        "unique": _("There is already a %(model_name)s with this %(field_label)s."),
        "unique_for_date": _("There is already one with this %(field_label)s on that "
                           "%(date_field_label)s."),
    },
    models.IntegerField: {"invalid": WHOLE_NUMBER},
    models.DecimalField: {"invalid": NUMBER},
    models.FloatField: {"invalid": NUMBER},
    models.BooleanField: {"invalid": _("Answer yes or no.")},
    models.DateField: {"invalid": DATE, "invalid_date": DATE},
    models.DateTimeField: {"invalid": DATE_TIME, "invalid_date": DATE,
                           "invalid_datetime": DATE_TIME},
    models.TimeField: {"invalid": TIME, "invalid_time": TIME},
    models.UUIDField: {"invalid": _("Enter the identifier as it was given.")},
    models.JSONField: {"invalid": _("Enter the data as JSON.")},
}

# (validator, message): a class's default message, or a shared instance's own. A list: a
# RegexValidator instance is not hashable.
VALIDATORS: list[tuple[object, str]] = [
    (validators.MinValueValidator, _("Enter %(limit_value)s or more.")),
    (validators.MaxValueValidator, _("Enter %(limit_value)s or less.")),
    (validators.StepValueValidator, _("Enter a multiple of %(limit_value)s.")),
    (validators.MaxLengthValidator, TOO_LONG),
    (validators.MinLengthValidator, TOO_SHORT),
    (validators.EmailValidator, _("Enter an email address like name@agency.gov.bt.")),
    (validators.URLValidator, _("Enter a web address like https://www.gov.bt.")),
    (validators.RegexValidator, _("Enter it in the form shown.")),
    (validators.ProhibitNullCharactersValidator, _("Take out the invisible null characters.")),
    (validators.FileExtensionValidator, _("Files ending in “%(extension)s” are not taken: use "
                                       "%(allowed_extensions)s.")),
    (validators.validate_slug, _("Use only letters, numbers, hyphens and underscores.")),
    (validators.validate_unicode_slug, _("Use only letters, numbers, hyphens and underscores.")),
    (validators.integer_validator, WHOLE_NUMBER),
    (validators.validate_comma_separated_integer_list, _("Enter whole numbers separated by commas.")),
]
DECIMAL_VALIDATOR = {
    "invalid": NUMBER,
    "max_digits": _("Enter a number with at most %(max)s digits."),
    "max_decimal_places": _("Enter at most %(max)s digits after the decimal point."),
    "max_whole_digits": _("Enter at most %(max)s digits before the decimal point."),
}


def _api_fields() -> dict[type, dict[str, str]]:
    from rest_framework import fields, relations, serializers

    number = {"invalid": NUMBER, "max_value": _("Enter {max_value} or less."),
              "min_value": _("Enter {min_value} or more."),
              "max_string_length": _("Enter a shorter number.")}
    listed = {"not_a_list": _("Send a list."), "empty": _("Choose at least one."),
              "min_length": _("Choose at least {min_length}."),
              "max_length": _("Choose at most {max_length}.")}
    return {
        fields.Field: {"required": REQUIRED, "null": REQUIRED},
        fields.BooleanField: {"invalid": _("Answer true or false.")},
        fields.CharField: {"invalid": _("Enter text."), "blank": REQUIRED,
                           "max_length": _("Keep it to {max_length} characters or fewer."),
                           "min_length": _("Write at least {min_length} characters.")},
        fields.EmailField: {"invalid": _("Enter an email address like name@agency.gov.bt.")},
        fields.RegexField: {"invalid": _("Enter it in the form shown.")},
        fields.SlugField: {"invalid": _("Use only letters, numbers, hyphens and underscores."),
                           "invalid_unicode": _("Use only letters, numbers, hyphens and "
                                              "underscores.")},
        fields.URLField: {"invalid": _("Enter a web address like https://www.gov.bt.")},
        fields.UUIDField: {"invalid": _("Enter the identifier as it was given.")},
        fields.IPAddressField: {"invalid": _("Enter an address like 192.0.2.1.")},
        fields.IntegerField: {**number, "invalid": WHOLE_NUMBER},
        fields.FloatField: {**number, "overflow": _("Enter a smaller number.")},
        fields.DecimalField: {
            **number,
            "max_digits": _("Enter a number with at most {max_digits} digits."),
            "max_decimal_places": _("Enter at most {max_decimal_places} digits after the decimal "
                                  "point."),
            "max_whole_digits": _("Enter at most {max_whole_digits} digits before the decimal "
                                "point."),
        },
        fields.DateTimeField: {
            "invalid": _("Enter a date and time like 2026-12-31T14:30:00+06:00."),
            "date": _("Enter a time as well as the date."),
            "make_aware": _("That time does not exist in {timezone}."),
            "overflow": _("Enter a date between year 1 and 9999."),
        },
        fields.DateField: {"invalid": _("Enter a date like 2026-12-31."),
                           "datetime": _("Enter a date without a time, like 2026-12-31.")},
        fields.TimeField: {"invalid": _("Enter a time like 14:30.")},
        fields.DurationField: {"invalid": _("Enter a duration like 3 04:00:00."),
                               "max_value": _("Enter {max_value} or less."),
                               "min_value": _("Enter {min_value} or more."),
                               "overflow": _("Enter between {min_days} and {max_days} days.")},
        fields.ChoiceField: {"invalid_choice": _("“{input}” is not one of the options.")},
        fields.MultipleChoiceField: {"invalid_choice": _("“{input}” is not one of the options."),
                                     "not_a_list": _("Send a list."),
                                     "empty": _("Choose at least one.")},
        fields.FilePathField: {"invalid_choice": _("“{input}” is not one of the options.")},
        fields.FileField: {"required": _("Choose a file to upload."),
                           "invalid": _("Send the file as a multipart upload."),
                           "no_name": _("Give the file a name."),
                           "empty": _("The file you chose is empty."),
                           "max_length": _("Give the file a shorter name: at most {max_length} "
                                         "characters (it has {length}).")},
        fields.ImageField: {"invalid_image": _("Send a picture (PNG, JPEG or GIF); this file is "
                                             "not one or is damaged.")},
        fields.ListField: listed,
        fields.DictField: {"not_a_dict": _("Send an object of names and values."),
                           "empty": _("Send at least one name and value.")},
        fields.JSONField: {"invalid": _("Send valid JSON.")},
        fields.ModelField: {"max_length": _("Keep it to {max_length} characters or fewer.")},
        relations.PrimaryKeyRelatedField: {
            "required": REQUIRED,
            "does_not_exist": _("There is no such record, or not one you may use."),
            "incorrect_type": _("Send the record's number."),
        },
        relations.SlugRelatedField: {"does_not_exist": _("Nothing is known as “{value}”."),
                                     "invalid": _("Nothing is known by that value.")},
        relations.HyperlinkedRelatedField: {
            "required": REQUIRED, "no_match": _("That link is not a record's address."),
            "incorrect_match": _("That link is not a record's address."),
            "does_not_exist": _("Nothing is at that link."),
            "incorrect_type": _("Send the record's address."),
        },
        relations.ManyRelatedField: {"not_a_list": _("Send a list."),
                                     "empty": _("Choose at least one.")},
        serializers.ListSerializer: listed,
        serializers.Serializer: {"invalid": _("Send an object of names and values.")},
    }


def _api_validators() -> list[tuple[type, dict[str, str]]]:
    """The REST framework's own validators (their messages are class attributes)."""
    from rest_framework import validators as api

    return [
        (api.UniqueValidator, {"message": _("This is already taken: choose another.")}),
        (api.UniqueTogetherValidator, {
            "message": _("There is already one with these values."), "missing_message": REQUIRED}),
        (api.BaseUniqueForValidator, {"missing_message": REQUIRED}),
        (api.UniqueForDateValidator, {"message": _("There is already one on that date.")}),
        (api.UniqueForMonthValidator, {"message": _("There is already one in that month.")}),
        (api.UniqueForYearValidator, {"message": _("There is already one in that year.")}),
        (api.ProhibitSurrogateCharactersValidator, {
            "message": _("Take out the character U+{code_point:X}: it cannot be stored.")}),
    ]


def _set_defaults(cls: type, messages: dict[str, str]) -> None:
    # Each class's own dict: Django and the REST framework merge them along the MRO.
    cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}


# --- a field left empty, named by its label ----------------------------------------------------
def _label(bound_field) -> str:
    label = str(bound_field.label or "").strip().rstrip(":").strip()
    for tail in ("(optional)", "(Optional)"):
        label = label.removesuffix(tail).strip()
    return label


def required_message(field: forms.Field, label: str) -> str:
    """What a page says when `field`, labelled `label`, is left empty."""
    if not label:
        return str(REQUIRED)
    if isinstance(field, forms.FileField):
        return gettext("Choose a file for “%(label)s”.") % {"label": label}
    if isinstance(field, forms.BooleanField):
        return gettext("Tick “%(label)s” to go on.") % {"label": label}
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return gettext("Choose “%(label)s”.") % {"label": label}
    return gettext("Fill in “%(label)s”.") % {"label": label}


def name_the_field(error: ValidationError, field: forms.Field, bound_field) -> ValidationError:
    """`error` with the plain "This is needed." of an empty field replaced by the field's
    label ("Fill in “Received on”."); any other message, and a form's own, as it was."""
    if field.error_messages.get("required") != REQUIRED:
        return error
    found = [e for e in error.error_list if e.code == "required" and e.message == REQUIRED]
    if not found:
        return error
    message = required_message(field, _label(bound_field))
    for item in found:
        item.message = message
    return error


def _clean_naming_the_field(original):
    def _clean_bound_field(self, bf):
        try:
            return original(self, bf)
        except ValidationError as error:
            raise name_the_field(error, self, bf) from None

    _clean_bound_field.plain_messages = True
    return _clean_bound_field


def install() -> None:
    """Put the plain messages in place of Django's and the REST framework's (idempotent)."""
    for cls, messages in FORM_FIELDS.items():
        _set_defaults(cls, messages)
    forms.BaseFormSet.default_error_messages = {
        **forms.BaseFormSet.default_error_messages, **FORMSETS}
    for cls, messages in MODEL_FIELDS.items():
        _set_defaults(cls, messages)
    for validator, message in VALIDATORS:
        validator.message = message  # a class's default, or the shared instance's own
    validators.DecimalValidator.messages = {**validators.DecimalValidator.messages,
                                            **DECIMAL_VALIDATOR}
    for cls, messages in _api_fields().items():
        _set_defaults(cls, messages)
    for cls, attributes in _api_validators():
        for name, message in attributes.items():
            setattr(cls, name, message)
    for cls in (forms.Field, forms.FileField):  # FileField cleans with its initial value
        method = cls.__dict__["_clean_bound_field"]
        if not getattr(method, "plain_messages", False):
            cls._clean_bound_field = _clean_naming_the_field(method)
