"""Pages of the rewards module: the learnings library, recognitions, nominations, the
innovation record, the HR list of civil servants and the dossier.

Each view parses input, calls one service or selector, and presents the result.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from people.models import User
from workflow.ids import parse_id
from workflow.pages import page_of
from workflow.services import TransitionStateConflict

from . import selectors, services
from .documents import dossier_filename, render_dossier
from .forms import (
    LearningFilterForm,
    LearningForm,
    NominationFilterForm,
    NominationForm,
    PeopleFilterForm,
    RecognitionForm,
    TransitionForm,
    apply_service_errors,
    co_authors_initial,
)
from .models import Learning, LearningAuthor, Nomination
from .permissions import (
    can_award_recognition,
    can_edit_learning,
    can_name_co_authors,
    can_view_learning,
    can_view_nomination,
    can_view_people_list,
    can_view_record,
)

PAGE_SIZE = 20

TRANSITION_LABELS = {
    "endorse": gettext_lazy("Endorse"),
    "grant": gettext_lazy("Grant the promotion"),
    "not_grant": gettext_lazy("Do not grant"),
    "withdraw": gettext_lazy("Withdraw the nomination"),
}
# What the person who acted reads once it is done: what happened, to whom, what comes next.
TRANSITION_DONE = {
    "endorse": gettext_lazy("You endorsed the nomination of %(nominee)s. HR officers decide "
                            "next."),
    "grant": gettext_lazy("You granted %(nominee)s the fast-track promotion. %(nominee)s and the "
                          "nominator are told."),
    "not_grant": gettext_lazy("You decided not to grant %(nominee)s the fast-track promotion. "
                              "%(nominee)s and the nominator are told, with your reason."),
    "withdraw": gettext_lazy("You withdrew your nomination of %(nominee)s."),
}


def _page(request, queryset, size: int = PAGE_SIZE):
    return page_of(request, queryset, size)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- learnings ------------------------------------------------------------------------------------
@login_required
def learning_library(request):
    form = LearningFilterForm(request.GET or None)
    learnings = selectors.learning_list(viewer=request.user, filters=form.filters())
    return render(request, "rewards/learning_list.html", {
        "form": form, "page": _page(request, learnings), "query": _query_without_page(request),
    })


def learning_public(request):
    """Anyone, signed in or not, reads the public learnings here."""
    form = LearningFilterForm(request.GET or None, public=True)
    learnings = selectors.public_learning_list(filters=form.filters())
    return render(request, "rewards/learning_public.html", {
        "form": form, "page": _page(request, learnings), "query": _query_without_page(request),
    })


def learning_detail(request, pk: int):
    learnings = selectors.with_proposal_shown(Learning.objects.all(), request.user)
    learning = get_object_or_404(selectors.with_learning_details(learnings), pk=pk)
    if not can_view_learning(request.user, learning):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        raise Http404
    return render(request, "rewards/learning_detail.html", {
        "learning": learning, "can_edit": can_edit_learning(request.user, learning),
        "author_rows": selectors.learning_authors_seen_by(learning=learning,
                                                         user=request.user),
    })


@login_required
def learning_create(request):
    initial = {}
    if parse_id(request.GET.get("proposal")):
        initial["proposal"] = parse_id(request.GET.get("proposal"))
    form = LearningForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            learning = services.learning_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your learning is in the library. Thank you for sharing it."))
            return redirect("rewards:learning_detail", pk=learning.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "rewards/learning_form.html", {"form": form, "learning": None},
                  status=status)


@login_required
def learning_edit(request, pk: int):
    learning = get_object_or_404(selectors.with_learning_details(Learning.objects.all()), pk=pk)
    if not can_edit_learning(request.user, learning):
        raise PermissionDenied(_("Only the authors may edit this learning."))
    initial = {
        "title": learning.title, "kind": learning.kind, "what_we_tried": learning.what_we_tried,
        "what_happened": learning.what_happened, "what_we_learned": learning.what_we_learned,
        "tags": ", ".join(t.name for t in learning.tags.all()),
        "visibility": learning.visibility, "proposal": learning.proposal_id,
        "co_authors": co_authors_initial(learning),
    }
    form = LearningForm(request.POST or None, user=request.user, initial=initial,
                        names_co_authors=can_name_co_authors(request.user, learning),
                        linked_proposal_id=learning.proposal_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_update(actor=request.user, learning=learning,
                                     **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The learning is updated."))
            return redirect("rewards:learning_detail", pk=learning.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "rewards/learning_form.html", {"form": form, "learning": learning},
                  status=status)


AUTHOR_DONE = {
    "accept": gettext_lazy("You are now named an author of “%(title)s”."),
    "decline": gettext_lazy("You declined to co-author “%(title)s”."),
    "leave": gettext_lazy("You are no longer named an author of “%(title)s”."),
    "remove": gettext_lazy("%(person)s is no longer asked to co-author “%(title)s”."),
}


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def author_transition(request, pk: int, author_pk: int, name: str):
    """Accept, decline or leave a co-authorship (the person named), or remove it (the writer).
    Anyone may read a learning, so only the person named and the writer learn of the row."""
    service = services.LEARNING_AUTHOR_TRANSITIONS.get(name)
    author = LearningAuthor.objects.select_related("learning", "user").filter(
        pk=author_pk, learning_id=pk).first()
    if service is None or author is None or request.user.pk not in (
            author.user_id, author.learning.created_by_id):
        raise Http404
    back = reverse("rewards:learning_detail", args=[pk])
    try:
        service(author=author, actor=request.user, note=request.POST.get("note", ""))
    except TransitionStateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(_next_or(request, back))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_next_or(request, back))
    messages.success(request, AUTHOR_DONE[name] % {"title": author.learning.title,
                                                  "person": author.user})
    return redirect(_next_or(request, back))


# --- recognitions ----------------------------------------------------------------------------------
@login_required
def recognition_list(request):
    recognitions = selectors.recognition_list(viewer=request.user)
    return render(request, "rewards/recognition_list.html", {
        "page": _page(request, recognitions), "query": _query_without_page(request),
        "can_award": can_award_recognition(request.user),
    })


@login_required
def recognition_create(request):
    if not can_award_recognition(request.user):
        raise PermissionDenied(_("Only fund managers award recognitions."))
    initial = {}
    if parse_id(request.GET.get("recipient")):
        initial["recipient"] = parse_id(request.GET.get("recipient"))
    form = RecognitionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recognition = services.recognition_award(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(person)s is recognised.") % {"person": recognition.recipient})
            return redirect("rewards:record", pk=recognition.recipient_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "rewards/recognition_form.html", {"form": form}, status=status)


# --- nominations ----------------------------------------------------------------------------------
@login_required
def nomination_list(request):
    form = NominationFilterForm(request.GET or None)
    nominations = selectors.nomination_list(viewer=request.user, filters=form.filters())
    return render(request, "rewards/nomination_list.html", {
        "form": form, "page": _page(request, nominations), "query": _query_without_page(request),
    })


def _nominee_from(request) -> User | None:
    pk = parse_id(request.POST.get("nominee") or request.GET.get("nominee"))
    if pk is None:  # not an id, or beyond the database's integers: nobody
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@login_required
def nomination_create(request):
    nominee = _nominee_from(request)
    initial = {"nominee": nominee.pk} if nominee else {}
    form = NominationForm(request.POST or None, user=request.user, nominee=nominee,
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nomination_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(person)s is nominated for fast-track promotion. A fund "
                                        "manager will consider endorsing it.")
                             % {"person": nomination.nominee})
            return redirect("rewards:nomination_detail", pk=nomination.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "rewards/nomination_form.html",
                  {"form": form, "nominee": nominee}, status=status)


def _nomination_for(request, pk: int) -> Nomination:
    nomination = get_object_or_404(selectors.nomination_detail_queryset(), pk=pk)
    if not can_view_nomination(request.user, nomination):
        raise Http404
    return nomination


def _render_nomination(request, nomination, *, form=None, failed=None, status=200):
    actions = [
        {"name": name, "label": TRANSITION_LABELS.get(name, name),
         "needs_reason": name == "not_grant"}
        for name in selectors.nomination_actions(nomination=nomination, user=request.user)
    ]
    if failed and form is not None and failed not in {a["name"] for a in actions}:
        # The refused action is not offered now: say why above the page instead.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    record = None
    if can_view_record(request.user, nomination.nominee):
        record = selectors.innovation_record(person=nomination.nominee, viewer=request.user)
    return render(request, "rewards/nomination_detail.html", {
        "nomination": nomination, "actions": actions, "record": record,
        "evidence": selectors.nomination_evidence_seen_by(nomination=nomination,
                                                          viewer=request.user),
        "form": form or TransitionForm(), "failed": failed,
    }, status=status)


@login_required
def nomination_detail(request, pk: int):
    return _render_nomination(request, _nomination_for(request, pk))


@login_required
@require_POST
def nomination_transition(request, pk: int, name: str):
    nomination = _nomination_for(request, pk)
    service = services.NOMINATION_TRANSITIONS.get(name)
    if service is None:
        raise Http404
    form = TransitionForm(request.POST)
    form.is_valid()
    kwargs = {"note": form.cleaned_data.get("note", "")}
    if name == "not_grant":
        kwargs["reason"] = form.cleaned_data.get("reason", "")
    try:
        service(nomination=nomination, actor=request.user, **kwargs)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _render_nomination(request, nomination, form=form, failed=name, status=400)
    except TransitionStateConflict as conflict:
        messages.error(request, str(conflict))
        return _render_nomination(request, nomination, form=form, failed=name, status=409)
    messages.success(request, TRANSITION_DONE[name] % {"nominee": nomination.nominee})
    return redirect("rewards:nomination_detail", pk=nomination.pk)


# --- civil servants and their records ------------------------------------------------------------------
@login_required
def people_list(request):
    if not can_view_people_list(request.user):
        raise PermissionDenied(_("Only HR officers and fund managers see the list of civil servants."))
    form = PeopleFilterForm(request.GET or None, levels=selectors.position_levels())
    people = selectors.people_with_record_summary(viewer=request.user, filters=form.filters())
    return render(request, "rewards/people_list.html", {
        "form": form, "page": _page(request, people, 25), "query": _query_without_page(request),
    })


def _person_for(request, pk: int) -> User:
    person = get_object_or_404(User.objects.select_related("agency"), pk=pk, is_active=True)
    if not can_view_record(request.user, person):
        raise PermissionDenied(_("Only the person, fund managers and HR officers see this record."))
    return person


@login_required
def my_record(request):
    return redirect("rewards:record", pk=request.user.pk)


@login_required
def record(request, pk: int):
    person = _person_for(request, pk)
    return render(request, "rewards/record.html", {
        "person": person, "record": selectors.innovation_record(person=person,
                                                                viewer=request.user),
        "is_self": person.pk == request.user.pk,
        "can_award": can_award_recognition(request.user) and person.pk != request.user.pk,
    })


@login_required
def dossier(request, pk: int):
    person = _person_for(request, pk)
    pdf = render_dossier(selectors.innovation_record(person=person))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{dossier_filename(person)}"'
    return response
