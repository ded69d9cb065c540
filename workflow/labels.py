"""The words for states and transitions that pages show by their stored name (`{{ name|words }}`:
histories, records): each marked for translation (locale/), in English the name with its
underscores made spaces and its first letter capital (`send_to_review` → "Send to review").
A name not listed here still shows so, untranslated."""

from django.utils.translation import gettext_lazy as _

WORDS = {
    "submit": _("Submit"),
    "withdraw": _("Withdraw"),
    "screen_out": _("Screen out"),
    "send_to_review": _("Send to review"),
    "request_revision": _("Request revision"),
    "recommend": _("Recommend"),
    "reject": _("Reject"),
    "fund": _("Fund"),
    "decline": _("Decline"),
    "report_outcome": _("Report outcome"),
    "close": _("Close"),
    "open": _("Open"),
    "archive": _("Archive"),
    "release": _("Release"),
    "report_milestone": _("Report milestone"),
    "cancel": _("Cancel"),
    "submit_review": _("Submit review"),
    "declare_conflict": _("Declare conflict"),
    "accept": _("Accept"),
    "leave": _("Leave"),
    "remove": _("Remove"),
    "endorse": _("Endorse"),
    "grant": _("Grant"),
    "not_grant": _("Not grant"),
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "ineligible": _("Ineligible"),
    "in_review": _("In review"),
    "revision_requested": _("Revision requested"),
    "recommended": _("Recommended"),
    "rejected": _("Rejected"),
    "funded": _("Funded"),
    "declined": _("Declined"),
    "outcome_reported": _("Outcome reported"),
    "closed": _("Closed"),
    "withdrawn": _("Withdrawn"),
    "archived": _("Archived"),
    "scheduled": _("Scheduled"),
    "released": _("Released"),
    "reported": _("Reported"),
    "cancelled": _("Cancelled"),
    "invited": _("Invited"),
    "accepted": _("Accepted"),
    "left": _("Left"),
    "removed": _("Removed"),
    "nominated": _("Nominated"),
    "endorsed": _("Endorsed"),
    "granted": _("Granted"),
    "not_granted": _("Not granted"),
    "queued": _("Queued"),
    "running": _("Running"),
    "ready": _("Ready"),
    "failed": _("Failed"),
    "pending": _("Pending"),
    "assigned": _("Assigned"),
    "completed": _("Completed"),
    "conflict_declared": _("Conflict declared"),
    "active": _("Active"),
    "conflict": _("Conflict"),
}


def word_label(value) -> str:
    """The words for a state or transition's stored name, in the page's language."""
    text = str(value or "")
    label = WORDS.get(text)
    return str(label) if label is not None else text.replace("_", " ").capitalize()
