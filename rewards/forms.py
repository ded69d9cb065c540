"""Forms of the rewards pages: they parse input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people.models import Agency, User
from proposals.models import Proposal
from proposals.selectors import proposals_visible_to
from workflow.bounds import visible_text
from workflow.ids import parse_id

from .models import Learning, Nomination, Recognition
from .selectors import nomination_evidence_open_to, proposals_open_to_learning, tags_in_use

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal next to the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message.messages[0] if hasattr(message, "messages")
                               else str(message))
    else:
        for message in error.messages:
            form.add_error(None, message)


class RecordChoiceField(forms.ModelChoiceField):
    """An existing row by id (or, with `codes`, by its agency code): anything else is the
    usual "Select a valid choice" (one message, whatever the value was)."""

    def __init__(self, *args, codes: bool = False, **kwargs):
        self.codes = codes
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(getattr(value, "pk", value)).strip()
        if parse_id(text) is not None:
            found = self.queryset.filter(pk=parse_id(text)).first()
        elif self.codes and text and not text.isdigit():
            found = self.queryset.filter(code__iexact=text).first()
        else:
            found = None
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class FilterForm(forms.Form):
    """A list's filters: a bad value is left out, its message shown beside it; the others
    still apply."""

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: getattr(value, "pk", value) for name, value in self.cleaned_data.items()
                if value and name not in self.errors}


def _people():
    return User.objects.filter(is_active=True).select_related("agency").order_by(
        "last_name", "first_name", "username"
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        agency = f" — {obj.agency.code}" if obj.agency_id else ""
        return f"{obj.get_full_name() or obj.username} ({obj.username}){agency}"


class LearningForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"), validators=[visible_text])
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Learning.Kind.choices, widget=forms.RadioSelect,
        help_text=_("Learnings from experiments that did not work count as fully as any other."),
    )
    what_we_tried = forms.CharField(label=_("What we tried"), widget=forms.Textarea(attrs={"rows": 4}))
    what_happened = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    what_we_learned = forms.CharField(
        label=_("What we learned"), widget=forms.Textarea(attrs={"rows": 4})
    )
    tags = forms.CharField(
        required=False, max_length=500, label=_("Tags"), help_text=_("Words separated by commas, e.g. health, sms.")
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Learning.Visibility.choices, widget=forms.RadioSelect,
        initial=Learning.Visibility.INTERNAL,
        help_text=_("Public learnings can be read by anyone, without signing in."),
    )
    proposal = forms.ModelChoiceField(
        label=_("Proposal"), queryset=Proposal.objects.none(), required=False,
        empty_label=_("None (a standalone learning)"),
        help_text=_("A proposal you lead or are on the team of."),
    )

    co_authors = forms.CharField(
        label=_("Co-authors"), required=False, max_length=2000,
        help_text=_("Usernames or employee IDs, separated by commas. Each is invited and named "
                  "only once they accept; you are always an author of what you write."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user=None, names_co_authors: bool = True,
                 linked_proposal_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals_open_to_learning(user=user)
        # A co-author who is not on the linked proposal's team may not change the link, and
        # must not lose it by saving: the field is left out, and the link kept.
        if linked_proposal_id and not self.fields["proposal"].queryset.filter(
                pk=linked_proposal_id).exists():
            del self.fields["proposal"]
        if not names_co_authors:  # only the writer invites and removes co-authors
            del self.fields["co_authors"]

    def clean_co_authors(self) -> list[User]:
        people, unknown = [], []
        for key in (self.cleaned_data.get("co_authors") or "").replace(";", ",").split(","):
            key = key.strip()
            if not key:
                continue
            person = User.objects.filter(
                Q(username__iexact=key) | Q(employee_id=key), is_active=True
            ).first()
            if person is None:
                unknown.append(key)
            elif person not in people:
                people.append(person)
        if unknown:
            raise ValidationError(
                gettext("Nobody active is known as “%(name)s”.") % {"name": unknown[0][:50]}
            )
        return people

    def service_fields(self) -> dict:
        """What the services take: `co_authors` becomes `authors` (when the form has it)."""
        data = dict(self.cleaned_data)
        if "co_authors" in data:
            data["authors"] = data.pop("co_authors")
        return data


def co_authors_initial(learning: Learning) -> str:
    """The co-authors invited or accepted now, as the form shows them."""
    rows = learning.author_rows.current().exclude(user_id=learning.created_by_id)
    return ", ".join(rows.select_related("user").values_list("user__username", flat=True))


class LearningFilterForm(FilterForm):
    q = forms.CharField(label=_("Words"), required=False)
    tag = forms.ChoiceField(required=False, label=_("Tag"))
    agency = RecordChoiceField(
        queryset=Agency.objects.filter(is_active=True), required=False, empty_label=_("Any agency"),
        label=_("Agency"),
    )
    kind = forms.ChoiceField(
        choices=[("", _("Any kind")), *Learning.Kind.choices], required=False, label=_("Kind")
    )

    def __init__(self, *args, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        tags = tags_in_use()
        if public:
            tags = tags.filter(learnings__visibility=Learning.Visibility.PUBLIC)
        self.fields["tag"].choices = [("", gettext("Any tag"))] + [(t.name, t.name) for t in tags]


class RecognitionForm(forms.Form):
    recipient = PersonChoiceField(queryset=User.objects.none(), label=_("Recipient"))
    kind = forms.ChoiceField(choices=Recognition.Kind.choices, label=_("Kind"))
    citation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Citation"),
        help_text=_("What the recognition honours."),
    )
    proposals = forms.ModelMultipleChoiceField(
        queryset=Proposal.objects.none(), required=False, label=_("Proposals"),
        help_text=_("Proposals it honours."),
    )
    learnings = forms.ModelMultipleChoiceField(
        queryset=Learning.objects.none(), required=False, label=_("Learnings"),
        help_text=_("Learnings it honours."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = _people()
        self.fields["proposals"].queryset = proposals_visible_to(user).exclude(
            state=Proposal.State.DRAFT
        ).order_by("title", "id")
        self.fields["learnings"].queryset = Learning.objects.order_by("title", "id")


class NominationForm(forms.Form):
    nominee = PersonChoiceField(queryset=User.objects.none(), label=_("Colleague you nominate"))
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label=_("Justification"),
        help_text=_("What they did and why it merits a fast-track promotion."),
    )
    evidence_links = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Further evidence"),
        help_text=_("Links or references, one a line."),
    )
    proposals = forms.ModelMultipleChoiceField(
        queryset=Proposal.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Proposals as evidence"),
    )
    learnings = forms.ModelMultipleChoiceField(
        queryset=Learning.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Learnings as evidence"),
    )
    recognitions = forms.ModelMultipleChoiceField(
        queryset=Recognition.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label=_("Recognitions as evidence"),
    )

    def __init__(self, *args, user=None, nominee: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = _people()
        if nominee is not None:
            # Evidence is the nominee's work that the nominator may see (the service's rule).
            for name, queryset in nomination_evidence_open_to(viewer=user, nominee=nominee).items():
                self.fields[name].queryset = queryset


class TransitionForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note"))
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason")
    )


class PeopleFilterForm(FilterForm):
    q = forms.CharField(label=_("Name or employee ID"), required=False)
    agency = RecordChoiceField(
        queryset=Agency.objects.filter(is_active=True), required=False, empty_label=_("Any agency"),
        label=_("Agency"),
    )
    position_level = forms.ChoiceField(required=False, label=_("Position level"))
    has_recognition = forms.ChoiceField(choices=YES_NO, required=False, label=_("Has a recognition"))
    has_nomination = forms.ChoiceField(choices=YES_NO, required=False, label=_("Has a nomination"))

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position_level"].choices = [("", gettext("Any level"))] + [(v, v) for v in levels]


class NominationFilterForm(FilterForm):
    state = forms.ChoiceField(
        choices=[("", _("Any state")), *Nomination.State.choices], required=False, label=_("State")
    )
    agency = RecordChoiceField(
        queryset=Agency.objects.filter(is_active=True), required=False, empty_label=_("Any agency"),
        label=_("Nominee's agency"),
    )
