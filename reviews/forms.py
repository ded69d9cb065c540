"""Forms of the review pages: they parse input; the services decide."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people.models import User
from proposals.models import Proposal
from workflow.bounds import visible_text

from .models import Review

DECISIONS = [
    ("recommend", _("Recommend for funding")),
    ("reject", _("Do not recommend")),
    ("request_revision", _("Ask the applicant for a revision")),
]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it names, else at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ReviewForm(forms.Form):
    """One 1..max choice per criterion, the two comments kept apart, a recommendation."""

    comment_to_applicant = forms.CharField(
        label=_("Comment to the applicant"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shown to the applicant, without your name, once the panel decides."),
    )
    comment_to_panel = forms.CharField(
        label=_("Comment to the panel (confidential)"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the panel and fund managers read this; never the applicant."),
    )
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"), choices=Review.Recommendation.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, criteria=(), draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        # A draft keeps what was given; only submitting needs every score and a recommendation.
        self.fields["recommendation"].required = not draft
        scored = {}
        for criterion in self.criteria:
            name = f"criterion_{criterion.pk}"
            scored[name] = forms.TypedChoiceField(
                label=criterion.name, help_text=criterion.description, coerce=int,
                choices=[(i, str(i)) for i in range(1, criterion.max_score + 1)],
                widget=forms.RadioSelect(attrs={
                    "data-weight": str(criterion.weight), "data-max": criterion.max_score,
                }),
                required=not draft,
                error_messages={"required": gettext("Score “%(criterion)s” from 1 to %(max)s.") % {
                    "criterion": criterion.name, "max": criterion.max_score}},
            )
        # The criteria come first, in the rubric's order.
        self.fields = {**scored, **self.fields}

    def criterion_fields(self):
        return [(c, self[f"criterion_{c.pk}"]) for c in self.criteria]

    def other_fields(self):
        return [self[name] for name in ("recommendation", "comment_to_applicant",
                                        "comment_to_panel")]

    def scores(self) -> list[dict]:
        given = [(c, self.cleaned_data.get(f"criterion_{c.pk}")) for c in self.criteria]
        return [{"criterion": c.pk, "value": value} for c, value in given
                if value not in (None, "")]


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("What is the conflict of interest?"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: a close relative works on the team."),
        error_messages={"required": _("Say what the conflict of interest is.")},
    )


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        agency = user.agency.code if user.agency_id else gettext("no agency")
        return f"{user} ({agency})"


class _PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        agency = user.agency.code if user.agency_id else gettext("no agency")
        return f"{user} ({agency})"


def _in_two_weeks():
    """A review's usual time (the plan's default due date): two weeks from today."""
    return timezone.localdate() + timedelta(days=14)


class AssignForm(forms.Form):
    proposal = forms.ModelChoiceField(label=_("Proposal"), queryset=Proposal.objects.none(),
                                      empty_label=_("Choose a proposal"))
    reviewer = _PersonChoice(label=_("Reviewer"), queryset=User.objects.none(),
                             empty_label=_("Choose a reviewer"))
    due_on = forms.DateField(label=_("Review due on"), initial=_in_two_weeks,
                             widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, panel=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only proposals the user may see and assign (no conflict): any other id is "not a
        # valid choice", like one that does not exist, and its title never shows.
        from proposals.conflicts import conflict_q
        from proposals.selectors import proposals_visible_to

        proposals = proposals_visible_to(user).filter(
            round=panel.round, state=Proposal.State.IN_REVIEW
        )
        if user is not None and user.is_authenticated:
            proposals = proposals.exclude(conflict_q(user))
        self.fields["proposal"].queryset = proposals.order_by("title", "id")
        # Only members who may review: never an HR officer or someone no longer active (the
        # assignment would be refused: nobody is offered an action they may not take).
        from people.models import HR_OFFICERS

        self.fields["reviewer"].queryset = (panel.members.filter(is_active=True)
                                            .exclude(groups__name=HR_OFFICERS)
                                            .select_related("agency"))


class PlanAcceptForm(forms.Form):
    due_on = forms.DateField(label=_("Reviews due on"), initial=_in_two_weeks,
                             widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The panel's reasons, kept in the proposal's history. For a revision: what "
                  "the applicant should change."),
        error_messages={"required": _("Give the panel's rationale for the decision.")},
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(k, v) for k, v in DECISIONS if k in allowed]


class PanelForm(forms.Form):
    name = forms.CharField(label=_("Panel name"), max_length=200, validators=[visible_text])
    chair = _PersonChoice(label=_("Chair"), queryset=User.objects.none())
    deputy_chair = _PersonChoice(
        label=_("Deputy chair"), queryset=User.objects.none(), required=False,
        help_text=_("Acts for the chair on proposals the chair has a conflict with. From another "
                  "agency than the chair's."),
    )
    members = _PeopleChoice(
        label=_("Members"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Reviewers from at least the round's minimum number of agencies."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("agency").order_by(
            "agency__code", "last_name", "first_name", "username"
        )
        self.fields["chair"].queryset = people
        self.fields["deputy_chair"].queryset = people
        self.fields["members"].queryset = people


class StandInForm(forms.Form):
    chair = _PersonChoice(label=_("Stand-in chair"), queryset=User.objects.none(),
                          help_text=_("A panel member with no conflict of interest with this "
                                    "proposal."))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = User.objects.filter(
            pk__in=[c.pk for c in candidates]).select_related("agency").order_by(
            "last_name", "first_name", "username")
