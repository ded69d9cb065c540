"""Every proposal a fund manager may see, found by round, state, agency or words of its title
(issue 15): the screening queue shows only what waits to be screened, this shows them all.

The rows start from `proposals.selectors.submitted_proposals_visible_to` (the rows of
`proposals_visible_to`, less those never submitted), so the list never shows what the
proposal's page would refuse, nor a draft (or one withdrawn before it was submitted); a row
where the viewer has a conflict of interest (`proposals.conflicts.conflict_q`) says so, since
another fund manager decides on it. The page runs the same number of queries for one row or
many: the related rows are joined or prefetched, the conflicts are asked for the page at once.

At national scale (issue 16) a page reads its 25 rows from an index in the order chosen
(proposals migrations 0006 and 0007), with the columns it prints only, and its bounded count
("1000+ proposals") reads ids alone, without the joins and the conflict annotation.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fund.selectors import rounds_visible_to
from people.models import Agency
from proposals.conflicts import conflict_q
from proposals.models import Proposal
from proposals.selectors import submitted_proposals_visible_to
from workflow.pages import page_of
from workflow.widgets import QuickSelect

PAGE_SIZE = 25

# The states a row can be in: a draft is never listed (nor one withdrawn before it was
# submitted, still offered as "Withdrawn" for those withdrawn after), so it is not offered.
LISTED_STATES = [(value, label) for value, label in Proposal.State.choices
                 if value != Proposal.State.DRAFT]

# The orders offered, by the value in the address: (label, ordering).
SORTS = {
    "newest": (gettext_lazy("Newest submitted first"), (F("submitted_at").desc(nulls_last=True), "-id")),
    "oldest": (gettext_lazy("Oldest submitted first"), (F("submitted_at").asc(nulls_last=True), "id")),
    "title": (gettext_lazy("Title, A to Z"), ("title", "id")),
    "amount": (gettext_lazy("Largest request first"),
               (F("requested_amount").desc(nulls_last=True), "id")),
    "state": (gettext_lazy("State"), ("state", "-id")),
    "round": (gettext_lazy("Round"), ("round__title", "-id")),
}
DEFAULT_SORT = "newest"

# What a row prints (fund/all_proposals.html), read with the row: never the proposal's texts.
ROW_FIELDS = (
    "id", "title", "state", "requested_amount", "submitted_at", "round__title",
    "round__fund__currency", "lead__username", "lead__first_name", "lead__last_name",
    "lead__agency__code", "lead__agency__name", "award__id",
)


class AllProposalsFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Words in the title"), required=False, max_length=200)
    round = forms.ModelChoiceField(queryset=None, required=False, empty_label=gettext_lazy("All rounds"),
                                   label=gettext_lazy("Round"), widget=QuickSelect)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All states")), *LISTED_STATES],
                              widget=QuickSelect)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name", "id"), required=False, empty_label=gettext_lazy("All agencies"),
        label=gettext_lazy("Agency (leading or partner)"), widget=QuickSelect,
    )
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False,
                             choices=[(key, label) for key, (label, _) in SORTS.items()],
                             widget=QuickSelect)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds_visible_to(user).order_by("-opens_at")


def proposals_chosen(user, chosen: dict):
    """The proposals `user` may see, filtered as `chosen` says: ids and the filtered columns
    only, what the page's bounded count reads."""
    proposals = submitted_proposals_visible_to(user)  # never a draft, even the viewer's own
    if chosen.get("q"):
        proposals = proposals.filter(title__icontains=chosen["q"].strip())
    if chosen.get("round"):
        proposals = proposals.filter(round=chosen["round"])
    if chosen.get("state"):
        proposals = proposals.filter(state=chosen["state"])
    if chosen.get("agency"):
        partnered = Proposal.partner_agencies.through.objects.filter(agency=chosen["agency"])
        proposals = proposals.filter(Q(lead__agency=chosen["agency"])
                                     | Q(pk__in=partnered.values("proposal_id")))
    return proposals


def all_proposals_for(user, chosen: dict):
    """The proposals `user` may see, filtered and ordered as `chosen` says, with what a row
    shows: the columns it prints (not the long texts of the proposal), the round, fund, lead,
    award and partner agencies. Whether the viewer has a conflict of interest with a row is
    asked for the shown page only (`mark_conflicts`)."""
    sort = chosen.get("sort") or DEFAULT_SORT
    return (
        proposals_chosen(user, chosen)
        .select_related("round__fund", "lead__agency", "award")
        .only(*ROW_FIELDS)
        .prefetch_related(Prefetch("partner_agencies",
                                   queryset=Agency.objects.only("code", "name")))
        .order_by(*SORTS[sort][1])
    )


def mark_conflicts(proposals: list, user) -> list:
    """Sets `viewer_conflict` on each of `proposals` (a page): one query, the database's rule
    (`conflict_q`) on these ids. Asked as an annotation of the list's own query, PostgreSQL
    read every partnership of the viewer's agency (a hashed subplan planned for all the
    visible rows, not the page's 25)."""
    ids = [proposal.pk for proposal in proposals]
    conflicted = set(Proposal.objects.filter(pk__in=ids).filter(conflict_q(user))
                     .values_list("pk", flat=True)) if ids else set()
    for proposal in proposals:
        proposal.viewer_conflict = proposal.pk in conflicted
    return proposals


@login_required
def all_proposals(request):
    """All proposals, for fund managers: filter, sort, page through."""
    if not request.user.is_fund_manager:
        raise PermissionDenied(_("Only fund managers list every proposal."))
    form = AllProposalsFilter(request.GET or None, user=request.user)
    chosen = {}
    if request.GET:
        form.is_valid()  # a bad value is shown next to its filter and left out
        chosen = {k: v for k, v in form.cleaned_data.items() if v}
    sort = chosen.get("sort") or DEFAULT_SORT
    page = page_of(request, all_proposals_for(request.user, chosen), PAGE_SIZE,
                   count_queryset=proposals_chosen(request.user, chosen))
    page.object_list = mark_conflicts(list(page.object_list), request.user)
    return render(request, "fund/all_proposals.html", {
        "filter_form": form, "page": page, "sort": sort,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "filtered": any(k != "sort" for k in chosen),
    })
