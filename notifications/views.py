"""The notification pages: a person's own list, marking read. Others' notifications are a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from workflow.pages import page_of

from . import inbox, selectors, services

PAGE_SIZE = 25
SHOW = {"unread": True, "read": False, "all": None}


@login_required
def notification_list(request):
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    # Tasks done since (or before this page existed) leave the unread count first.
    inbox.settle_for(user=request.user)
    notifications = selectors.notifications_for(user=request.user, unread=SHOW[show])
    page_obj = page_of(request, notifications, PAGE_SIZE)
    return render(request, "notifications/list.html", {
        "page_obj": page_obj,
        "notifications": inbox.decorate(page_obj, viewer=request.user),
        "show": show,
        "query": f"show={show}" if show != "all" else "",
        "unread": selectors.unread_count(user=request.user),
    })


def _safe_next(request) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one's own notification read, then go where it points (`next`) or back to the list."""
    notification = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    return redirect(_safe_next(request) or "notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, ngettext(
        "%(count)d notification marked as read.", "%(count)d notifications marked as read.", count,
    ) % {"count": count})
    return redirect("notifications:list")
