"""Input of the rubric pages and API: what a criterion may look like, and whether the round's
rubric is still open to change. The services decide (`criterion_create`, `criterion_update`,
`criterion_delete`); this parses and explains, the same way for the pages and the API."""

from decimal import Decimal

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fund.models import Round
from workflow.bounds import visible_text

from .models import Assignment, Criterion, Review
from .services import MAX_SCORE_MESSAGE, MAX_SCORE_SCALE, MIN_SCORE_SCALE, NAME_MESSAGE

MIN_WEIGHT, MAX_WEIGHT = Decimal("0.01"), Decimal("9999.99")  # Criterion.weight: 6 digits, 2 dp
LOCKED_STATE = "locked"  # the `state` of a 409 answer once the rubric no longer changes

WEIGHT_MESSAGE = _("Give a weight above 0, e.g. 1, or 2 to count it double.")


def rubric_lock_reason(round_: Round) -> str | None:
    """Why the round's rubric no longer changes (None while it may): a review has been
    submitted, and scores already given must stay comparable with the ones still to come."""
    first = (Review.objects
             .filter(assignment__proposal__round=round_,
                     assignment__state=Assignment.State.SUBMITTED)
             .order_by(F("submitted_at").asc(nulls_last=True), "pk")
             .values("submitted_at").first())
    if first is None:
        return None
    submitted_at = first["submitted_at"]
    if submitted_at:
        return gettext("The first review in this round was submitted on %(date)s, so the rubric "
                       "is locked: changing a criterion now would score the round's proposals "
                       "on different scales.") % {
            "date": date_format(timezone.localtime(submitted_at), "j M Y")}
    return gettext("The first review in this round was submitted, so the rubric is locked: "
                   "changing a criterion now would score the round's proposals on different "
                   "scales.")


class CriterionForm(forms.Form):
    """One criterion: its name, what reviewers look for, its weight and its scale."""

    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": NAME_MESSAGE},
        validators=[visible_text],
    )
    description = forms.CharField(
        label=_("What reviewers look for"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to reviewers beside the score."),
    )
    weight = forms.DecimalField(
        label=_("Weight"), min_value=MIN_WEIGHT, max_value=MAX_WEIGHT, max_digits=6,
        decimal_places=2, initial=Decimal("1"),
        help_text=_("How much this criterion counts against the others; 1 for equal weight."),
        error_messages={"required": WEIGHT_MESSAGE, "min_value": WEIGHT_MESSAGE,
                        "max_value": format_lazy(_("Give a weight of at most {most}."),
                                                 most=MAX_WEIGHT)},
    )
    max_score = forms.IntegerField(
        label=_("Scored out of"), min_value=MIN_SCORE_SCALE, max_value=MAX_SCORE_SCALE, initial=5,
        help_text=_("Reviewers give 1 up to this number."),
        error_messages={"required": MAX_SCORE_MESSAGE, "min_value": MAX_SCORE_MESSAGE,
                        "max_value": MAX_SCORE_MESSAGE, "invalid": MAX_SCORE_MESSAGE},
    )

    def __init__(self, *args, round_: Round, criterion: Criterion | None = None, **kwargs):
        if criterion is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": criterion.name, "description": criterion.description,
                "weight": format(criterion.weight.normalize(), "f"), "max_score": criterion.max_score,
            }
        super().__init__(*args, **kwargs)
        self.round, self.criterion = round_, criterion
