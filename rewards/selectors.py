"""Read side of rewards: the library, lists that apply the permission rules, the record."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from fund.selectors import register_entries
from people.models import Agency, User
from proposals.models import OutcomeReport, Proposal, TeamMember
from proposals.selectors import NEVER_SUBMITTED, proposals_visible_to
from workflow.models import TransitionLog
from workflow.services import available_transitions

from .models import Learning, LearningAuthor, Nomination, Recognition, Tag


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- who counts (DOMAIN.md, "Consent") ---------------------------------------------------------
def learnings_authored_by(person) -> QuerySet[Learning]:
    """Learnings `person` accepted to be named an author of: only those count."""
    rows = LearningAuthor.objects.accepted().filter(user=person)
    return Learning.objects.filter(pk__in=rows.values("learning"))


def proposals_joined_by(person) -> Q:
    """A filter on Proposal: led by `person`, or joined by them (they accepted the invitation;
    their accepted past work stays theirs after they leave)."""
    joined = TeamMember.objects.ever_accepted().filter(user=person)
    return Q(lead=person) | Q(pk__in=joined.values("proposal"))


def _id_filter(filters: dict, name: str) -> int | None:
    """The id a filter names, or None when it is not given. A value that is not an id is
    refused with a message naming the filter (the API answers 400, never a 500)."""
    value = filters.get(name)
    if value in (None, ""):
        return None
    value = getattr(value, "pk", value)
    text = str(value).strip()
    if not text.isdigit():
        raise ValidationError({name: gettext("“%(text)s” is not an id; give a whole number.") % {
            "text": text[:30]}})
    return int(text) if len(text) <= 18 else 0  # beyond the database's integers: no such row


# --- learnings ------------------------------------------------------------------------------
def learnings_visible_to(user) -> QuerySet[Learning]:
    """The same rule as `can_view_learning`: signed-in civil servants see all, others public."""
    if _signed_in(user):
        return Learning.objects.all()
    return Learning.objects.filter(visibility=Learning.Visibility.PUBLIC)


def proposals_shown_with_learnings(viewer) -> QuerySet[Proposal]:
    """The proposals a learning may name to `viewer` (its title and agencies): those the
    viewer may see, and the register of funded work (for visitors, the register only). A
    learning linked to a draft, or to a proposal in review, is shown to others without it."""
    register = Proposal.objects.filter(register_entries())
    if not _signed_in(viewer):
        return register
    return proposals_visible_to(viewer) | register


def with_proposal_shown(qs: QuerySet[Learning], viewer) -> QuerySet[Learning]:
    """`qs` with `proposal_shown`: True when the learning's proposal may be named to `viewer`
    (`proposals_shown_with_learnings`), computed in the same query as two tests on the
    learning's own row: its proposal is in the register (`register_entries(via="proposal")`),
    or the viewer may see it (an Exists per row). One Exists over the union of both made
    PostgreSQL hash every proposal that may be named (~10,000 at 100k proposals) for a page
    of 20 learnings: 55 ms instead of ~10 (issue 16)."""
    shown = register_entries(via="proposal")
    if _signed_in(viewer):
        visible = proposals_visible_to(viewer).filter(pk=OuterRef("proposal_id"))
        shown |= Q(Exists(visible))
    return qs.annotate(proposal_shown=ExpressionWrapper(shown, output_field=BooleanField()))


def _proposal_shown(qs: QuerySet[Learning]) -> Q:
    """Where `with_proposal_shown` was applied, its flag; else no proposal counts."""
    return Q(proposal_shown=True) if "proposal_shown" in qs.query.annotations else Q(pk__in=[])


def _agency_filter(value, shown: Q) -> Q:
    value = str(value).strip()
    agency = Q(pk=value) if value.isdigit() else Q(code__iexact=value)
    agencies = Agency.objects.filter(agency).values("pk")
    by_author = LearningAuthor.objects.accepted().filter(
        user__agency__in=agencies).values("learning")
    by_lead = Learning.objects.filter(proposal__lead__agency__in=agencies).values("pk")
    by_partner = Learning.objects.filter(proposal__partner_agencies__in=agencies).values("pk")
    # A proposal's agencies count only where the learning may name that proposal.
    return Q(pk__in=by_author) | (shown & (Q(pk__in=by_lead) | Q(pk__in=by_partner)))


def learning_list(*, viewer, filters: dict | None = None) -> QuerySet[Learning]:
    """The library: every word must appear in the text or a tag; tag, agency, kind narrow it.
    Each learning carries `proposal_shown` (`with_proposal_shown`).

    Ordered by publication only: a learning from a failure sits exactly where a success would.
    """
    visible = with_proposal_shown(learnings_visible_to(viewer), viewer)
    return with_learning_details(filter_learnings(visible, filters))


def filter_learnings(qs: QuerySet[Learning], filters: dict | None) -> QuerySet[Learning]:
    """Narrow learnings by `q`, `tag`, `agency` (id or code), `kind`, `visibility`,
    `proposal` and `author` (ids); the pages and the API's filters both come here. The
    proposal's agencies and id count only where the learning may name its proposal to the
    viewer (`with_proposal_shown` on `qs`)."""
    filters = filters or {}
    shown = _proposal_shown(qs)
    for word in (filters.get("q") or "").split():
        tagged = Learning.objects.filter(tags__name__icontains=word).values("pk")
        qs = qs.filter(
            Q(title__icontains=word) | Q(what_we_tried__icontains=word)
            | Q(what_happened__icontains=word) | Q(what_we_learned__icontains=word)
            | Q(pk__in=tagged)
        )
    if filters.get("tag"):
        qs = qs.filter(pk__in=Learning.objects.filter(
            tags__name__iexact=str(filters["tag"]).strip()).values("pk"))
    if filters.get("agency"):
        qs = qs.filter(_agency_filter(filters["agency"], shown))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("visibility"):
        qs = qs.filter(visibility=filters["visibility"])
    if (proposal := _id_filter(filters, "proposal")) is not None:
        qs = qs.filter(shown, proposal_id=proposal)
    if (author := _id_filter(filters, "author")) is not None:
        qs = qs.filter(pk__in=learnings_authored_by(author).values("pk"))
    return qs


def with_learning_details(qs: QuerySet[Learning]) -> QuerySet[Learning]:
    return qs.select_related("proposal", "proposal__lead__agency").prefetch_related(
        Prefetch("author_rows", queryset=LearningAuthor.objects.select_related("user__agency")),
        "tags",
    )

# The transitions offered on a co-authorship row and on a nomination: the names that
# `services.LEARNING_AUTHOR_TRANSITIONS` and `services.NOMINATION_TRANSITIONS` run.
LEARNING_AUTHOR_ACTIONS = ("accept", "decline", "leave", "remove")
NOMINATION_ACTIONS = ("endorse", "grant", "not_grant", "withdraw")


@dataclass
class AuthorRow:
    row: LearningAuthor
    actions: list[str]


def learning_authors_seen_by(*, learning: Learning, user) -> list[AuthorRow]:
    """The co-authorship rows `user` may act on or must know about: the writer sees every
    co-author they asked (with the state), anyone else only their own row. Uses the
    prefetched `author_rows` (`with_learning_details`)."""
    if not _signed_in(user):
        return []
    writer = learning.created_by_id == user.pk
    rows = [r for r in learning.author_rows.all()
            if r.user_id != learning.created_by_id and (writer or r.user_id == user.pk)]
    return [
        AuthorRow(row=r, actions=[n for n in available_transitions(r, user)
                                  if n in LEARNING_AUTHOR_ACTIONS])
        for r in rows
    ]


def public_learning_list(*, filters: dict | None = None) -> QuerySet[Learning]:
    filters = dict(filters or {}, visibility=Learning.Visibility.PUBLIC)
    return learning_list(viewer=None, filters=filters)


def tags_in_use() -> QuerySet[Tag]:
    return Tag.objects.filter(learnings__isnull=False).distinct().order_by("name")


def proposals_open_to_learning(*, user) -> QuerySet[Proposal]:
    """The proposals `user` may write a learning on: those they lead or are an accepted
    member of the team of."""
    if not _signed_in(user):
        return Proposal.objects.none()
    mine = Q(lead=user) | Q(pk__in=TeamMember.objects.accepted().filter(user=user)
                            .values("proposal"))
    return Proposal.objects.filter(mine).order_by("title", "id")


# --- recognitions and nominations ---------------------------------------------------------------
def recognitions_visible_to(user) -> QuerySet[Recognition]:
    """The same rule as `can_view_recognition`."""
    if not _signed_in(user):
        return Recognition.objects.none()
    if user.is_fund_manager or user.is_hr_officer:
        return Recognition.objects.all()
    return Recognition.objects.filter(recipient=user)


def recognition_list(*, viewer, filters: dict | None = None) -> QuerySet[Recognition]:
    return filter_recognitions(recognitions_visible_to(viewer), filters).select_related(
        "recipient__agency", "awarded_by"
    ).prefetch_related("proposals", "learnings")


def filter_recognitions(qs: QuerySet[Recognition], filters: dict | None) -> QuerySet[Recognition]:
    """Narrow recognitions by `recipient` (an id) and `kind`."""
    filters = filters or {}
    if (recipient := _id_filter(filters, "recipient")) is not None:
        qs = qs.filter(recipient_id=recipient)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    return qs


def nominations_visible_to(user) -> QuerySet[Nomination]:
    """The same rule as `can_view_nomination`."""
    if not _signed_in(user):
        return Nomination.objects.none()
    if user.is_fund_manager or user.is_hr_officer:
        return Nomination.objects.all()
    return Nomination.objects.filter(Q(nominee=user) | Q(nominated_by=user))


def nomination_list(*, viewer, filters: dict | None = None) -> QuerySet[Nomination]:
    return filter_nominations(nominations_visible_to(viewer), filters).select_related(
        "nominee__agency", "nominated_by"
    )


def filter_nominations(qs: QuerySet[Nomination], filters: dict | None) -> QuerySet[Nomination]:
    """Narrow nominations by `state`, `nominee` and the nominee's `agency` (ids)."""
    filters = filters or {}
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if (nominee := _id_filter(filters, "nominee")) is not None:
        qs = qs.filter(nominee_id=nominee)
    if (agency := _id_filter(filters, "agency")) is not None:
        qs = qs.filter(nominee__agency_id=agency)
    return qs


def nomination_evidence_open_to(*, viewer, nominee: User) -> dict[str, QuerySet]:
    """What `viewer` may name as evidence for nominating `nominee`: the nominee's own
    proposals (led or joined, once submitted), learnings and recognitions, and of those only
    what the viewer may see (`can_view_proposal`, the learnings and recognitions rules)."""
    from proposals.selectors import proposals_visible_to

    proposals = (
        proposals_visible_to(viewer).filter(proposals_joined_by(nominee)).exclude(NEVER_SUBMITTED)
    )
    return {
        "proposals": proposals.order_by("title", "id"),
        "learnings": learnings_visible_to(viewer).filter(
            pk__in=learnings_authored_by(nominee).values("pk")
        ).order_by("title", "id"),
        "recognitions": recognitions_visible_to(viewer).filter(recipient=nominee)
        .order_by("-awarded_on", "-id"),
    }


def nomination_evidence_seen_by(*, nomination: Nomination, viewer) -> dict[str, list]:
    """The evidence of a nomination that `viewer` may see: a title of a proposal the viewer
    may not open never shows, whoever named it."""
    from proposals.selectors import proposals_visible_to

    return {
        "proposals": list(nomination.proposals.filter(
            pk__in=proposals_visible_to(viewer).values("pk")).order_by("title", "id")),
        "learnings": list(nomination.learnings.filter(
            pk__in=learnings_visible_to(viewer).values("pk")).order_by("title", "id")),
        "recognitions": list(nomination.recognitions.filter(
            pk__in=recognitions_visible_to(viewer).values("pk")).order_by("-awarded_on", "-id")),
    }


def nomination_actions(*, nomination: Nomination, user) -> list[str]:
    """The transitions `user` may run now. HR's decisions wait for the endorsement, so they
    are offered only once the nomination is endorsed (the API still explains a refusal)."""
    names = [n for n in available_transitions(nomination, user) if n in NOMINATION_ACTIONS]
    if nomination.state != Nomination.State.ENDORSED:
        names = [n for n in names if n not in ("grant", "not_grant")]
    return names


def nomination_detail_queryset() -> QuerySet[Nomination]:
    # The evidence is read per viewer (`nomination_evidence_seen_by`), so not prefetched.
    return Nomination.objects.select_related("nominee__agency", "nominated_by")


def nominations_awaiting(*, user) -> QuerySet[Nomination]:
    """What needs this user now: FMs endorse `nominated`, HR decides `endorsed` (dashboards);
    never one they are the subject of, made, or (for a decision) endorsed."""
    wanted = Q(pk__in=[])
    if _signed_in(user) and user.is_fund_manager:
        wanted |= Q(state=Nomination.State.NOMINATED)
    if _signed_in(user) and user.is_hr_officer:
        wanted |= Q(state=Nomination.State.ENDORSED) & ~Q(endorsed_by=user)
    return (nomination_list(viewer=user).filter(wanted)
            .exclude(nominee=user).exclude(nominated_by=user))


# --- the HR list of civil servants -----------------------------------------------------------------
def _count_of(qs, group: str):
    sub = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def people_with_record_summary(*, viewer, filters: dict | None = None) -> QuerySet[User]:
    """Civil servants with counts of what their records hold, never a measure of success.

    Ordered by name only: nothing here ranks anyone by their experiments' results.
    """
    from reviews.models import Assignment

    from .permissions import can_view_people_list

    if not can_view_people_list(viewer):
        return User.objects.none()
    filters = filters or {}
    person = OuterRef("pk")
    # Never-submitted drafts are the person's own business; joined means accepted.
    submitted = Proposal.objects.exclude(NEVER_SUBMITTED)
    qs = User.objects.filter(is_active=True).select_related("agency").annotate(
        led_count=_count_of(submitted.filter(lead=person), "lead"),
        joined_count=_count_of(
            TeamMember.objects.ever_accepted().filter(
                user=person, proposal__in=submitted.values("pk")),
            "user",
        ),
        learning_count=_count_of(LearningAuthor.objects.accepted().filter(user=person), "user"),
        review_count=_count_of(
            Assignment.objects.filter(reviewer=person, state=Assignment.State.SUBMITTED),
            "reviewer",
        ),
        recognition_count=_count_of(Recognition.objects.filter(recipient=person), "recipient"),
        has_recognition=Exists(Recognition.objects.filter(recipient=person)),
        has_nomination=Exists(Nomination.objects.filter(nominee=person)),
        latest_nomination_state=Subquery(
            Nomination.objects.filter(nominee=person).order_by("-created_at", "-id").values(
                "state")[:1]
        ),
    )
    if filters.get("agency"):
        qs = qs.filter(agency_id=filters["agency"])
    if filters.get("position_level"):
        qs = qs.filter(position_level=filters["position_level"])
    for name in ("has_recognition", "has_nomination"):
        value = str(filters.get(name) or "").lower()
        if value in ("yes", "true", "1"):
            qs = qs.filter(**{name: True})
        elif value in ("no", "false", "0"):
            qs = qs.filter(**{name: False})
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(username__icontains=q)
            | Q(employee_id__icontains=q)
        )
    return qs.order_by("last_name", "first_name", "username")


# The distinct position levels of active people, in order, one index probe per level
# (people's `user_position_level` index): a "loose index scan", where SELECT DISTINCT read and
# sorted every person (40 ms at 30,000 people, issue 16). Same rows, on SQLite too.
_POSITION_LEVELS_SQL = """
WITH RECURSIVE levels(level) AS (
    SELECT MIN(position_level) FROM {table} WHERE is_active = %s AND position_level > ''
    UNION ALL
    SELECT (SELECT MIN(position_level) FROM {table}
            WHERE is_active = %s AND position_level > levels.level)
    FROM levels WHERE levels.level IS NOT NULL
)
SELECT level FROM levels WHERE level IS NOT NULL
"""


def position_levels() -> list[str]:
    """The position levels of active people, in order, without the empty one."""
    from django.db import connection

    sql = _POSITION_LEVELS_SQL.format(table=connection.ops.quote_name(User._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, True])
        return [level for (level,) in cursor.fetchall()]


# --- the innovation record ---------------------------------------------------------------------
@dataclass
class ProposalEntry:
    proposal: Proposal
    role: str
    award: object | None
    outcome: OutcomeReport | None
    learnings_shared: int

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome, self.learnings_shared)

    @property
    def never_submitted(self) -> bool:
        """A draft (or a draft withdrawn): on the person's own record only."""
        state = self.proposal.state
        return state == Proposal.State.DRAFT or (
            state == Proposal.State.WITHDRAWN and self.proposal.submitted_at is None
        )


def outcome_label(outcome: OutcomeReport | None, learnings_shared: int = 0) -> str:
    """How an outcome reads on a record. Not working as hoped is a contribution, never a mark."""
    if outcome is None:
        return ""
    if outcome.result == OutcomeReport.Result.DID_NOT_SUCCEED:
        return gettext("Did not work as hoped — learning shared")
    return outcome.get_result_display()


@dataclass
class ReviewRound:
    round_id: int
    title: str
    count: int


@dataclass
class NominationEntry:
    nomination: Nomination
    history: list = field(default_factory=list)


@dataclass
class InnovationRecord:
    person: User
    proposals: list[ProposalEntry]
    learnings: list[Learning]
    reviews_completed: int
    review_rounds: list[ReviewRound]
    recognitions: list[Recognition]
    nominations: list[NominationEntry]

    @property
    def awards(self) -> list:
        return [entry.award for entry in self.proposals if entry.award is not None]

    @property
    def awards_total(self) -> Decimal:
        return sum((a.amount for a in self.awards if a.state != "cancelled"), Decimal("0.00"))

    @property
    def outcomes(self) -> list[ProposalEntry]:
        return [entry for entry in self.proposals if entry.outcome is not None]


def _reverse_one(obj, name: str):
    try:
        return getattr(obj, name)
    except Exception:  # RelatedObjectDoesNotExist: the proposal has none yet
        return None


# A proposal whose review is under way: its reviews are not counted on others' records yet.
IN_REVIEW_STATES = (Proposal.State.IN_REVIEW, Proposal.State.REVISION_REQUESTED)


def innovation_record(*, person: User, viewer=None) -> InnovationRecord:
    """Everything a civil servant has contributed. Reviews count by round; scores never appear.

    Proposals led and joined (an accepted invitation; the work stays theirs after leaving);
    never-submitted drafts only when the person reads their own record (`viewer`), never for
    HR officers, fund managers or the dossier. Learnings they accepted to co-author, each
    with `proposal_shown` for `viewer` (`with_proposal_shown`).

    Reviews completed count, for anyone but the person, only once the panel has decided on the
    proposal (it left review): a count that moved while a proposal is in review would tell a
    reader with a conflict of interest its review's progress (DOMAIN.md: a conflicted viewer
    sees nothing of a proposal's review). The person sees their own at once."""
    from reviews.models import Assignment

    own = viewer is not None and getattr(viewer, "pk", None) == person.pk

    team_roles = dict(
        TeamMember.objects.ever_accepted().filter(user=person).values_list("proposal_id", "role")
    )
    proposals = Proposal.objects.filter(Q(lead=person) | Q(pk__in=list(team_roles)))
    if viewer is None or getattr(viewer, "pk", None) != person.pk:
        proposals = proposals.exclude(NEVER_SUBMITTED)
    proposals = (
        proposals
        .select_related("round__fund", "award", "outcome_report")
        .annotate(learning_count=Count("learnings", distinct=True))
        .order_by("-created_at", "-id")
    )
    entries = [
        ProposalEntry(
            proposal=p,
            role="Lead" if p.lead_id == person.pk else (team_roles.get(p.pk) or "Team member"),
            award=_reverse_one(p, "award"),
            outcome=_reverse_one(p, "outcome_report"),
            learnings_shared=p.learning_count,
        )
        for p in proposals
    ]
    reviewed = Assignment.objects.filter(reviewer=person, state=Assignment.State.SUBMITTED)
    if not own:
        reviewed = reviewed.exclude(proposal__state__in=IN_REVIEW_STATES)
    review_rounds = [
        ReviewRound(round_id=row["proposal__round"], title=row["proposal__round__title"],
                    count=row["n"])
        for row in reviewed.order_by().values("proposal__round", "proposal__round__title")
        .annotate(n=Count("pk")).order_by("proposal__round__title")
    ]
    learnings = list(with_learning_details(
        with_proposal_shown(learnings_authored_by(person), viewer)))
    recognitions = list(
        Recognition.objects.filter(recipient=person).select_related("awarded_by")
        .prefetch_related("proposals", "learnings")
    )
    nominations = list(
        Nomination.objects.filter(nominee=person).select_related("nominated_by")
    )
    logs = defaultdict(list)
    if nominations:
        content_type = ContentType.objects.get_for_model(Nomination)
        for log in TransitionLog.objects.filter(
            content_type=content_type, object_id__in=[n.pk for n in nominations]
        ).select_related("actor"):
            logs[log.object_id].append(log)
    return InnovationRecord(
        person=person,
        proposals=entries,
        learnings=learnings,
        reviews_completed=sum(r.count for r in review_rounds),
        review_rounds=review_rounds,
        recognitions=recognitions,
        nominations=[NominationEntry(n, logs[n.pk]) for n in nominations],
    )
