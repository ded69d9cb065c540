"""The filters every analytics figure takes: fund, round, years, agency (issue 17).

Empty filters show everything the viewer may see. An impossible choice (a year range that ends
before it starts, a round outside the chosen fund, an id that names nothing the viewer may
choose) is a form error on the page and a 400 in the API, with the same words.

What each filter means, for every figure alike:
- `fund`, `round`: the proposals of that fund or round (contributions: the fund's; a round has
  no contributions of its own, so with a round chosen its fund's contributions are shown);
- `year_from`, `year_to`: the year a round opens, in Asia/Thimphu (contributions: the year
  they were received); `year` is both at once;
- `agency`: proposals the agency leads (the lead's agency) or partners in.
"""

from datetime import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fund.models import Fund, Round
from people.models import Agency
from proposals.models import Proposal
from workflow.ids import parse_id

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_MESSAGE = format_lazy(_("Enter a year as four digits, from {first} to {last}, e.g. 2026."),
                           first=FIRST_YEAR, last=LAST_YEAR)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    return "".join(
        f" {conditional_escape(name)}" if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items() if value is not False)


class QuickSelect(forms.Select):
    """A select whose HTML is made in Python: exactly what django/forms/widgets/select.html
    and select_option.html make (tested against them, tests/analytics/test_figure_rows.py),
    without a template include per option: the filter form's three selects (some 70
    options) took about 4 ms of every analytics page (issue 17)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                out.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                           f'{_attrs(option["attrs"])}>{conditional_escape(option["label"])}'
                           f"</option>\n")
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


class _IdChoice(forms.ModelChoiceField):
    """A choice by id; anything that is not an id in range names nothing (never a 500)."""

    widget = QuickSelect

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class _RoundChoice(_IdChoice):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.fund.name})"


class AnalyticsFilter(forms.Form):
    fund = _IdChoice(queryset=Fund.objects.none(), required=False, label=_("Fund"),
                     empty_label=_("All funds"),
                     error_messages={"invalid_choice": _("Choose one of the funds listed.")})
    round = _RoundChoice(queryset=Round.objects.none(), required=False, label=_("Round"),
                         empty_label=_("All rounds"),
                         error_messages={"invalid_choice": _("Choose one of the rounds listed.")})
    year_from = forms.IntegerField(
        required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, label=_("From year"),
        help_text=_("The year a round opens."), error_messages={"invalid": YEAR_MESSAGE})
    year_to = forms.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR,
                                 label=_("To year"), error_messages={"invalid": YEAR_MESSAGE})
    agency = _IdChoice(queryset=Agency.objects.none(), required=False, label=_("Agency"),
                       empty_label=_("All agencies"),
                       error_messages={"invalid_choice": _("Choose one of the agencies listed.")},
                       help_text=_("Proposals it leads or partners in."))

    def __init__(self, data=None, *, public: bool = False):
        data = data.copy() if data is not None else None
        # A filter given twice (?round=1&round=2) is a question with two answers: refused.
        self.repeated = sorted(k for k in (*self.base_fields, "year")
                               if data is not None and hasattr(data, "getlist")
                               and len(data.getlist(k)) > 1)
        self.year_and_range = bool(data is not None and data.get("year") and (
            data.get("year_from") or data.get("year_to")))
        if data is not None and data.get("year") and not self.year_and_range:
            data["year_from"] = data["year_to"] = data.get("year")
        super().__init__(data)
        self.public = public
        funds = Fund.objects.order_by("name", "id")
        rounds = Round.objects.select_related("fund").order_by("-opens_at", "-id")
        if public:  # what a visitor may know exists: active funds, rounds that are not drafts
            funds = funds.filter(is_active=True)
            rounds = rounds.filter(fund__is_active=True).exclude(state=Round.State.DRAFT)
        self.fields["fund"].queryset = funds
        self.fields["round"].queryset = rounds
        self.fields["agency"].queryset = Agency.objects.order_by("code", "id")

    def clean(self):
        data = super().clean()
        for name in self.repeated:
            self.add_error(name if name in self.fields else None,
                           gettext("“%(name)s” is given more than once: give it once.") % {
                               "name": name})
        if self.year_and_range:
            self.add_error(
                None, gettext("Give a year, or a range of years (from, to), not both."))
        start, end = data.get("year_from"), data.get("year_to")
        if start and end and start > end:
            self.add_error("year_to", gettext(
                "The range ends (%(end)s) before it starts (%(start)s): "
                "choose a last year on or after the first.") % {"end": end, "start": start})
        fund, round_ = data.get("fund"), data.get("round")
        if fund and round_ and round_.fund_id != fund.pk:
            self.add_error("round", gettext(
                "“%(round)s” is a round of %(round_fund)s, not of %(fund)s: choose one or the other."
            ) % {"round": round_.title, "round_fund": round_.fund.name, "fund": fund.name})
        return data

    def chosen(self) -> dict:
        """The valid filters that were given (call after is_valid())."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=timezone.get_default_timezone())


def filter_rounds(qs: QuerySet, chosen: dict, prefix: str = "") -> QuerySet:
    """Rounds (or objects of a round, with `prefix` such as "round__") by fund, round, years."""
    q = Q()
    if chosen.get("fund"):
        q &= Q(**{f"{prefix}fund": chosen["fund"]})
    if chosen.get("round"):
        q &= Q(**{prefix[:-2] if prefix else "pk": chosen["round"].pk})
    if chosen.get("year_from"):
        q &= Q(**{f"{prefix}opens_at__gte": _year_start(chosen["year_from"])})
    if chosen.get("year_to"):
        q &= Q(**{f"{prefix}opens_at__lt": _year_start(chosen["year_to"] + 1)})
    return qs.filter(q)


def agency_q(agency) -> Q:
    """Proposals the agency leads (the lead's agency) or partners in."""
    partnered = Proposal.partner_agencies.through.objects.filter(agency=agency)
    return Q(lead__agency=agency) | Q(pk__in=partnered.values("proposal_id"))


def filter_contributions(qs: QuerySet, chosen: dict) -> QuerySet:
    if chosen.get("fund"):
        qs = qs.filter(fund=chosen["fund"])
    if chosen.get("round"):
        qs = qs.filter(fund_id=chosen["round"].fund_id)
    if chosen.get("year_from"):
        qs = qs.filter(received_on__year__gte=chosen["year_from"])
    if chosen.get("year_to"):
        qs = qs.filter(received_on__year__lte=chosen["year_to"])
    if chosen.get("agency"):
        qs = qs.filter(agency=chosen["agency"])
    return qs
