"""Who acts as chair (`reviews.chairs.acting_chair`) and the stall rule
(`reviews.chairs.stall_of`) asked of the database (issue 16), so the home page and the chair's
assignments page fetch only the few rows they show instead of loading every proposal under
review to test each one in Python.

These are filters on `Proposal`; `reviews.chairs` stays the rule (the home page asks
`stall_of` what each shown proposal needs; permission checks ask `is_acting_chair`). The
acting chair is read from its store (`ProposalActingChair`, kept by
`reviews.chairs.refresh_acting_chairs`); the stall filter asks the rule's inputs in SQL.
tests/reviews/test_home_chair_queries.py checks that both agree with the rule on every scene.

- A proposal's panel is `Proposal.panel`, else its round's only panel (`duty_panel`).
- A person *blocks* the chair's duty for a proposal when they are inactive, an HR officer, or
  have a conflict of interest with it (`proposals.conflicts`: they lead it, are an accepted
  member of its team, or their agency leads or partners it; or they declared one on their own
  assignment to review it, `Assignment.State.CONFLICT`).
"""

from django.db.models import Count, Exists, F, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from people.models import HR_OFFICERS, User
from proposals.models import Proposal, TeamMember

from .models import Assignment, Panel, PanelStandIn

ACTIVE_ASSIGNMENT = (Assignment.State.ASSIGNED, Assignment.State.SUBMITTED)


def with_duty_panel(qs):
    """Annotate `duty_panel`: the panel's id, or the round's only panel's, or None."""
    single = (
        Panel.objects.filter(round=OuterRef("round")).order_by()
        .values("round").annotate(n=Count("pk"), first=Min("pk")).filter(n=1).values("first")
    )
    return qs.annotate(duty_panel=Coalesce(F("panel_id"), Subquery(single, output_field=IntegerField())))


def _blocked(person: str, proposal_ref) -> Q:
    """A filter on Panel: its `person` ("chair" or "deputy_chair") may not act for the proposal
    `proposal_ref` (an OuterRef to the proposal's pk, seen from inside the panel subquery)."""
    on_team = TeamMember.objects.filter(
        proposal=proposal_ref, user=OuterRef(f"{person}_id"), accepted_at__isnull=False)
    partners = Proposal.partner_agencies.through.objects.filter(
        proposal=proposal_ref, agency_id=OuterRef(f"{person}__agency_id"))
    hr = User.groups.through.objects.filter(user=OuterRef(f"{person}_id"), group__name=HR_OFFICERS)
    lead = Proposal.objects.filter(pk=proposal_ref)
    declared = Assignment.objects.filter(
        proposal=proposal_ref, reviewer=OuterRef(f"{person}_id"), state=Assignment.State.CONFLICT)
    return (
        Q(**{f"{person}__is_active": False}) | Q(Exists(hr)) | Q(Exists(on_team))
        | Q(Exists(declared))
        | Q(Exists(partners))
        | Q(Exists(lead.filter(lead_id=OuterRef(f"{person}_id"))))
        | Q(Exists(lead.filter(lead__agency_id=OuterRef(f"{person}__agency_id"))))
    )


def acting_chair_is(user, qs):
    """The proposals of `qs` whose acting chair is `user`: their stored acting chair
    (`ProposalActingChair`, kept equal to the rule `reviews.chairs.acting_chair` by
    `reviews.chairs.refresh_acting_chairs`), read from its index. Only proposals in a panel's
    states (`in_review`, `revision_requested`) have one."""
    if not (user.is_active and not user.is_hr_officer):
        return qs.none()
    return qs.filter(stored_chair__chair=user)


def with_review_counts(qs):
    """Annotate `submitted_reviews` and `active_reviewers` (one subquery each, no GROUP BY)."""
    def counted(states):
        return Subquery(
            Assignment.objects.filter(proposal=OuterRef("pk"), state__in=states).order_by()
            .values("proposal").annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    return qs.annotate(
        submitted_reviews=Coalesce(counted([Assignment.State.SUBMITTED]), Value(0)),
        active_reviewers=Coalesce(counted(list(ACTIVE_ASSIGNMENT)), Value(0)),
    )


def may_be_stalled(qs):
    """A filter on proposals in a panel's states (annotated by `with_duty_panel` and
    `with_review_counts`): no panel; or no acting chair possible (the chair and deputy are
    blocked and no stand-in is named, or the stand-in is blocked); or, in review, fewer
    eligible unconflicted free panel members than the reviews it still needs."""
    here = OuterRef(OuterRef("pk"))
    no_chair = Panel.objects.filter(pk=OuterRef("duty_panel")).filter(
        _blocked("chair", here)).filter(Q(deputy_chair__isnull=True) | _blocked("deputy_chair", here))
    stand_in = PanelStandIn.objects.filter(  # seen from the User subquery below
        panel=OuterRef(OuterRef("duty_panel")), proposal=OuterRef(OuterRef("pk"))
    ).order_by("-named_at", "-id")
    stand_in_free = Exists(
        User.objects.filter(pk=Subquery(stand_in.values("chair_id")[:1]), is_active=True)
        .exclude(Exists(User.groups.through.objects.filter(
            user=OuterRef("pk"), group__name=HR_OFFICERS)))
        .exclude(pk=OuterRef("lead_id"))
        .exclude(agency_id=OuterRef("lead__agency_id"))
        .exclude(Exists(TeamMember.objects.filter(
            proposal=OuterRef(OuterRef("pk")), user=OuterRef("pk"), accepted_at__isnull=False)))
        .exclude(Exists(Proposal.partner_agencies.through.objects.filter(
            proposal=OuterRef(OuterRef("pk")), agency_id=OuterRef("agency_id"))))
        .exclude(Exists(Assignment.objects.filter(
            proposal=OuterRef(OuterRef("pk")), reviewer=OuterRef("pk"),
            state=Assignment.State.CONFLICT)))
    )
    members = Panel.members.through.objects.filter(panel=OuterRef("duty_panel"))
    free = (
        members.filter(user__is_active=True)
        .exclude(user_id=OuterRef("lead_id"))
        .exclude(user__agency_id=OuterRef("lead__agency_id"))
        .exclude(Exists(User.groups.through.objects.filter(
            user=OuterRef("user_id"), group__name=HR_OFFICERS)))
        .exclude(Exists(Assignment.objects.filter(
            proposal=OuterRef(OuterRef("pk")), reviewer=OuterRef("user_id"))))
        .exclude(Exists(TeamMember.objects.filter(
            proposal=OuterRef(OuterRef("pk")), user=OuterRef("user_id"),
            accepted_at__isnull=False)))
        .exclude(Exists(Proposal.partner_agencies.through.objects.filter(
            proposal=OuterRef(OuterRef("pk")), agency_id=OuterRef("user__agency_id"))))
        .order_by().values("panel").annotate(n=Count("pk")).values("n")
    )
    qs = qs.annotate(
        still_needed=F("round__reviews_required") - F("active_reviewers"),
    )
    short = Q(state=Proposal.State.IN_REVIEW, still_needed__gt=0) & Q(
        still_needed__gt=Coalesce(Subquery(free, output_field=IntegerField()), Value(0)))
    return qs.filter(
        Q(duty_panel__isnull=True) | (Q(Exists(no_chair)) & ~Q(stand_in_free)) | short
    )


def proposals_in_review_chaired_by(user):
    """Proposals in review whose acting chair is `user` (`acting_chair_is`: the stored
    acting chair), with `submitted_reviews` and `active_reviewers`. Quorum:
    `submitted_reviews >= round.reviews_required`; short of reviewers:
    `active_reviewers < round.reviews_required`."""
    # Blind review: where the chair's own review is still open, how many reviews are in is
    # not theirs to see yet (`own_review_open`: the pages say so instead of the number).
    own_open = Assignment.objects.filter(proposal=OuterRef("pk"), reviewer=user,
                                         state=Assignment.State.ASSIGNED)
    in_review = with_review_counts(Proposal.objects.filter(state=Proposal.State.IN_REVIEW))
    return (acting_chair_is(user, in_review).annotate(own_review_open=Exists(own_open))
            .select_related("round"))


def at_quorum_q() -> Q:
    """A filter on proposals annotated by `with_review_counts`: enough reviews submitted."""
    return Q(submitted_reviews__gte=F("round__reviews_required"))


def short_of_reviewers_q() -> Q:
    """A filter on proposals annotated by `with_review_counts`: fewer active reviewers than
    the round requires."""
    return Q(active_reviewers__lt=F("round__reviews_required"))


def at_quorum(qs):
    return qs.filter(at_quorum_q())


def short_of_reviewers(qs):
    return qs.filter(short_of_reviewers_q())
