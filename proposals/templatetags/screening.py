"""`{% screening_note proposal %}`: why the screening queue offers the signed-in fund manager
no step on a proposal, and who acts instead (proposals/queue.html). The reason is the conflict
rule's own (`proposals.conflicts.own_conflict_reason`); when every other active fund manager
has a conflict too, the note says an administrator unblocks it, as the conflicts help page and
the administrators' list of stalled steps (`reviews.chairs.steps_without_fund_manager`) do.

The other fund managers are read once per page (kept in the template's render context), and
their conflicts are decided from the proposal's prefetched team and partner agencies, so the
queue runs the same number of queries for one row or many."""

from django import template

from people.models import FUND_MANAGERS, User

from ..conflicts import has_conflict, own_conflict_reason

register = template.Library()

_CACHE_KEY = "screening_note_other_managers"


def _other_managers(context, viewer) -> list:
    cache = context.render_context
    if _CACHE_KEY not in cache:
        cache[_CACHE_KEY] = list(
            User.objects.filter(groups__name=FUND_MANAGERS, is_active=True)
            .exclude(pk=viewer.pk).select_related("agency").distinct())
    return cache[_CACHE_KEY]


def screening_note_for(viewer, proposal, other_managers) -> str:
    reason = own_conflict_reason(viewer, proposal)
    if reason is None:
        return "There is no step you may take on this proposal now."
    if any(not has_conflict(m, proposal) for m in other_managers):
        return f"{reason[:-1]}; another fund manager screens it."
    return (f"{reason[:-1]}, and every other fund manager has a conflict of interest with it "
            f"too: it is listed for the administrators, who can make someone without a "
            f"conflict a fund manager.")


@register.simple_tag(takes_context=True)
def screening_note(context, proposal) -> str:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return screening_note_for(viewer, proposal, _other_managers(context, viewer))
