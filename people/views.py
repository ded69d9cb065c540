"""Inviting the people an import has just created, and the admin's sign-in address. (The
home page is portal/views.py.)"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .invitations import take_imported_people
from .models import User
from .services import invite_people, may_invite_people


@login_required
@require_POST
def invite_imported_people(request):
    """"Invite the N new people" after an import: exactly the people that import created
    (kept in the session by portal.data_views.import_confirm), each once."""
    if not may_invite_people(request.user):
        raise PermissionDenied(_("Only fund managers and administrators may invite people."))
    employee_ids = take_imported_people(request)
    if not employee_ids:
        messages.error(request, _("No people from an import are waiting for an invitation."))
        return redirect("data:import")
    people = [person for start in range(0, len(employee_ids), 5000)
              for person in User.objects.filter(employee_id__in=employee_ids[start:start + 5000])]
    result = invite_people(actor=request.user, users=people)
    (messages.success if result.sent else messages.warning)(request, result.summary())
    return redirect("data:import")


@never_cache
def admin_sign_in(request):
    """/admin/login/ (in place of the admin's own sign-in, which signs in on a password
    alone): one way in on pages, the sign-in page, with the code where two-factor sign-in is
    on and the throttling; it then goes back to the admin page asked for (`next`)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    next_url = next_url or reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(next_url)
        # Signed in, without the admin: the sign-in page would send them straight back here.
        raise PermissionDenied(_("Your account may not use the administration pages."))
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
