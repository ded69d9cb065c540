"""The round's rubric page (SCREENS.md: fund managers' "rounds ... rubric"): the criteria,
and short forms to add, change and remove them until the round's first review is submitted.
Thin: parse, call `criterion_create` / `criterion_update` / `criterion_delete`, render."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from fund.models import Round
from fund.selectors import can_view_round

from . import services
from .forms import add_service_errors
from .models import Criterion, Score
from .permissions import can_edit_rubric
from .rubric_forms import CriterionForm, rubric_lock_reason


def _round(request, round_pk: int) -> Round:
    """The round, if the viewer may see it (else 404) and change its rubric (else 403)."""
    round_ = get_object_or_404(Round.objects.select_related("fund"), pk=round_pk)
    if not can_view_round(request.user, round_):
        raise Http404(gettext("No such round."))
    if not can_edit_rubric(request.user):
        raise PermissionDenied(gettext("Only fund managers may change a round's rubric."))
    return round_


def _criterion(round_: Round, pk: int) -> Criterion:
    return get_object_or_404(Criterion, round=round_, pk=pk)


def _rows(round_: Round) -> list[tuple[Criterion, Decimal]]:
    """Each criterion with its share of the weighted score: weight·max ÷ Σ weight·max."""
    criteria = list(round_.criteria.all())
    possible = sum((c.weight * c.max_score for c in criteria), Decimal(0))
    return [(c, (c.weight * c.max_score / possible * 100) if possible else Decimal(0))
            for c in criteria]


def _refused(round_, form, error: ValidationError) -> str | None:
    """Show the service's refusal on the form; answer the lock reason if that was it (a review
    was submitted between showing the form and sending it)."""
    locked = rubric_lock_reason(round_)
    if not locked:
        add_service_errors(form, error)
    return locked


@login_required
@require_http_methods(["GET", "POST"])
def rubric(request, round_pk: int):
    """The criteria and, while the rubric may change, the form to add one."""
    round_ = _round(request, round_pk)
    locked = rubric_lock_reason(round_)
    form = None if locked else CriterionForm(request.POST or None, round_=round_)
    status = 200
    if request.method == "POST":
        status = 409 if locked else 400
        if form is not None and form.is_valid():
            try:
                criterion = services.criterion_create(actor=request.user, round_=round_,
                                                      **form.cleaned_data)
            except ValidationError as error:
                locked = _refused(round_, form, error)
                status = 409 if locked else 400
            else:
                messages.success(request, gettext("“%(name)s” is added to the rubric.") % {
                    "name": criterion.name})
                return redirect("rubric:rubric", round_pk=round_.pk)
    if locked:
        form = None
    return render(request, "reviews/rubric.html", {
        "round": round_, "rows": _rows(round_), "locked": locked, "form": form,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, round_pk: int, pk: int):
    round_ = _round(request, round_pk)
    criterion = _criterion(round_, pk)
    locked = rubric_lock_reason(round_)
    form = None if locked else CriterionForm(request.POST or None, round_=round_,
                                             criterion=criterion)
    status = 200
    if request.method == "POST":
        status = 409 if locked else 400
        if form is not None and form.is_valid():
            try:
                services.criterion_update(actor=request.user, criterion=criterion,
                                          **form.cleaned_data)
            except ValidationError as error:
                locked = _refused(round_, form, error)
                status = 409 if locked else 400
                criterion.refresh_from_db()  # the heading shows the stored name
            else:
                messages.success(request, gettext("“%(name)s” is saved.") % {
                    "name": criterion.name})
                return redirect("rubric:rubric", round_pk=round_.pk)
    if locked:
        form = None
    return render(request, "reviews/rubric_criterion_form.html", {
        "round": round_, "criterion": criterion, "locked": locked, "form": form,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_delete(request, round_pk: int, pk: int):
    round_ = _round(request, round_pk)
    criterion = _criterion(round_, pk)
    locked = rubric_lock_reason(round_)
    error = None
    status = 200
    if request.method == "POST":
        status = 409
        if not locked:
            try:
                services.criterion_delete(actor=request.user, criterion=criterion)
            except ValidationError as refusal:
                locked = rubric_lock_reason(round_)
                error = None if locked else " ".join(refusal.messages)
                status = 409 if locked else 400
            else:
                messages.success(request, gettext("“%(name)s” is removed from the rubric.") % {
                    "name": criterion.name})
                return redirect("rubric:rubric", round_pk=round_.pk)
    return render(request, "reviews/rubric_criterion_delete.html", {
        "round": round_, "criterion": criterion, "locked": locked, "error": error,
        "drafts": Score.objects.filter(criterion=criterion).count(),
        "last": not locked and round_.criteria.count() == 1,
    }, status=status)
