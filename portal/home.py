"""The home page, section by section (SCREENS.md, "What each person sees").

Each section is a bounded list (the first few) with a "more" flag or a bounded count, so the
page runs the same number of queries however much work is waiting, and no query reads more
than a few hundred rows: a count stops at `COUNT_BOUND` ("100+"), the rows are fetched with
LIMIT from an index-backed order. Lists start from the apps' own selectors and visibility
rules, so the home page never shows what an object's page would refuse.

A person's own sections (their proposals, invitations, assignments, notifications, a chair's
duties) are asked only when one query of cheap tests (`what_may_wait`) says they may have rows:
whether anything waits changes which queries run, never how many a section runs.
"""

import copy
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext

DASHBOARD_LIMIT = 5
LANDING_LIMIT = 5
# A count shown on the home page stops here: "100+" (a LIMITed subquery, never the whole set).
COUNT_BOUND = 100
# A scheduled tranche shows as "due for release" from this many days before its due date.
TRANCHE_RELEASE_NOTICE_DAYS = 14


def section(qs, limit: int = DASHBOARD_LIMIT) -> dict:
    """The first `limit` items and whether there are more (one query, `limit + 1` rows)."""
    items = list(qs[: limit + 1])
    return {"items": items[:limit], "more": len(items) > limit}


def _bounded_ids(qs, bound: int):
    """The SQL of `qs`'s first `bound` ids, unordered (the database stops once it has them)."""
    return qs.order_by().values("pk")[:bound]


def bounded_count_sql(qs, bound: int | None = None) -> RawSQL:
    """`SELECT COUNT(*) FROM (... LIMIT bound + 1) subquery`, as an expression: the count of
    `bounded_count`, to ride along in another query (uncorrelated: the database runs it once)."""
    sql, params = _bounded_ids(qs, (bound or COUNT_BOUND) + 1).query.sql_with_params()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) subquery", params,
                  output_field=IntegerField())


def bounded_count(qs, bound: int | None = None) -> int:
    """How many rows `qs` has, counted up to `bound + 1` (unordered, so the database stops as
    soon as it found them): `SELECT COUNT(*) FROM (... LIMIT bound + 1)`."""
    return qs.order_by()[: (bound or COUNT_BOUND) + 1].count()


def count_label(count: int, bound: int | None = None) -> str:
    bound = bound or COUNT_BOUND
    return f"{bound}+" if count > bound else str(count)


def counted_section(qs, limit: int = DASHBOARD_LIMIT, bound: int | None = None, *,
                    rows=None, unordered_count: bool = False) -> dict:
    """The first `limit` items of `qs` (in its order) and how many there are, up to `bound`,
    in ONE query: the rows whose id is among the first `limit` ids, each carrying the
    bounded count of the whole set (`SELECT COUNT(*) FROM (... LIMIT bound + 1) subquery`).
    No row means an empty set (count 0). `count` is exact up to `bound` and `bound + 1`
    beyond; `count_label` says "100+" then.

    `qs`'s SQL is built once (Django builds a costly filter's SQL anew for every query that
    holds it, and that is most of such a page's time) and serves both the ids and the count.
    The shown rows are read by id (`pk__in_ids`: on PostgreSQL the ids first, then each row by
    primary key) from `rows`: by default the model's rows with what `qs` joins for the
    template (`select_related`), or `qs` itself when it annotates; a caller passes `rows` for
    the annotations the template shows.

    `unordered_count`: for a set that grows with the whole fund (a fund manager's decisions,
    tranches, milestones), the count reads the set without its order (its SQL built a second
    time, ~1 ms), so the database stops at `bound + 1` rows instead of sorting every row first
    (at 100k proposals such a set is 1,000-1,600 rows, each with its filter's subplans)."""
    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)

    if qs.query.is_empty():  # `.none()`: nothing to ask
        return {"items": [], "count": 0, "count_label": "0", "more": False}
    bound = bound or COUNT_BOUND
    sql, params = qs.values("pk").query.sql_with_params()
    first = RawSQL(f"SELECT * FROM ({sql}) ordered LIMIT {int(limit)}", params)
    counted, counted_params = sql, params
    if unordered_count:
        counted, counted_params = qs.order_by().values("pk").query.sql_with_params()
    count = RawSQL(f"SELECT COUNT(*) FROM (SELECT * FROM ({counted}) ordered LIMIT "
                   f"{int(bound) + 1}) subquery", counted_params, output_field=IntegerField())
    if rows is None and not qs.query.annotations:
        rows = qs.model._default_manager.all()
        rows.query.select_related = copy.deepcopy(qs.query.select_related)
    source = qs if rows is None else rows.order_by(*qs.query.order_by)
    items = list(source.filter(pk__in_ids=first).annotate(section_count=count))
    found = items[0].section_count if items else 0
    return {"items": items, "count": found, "count_label": count_label(found, bound),
            "more": found > len(items)}


def listed_section(items: list, limit: int = DASHBOARD_LIMIT) -> dict:
    """A section from a short Python list (a person's own few rows)."""
    return {"items": items[:limit], "count": len(items), "count_label": str(len(items)),
            "more": len(items) > limit}


def found_section(qs, *order, rows, limit: int = DASHBOARD_LIMIT) -> dict:
    """Like `counted_section` for a costly filter, in `order`: the shown rows are read by id
    from `rows` (the filter is not asked again of them), with the bounded count: one query."""
    return counted_section(qs.order_by(*order), limit, rows=rows)


def joined_section(first: dict, second: dict, limit: int = DASHBOARD_LIMIT) -> dict:
    """Two counted sections shown as one list: the first's rows, then the second's."""
    count = first["count"] + second["count"]
    items = (first["items"] + second["items"])[:limit]
    over = first["count"] > COUNT_BOUND or second["count"] > COUNT_BOUND
    label = f"{COUNT_BOUND}+" if over else str(count)
    return {"items": items, "count": count, "count_label": label, "more": count > len(items)}


def empty_section() -> dict:
    """What `counted_section`, `listed_section` and `section` give for an empty set."""
    return {"items": [], "count": 0, "count_label": "0", "more": False}


# --- which of a person's own sections may have anything ---------------------------------------
def _gate_sets(person_id) -> dict[str, list]:
    """For each gate of `what_may_wait`, the sets whose rows open it (any of them), each the
    first, indexed condition of its sections' rule on the person alone."""
    from fund.models import Tranche
    from notifications.models import Notification
    from proposals.models import Proposal, TeamMember
    from reviews.models import Assignment, Panel
    from rewards.models import LearningAuthor

    def own(states) -> list:
        return [Proposal.objects.filter(lead_id=person_id, state__in=states),
                TeamMember.objects.accepted().filter(user_id=person_id,
                                                     proposal__state__in=states)]

    released = Tranche.objects.filter(state=Tranche.State.RELEASED)
    return {
        "own_open": own((Proposal.State.REVISION_REQUESTED, Proposal.State.DRAFT)),
        "own_funded": own((Proposal.State.FUNDED,)),
        "own_released": [
            released.filter(award__proposal__lead_id=person_id),
            released.filter(award__proposal__team__user_id=person_id,
                            award__proposal__team__state=TeamMember.State.ACCEPTED)],
        "invited": [
            TeamMember.objects.filter(user_id=person_id, state=TeamMember.State.INVITED),
            LearningAuthor.objects.filter(user_id=person_id, state=LearningAuthor.State.INVITED)],
        "assigned": [Assignment.objects.filter(reviewer_id=person_id,
                                               state=Assignment.State.ASSIGNED)],
        "notified": [Notification.objects.filter(recipient_id=person_id)],
        # `reviews.chairs.panels_with_chair_duty` is not empty (the same rule).
        "chairs": [Panel.objects.filter(chair_id=person_id),
                   Panel.objects.filter(deputy_chair_id=person_id),
                   Panel.objects.filter(stand_ins__chair_id=person_id)],
    }


def _gates_sql(person_id) -> tuple[str, list]:
    """`SELECT (EXISTS(...) OR EXISTS(...)) AS own_open, ...`: the gates' SQL and parameters."""
    parts, params = [], []
    for key, sets in _gate_sets(person_id).items():
        tests = []
        for rows in sets:
            sql, found = rows.order_by().values("pk")[:1].query.sql_with_params()
            tests.append(f"EXISTS({sql})")
            params += found
        parts.append(f"({' OR '.join(tests)}) AS {key}")
    return "SELECT " + ", ".join(parts), params


# Two ids no person has, to find where the person's id goes among the gates' parameters.
_MARKS = (-7_000_000_001, -7_000_000_002)
_GATES = {}


def _compiled_gates() -> tuple[list[str], str, list, list[int]]:
    """The gates' SQL, built once per process: it depends on nothing but the person's id, a
    parameter. Built twice with two marks that no id equals; the SQL must be the same and the
    parameters differ exactly where the marks are (else it is not constant: an error), so
    only those are replaced by the person's id. Answers the keys, the SQL, the parameters and
    where the id goes."""
    from django.db import connection

    vendor = connection.vendor
    if vendor not in _GATES:
        (sql, params), (again, other) = (_gates_sql(mark) for mark in _MARKS)
        where = [n for n, (a, b) in enumerate(zip(params, other, strict=True)) if a != b]
        if sql != again or any((params[n], other[n]) != _MARKS for n in where):
            raise RuntimeError("the home page's gates are not constant SQL")
        _GATES[vendor] = (list(_gate_sets(_MARKS[0])), sql, list(params), where)
    return _GATES[vendor]


def what_may_wait(user) -> dict[str, bool]:
    """For the sections every home carries (a person's own proposals, invitations, assignments,
    notifications), whether each may have anything: one query of EXISTS, each read from an
    index. Most people have no invitation, no assignment open, no funded proposal; building
    and running those sections' rules (their visibility and conflict filters) was most of a
    home page's time, so the page asks them only when this says they may have rows. The
    query's SQL is built once per process (`_compiled_gates`): building it was most of its cost.

    Each answer is a superset of its sections' rule (the rule's first, indexed condition on the
    person alone, without the rest), so a section it skips is one the rule leaves empty: the
    page shows the same. Keys:
    - `own_open`: the person leads or accepted to join (`my_proposal_ids`) a proposal in
      revision or a draft (`my_proposals_by_state`);
    - `own_funded`: ... a funded one (`outcome_reports_due_for`);
    - `own_released`: a released tranche of such a proposal (`milestone_reports_due_for`);
    - `invited`: an invitation waiting for them, to a team or a learning (`invitations_section`:
      `open_invitations_for`, `LearningAuthor` invited);
    - `assigned`: an assignment of theirs still open (`reviewer_sections`);
    - `notified`: a notification of theirs (`recent_notifications_for`);
    - `chairs`: a chair's duty on some panel (`chair_panel_ids` is not empty: exactly)."""
    from django.db import connection

    keys, sql, params, where = _compiled_gates()
    params = list(params)
    for n in where:
        params[n] = user.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {key: bool(value) for key, value in zip(keys, row, strict=True)}


# --- a civil servant: what waits for my answer, and what I hear about ------------------------
def my_proposal_ids(user):
    """The ids of the proposals `user` leads or accepted to join, as a UNION of two indexed
    id lists (`proposals.selectors.my_proposals`' rule), so that a query of the person's own
    proposals starts from their few ids, never from a scan of every proposal in some order."""
    from proposals.models import Proposal, TeamMember

    return Proposal.objects.filter(lead=user).order_by().values("pk").union(
        TeamMember.objects.accepted().filter(user=user).order_by().values("proposal_id"))


def my_proposals(user):
    """`proposals.selectors.my_proposals` (the same rows), read by id from `my_proposal_ids`
    (`pk__in_ids`: on PostgreSQL the id list is read first, then each row by primary key)."""
    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)
    from proposals.models import Proposal

    return Proposal.objects.filter(pk__in_ids=my_proposal_ids(user)).select_related("round", "lead")


def my_proposals_by_state(user, states, limit: int = DASHBOARD_LIMIT) -> dict:
    """For each of `states`, the person's own proposals in it, most recently updated first,
    as `section` gives them: one query (a row number per state, `limit + 1` rows each)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ranked = (
        my_proposals(user).filter(state__in=states)
        .annotate(state_rank=Window(RowNumber(), partition_by=[F("state")],
                                    order_by=[F("updated_at").desc(), F("pk").desc()]))
        .filter(state_rank__lte=limit + 1)
        .order_by("-updated_at", "-pk")
    )
    rows = list(ranked)
    found = {}
    for state in states:
        items = [proposal for proposal in rows if proposal.state == state]
        found[state] = {"items": items[:limit], "more": len(items) > limit}
    return found


def outcome_reports_due_for(*, user, today: date) -> list:
    """Funded proposals the user leads or is on the team of whose outcome report is due.

    Due on the date the reminders use (`notifications.selectors.outcome_report_due_on`: the
    award's end), or earlier once every tranche's milestone is reported, when the outcome is
    all that is left. A cancelled award asks for no outcome. Ordered by due date.
    """
    from fund.models import Award, Tranche
    from notifications.selectors import outcome_report_due_on
    from proposals.models import Proposal

    live = ~Q(award__tranches__state=Tranche.State.CANCELLED)
    funded = (
        my_proposals(user)
        .filter(state=Proposal.State.FUNDED, award__isnull=False, outcome_report__isnull=True)
        .exclude(award__state=Award.State.CANCELLED)
        .select_related("award")
        .annotate(
            last_tranche_due=Max("award__tranches__due_on", filter=live),
            live_tranches=Count("award__tranches", filter=live),
            unreported_tranches=Count(
                "award__tranches", filter=live & ~Q(award__tranches__state=Tranche.State.REPORTED)
            ),
        )
        .order_by("pk")
    )
    due = []
    for proposal in funded:  # a person's own funded proposals: a handful, in one query
        proposal.outcome_due_on = outcome_report_due_on(proposal)
        all_reported = proposal.live_tranches and not proposal.unreported_tranches
        if all_reported or proposal.outcome_due_on <= today:
            due.append(proposal)
    return sorted(due, key=lambda p: (p.outcome_due_on, p.pk))


def milestone_reports_due_for(*, user):
    """Released tranches of the user's proposals waiting for their milestone report.

    The user's proposals (`my_proposals`: led, or joined and accepted) as a UNION of two
    indexed id lists, so the query starts from them rather than from every released tranche."""
    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)
    from fund.models import Award, Tranche

    awards = Award.objects.filter(proposal__id__in_ids=my_proposal_ids(user)).values("pk")
    return (
        Tranche.objects.filter(state=Tranche.State.RELEASED, award__id__in_ids=awards)
        .select_related("award__proposal__round")
        .order_by("due_on", "sequence", "pk")
    )


def recent_notifications_for(*, user) -> dict:
    """The latest notifications, titled from their object as the inbox titles them (one query
    more per kind of object, whatever the number of rows)."""
    from notifications.inbox import decorate
    from notifications.selectors import notifications_for

    recent = section(notifications_for(user=user))
    recent["items"] = decorate(recent["items"], viewer=user)
    return recent


# --- a reviewer: assignments due, conflicts to declare -------------------------------------
def _mark_overdue(assignments: list, today: date) -> list:
    for assignment in assignments:
        assignment.overdue = assignment.due_on < today
    return assignments


def reviewer_sections(*, user, today: date) -> dict:
    """Open assignments on proposals still in review, nearest due date first. Those where the
    conflict rule (`proposals.conflicts`) finds a conflict cannot be scored: they wait for the
    reviewer to declare it. Only the reviewer's own assignments: never another's name.

    Both sections in one query: the open assignments' SQL, each flagged `conflicted` by the
    rule, is built once; each section's first ids and bounded count are read from it, and the
    shown rows by id."""
    from django.db.models import BooleanField, Case, F, Value, When

    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)
    from proposals.compiled import compiled, person_from, person_values, shape
    from proposals.conflicts import conflict_q
    from proposals.models import Proposal
    from reviews.models import Assignment
    from reviews.selectors import assignments_for_reviewer

    def flagged(person):
        open_ = assignments_for_reviewer(
            user=person, filters={"state": Assignment.State.ASSIGNED}
        ).filter(proposal__state=Proposal.State.IN_REVIEW)
        return open_.annotate(
            row_id=F("pk"), row_due=F("due_on"),
            conflicted=Case(When(conflict_q(person, "proposal__", probe=True),
                                 then=Value(True)),
                            default=Value(False), output_field=BooleanField()),
        ).order_by().values("row_id", "row_due", "conflicted")

    # The rule's SQL built once per process (`proposals.compiled`).
    made = compiled(("reviewer-sections", *shape(user)),
                    lambda *marks: flagged(person_from(user, marks)), person_values(user))
    if made is None:  # the rule gives nothing to this kind of person
        return {key: empty_section() for key in ("reviews_due", "conflicts_to_declare")}
    first, count, params = _two_sections(None, "d.row_due, d.row_id", made)

    due, declare = "NOT d.conflicted", "d.conflicted"
    rows = list(
        Assignment.objects.select_related("proposal__round")
        .filter(Q(pk__in_ids=RawSQL(first(due), params))
                | Q(pk__in_ids=RawSQL(first(declare), params)))
        .annotate(due_count=count(due), declare_count=count(declare),
                  to_declare=RawSQL(f'"reviews_assignment"."id" IN ({first(declare)})', params,
                                    output_field=BooleanField()))
        .order_by("due_on", "id")
    )
    _mark_overdue(rows, today)
    counts = (rows[0].due_count, rows[0].declare_count) if rows else (0, 0)
    sections = {}
    for key, items, found in (
        ("reviews_due", [a for a in rows if not a.to_declare], counts[0]),
        ("conflicts_to_declare", [a for a in rows if a.to_declare], counts[1]),
    ):
        sections[key] = {"items": items, "count": found, "count_label": count_label(found),
                         "more": found > len(items)}
    return sections


# --- a panel chair: decisions at quorum, proposals short of reviewers ----------------------
def _in_review_chaired_by(user, panel_ids: frozenset):
    """`reviews.chair_queries.proposals_in_review_chaired_by` (the same rows): the proposals in
    review whose stored acting chair is `user` (`acting_chair_is`, read from its index).
    `panel_ids` (where they have a chair's duty) is asked by the caller only to skip everyone
    without one."""
    from proposals.models import Proposal
    from reviews.chair_queries import acting_chair_is, with_review_counts

    found = with_review_counts(Proposal.objects.filter(state=Proposal.State.IN_REVIEW))
    return acting_chair_is(user, found).select_related("round")


def chair_panel_ids(user) -> frozenset:
    """The panels where `user` is chair, deputy chair or a stand-in chair
    (`reviews.chairs.panels_with_chair_duty`). The home page asks once and leaves the answer
    on the request for the navigation (`context_processors.roles`)."""
    from reviews.chairs import panels_with_chair_duty

    return frozenset(panels_with_chair_duty(user).values_list("pk", flat=True))


def chair_sections(*, user, panel_ids: frozenset | None = None,
                   has_duty: bool | None = None) -> dict:
    """Only for a chair, deputy chair or stand-in: the proposals for which they are the acting
    chair (the rule of reviews.chairs, stored by proposal: `reviews.chair_queries`), so a
    conflicted chair never sees the ones their deputy handles. Oldest submitted first.
    `panel_ids`: `selectors.chair_panel_ids(user)` when the caller has it already; `has_duty`:
    whether it is not empty (`what_may_wait(user)["chairs"]`), when the caller knows."""
    from django.db.models import BooleanField, Case, F, Value, When

    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)
    from proposals.models import Proposal
    from reviews.chair_queries import at_quorum_q, short_of_reviewers_q, with_review_counts
    from reviews.models import Assignment

    if has_duty is None:
        panel_ids = chair_panel_ids(user) if panel_ids is None else panel_ids
        has_duty = bool(panel_ids)
    if not has_duty:
        return {}
    from proposals.compiled import compiled, person_from, person_values, shape

    def flagged(person):
        mine = _in_review_chaired_by(person, panel_ids)
        if mine.query.is_empty():  # `.none()`: the user may not act as a chair
            return mine
        # Blind review: where the chair's own review is still open, whether the others'
        # reviews reached quorum is not theirs to know yet: such a proposal is not listed as
        # waiting.
        own_open = Assignment.objects.filter(proposal=OuterRef("pk"), reviewer=person,
                                             state=Assignment.State.ASSIGNED)
        # Both sections in one query, the acting-chair rule's SQL built once (building it
        # was most of a chair's home page): each proposal of `mine` flagged by each section's
        # filter (the same filters: `at_quorum` less the chair's own open review,
        # `short_of_reviewers`); each section's first ids and bounded count are read from
        # it, the shown rows by id.
        waiting = at_quorum_q() & ~Q(Exists(own_open))
        short = short_of_reviewers_q()
        return mine.annotate(
            row_id=F("pk"), row_submitted=F("submitted_at"),
            waiting=Case(When(waiting, then=Value(True)), default=Value(False),
                         output_field=BooleanField()),
            short=Case(When(short, then=Value(True)), default=Value(False),
                       output_field=BooleanField()),
        ).order_by().values("row_id", "row_submitted", "waiting", "short")

    # The rule's SQL built once per process (`proposals.compiled`; it depends on the person's
    # id and roles alone).
    made = compiled(("chair-sections", *shape(user)),
                    lambda *marks: flagged(person_from(user, marks)), person_values(user))
    if made is None:  # `.none()`: the user may not act as a chair
        return {key: listed_section([]) for key in ("awaiting_decision", "short_of_reviewers")}
    first, count, params = _two_sections(None, "d.row_submitted, d.row_id", made)

    rows = list(
        with_review_counts(Proposal.objects.select_related("round"))
        .filter(Q(pk__in_ids=RawSQL(first("d.waiting"), params))
                | Q(pk__in_ids=RawSQL(first("d.short"), params)))
        .annotate(waiting_count=count("d.waiting"), short_count=count("d.short"),
                  in_waiting=RawSQL(f'"proposals_proposal"."id" IN ({first("d.waiting")})',
                                    params, output_field=BooleanField()),
                  in_short=RawSQL(f'"proposals_proposal"."id" IN ({first("d.short")})',
                                  params, output_field=BooleanField()))
        .order_by("submitted_at", "pk")
    )
    counts = (rows[0].waiting_count, rows[0].short_count) if rows else (0, 0)
    sections = {}
    for key, items, found in (
        ("awaiting_decision", [p for p in rows if p.in_waiting], counts[0]),
        ("short_of_reviewers", [p for p in rows if p.in_short], counts[1]),
    ):
        sections[key] = {"items": items, "count": found, "count_label": count_label(found),
                         "more": found > len(items)}
    return sections


def _two_sections(flagged, order: str, sql_params=None):
    """Two home sections read from one query `flagged` (its rows' `row_id` and the flags that
    say which section a row is in): `first(where)`, the SQL of the first DASHBOARD_LIMIT ids
    of a section in `order`; `count(where)`, its count capped at COUNT_BOUND + 1; and the
    query's parameters. The rule's SQL is built once for both sections. `sql_params`: the SQL
    of `flagged` when the caller has it (`proposals.compiled`)."""
    sql, params = sql_params or flagged.query.sql_with_params()

    def first(where):
        return (f"SELECT d.row_id FROM ({sql}) d WHERE {where} ORDER BY {order} "
                f"LIMIT {DASHBOARD_LIMIT}")

    def count(where):
        return RawSQL(f"SELECT COUNT(*) FROM (SELECT d.row_id FROM ({sql}) d WHERE {where} "
                      f"LIMIT {COUNT_BOUND + 1}) subquery", params, output_field=IntegerField())

    return first, count, params


def _conflicted_ids(person):
    """The ids of the proposals `person` has a conflict of interest with (the rule of
    `proposals.conflicts.conflict_q`: they lead it, are or were on its team, or their agency
    leads or partners it), as a UNION of indexed id lists, to start a query from."""
    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)
    from proposals.models import Proposal, TeamMember

    paths = [
        Proposal.objects.filter(lead=person).order_by().values("pk"),
        TeamMember.objects.filter(user=person, accepted_at__isnull=False).order_by()
        .values("proposal_id"),
    ]
    if person.agency_id:
        paths += [
            Proposal.objects.filter(lead__agency_id=person.agency_id).order_by().values("pk"),
            Proposal.partner_agencies.through.objects.filter(agency_id=person.agency_id)
            .order_by().values("proposal_id"),
        ]
    first, *rest = paths
    return first.union(*rest)


STALLED_CACHE_KEY = "portal:stalled-candidates"


def stalled_candidate_ids() -> list[int]:
    """The ids of the proposals in a panel's states that may be stalled
    (`reviews.chair_queries.may_be_stalled`), oldest submitted first, whoever looks.

    Asking it costs a pass over every proposal under review (~0.3 s at 100k proposals), so the
    answer is kept settings.STALLED_CACHE_SECONDS (60 by default; 0 asks every time) and shared
    by every fund manager and administrator: a proposal that became stalled shows within that
    time. Never the other way: each shown row is asked again (`reviews.chairs.stall_of`), so a
    proposal unblocked a moment ago is not shown as stalled; the count may lag as long."""
    from proposals.models import Proposal
    from reviews.chair_queries import may_be_stalled, with_duty_panel, with_review_counts
    from reviews.chairs import PANEL_STATES

    def ask() -> list[int]:
        return list(may_be_stalled(with_review_counts(with_duty_panel(
            Proposal.objects.filter(state__in=PANEL_STATES))))
            .order_by("submitted_at", "pk").values_list("pk", flat=True))

    return _kept(STALLED_CACHE_KEY, ask)


def _kept(key: str, ask):
    """`ask()`, kept settings.STALLED_CACHE_SECONDS under `key` (0: asked every time)."""
    seconds = int(getattr(settings, "STALLED_CACHE_SECONDS", 60))
    if seconds <= 0:
        return ask()
    return cache.get_or_set(key, ask, seconds)


KEPT_PREFIX = "portal:kept:"
# How many candidates a kept section keeps, and how many of the first a viewer's rows are
# asked among before all of them are (a viewer's conflicts leave out a few per hundred).
KEPT_IDS = 2000
KEPT_WINDOW = COUNT_BOUND + 60


def kept_section(name: str, *, everyone, viewer, order, rows=None) -> dict:
    """A home section of a set that grows with the whole fund, as `counted_section` gives it
    (the first DASHBOARD_LIMIT rows of `viewer` in `order`, its count up to COUNT_BOUND + 1),
    asked of kept candidates instead of the whole table.

    `everyone`: the set for every fund manager (the same rule without the viewer's visibility
    and conflicts), or a function that builds it (built only when it is asked: building a
    rule's queryset costs a millisecond); `viewer`: this viewer's rows, a subset of it. The
    ids of `everyone`, in `order`, are kept settings.STALLED_CACHE_SECONDS under `name`
    (`_kept`, shared by every fund manager, forgotten at every state change:
    `forget_kept_sections`); the viewer's rows are `viewer` (its whole rule, asked now) among
    the first KEPT_WINDOW candidates, or among all of them when those were not enough, or the
    whole of `viewer` when more candidates exist than are kept. So a row shown is always one
    the rule gives now, a row that left the set leaves at once, and one that joined it without
    a state change (a due date reached) shows within the kept time. With
    STALLED_CACHE_SECONDS = 0 it is `counted_section`. The shown rows are read by id from
    `rows` (by default from `everyone`)."""
    return kept_sections({name: {"everyone": everyone, "viewer": viewer, "order": order,
                                 "rows": rows}})[name]


def kept_sections(specs: dict[str, dict]) -> dict[str, dict]:
    """Several `kept_section`s (by name: the arguments of each), asked together: their kept
    candidates read from the cache at once, and the shown rows of those given the same `rows`
    (the same queryset object) read in one query."""
    seconds = int(getattr(settings, "STALLED_CACHE_SECONDS", 60))

    def viewer_of(name):  # built only when asked (`first` answers the usual case without it)
        return _built(specs[name]["viewer"]).order_by(*specs[name]["order"])

    if seconds <= 0:
        return {name: counted_section(viewer_of(name), rows=spec["rows"], unordered_count=True)
                for name, spec in specs.items()}

    def ask(spec):
        return lambda: list(_built(spec["everyone"]).order_by(*spec["order"])
                            .values_list("pk", flat=True)[: KEPT_IDS + 1])

    kept = _kept_many({KEPT_PREFIX + name: ask(spec) for name, spec in specs.items()})
    bound = COUNT_BOUND + 1
    sections, found = {}, {}
    for name, spec in specs.items():
        ids = kept[KEPT_PREFIX + name]
        if spec.get("first") is not None:
            found[name] = spec["first"](ids[:KEPT_WINDOW], bound)
        else:
            found[name] = list(viewer_of(name).filter(pk__in=ids[:KEPT_WINDOW])
                               .values_list("pk", flat=True)[:bound])
        if len(found[name]) < bound and len(ids) > KEPT_WINDOW:
            viewer = viewer_of(name)
            if len(ids) > KEPT_IDS:
                sections[name] = counted_section(viewer, rows=spec["rows"],
                                                 unordered_count=True)
                continue
            found[name] = list(viewer.filter(pk__in=ids).values_list("pk", flat=True)[:bound])
    # The rows shown were just found in each viewer: read them by id, one query per `rows`.
    by_rows: dict[int, tuple] = {}
    for name in [name for name in found if name not in sections]:
        rows = specs[name]["rows"]
        if rows is None:
            rows = _built(specs[name]["everyone"])
        by_rows.setdefault(id(rows), (rows, []))[1].append(name)
    for rows, names in by_rows.values():
        shown = {pk for name in names for pk in found[name][:DASHBOARD_LIMIT]}
        read = {row.pk: row for row in rows.filter(pk__in=shown)} if shown else {}
        for name in names:
            items = [read[pk] for pk in found[name][:DASHBOARD_LIMIT] if pk in read]
            count = len(found[name])
            sections[name] = {"items": items, "count": count, "count_label": count_label(count),
                              "more": count > len(items)}
    return sections


# What pads a kept section's window of candidate ids to KEPT_WINDOW: an id no row has.
KEPT_PAD = 0


def kept_first(key: tuple, user, viewer_of, order, model):
    """A kept section's `first` (`kept_sections`): the ids of `viewer_of(user)` (in `order`)
    among a window of candidate ids, up to `bound`: the same ids as the viewer's queryset
    filtered by the window, its SQL built once per process (`proposals.compiled`; the window
    padded to KEPT_WINDOW with KEPT_PAD). `key` names the rule (with whatever else its SQL
    depends on, such as the day); `model`: the rows' model (the database to read)."""
    from django.db import connections, router

    from proposals.compiled import compiled, person_from, person_values, shape

    values = person_values(user)

    def first(window, bound) -> list[int]:
        if not window:  # no candidate: nothing to ask (as `pk__in=[]` asks nothing)
            return []
        padded = [*window, *([KEPT_PAD] * (KEPT_WINDOW - len(window)))]

        def build(*marks):
            person = person_from(user, marks[:len(values)])
            return (viewer_of(person).order_by(*order)
                    .filter(pk__in=list(marks[len(values):]))
                    .values_list("pk", flat=True)[:bound])

        sql, params = compiled(("kept", *key, bound, KEPT_WINDOW, *shape(user)), build,
                               (*values, *padded))
        with connections[router.db_for_read(model)].cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    return first


def _kept_many(asks: dict) -> dict[str, list]:
    """`_kept` of several keys (key: its `ask`), read from the cache in one round trip."""
    found = cache.get_many(list(asks))
    seconds = int(getattr(settings, "STALLED_CACHE_SECONDS", 60))
    for key, ask in asks.items():
        if key not in found:
            found[key] = cache.get_or_set(key, ask, seconds)
    return found


def _built(rows):
    """`rows`, a queryset, or what the function `rows` builds."""
    return rows() if callable(rows) else rows


def forget_kept_sections(sender=None, instance=None, created=False, **kwargs) -> None:
    """Forget the kept tranche candidates when a proposal, an award or a tranche changed state
    (a `TransitionLog` was written: a proposal funded, a tranche released, reported or
    cancelled, an award cancelled), once the change is committed, so the next home page asks
    again and shows a tranche that just became due for release at once. Nothing when nothing
    is kept (STALLED_CACHE_SECONDS = 0)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from fund.models import Award, Tranche
    from proposals.models import Proposal

    if int(getattr(settings, "STALLED_CACHE_SECONDS", 60)) <= 0:
        return
    if instance is not None and instance.content_type_id not in {
            ContentType.objects.get_for_model(model).pk for model in (Proposal, Award, Tranche)}:
        return

    def forget():
        cache.delete_many([KEPT_PREFIX + key for key in _kept_names()])

    transaction.on_commit(forget)


def _kept_names() -> list[str]:
    from django.utils import timezone

    today = timezone.localdate()
    return [f"{name}:{day.isoformat()}" for name in ("tranches-to-release", "milestones-overdue")
            for day in (today - timedelta(days=1), today)] + [OUTCOMES_KEPT]


# The outcome reports to accept do not depend on the day: one name.
OUTCOMES_KEPT = "outcomes-to-accept"


def _steps_without_fund_manager(managers, nobody_free) -> dict:
    """For administrators: proposals in a money step (`reviews.chairs.MONEY_STEPS`) with which
    every active fund manager (`managers`) has a conflict, oldest submitted first. Finding them
    reads every proposal of the first manager's agency (~0.3 s at 100k proposals), so the ids
    are kept like the stalled ones (`_kept`, per set of managers and their agencies); the shown
    rows are asked again, so one a fund manager may now act on is not shown."""
    import hashlib

    from proposals.conflicts import has_conflict
    from proposals.models import Proposal
    from reviews.chairs import MONEY_STEPS, Stall

    def ask() -> list[int]:
        return list(nobody_free(Proposal.objects.filter(state__in=list(MONEY_STEPS)))
                    .order_by("submitted_at", "pk").values_list("pk", flat=True)
                    [: COUNT_BOUND + 1])

    who = ",".join(f"{m.pk}/{m.agency_id}" for m in sorted(managers, key=lambda m: m.pk))
    ids = _kept("portal:steps-without-fund-manager:" + hashlib.sha256(who.encode()).hexdigest(),
                ask)
    rows = (Proposal.objects.filter(pk__in=ids, state__in=list(MONEY_STEPS))
            .select_related("round", "lead__agency").prefetch_related("team", "partner_agencies")
            .order_by("submitted_at", "pk")) if ids else []
    shown = []
    for proposal in rows:
        if all(has_conflict(manager, proposal) for manager in managers):
            shown.append(Stall(proposal=proposal, panel=None, needs=[
                gettext("Every fund manager has a conflict of interest with it, so nobody may "
                        "%(step)s: make someone without a conflict a fund manager.")
                % {"step": MONEY_STEPS[proposal.state]}]))
        if len(shown) == DASHBOARD_LIMIT:
            break
    return {"items": shown, "count": len(ids)}


def stalled_section(*, user) -> dict:
    """Proposals under review that need a stand-in chair or more unconflicted panel members,
    for unconflicted fund managers (and administrators when every fund manager is
    conflicted): DOMAIN.md, "Nothing stalls silently".

    The database finds those that may be stalled (`stalled_candidate_ids`: kept up to
    STALLED_CACHE_SECONDS for everyone), the first `COUNT_BOUND` + 1 of them without the
    viewer's conflicts (the count); `reviews.chairs.stall_of` says what each shown one needs.
    For administrators, the steps with no unconflicted fund manager follow (the rule of
    `reviews.chairs.steps_without_fund_manager`, a filter per fund manager)."""
    from people.models import FUND_MANAGERS, User
    from proposals.conflicts import conflict_q
    from proposals.models import Proposal
    from reviews.chairs import PANEL_STATES, _with_review_context, stall_of

    if not (user.is_active and (user.is_fund_manager or user.is_superuser)):
        return listed_section([])
    managers = []
    if not user.is_fund_manager:
        managers = list(User.objects.filter(groups__name=FUND_MANAGERS, is_active=True)
                        .select_related("agency"))

    def nobody_free(qs):
        """Proposals with which the viewer (a fund manager) has no conflict; for an
        administrator, those with which every fund manager has one: among the first manager's
        conflicts (`_conflicted_ids`, read first), those with which each has one."""
        if user.is_fund_manager:
            return qs.exclude(conflict_q(user, probe=True))
        if managers:
            qs = qs.filter(pk__in_ids=_conflicted_ids(managers[0]))
        for manager in managers:
            qs = qs.filter(conflict_q(manager))
        return qs

    found, rows = [], []
    candidate_ids = stalled_candidate_ids()
    if candidate_ids:  # (none: nothing to ask, and no filter of each manager's to build)
        candidates = nobody_free(Proposal.objects.filter(
            pk__in=candidate_ids, state__in=PANEL_STATES))
        # One pass over the proposals under review finds the first COUNT_BOUND + 1 (the
        # count); the few shown are then read by id with what `stall_of` needs.
        found = list(candidates.order_by("submitted_at", "pk")
                     .values_list("pk", flat=True)[: COUNT_BOUND + 1])
    count = len(found)
    shown = found[:DASHBOARD_LIMIT]
    if shown:
        rows = sorted(_with_review_context(Proposal.objects.filter(pk__in=shown)),
                      key=lambda p: shown.index(p.pk))
    stalls = [stall for stall in map(stall_of, rows) if stall is not None]
    stalled = {"items": stalls, "count": count}
    if user.is_fund_manager or not user.is_superuser:
        return joined_section(stalled, {"items": [], "count": 0})
    return joined_section(stalled, _steps_without_fund_manager(managers, nobody_free))


# --- a fund manager: decisions, money to release, outcomes to accept -----------------------
def tranches_due_for_release(*, user, today: date):
    """Scheduled tranches of active awards that the release rule would let go now (the first
    live tranche, or the previous live one reported: `fund.models._previous_tranche_reported`)
    and whose due date has come or is within `TRANCHE_RELEASE_NOTICE_DAYS` days; those of
    awards `user` may see and has no conflict of interest with (`user=None`: all of them, the
    candidates `kept_section` keeps for every fund manager)."""
    from fund.models import Award, Tranche
    from fund.services.awards import awards_visible_to
    from proposals.conflicts import conflict_q

    previous_state = (
        Tranche.objects.filter(award=OuterRef("award"), sequence__lt=OuterRef("sequence"))
        .exclude(state=Tranche.State.CANCELLED)
        .order_by("-sequence")
        .values("state")[:1]
    )
    found = (
        Tranche.objects.filter(
            state=Tranche.State.SCHEDULED,
            award__state=Award.State.ACTIVE,
            due_on__lte=today + timedelta(days=TRANCHE_RELEASE_NOTICE_DAYS),
        )
        .annotate(previous_state=Subquery(previous_state))
        .filter(Q(previous_state__isnull=True) | Q(previous_state=Tranche.State.REPORTED))
        .select_related("award__proposal__round__fund", "award__proposal__lead__agency")
        .order_by("due_on", "pk")
    )
    if user is None:
        return found
    return (found.filter(award__in=awards_visible_to(user).values("pk"))
            .exclude(conflict_q(user, "award__proposal__", probe=True)))


def _next_due_on():
    """The due date of a tranche's next live tranche (a subquery on the outer tranche)."""
    from fund.models import Tranche

    return (
        Tranche.objects.filter(award=OuterRef("award"), sequence__gt=OuterRef("sequence"))
        .exclude(state=Tranche.State.CANCELLED)
        .order_by("sequence")
        .values("due_on")[:1]
    )


def milestone_reports_overdue(*, user, today: date):
    """Released tranches of active awards whose milestone report is overdue: the next live
    tranche's due date has passed and its release waits for this report (the rule of
    `fund.rules.overdue_reason`, asked of the database). Oldest first. Those of awards `user`
    may see (`user=None`: all of them, as `tranches_due_for_release`)."""
    from fund.models import Award, Tranche
    from fund.services.awards import awards_visible_to
    from proposals.conflicts import conflict_q

    found = (
        Tranche.objects.filter(state=Tranche.State.RELEASED, award__state=Award.State.ACTIVE)
        .annotate(next_due_on=Subquery(_next_due_on()))
        .filter(next_due_on__lt=today)
        .select_related("award__proposal__round__fund", "award__proposal__lead__agency")
        .order_by("next_due_on", "pk")
    )
    if user is None:
        return found
    # Not a proposal the viewer has a conflict with, as for the tranches due (DOMAIN.md: a
    # conflicted viewer is not told of its progress; found by an insider's attack).
    return (found.filter(award__in=awards_visible_to(user).values("pk"))
            .exclude(conflict_q(user, "award__proposal__", probe=True)))


def fund_manager_sections(*, user, today: date) -> dict:
    """A fund manager never gets a proposal they have a conflict of interest on (they lead it,
    are on its team, or their agency leads or partners it) in their decisions.

    The tranche sets grow with the whole fund (at 100k proposals ~1,300 rows, each with its
    rule's subplans, ~20 ms to find the first few in order), so they are `kept_section`s: the
    candidates kept for every fund manager, each viewer's rows and count asked of them live.
    So are the outcome reports to accept (~1,800, in the order of their reports, ~15 ms to
    sort). The proposals to screen and to decide are a state's proposals each, found in order
    from an index, both in one query (`state_sections`). The viewer's conflicts are asked row by row (`conflict_q(probe=True)`):
    these queries read a few hundred rows at most."""
    from fund.models import Tranche
    from proposals.compiled import compiled, person_from, person_values, shape
    from proposals.models import Proposal

    tranche_names = ("tranches-to-release:" + today.isoformat(),
                     "milestones-overdue:" + today.isoformat())
    # The shown tranches of both sections in one query, with what each section shows.
    tranche_rows = (Tranche.objects.select_related("award__proposal__round__fund",
                                                   "award__proposal__lead__agency")
                    .annotate(next_due_on=Subquery(_next_due_on())))
    def to_release(person):
        return tranches_due_for_release(user=person, today=today)

    def overdue(person):
        return milestone_reports_overdue(user=person, today=today)

    def outcomes(person):
        return fund_manager_decisions(user=person, state=Proposal.State.OUTCOME_REPORTED
                                      ).select_related("outcome_report")

    # Each viewer's rule is built only when its kept candidates are not enough (`first`
    # answers the usual case from SQL built once per process: `kept_first`).
    specs = {
        tranche_names[0]: {
            "everyone": lambda: tranches_due_for_release(user=None, today=today),
            "viewer": lambda: to_release(user), "order": ("due_on", "pk"),
            "rows": tranche_rows,
            "first": kept_first(("tranches-to-release", today.isoformat()), user, to_release,
                                ("due_on", "pk"), Tranche)},
        tranche_names[1]: {
            "everyone": lambda: milestone_reports_overdue(user=None, today=today),
            "viewer": lambda: overdue(user), "order": ("next_due_on", "pk"),
            "rows": tranche_rows,
            "first": kept_first(("milestones-overdue", today.isoformat()), user, overdue,
                                ("next_due_on", "pk"), Tranche)},
        # Kept like the tranches: the set grows with the fund (~1,800 at 100k proposals), and
        # its order (the report's submission, set once) must read all of it; a proposal joins
        # or leaves it only by a state change, which forgets the kept candidates.
        OUTCOMES_KEPT: {
            "everyone": lambda: Proposal.objects.filter(state=Proposal.State.OUTCOME_REPORTED),
            "viewer": lambda: outcomes(user),
            "order": ("outcome_report__submitted_at", "id"),
            "rows": Proposal.objects.select_related("round", "round__fund", "lead",
                                                    "lead__agency", "outcome_report"),
            "first": kept_first(("outcomes-to-accept",), user, outcomes,
                                ("outcome_report__submitted_at", "id"), Proposal)},
    }
    kept = kept_sections(specs)
    tranches = kept[tranche_names[0]]
    for tranche in tranches["items"]:
        tranche.overdue = tranche.due_on < today
    # To screen and to decide: the same rule in two states, one query.
    # The rule's SQL built once per process (`proposals.compiled`).
    orders = {Proposal.State.SUBMITTED: ("submitted_at", "pk"),
              Proposal.State.RECOMMENDED: ("updated_at", "pk")}
    decisions = state_sections(
        None, orders,
        rows=Proposal.objects.select_related("round", "round__fund", "lead", "lead__agency"),
        sql_params=compiled(
            ("to-screen-and-decide", *shape(user)),
            lambda *marks: _state_flagged(
                fund_manager_decisions(user=person_from(user, marks)), orders),
            person_values(user)))
    return {
        "to_screen": decisions[Proposal.State.SUBMITTED],
        "to_decide": decisions[Proposal.State.RECOMMENDED],
        "tranches_to_release": tranches,
        "milestones_overdue": kept[tranche_names[1]],
        "outcomes_to_accept": kept[OUTCOMES_KEPT],
    }


def fund_manager_decisions(*, user, state=None):
    """The proposals in `state` (a state reached only after submission: to screen, to decide,
    outcomes to accept) that `user` may see and has no conflict of interest with:
    `proposal_list(viewer=user, filters={"state": state}).exclude(conflict_q(user))`, the same
    rows. A submitted state is never `NEVER_SUBMITTED`, so they are
    `submitted_proposals_visible_to(user)` in that state, which for a fund manager is a filter
    on the state alone, without the union of the viewer's own paths (building and running
    that union was most of these sections' time at 100k proposals). `state=None`: in any
    submitted state, for a caller that asks for one state at a time (`state_sections`)."""
    from proposals.conflicts import conflict_q
    from proposals.models import Proposal
    from proposals.selectors import submitted_proposals_visible_to

    if state in (Proposal.State.DRAFT, Proposal.State.WITHDRAWN):
        raise ValueError(f"{state} may be never submitted: use proposal_list")
    found = (submitted_proposals_visible_to(user)
             .select_related("round", "round__fund", "lead", "lead__agency"))
    if state is not None:
        found = found.filter(state=state)
    return found.exclude(conflict_q(user, probe=True))


def _state_names(orders: dict) -> dict[str, str]:
    fields = dict.fromkeys(field for order in orders.values() for field in order if field != "pk")
    names = {field: f"k_{n}" for n, field in enumerate(fields)}
    names["pk"] = "row_id"
    return names


def _state_flagged(qs, orders: dict):
    """`qs`'s rows as `state_sections` reads them: id, state and the orders' fields."""
    names = _state_names(orders)
    fields = [field for field in names if field != "pk"]
    return qs.annotate(row_id=F("pk"), row_state=F("state"), **{
        names[field]: F(field) for field in fields}).order_by().values(
        "row_id", "row_state", *(names[field] for field in fields))


def state_sections(qs, orders: dict, *, rows, sql_params=None) -> dict[str, dict]:
    """One section per state of `orders` (a state: the fields its rows are ordered by, the
    last one "pk"), each the rows of `qs` in that state as `counted_section` gives them (`qs`
    is best not filtered on the state: the database then misjudges how many rows each state
    has and sorts them all instead of reading them in order from an index), in
    ONE query: `qs`'s SQL (a costly filter) is built once; each state's first DASHBOARD_LIMIT
    ids (`WHERE state = ... ORDER BY ... LIMIT`, read from a (state, order) index) and its count
    up to COUNT_BOUND + 1 (unordered) are read from it, and the shown rows by id from `rows`,
    split by their state (read in the same statement: the state the filter saw) and put in
    their section's order (a missing value last, as PostgreSQL sorts it). `sql_params`:
    the SQL of `_state_flagged(qs, orders)` when the caller has it (`proposals.compiled`)."""
    import proposals.selectors  # noqa: F401  (registers the `in_ids` lookup)

    names = _state_names(orders)
    sql, params = sql_params or _state_flagged(qs, orders).query.sql_with_params()
    found, first_ids, counts = rows.order_by(), Q(), {}
    for n, (state, order) in enumerate(orders.items()):
        by = ", ".join(f"d.{names[field]}" for field in order)
        first_ids |= Q(pk__in_ids=RawSQL(
            f"SELECT d.row_id FROM ({sql}) d WHERE d.row_state = %s ORDER BY {by} "
            f"LIMIT {DASHBOARD_LIMIT}", (*params, state)))
        counts[state] = f"section_count_{n}"
        found = found.annotate(**{counts[state]: RawSQL(
            f"SELECT COUNT(*) FROM (SELECT d.row_id FROM ({sql}) d WHERE d.row_state = %s "
            f"LIMIT {COUNT_BOUND + 1}) subquery", (*params, state), output_field=IntegerField())})
    items = list(found.filter(first_ids))
    sections = {}
    for state, order in orders.items():
        def key(row, order=order):
            return tuple((getattr(row, field) is None, getattr(row, field)) for field in order)
        shown = sorted((row for row in items if row.state == state), key=key)
        count = getattr(items[0], counts[state]) if items else 0
        sections[state] = {"items": shown, "count": count, "count_label": count_label(count),
                           "more": count > len(shown)}
    return sections


# --- anyone, not signed in -----------------------------------------------------------------
def public_learnings(*, limit: int = LANDING_LIMIT) -> list:
    """The newest learnings marked public; `learnings_visible_to(None)` is the public rule."""
    from rewards.selectors import learnings_visible_to

    return list(learnings_visible_to(None).order_by("-published_at", "-id")[:limit])


def funded_projects(*, limit: int = LANDING_LIMIT) -> dict:
    """Funded experiments as a public grant listing shows them: title, lead agency, amount.
    Only proposals that were funded (an award not cancelled); never a person's name."""
    from fund.models import Award
    from proposals.models import Proposal

    qs = (
        Proposal.objects.filter(
            state__in=(
                Proposal.State.FUNDED, Proposal.State.OUTCOME_REPORTED, Proposal.State.CLOSED
            ),
            award__isnull=False,
        )
        .exclude(award__state=Award.State.CANCELLED)
        .select_related("award", "lead__agency", "round__fund")
        .order_by("-award__approved_at", "-id")
    )
    return counted_section(qs, limit)
