"""Dates without a time (DOMAIN.md, Integrity rules): a `closes_at` or due date given as a
day alone means the end of that day in Asia/Thimphu (23:59:59.999999), an `opens_at` its
start, so that a round "closing on 29 Jan" takes proposals all of 29 Jan.

`day_or_moment` is the rule; `MomentField` (forms) and `MomentSerializerField` (the API) apply
it to what people type, and the services apply it to whatever they are handed (a `date`).
"""

import datetime as dt

from django import forms
from django.utils import formats, timezone
from rest_framework import serializers

START, END = "start", "end"


def given_day(value) -> dt.date | None:
    """The day `value` names when it names a day without a time (`date(2027, 1, 29)`,
    `"2027-01-29"`, `"29/01/2027"`), else None (a datetime, a text with a time, anything)."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 32:
        return None
    for fmt in ("%Y-%m-%d", *formats.get_format("DATE_INPUT_FORMATS")):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except (TypeError, ValueError):
            continue
    return None


def bound_of_day(day: dt.date, end: str) -> dt.datetime:
    """The first or the last instant of `day` in the fund's time zone (Asia/Thimphu)."""
    clock = dt.time.max if end == END else dt.time.min
    return timezone.make_aware(dt.datetime.combine(day, clock), timezone.get_default_timezone())


def day_or_moment(value, end: str):
    """`value` unchanged, unless it is a day without a time: then that day's start or end."""
    day = given_day(value)
    return bound_of_day(day, end) if day is not None else value


class MomentField(forms.DateTimeField):
    """A date and time; a date alone is the start (`end="start"`) or the end of that day."""

    def __init__(self, *, end: str, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        day = given_day(value)
        if day is not None:
            return bound_of_day(day, self.end)
        moment = super().to_python(value)
        if moment is not None and self.end == END:
            # The form shows a deadline to the minute: "23:59" (how the end of a day reads
            # back in an edit form) still means the end of that day, so saving a round
            # unchanged never moves its closing a minute earlier.
            local = timezone.localtime(moment, timezone.get_default_timezone())
            if (local.hour, local.minute, local.microsecond) == (23, 59, 0):
                return bound_of_day(local.date(), END)
        return moment


class MomentSerializerField(serializers.DateTimeField):
    """The API's `MomentField`: `"2027-01-29"` is that day's start or end in Asia/Thimphu."""

    def __init__(self, *, end: str, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        day = given_day(value)
        if day is not None:
            value = bound_of_day(day, self.end)
        return super().to_internal_value(value)
