"""Forms of the proposal pages: they parse what people type; the services decide."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fund.models import Round
from people.models import Agency
from workflow.bounds import visible_text
from workflow.display import deadline

from .models import BudgetLine, Proposal, TeamMember
from .people_search import Unresolved, person_label, resolve_person
from .permissions import why_not_team_member
from .services.drafting import ALLOWED_UPLOADS, CONTENT_FIELDS


def _defaults(field: forms.Field) -> dict:
    found: dict = {}
    for cls in reversed(type(field).__mro__):
        found.update(getattr(cls, "default_error_messages", {}))
    return found


def plain_messages(form: forms.Form) -> None:
    """Replace Django's default messages ("This field is required.", "Select a valid
    choice...", "Ensure this value has at most...") by ones that name the field as the page
    does. A message a field sets itself is kept."""
    for field in form.fields.values():
        label = str(field.label or gettext("This field")).rstrip(".:")
        choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
        # The label goes in with {label}: the texts keep Django's own %(...)d placeholders.
        plain = {
            "required": (gettext("Choose {label}.").format(label=label.lower()) if choosing
                         else gettext("Fill in “{label}”.").format(label=label)),
            "invalid_choice": gettext("Choose one of the options offered for “{label}”.").format(
                label=label),
            "invalid_list": gettext("Choose among the options offered for “{label}”.").format(
                label=label),
            "invalid_pk_value": gettext("Choose among the options offered for “{label}”.").format(
                label=label),
            "max_length": gettext("“{label}” can be at most %(limit_value)d characters long "
                                  "(it has %(show_value)d).").format(label=label),
            "invalid": gettext("“{label}” is not in a form we can read.").format(label=label),
            "missing": gettext("Choose a file to attach."),
            "empty": gettext("This file is empty: choose another."),
            "contradiction": gettext("Either choose a file or remove the current one, not both."),
        }
        if isinstance(field, forms.FileField):
            plain["max_length"] = gettext("The file's name can be at most %(max)d characters long: "
                                          "rename it and try again.")
            plain["invalid"] = gettext("This is not a file: choose one from your computer.")
            plain["required"] = gettext("Choose a file to attach.")
        defaults = _defaults(field)
        for key, text in plain.items():
            if key in field.error_messages and field.error_messages[key] == defaults.get(key):
                field.error_messages[key] = text


class PlainMessagesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_messages(self)


_lower_first = lazy(lambda text: str(text)[:1].lower() + str(text)[1:], str)


class MoneyField(forms.DecimalField):
    """A decimal amount that also accepts what people type: `1,250,000`, `Nu. 500`, `BTN 20`.

    `what` names the amount in its messages ("The requested amount must be more than zero."),
    never Django's defaults ("Ensure this value is greater than or equal to 0.01.")."""

    def __init__(self, *, what: str = _("The amount"), **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        # `what` may be lazy (translated when the message is shown): so are the messages.
        kwargs["error_messages"] = {
            "required": format_lazy(_("Give {what}."), what=_lower_first(what)),
            "invalid": format_lazy(
                _("{what} must be written in figures, e.g. 125,000 or 125000.50."), what=what),
            "min_value": format_lazy(_("{what} must be more than zero."), what=what),
            "max_digits": format_lazy(
                _("{what} is too large: at most 999,999,999,999.99."), what=what),
            "max_whole_digits": format_lazy(
                _("{what} is too large: at most 999,999,999,999.99."), what=what),
            "max_decimal_places": format_lazy(
                _("{what} has at most two figures after the point (chhetrum)."), what=what),
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            for prefix in ("BTN", "Nu.", "Nu"):
                if value[: len(prefix)].lower() == prefix.lower():
                    value = value[len(prefix):]
            value = value.replace(",", "").replace(" ", "")
        return super().to_python(value)


def open_rounds():
    return Round.objects.filter(state=Round.State.OPEN, closes_at__gt=timezone.now()).select_related(
        "fund"
    ).order_by("closes_at")


def rounds_with_chair_duty(user) -> Q:
    """A filter on Round: rounds where `user` chairs, deputises for or stands in for the chair
    of a panel. They could not submit a proposal there (`rules.no_chair_duty_in_round`)."""
    return (Q(panels__chair=user) | Q(panels__deputy_chair=user)
            | Q(panels__stand_ins__chair=user))


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return gettext("%(title)s — closes %(deadline)s") % {
            "title": obj.title, "deadline": deadline(obj.closes_at)}


class ProposalForm(PlainMessagesMixin, forms.Form):
    """The experiment, its money and its partners. `with_round` adds the round (creation only)."""

    round = RoundChoiceField(
        label=_("Round"), queryset=Round.objects.none(),
        empty_label=_("Choose a round"),
        help_text=_("The call for proposals this experiment answers."),
        error_messages={
            "required": _("Choose the round this proposal answers."),
            "invalid_choice": _("This round is not open for proposals any more: choose an open one."),
        },
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("A short name colleagues will recognise."),
        validators=[visible_text],
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("Two or three sentences: what you will try, where and with whom."),
    )
    problem = forms.CharField(
        label=_("The problem"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("Who is affected and how you know."),
    )
    hypothesis = forms.CharField(
        label=_("What the experiment will test"), widget=forms.Textarea(attrs={"rows": 3}),
        required=False, help_text=_("“If we …, then … because …”."),
    )
    success_criteria = forms.CharField(
        label=_("What result would show it works"), widget=forms.Textarea(attrs={"rows": 3}),
        required=False, help_text=_("Fixed before the experiment starts (pre-registration)."),
    )
    approach = forms.CharField(
        label=_("How you will run it"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
    )
    citizen_engagement = forms.CharField(
        label=_("How citizens co-create it"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
    )
    expected_outcomes = forms.CharField(
        label=_("Expected outcomes"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
    )
    requested_amount = MoneyField(
        label=_("Requested amount (BTN)"), required=False, what=_("The requested amount"),
        help_text=_("The budget lines below must add up to this amount."),
    )
    duration_months = forms.IntegerField(
        label=_("Duration in months"), required=False, min_value=1, max_value=60,
        error_messages={
            "invalid": _("Write the duration as a whole number of months, e.g. 12."),
            "min_value": _("The duration must be at least 1 month."),
            "max_value": _("The duration can be at most 60 months (five years)."),
        },
    )
    partner_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(is_active=True).order_by("name", "id"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Partner agencies"),
        help_text=_("Agencies working with you. Your own agency counts too."),
    )

    def __init__(self, *args, with_round: bool = False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if with_round:
            rounds = open_rounds()
            if user is not None and getattr(user, "pk", None):
                # Not offered where the person could never submit it (a dead end found by a
                # new user: a chair drafted in the round they chair, refused only at submit).
                duty = rounds.filter(rounds_with_chair_duty(user)).values("pk")
                if duty.exists():
                    rounds = rounds.exclude(pk__in=duty)
                    self.fields["round"].help_text = _(
                        "Rounds where you chair, deputise for or stand in for the chair of a "
                        "review panel are not listed: you could not submit a proposal there.")
            self.fields["round"].queryset = rounds
        else:
            del self.fields["round"]
        self.fields["requested_amount"].widget.attrs["data-requested-amount"] = ""

    def content(self) -> dict:
        """The proposal's own fields, as the services take them."""
        return {name: self.cleaned_data.get(name) for name in CONTENT_FIELDS}

    @staticmethod
    def initial_for(proposal: Proposal) -> dict:
        initial = {name: getattr(proposal, name) for name in CONTENT_FIELDS}
        initial["partner_agencies"] = list(proposal.partner_agencies.all())
        return initial


class _RowForm(PlainMessagesMixin, forms.Form):
    """A formset row that may be left blank (then it is dropped) or ticked for removal."""

    row_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return all(data.get(name) in (None, "") for name in self.row_fields)

    def wanted(self) -> bool:
        return self.is_valid() and not self.is_blank() and not self.cleaned_data.get("DELETE")


class TeamMemberForm(_RowForm):
    row_fields = ("user", "role")

    user = forms.CharField(
        label=_("Colleague"), required=False, max_length=150,
        help_text=_("Start typing their name or agency and choose them from the list; "
                    "or give their employee ID."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-people-search": ""}),
    )
    role = forms.CharField(label=_("Role in the team"), required=False, max_length=200,
                           validators=[visible_text])

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        try:
            data["person"] = resolve_person(data.get("user") or "")
        except Unresolved as exc:
            self.add_error("user", str(exc))
            return data
        refused = why_not_team_member(data["person"])
        if refused:
            self.add_error("user", refused)
        return data


class BudgetLineForm(_RowForm):
    row_fields = ("category", "description", "amount")

    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Choose a category"))] + list(BudgetLine.Category.choices),
        required=False,
    )
    description = forms.CharField(label=_("What it pays for"), required=False, max_length=300,
                                  validators=[visible_text])
    amount = MoneyField(
        label=_("Amount (BTN)"), required=False, what=_("The amount of a budget line")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["data-budget-amount"] = ""

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("category") and "category" not in self.errors:
            self.add_error("category", gettext("Choose a category."))
        if not (data.get("description") or "").strip() and "description" not in self.errors:
            self.add_error("description", gettext("Describe what the money is for."))
        if data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", gettext("Give the amount."))
        return data


class _RowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")


TeamFormSet = forms.formset_factory(
    TeamMemberForm, formset=_RowFormSet, extra=2, can_delete=True, max_num=50
)
BudgetFormSet = forms.formset_factory(
    BudgetLineForm, formset=_RowFormSet, extra=3, can_delete=True, max_num=100
)


def team_initial(proposal: Proposal) -> list[dict]:
    """The team as it stands (invited or accepted): the lead's form compares it on saving."""
    current = (TeamMember.State.INVITED, TeamMember.State.ACCEPTED)
    return [{"user": person_label(m.user), "role": m.role}
            for m in proposal.team.all() if m.state in current]


def budget_initial(proposal: Proposal) -> list[dict]:
    return [
        {"category": line.category, "description": line.description, "amount": line.amount}
        for line in proposal.budget_lines.all()
    ]


def team_entries(formset) -> list[dict]:
    return [
        {"user": f.cleaned_data["person"], "role": f.cleaned_data.get("role", "")}
        for f in formset.forms if f.wanted()
    ]


def budget_entries(formset) -> list[dict]:
    return [
        {k: f.cleaned_data[k] for k in ("category", "description", "amount")}
        for f in formset.forms if f.wanted()
    ]


ACCEPTED_EXTENSIONS = ",".join(sorted(ALLOWED_UPLOADS))


class AttachmentForm(PlainMessagesMixin, forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, Office documents, images or CSV; at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}),
    )


@dataclass(frozen=True)
class Action:
    """How a transition appears on a page: its button and the short form it may need."""

    label: str
    field: str | None = None  # the service's keyword for a text it takes (reason, message, note)
    field_label: str = ""
    required: bool = False
    style: str = "primary"


# Transitions the pages offer, in the order they show. Later issues add theirs here.
ACTIONS: dict[str, Action] = {
    "submit": Action(_("Submit proposal")),
    "send_to_review": Action(_("Send to review")),
    "screen_out": Action(
        _("Screen out"), field="reason", field_label=_("Why is this proposal ineligible?"),
        required=True, style="danger",
    ),
    "request_revision": Action(
        _("Request a revision"), field="message",
        field_label=_("What should the applicant revise?"), required=True,
    ),
    "withdraw": Action(
        _("Withdraw"), field="note", field_label=_("Why are you withdrawing? (optional)"),
        style="danger",
    ),
}
