"""Inviting the people an import has just created. (The home page is portal/views.py.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .invitations import take_imported_people
from .models import User
from .services import invite_people, may_invite_people


@login_required
@require_POST
def invite_imported_people(request):
    """"Invite the N new people" after an import: exactly the people that import created
    (kept in the session by datafiles.views.import_confirm), each once."""
    if not may_invite_people(request.user):
        raise PermissionDenied("Only fund managers and administrators may invite people.")
    employee_ids = take_imported_people(request)
    if not employee_ids:
        messages.error(request, "No people from an import are waiting for an invitation.")
        return redirect("data:import")
    people = [person for start in range(0, len(employee_ids), 5000)
              for person in User.objects.filter(employee_id__in=employee_ids[start:start + 5000])]
    result = invite_people(actor=request.user, users=people)
    (messages.success if result.sent else messages.warning)(request, result.summary())
    return redirect("data:import")
