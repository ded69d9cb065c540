"""Forms for funds, contributions and rounds: they parse input; the services judge it."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from people.models import Agency
from workflow.bounds import visible_text
from workflow.dates import END, START, MomentField

from .models import Fund, Round

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}


def money_field(**kwargs) -> forms.DecimalField:
    """An amount of money, at most two decimal places; whether it is enough (more than zero,
    within the fund) is the service's to say, in its own words."""
    return forms.DecimalField(
        **MONEY_FIELD, error_messages={"invalid": _("Enter an amount in figures, e.g. 250000.")},
        **kwargs,
    )


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (others above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class FundForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"), validators=[visible_text])
    slug = forms.SlugField(
        max_length=50, required=False, label=_("Slug"),
        help_text=_("Used in web addresses and imports. Leave empty to make one from the name."),
    )
    currency = forms.CharField(
        max_length=3, initial="BTN", label=_("Currency"), help_text=_("Three letters, e.g. BTN.")
    )
    description = forms.CharField(required=False, widget=_textarea(), label=_("Description"))
    organisation = forms.CharField(
        max_length=200, required=False, validators=[visible_text], label=_("Organisation"),
        help_text=_("Who publishes the fund's grants."),
    )
    organisation_identifier = forms.CharField(
        max_length=100, required=False, label=_("Organisation identifier"),
        validators=[visible_text],
    )
    is_active = forms.BooleanField(
        required=False, initial=True, label=_("Active (new rounds may be created)")
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:  # a new fund starts active
            del self.fields["is_active"]

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    @classmethod
    def initial_for(cls, fund: Fund) -> dict:
        return {name: getattr(fund, name) for name in cls.base_fields}


class ContributionForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True).order_by("name", "id"),
        label=_("Contributing agency"),
        empty_label=_("Choose an agency"),
    )
    amount = money_field(label=_("Amount"), help_text=_("In the fund's currency, e.g. 250000.00"))
    received_on = forms.DateField(widget=DateInput(), label=_("Received on"))
    note = forms.CharField(required=False, widget=_textarea(3), label=_("Note"))


class RoundForm(forms.Form):
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.filter(is_active=True).order_by("name", "id"), empty_label=None,
        label=_("Fund"),
    )
    title = forms.CharField(max_length=200, label=_("Title"), validators=[visible_text])
    slug = forms.SlugField(
        max_length=50, required=False, label=_("Slug"),
        help_text=_("Leave empty to make one from the title."),
    )
    description = forms.CharField(
        required=False, widget=_textarea(5), label=_("Description"),
        help_text=_("What the round is looking for."),
    )
    # A date without a time opens at the start of that day and closes at its end (23:59:59).
    opens_at = MomentField(end=START, widget=DateTimeInput(), label=_("Opens at (Thimphu time)"))
    closes_at = MomentField(
        end=END, widget=DateTimeInput(), label=_("Closes at (Thimphu time)"),
        help_text=_("A date alone closes at the end of that day (23:59 Bhutan time)."),
    )
    budget = money_field(
        label=_("Budget"), help_text=_("The envelope for all awards in the round.")
    )
    max_award = money_field(label=_("Largest single award"))
    min_partner_agencies = forms.IntegerField(
        initial=2, min_value=0, max_value=50, label=_("Agencies needed on a proposal"),
        help_text=_("Distinct agencies among the lead's agency and the partners."),
    )
    min_panel_agencies = forms.IntegerField(
        initial=3, min_value=0, max_value=50, label=_("Agencies needed on the review panel")
    )
    reviews_required = forms.IntegerField(
        initial=3, min_value=0, max_value=50, label=_("Reviews needed before a decision")
    )

    EDITABLE = (
        "title", "slug", "description", "opens_at", "closes_at", "budget", "max_award",
        "min_partner_agencies", "min_panel_agencies", "reviews_required",
    )

    def __init__(self, *args, round_: Round | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if round_ is not None and round_.state != Round.State.DRAFT:
            # Proposals may already be in the round: it stays in its fund.
            del self.fields["fund"]

    @classmethod
    def initial_for(cls, round_: Round) -> dict:
        initial = {name: getattr(round_, name) for name in cls.EDITABLE}
        initial["fund"] = round_.fund_id
        return initial


class TransitionNoteForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=2000, widget=_textarea(2), label=_("Note (optional)")
    )
