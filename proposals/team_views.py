"""The team's consent buttons on pages: accept or decline an invitation (the invited person),
leave (an accepted member), remove (the lead). Each view parses the request, calls one
service of `proposals.services.team` and says what happened.

A row is reached through its proposal: someone who may not see the proposal gets a 404, as
on the proposal's page; someone who sees it but may not act gets the service's 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from workflow.services import TransitionStateConflict

from .models import Proposal, TeamMember
from .permissions import can_view_proposal
from .services.team import TEAM_MEMBER_TRANSITIONS

# What the person who acted reads, in their language (it was English whatever the page's).
DONE = {
    "accept": gettext_lazy("You joined the team of “{title}”."),
    "decline": gettext_lazy("You declined to join the team of “{title}”: its lead is told, "
                            "and nothing more is asked of you."),
    "leave": gettext_lazy("You left the team of “{title}”. Your work on it stays on your "
                          "record."),
    "remove": gettext_lazy("{person} is no longer on the team of “{title}”."),
}


def _next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def team_transition(request, pk: int, member_pk: int, name: str):
    service = TEAM_MEMBER_TRANSITIONS.get(name)
    proposal = get_object_or_404(Proposal.objects.prefetch_related("team"), pk=pk)
    if service is None or not can_view_proposal(request.user, proposal):
        raise Http404(gettext("No such proposal."))
    member = get_object_or_404(TeamMember.objects.select_related("user"), pk=member_pk,
                               proposal=proposal)
    page = reverse("proposals:detail", args=[pk])
    try:
        service(actor=request.user, member=member, note=request.POST.get("note", ""))
    except TransitionStateConflict as exc:
        messages.error(request, str(exc))
        return redirect(_next(request, page))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_next(request, page))
    messages.success(request, str(DONE[name]).format(title=proposal.title, person=member.user))
    fresh = Proposal.objects.prefetch_related("team").get(pk=pk)
    if name in ("decline", "leave") and not can_view_proposal(request.user, fresh):
        return redirect(_next(request, reverse("dashboard")))  # the page is no longer theirs
    return redirect(_next(request, page))
