"""Every proposal a fund manager may see, found by round, state, agency or words of its title
(issue 15): the screening queue shows only what waits to be screened, this shows them all.

The rows start from `proposals.selectors.proposals_visible_to`, so the list never shows what
the proposal's page would refuse (a draft, or one withdrawn before it was submitted); a row
where the viewer has a conflict of interest (`proposals.conflicts.conflict_q`) says so, since
another fund manager decides on it. The page runs the same number of queries for one row or
many: the related rows are joined or prefetched, the conflict is an annotation.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.shortcuts import render

from fund.selectors import rounds_visible_to
from people.models import Agency
from proposals.conflicts import conflict_q
from proposals.models import Proposal
from proposals.selectors import NEVER_SUBMITTED, proposals_visible_to
from workflow.pages import page_of

PAGE_SIZE = 25

# The states a row can be in: a draft is never listed (nor one withdrawn before it was
# submitted, still offered as "Withdrawn" for those withdrawn after), so it is not offered.
LISTED_STATES = [(value, label) for value, label in Proposal.State.choices
                 if value != Proposal.State.DRAFT]

# The orders offered, by the value in the address: (label, ordering).
SORTS = {
    "newest": ("Newest submitted first", (F("submitted_at").desc(nulls_last=True), "-id")),
    "oldest": ("Oldest submitted first", (F("submitted_at").asc(nulls_last=True), "id")),
    "title": ("Title, A to Z", ("title", "id")),
    "amount": ("Largest request first",
               (F("requested_amount").desc(nulls_last=True), "id")),
    "state": ("State", ("state", "-id")),
    "round": ("Round", ("round__title", "-id")),
}
DEFAULT_SORT = "newest"


class AllProposalsFilter(forms.Form):
    q = forms.CharField(label="Words in the title", required=False, max_length=200)
    round = forms.ModelChoiceField(queryset=None, required=False, empty_label="All rounds")
    state = forms.ChoiceField(label="State", required=False,
                              choices=[("", "All states"), *LISTED_STATES])
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), required=False, empty_label="All agencies",
        label="Agency (leading or partner)",
    )
    sort = forms.ChoiceField(label="Order", required=False,
                             choices=[(key, label) for key, (label, _) in SORTS.items()])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds_visible_to(user).order_by("-opens_at")


def all_proposals_for(user, chosen: dict):
    """The proposals `user` may see, filtered and ordered as `chosen` says."""
    proposals = (
        proposals_visible_to(user)
        .exclude(NEVER_SUBMITTED)  # not even the viewer's own draft: that is in My proposals
        .select_related("round", "round__fund", "lead", "lead__agency", "award")
        .prefetch_related("partner_agencies")
        .annotate(viewer_conflict=Case(When(conflict_q(user), then=Value(True)),
                                       default=Value(False), output_field=BooleanField()))
    )
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
    sort = chosen.get("sort") or DEFAULT_SORT
    return proposals.order_by(*SORTS[sort][1])


@login_required
def all_proposals(request):
    """All proposals, for fund managers: filter, sort, page through."""
    if not request.user.is_fund_manager:
        raise PermissionDenied("Only fund managers list every proposal.")
    form = AllProposalsFilter(request.GET or None, user=request.user)
    chosen = {}
    if request.GET:
        form.is_valid()  # a bad value is shown next to its filter and left out
        chosen = {k: v for k, v in form.cleaned_data.items() if v}
    sort = chosen.get("sort") or DEFAULT_SORT
    page = page_of(request, all_proposals_for(request.user, chosen), PAGE_SIZE)
    return render(request, "fund/all_proposals.html", {
        "filter_form": form, "page": page, "sort": sort,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "filtered": any(k != "sort" for k in chosen),
    })
