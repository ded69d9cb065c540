"""Figures computed in the background (analytics/stored.py): the last answer of each figure
without filters, served with the time it was computed ("as of")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFigure(models.Model):
    """One figure as `analytics.stored.refresh_stored_figures` last computed it: without
    filters, for the fund managers (`public` false), for the public page (`public` true), or,
    for the Reviewing figure, which leaves out what one viewer may not see, for that viewer
    (`viewer`, with the `fingerprint` of what they could see when it was computed: it is served
    to them only while their fingerprint is still the same, jobs/viewer.py). Its words are in
    `language` (one of settings.LANGUAGES): the figures for everyone are kept in each language,
    a viewer's Reviewing figure in the language they chose."""

    key = models.CharField(max_length=40)
    public = models.BooleanField(default=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fingerprint = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, default="")
    version = models.PositiveIntegerField(default=0)
    figure = models.JSONField(
        default=dict, help_text=_("The figure as plain data (analytics/serial.py), never pickled."))
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0, help_text=_("How long the figure took to compute."))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "public", "language"],
                condition=models.Q(viewer=None),
                name="analytics_stored_figure_one_for_all_in_each_language",
            ),
            models.UniqueConstraint(
                fields=["key", "viewer"],
                condition=models.Q(viewer__isnull=False),
                name="analytics_stored_figure_one_per_viewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({'public' if self.public else self.viewer_id or 'fund managers'})"


# --- facts: what filtered figures are counted from (analytics/facts.py) --------------------------
SUM = {"max_digits": 18, "decimal_places": 2}


class FactsRun(models.Model):
    """When the facts below were last built (one row), and how long it took: filtered
    figures are counted from them while they are recent enough (analytics/facts.py)."""

    version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    # What a viewer's Reviewing takes from the facts about the viewer, read in the facts'
    # snapshot (analytics/facts.py `may_count_reviewing`): each agency's parties digest (by
    # id) over the proposals up to `proposals_upto`, and the flagged reviews' stamp.
    agencies = models.JSONField(
        default=dict, help_text=_("Each agency's digest of the proposals it leads or partners "
                                  "in (by id), taken with the facts."))
    proposals_upto = models.BigIntegerField(
        default=0, help_text=_("The highest proposal id when the facts were read."))
    conflicts = models.CharField(
        max_length=64, blank=True, default="",
        help_text=_("The reviews flagged as conflicts of interest when the facts were read."))
    # The facts carry their proposals' record keys: public figures may be counted from them
    # (a public count never goes out without its cell key: analytics/public.py).
    keyed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"facts v{self.version} as of {self.computed_at}"


def filter_indexes(prefix: str) -> list[models.Index]:
    """The indexes a fact table is read by under the filters (every one but the agency is
    the round's; the agency is the `scope`): a round, a fund and its years, years alone;
    named `<prefix>_r`, `_f`, `_o`."""
    return [
        models.Index(fields=["scope", "round_id"], name=f"{prefix}_r"),
        models.Index(fields=["scope", "fund_id", "opens_at"], name=f"{prefix}_f"),
        models.Index(fields=["scope", "opens_at"], name=f"{prefix}_o"),
    ]


class ScopedFact(models.Model):
    """What every fact row carries so that a filter reads only its own rows: its scope (0: a
    row of every proposal; an agency's id: a copy of the row for the filter by that agency,
    one for each agency taking part in the proposal, read by equality, by index), and where
    its proposal is (ProposalFact's round, fund, opening date, and whether it is public)."""

    scope = models.BigIntegerField(default=0, db_default=0)
    round_id = models.BigIntegerField()
    fund_id = models.BigIntegerField()
    opens_at = models.DateTimeField()
    public = models.BooleanField()

    class Meta:
        abstract = True


class ProposalFact(ScopedFact):
    """One counted proposal (never a draft) as the figures need it: where it is (round,
    fund, when the round opens, whether the public figures count it), its state and lead, its
    money (tranches summed), its outcome and how many learnings are linked to it."""

    proposal_id = models.BigIntegerField()
    state = models.CharField(max_length=30)
    lead_id = models.BigIntegerField()
    lead_agency_id = models.BigIntegerField(null=True)
    has_tranches = models.BooleanField()
    awarded = models.DecimalField(**SUM)
    released = models.DecimalField(**SUM)
    returned = models.DecimalField(**SUM)
    released_award = models.BooleanField()
    returned_award = models.BooleanField()
    outcome_result = models.CharField(max_length=30, null=True)
    spent = models.DecimalField(**SUM, null=True)
    learnings = models.IntegerField()
    public_learnings = models.IntegerField()
    # Its proposal's record key (proposals.Proposal.record_key, 0-255): what a public
    # figure's cell keys sum (analytics/public.py).
    record_key = models.PositiveSmallIntegerField(default=0)
    agencies = models.IntegerField(default=0, help_text=_("How many agencies take part."))
    # Its submitted, scored reviews (never one in conflict): how many, the highest less the
    # lowest weighted score, the lowest and highest recommendation (Reviewing's agreement).
    scored = models.IntegerField(default=0)
    spread = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    advice_low = models.CharField(max_length=20, null=True)
    advice_high = models.CharField(max_length=20, null=True)

    class Meta:
        indexes = [
            *filter_indexes("analytics_fact"),
            # By proposal, and a scope's rows of a few proposals (Reviewing's rows of the
            # proposals two agencies share: analytics/facts.py `_hidden_rows`).
            models.Index(fields=["proposal_id", "scope"], name="analytics_fact_ps"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.proposal_id}"


class AgencyFact(ScopedFact):
    """An agency taking part in a counted proposal: the lead's agency and each partner, once."""

    proposal_id = models.BigIntegerField()
    agency_id = models.BigIntegerField()
    # The proposal's money (ProposalFact's), for the money figure's rows by agency.
    has_tranches = models.BooleanField(default=False)
    released = models.DecimalField(**SUM, default=0)
    committed = models.DecimalField(**SUM, default=0)
    # Its proposal's record key (proposals.Proposal.record_key, 0-255): what a public
    # figure's cell keys sum (analytics/public.py).
    record_key = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "agency_id", "proposal_id"],
                         name="analytics_fact_agency"),
            *filter_indexes("analytics_fact_agency"),
            models.Index(fields=["proposal_id"], name="analytics_fact_agency_p"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.proposal_id}, agency {self.agency_id}"


class PairCounts(models.Model):
    """How many counted proposals (`n`): `kind` "pair", that two agencies (`a` < `b`) both
    take part in; "agency", that agency `a` takes part in; "crossing", that `a` agencies take
    part in (4: four or more); and the sum of their record keys (`k`, a public cell's key:
    public.py)."""

    kind = models.CharField(max_length=10)
    a = models.BigIntegerField()
    b = models.BigIntegerField(null=True)
    n = models.IntegerField()
    k = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class PairFact(ScopedFact, PairCounts):
    """The pair counts (PairCounts) of a round's counted proposals. The collaboration figure
    adds these up over the rounds chosen (every filter but the agency is one of the round's;
    the agency is the `scope`)."""

    class Meta:
        # With `kind`: each of the figure's three parts reads its own rows only (the rows are
        # written in this order too, analytics/facts.py: an agency's in a few pages).
        indexes = [
            models.Index(fields=["scope", "kind", "round_id"], name="analytics_fact_pair_kr"),
            models.Index(fields=["scope", "kind", "fund_id", "opens_at"],
                         name="analytics_fact_pair_kf"),
            models.Index(fields=["scope", "kind", "opens_at"], name="analytics_fact_pair_ko"),
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}: {self.kind} {self.a} {self.b or ''}: {self.n}"


class PairTotalFact(PairCounts):
    """PairFact summed over every round, by scope and by whether the rounds are public: what
    the collaboration figure with no filter but an agency (or none) reads, a few hundred rows
    instead of a few hundred a round."""

    scope = models.BigIntegerField(default=0, db_default=0)
    public = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["scope", "kind"], name="analytics_fact_pair_total")]

    def __str__(self) -> str:
        return f"scope {self.scope}: {self.kind} {self.a} {self.b or ''}: {self.n}"


class MoneyFact(ScopedFact):
    """The money figure's sums over the counted proposals of a round (and scope), added up
    over the rounds chosen as PairFact's are. `agency_id` set: that agency's proposals with an
    award (AgencyFact with `has_tranches`): how many (`n`), their record keys summed (`k`),
    what was released to them and what stays committed. `agency_id` empty: the round's
    totals (ProposalFact's): awarded, released, returned, committed, spent; the awards (`n`),
    those with a tranche released, with one cancelled, the outcome reports; each count with
    its proposals' record keys summed (`k`, `k_released`, `k_returned`, `k_reports`: the
    public cells' keys, analytics/public.py)."""

    agency_id = models.BigIntegerField(null=True)
    n = models.IntegerField(default=0)
    k = models.BigIntegerField(default=0)
    awarded = models.DecimalField(**SUM, default=0)
    released = models.DecimalField(**SUM, default=0)
    returned = models.DecimalField(**SUM, default=0)
    committed = models.DecimalField(**SUM, default=0)
    spent = models.DecimalField(**SUM, null=True)
    released_awards = models.IntegerField(default=0)
    returned_awards = models.IntegerField(default=0)
    reports = models.IntegerField(default=0)
    k_released = models.BigIntegerField(default=0)
    k_returned = models.BigIntegerField(default=0)
    k_reports = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            *filter_indexes("analytics_fact_money"),
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}: {self.agency_id or 'totals'}"


class DurationFact(ScopedFact):
    """One time the Times figure counts: `kind` (decision, award, first_release,
    first_money) and its days, of a counted proposal."""

    proposal_id = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    days = models.FloatField(null=True)
    # Its proposal's record key (proposals.Proposal.record_key, 0-255): what a public
    # figure's cell keys sum (analytics/public.py).
    record_key = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            *filter_indexes("analytics_fact_duration"),
            models.Index(fields=["proposal_id"], name="analytics_fact_duration_p"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.proposal_id}: {self.kind}"


class AssignmentFact(ScopedFact):
    """A review assignment the Reviewing figure may count (never one in `conflict`), with
    the day its review was submitted (Bhutan time) and its score and recommendation."""

    assignment_id = models.BigIntegerField()
    proposal_id = models.BigIntegerField()
    reviewer_id = models.BigIntegerField()
    state = models.CharField(max_length=20)
    due_on = models.DateField()
    done_on = models.DateField(null=True)
    weighted_score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    recommendation = models.CharField(max_length=20, null=True)

    class Meta:
        indexes = [
            *filter_indexes("analytics_fact_assignment"),
            models.Index(fields=["proposal_id", "scope"], name="analytics_fact_assignment_ps"),
        ]

    def __str__(self) -> str:
        return f"assignment {self.assignment_id}"


class ReviewerFact(ScopedFact):
    """A reviewer's assignments (never one in conflict) on the counted proposals of a round,
    by how they stand on the day the facts were taken: the Reviewing figure adds these up over
    the rounds chosen, less the assignments its viewer may not see."""

    reviewer_id = models.BigIntegerField()
    assigned = models.IntegerField()
    on_time = models.IntegerField()
    late = models.IntegerField()
    overdue = models.IntegerField()
    not_yet_due = models.IntegerField()

    class Meta:
        indexes = [
            *filter_indexes("analytics_fact_reviewer"),
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}: reviewer {self.reviewer_id}, {self.assigned}"


class AgreementFact(ScopedFact):
    """The agreement of a round's counted proposals with at least two submitted, scored
    reviews: how many, how many within the disagreement threshold, how many with one
    recommendation, and their spreads summed. The Reviewing figure adds these up over the
    rounds chosen, less the proposals its viewer may not see whole."""

    proposals = models.IntegerField()
    close = models.IntegerField()
    unanimous = models.IntegerField()
    spread_sum = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [
            *filter_indexes("analytics_fact_agreement"),
        ]

    def __str__(self) -> str:
        return f"round {self.round_id}: {self.proposals} proposals"
