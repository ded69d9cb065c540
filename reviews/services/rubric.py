"""The rubric of a round: its criteria, changed only while no review is submitted."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fund.models import Round

from ..models import DEFAULT_RUBRIC, Assignment, Criterion, Review, Score
from ..permissions import can_edit_rubric
from .common import ARCHIVED, _refuse_if_archived, _required  # noqa: F401


# --- the rubric ------------------------------------------------------------------------------
def default_rubric_create(round_: Round) -> list[Criterion]:
    """A new round's rubric: the six default criteria (DEFAULT_RUBRIC), in order."""
    return Criterion.objects.bulk_create(
        Criterion(round=round_, name=name, description=description, position=i)
        for i, (name, description) in enumerate(DEFAULT_RUBRIC)
    )


def on_round_created(sender, round, **kwargs) -> None:  # noqa: A002 (the signal's argument)
    """fund.signals.round_created: every new round starts with the default rubric
    (connected in reviews/apps.py)."""
    default_rubric_create(round)


def _require_rubric_editable(actor, round_: Round) -> None:
    if not can_edit_rubric(actor):
        raise PermissionDenied(gettext("Only fund managers may change a round's rubric."))
    if round_.state in (Round.State.CLOSED, Round.State.ARCHIVED):
        raise ValidationError(gettext("The round is closed: its rubric no longer changes."))
    if Review.objects.filter(assignment__proposal__round=round_,
                             assignment__state=Assignment.State.SUBMITTED).exists():
        raise ValidationError(
            gettext("A review has been submitted in this round; its rubric can no longer change.")
        )


# Reviewers pick 1..max_score on radio buttons: below 2 there is no choice, above 10 the
# scale stops meaning anything to a reviewer.
MIN_SCORE_SCALE, MAX_SCORE_SCALE = 2, 10
NAME_MESSAGE = _("Give the criterion a name.")
MAX_SCORE_MESSAGE = format_lazy(_("Reviewers score from 1 up to this number: choose a whole "
                                  "number from {lowest} to {highest}."),
                                lowest=MIN_SCORE_SCALE, highest=MAX_SCORE_SCALE)


def duplicate_name_problem(round_: Round, name: str, criterion: Criterion | None = None):
    """A round's criteria have distinct names: reviewers, rankings and exports tell them apart
    by name."""
    others = Criterion.objects.filter(round=round_, name__iexact=(name or "").strip())
    if criterion is not None and criterion.pk:
        others = others.exclude(pk=criterion.pk)
    if others.exists():
        return f"This round's rubric already has a criterion called “{name.strip()}”."
    return None


def _check_criterion(criterion: Criterion) -> None:
    """What a criterion may look like, whoever edits it (page, API, admin code)."""
    criterion.name = (criterion.name or "").strip()
    errors: dict[str, list[str]] = {}
    if not criterion.name:
        errors["name"] = [NAME_MESSAGE]
    elif problem := duplicate_name_problem(criterion.round, criterion.name, criterion):
        errors["name"] = [problem]
    if not MIN_SCORE_SCALE <= (criterion.max_score or 0) <= MAX_SCORE_SCALE:
        errors["max_score"] = [MAX_SCORE_MESSAGE]
    if errors:
        raise ValidationError(errors)
    criterion.full_clean()


@transaction.atomic
def criterion_create(*, actor, round_: Round, name: str, description: str = "",
                     weight=1, max_score: int = 5) -> Criterion:
    """Fund managers edit a round's rubric until its first review is submitted."""
    _require_rubric_editable(actor, round_)
    position = round_.criteria.count()
    criterion = Criterion(round=round_, name=name, description=description, weight=weight,
                          max_score=max_score, position=position)
    _check_criterion(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, actor, criterion: Criterion, **fields) -> Criterion:
    """Change a criterion's name, description, weight, scale or place, while the rubric may."""
    _require_rubric_editable(actor, criterion.round)
    for name in ("name", "description", "weight", "max_score", "position"):
        if name in fields:
            setattr(criterion, name, fields[name])
    _check_criterion(criterion)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, actor, criterion: Criterion) -> None:
    _require_rubric_editable(actor, criterion.round)
    Score.objects.filter(criterion=criterion).delete()  # only unsubmitted drafts hold any
    criterion.delete()
