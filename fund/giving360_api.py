"""The awards a person may see, as 360Giving data: the rows and the streamed answer.

`GET /api/v1/awards/360giving.json` is routed in jobs/api.py: above `EXPORT_INLINE_MAX_ROWS`
awards it hands the package to a background job (jobs sits above fund, which may not import
it). The page `/data/export/360giving.<fmt>` (portal/data_views.py) does the same.
"""

from django.http import StreamingHttpResponse

from datafiles.exports import inline_max_rows
from proposals.selectors import proposals_visible_to

from . import giving360
from .models import Award


def awards_visible_to(user):
    """The awards published as grants: those `user` may see (whoever may see the proposal),
    except cancelled ones, which were never made."""
    return (
        Award.objects.filter(proposal__in=proposals_visible_to(user))
        .exclude(state=Award.State.CANCELLED)
        .select_related("proposal__round__fund", "proposal__lead__agency")
        .order_by("approved_at", "id")
    )


def too_many_to_stream(awards) -> bool:
    """Whether the package is made by a job rather than in the request: more than
    `EXPORT_INLINE_MAX_ROWS` awards (a bounded count: at most that many ids plus one)."""
    return giving360.more_awards_than(awards, inline_max_rows())


def package_response(awards, fmt: str, *, filename: str, attachment: bool) -> StreamingHttpResponse:
    """The package streamed a grant at a time from one query: constant memory."""
    response = StreamingHttpResponse(giving360.package_chunks(awards, fmt),
                                     content_type=giving360.CONTENT_TYPES[fmt])
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
