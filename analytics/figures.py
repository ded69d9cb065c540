"""The analytics figures: each a titled set of tables (what the CSV and JSON give), charts
(workflow/charts.py: SVG with the figures in words beside) and notes on what is counted.

`build(key, viewer=..., chosen=..., public=...)` answers one figure; the pages and the API both
call it, so they show the same numbers. The public figures go through `public.suppress` first.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from proposals.models import OutcomeReport, Proposal
from reviews.calibration import AGREEMENT_MIN_PROPOSALS, TOO_FEW_TO_MEASURE
from workflow import charts
from workflow.display import money

from . import public as public_rules
from . import selectors
from .percentiles import Spread
from .serial import figure_data, figure_from_data
from .shapes import Figure, Table, _shown_cell  # noqa: F401  (the figures' shapes, used by every module)
from .stored import VERSION, VIEWER_FIGURES, stored_figure

S = Proposal.State
REVIEWED = (S.IN_REVIEW, S.REVISION_REQUESTED, S.RECOMMENDED, S.REJECTED, S.FUNDED, S.DECLINED,
            S.OUTCOME_REPORTED, S.CLOSED)
RECOMMENDED = (S.RECOMMENDED, S.FUNDED, S.DECLINED, S.OUTCOME_REPORTED, S.CLOSED)
FUNDED = (S.FUNDED, S.OUTCOME_REPORTED, S.CLOSED)
RESULT_LABELS = {
    OutcomeReport.Result.SUCCEEDED: gettext_lazy("Succeeded"),
    OutcomeReport.Result.PARTLY_SUCCEEDED: gettext_lazy("Partly succeeded"),
    OutcomeReport.Result.DID_NOT_SUCCEED: gettext_lazy("Did not work as hoped — learning shared"),
}


FIGURES = {
    "funnel": gettext_lazy("The funnel"),
    "times": gettext_lazy("Time to decision and to first money"),
    "money": gettext_lazy("Money"),
    "collaboration": gettext_lazy("Collaboration across agencies"),
    "outcomes": gettext_lazy("Outcomes and learning"),
    "reviewing": gettext_lazy("Reviewing"),
}
PUBLIC_FIGURES = ("funnel", "times", "money", "collaboration", "outcomes")
# What each figure answers, in a line (the analytics index lists them with their titles).
SUMMARIES = {
    "funnel": gettext_lazy("Proposals per round by how far they got, with the screening, "
                           "recommendation and funding rates."),
    "times": gettext_lazy("Days from submission to the panel's decision and to the first "
                          "money; from recommendation to award; from award to first release."),
    "money": gettext_lazy("What each agency contributed against what the proposals it takes "
                          "part in received; awarded, committed, released, returned, spent."),
    "collaboration": gettext_lazy("Which agencies work together, and how many proposals cross "
                                  "two, three, four or more agencies."),
    "outcomes": gettext_lazy("Results by kind, and the learnings shared for each: what did "
                             "not work as hoped counts too."),
    "reviewing": gettext_lazy("Reviewers' load, their timeliness against due dates, and how "
                              "far reviewers agree."),
}


def _source(facts, public: bool = False):
    """Where a figure's numbers come from: the facts the beat task keeps (analytics/facts.py,
    when `facts`, a FactsRun, is given) or the live tables. A public figure from the facts
    only when they carry their proposals' record keys (`FactsRun.keyed`, of this VERSION):
    a public count is never published without its cell-key perturbation (public.py;
    `facts_run`); otherwise from the live tables, keys included."""
    from . import facts as kept

    if facts is None or (public and not kept.keyed(facts)):
        return selectors
    return kept


MONEY_MEASURES = {
    "contributed": gettext_lazy("Contributed"), "awarded": gettext_lazy("Awarded"), "committed": gettext_lazy("Committed"),
    "released": gettext_lazy("Released"), "returned": gettext_lazy("Returned"), "spent": gettext_lazy("Spent"),
}
REVIEWING_MEASURES = {
    "assignments": gettext_lazy("Assignments"), "reviewers": gettext_lazy("Reviewers"),
    "median_load": gettext_lazy("Assignments per reviewer, median"),
    "p90_load": gettext_lazy("Assignments per reviewer, 90th percentile"),
    "on_time": gettext_lazy("Submitted on time"), "late": gettext_lazy("Submitted late"), "overdue": gettext_lazy("Open, overdue"),
    "not_yet_due": gettext_lazy("Open, not yet due"),
    "proposals_with_two_or_more_reviews": gettext_lazy("Proposals with two or more reviews"),
    "within_spread": gettext_lazy("Proposals whose reviews are within the disagreement threshold (%)"),
    "same_recommendation": gettext_lazy("Same recommendation from every reviewer (%)"),
    "mean_spread": gettext_lazy("Mean spread of scores (points)"),
}


def _rate(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def _percent(value) -> str:
    return "–" if value is None else f"{value}%"


def _stages(counts: dict) -> dict:
    total = sum(counts.values())
    reviewed = sum(counts[s] for s in REVIEWED)
    recommended = sum(counts[s] for s in RECOMMENDED)
    funded = sum(counts[s] for s in FUNDED)
    return {
        "submitted": total, "awaiting_screening": counts[S.SUBMITTED],
        "screened_out": counts[S.INELIGIBLE], "sent_to_review": reviewed,
        "not_recommended": counts[S.REJECTED], "recommended": recommended,
        "declined": counts[S.DECLINED], "funded": funded, "withdrawn": counts[S.WITHDRAWN],
        "screening_rate": _rate(reviewed, reviewed + counts[S.INELIGIBLE]),
        "recommendation_rate": _rate(recommended, recommended + counts[S.REJECTED]),
        "funding_rate": _rate(funded, funded + counts[S.DECLINED]),
    }


FUNNEL_COLUMNS = [
    ("submitted", gettext_lazy("Submitted")), ("awaiting_screening", gettext_lazy("Awaiting screening")),
    ("screened_out", gettext_lazy("Screened out")), ("sent_to_review", gettext_lazy("Sent to review")),
    ("not_recommended", gettext_lazy("Not recommended")), ("recommended", gettext_lazy("Recommended")),
    ("declined", gettext_lazy("Not funded")), ("funded", gettext_lazy("Funded")), ("withdrawn", gettext_lazy("Withdrawn")),
    ("screening_rate", gettext_lazy("Screening rate (%)")), ("recommendation_rate", gettext_lazy("Recommendation rate (%)")),
    ("funding_rate", gettext_lazy("Funding rate (%)")),
]


def _keyed(public: bool, keys: dict) -> dict:
    """A public row's cell keys (public.py; dropped when the row is made public)."""
    return {"_keys": keys} if public else {}


def _stage_keys(keys: dict) -> dict:
    """The funnel's cell keys: its counts are sums over states, so are their keys."""
    summed = _stages(keys)
    return {k: public_rules.cell_key([summed[k]]) for k, _label in FUNNEL_COLUMNS[:9]}


def funnel(*, viewer, chosen, public=False, facts=None) -> Figure:
    data = _source(facts, public).funnel_counts(chosen=chosen, public=public)
    rows = [{"round": r["title"], "fund": r["fund__name"], "round_id": r["pk"],
             **_stages(r["counts"]), **_keyed(public, _stage_keys(r["keys"]))}
            for r in data["rounds"]]
    which = _("The round chosen") if chosen.get("round") else _("All rounds chosen")
    totals = {"round": which, "fund": "", "round_id": None,
              **_stages(data["totals"]), **_keyed(public, _stage_keys(data["keys"]))}
    figure = Figure("funnel", FIGURES["funnel"], (_(
        "Each round's proposals (drafts never counted) by how far they have got, as their "
        "state says now. Submitted: all of them. Sent to review, recommended, funded: those "
        "that reached that stage, so a funded proposal also counts as sent to review and as "
        "recommended. Awaiting screening, screened out, not recommended, not funded, "
        "withdrawn: those that are there now (a withdrawn proposal counts only as withdrawn, "
        "whatever stage it had reached). Screening rate: "
        "sent to review of those screened (sent to review or screened out). Recommendation rate: "
        "recommended of those the panel decided (recommended or not). Funding rate: funded of "
        "those a fund manager decided after a recommendation (funded or not funded). Withdrawn "
        "proposals are left out of the rates.")))
    figure.tables.append(Table("rounds", _("Proposals by state per round"),
                               [("round", gettext_lazy("Round")), ("fund", gettext_lazy("Fund")), *FUNNEL_COLUMNS],
                               rows + [totals]))
    if data["round_count"] > len(rows):
        figure.notes.append(
            _("The newest %(listed)d of %(count)d rounds are listed; the last row counts them "
              "all. Choose a fund or years to narrow.")
            % {"listed": len(rows), "count": data["round_count"]})
    if public:
        public_rules.suppress_table(
            figure.tables[0], counts=[k for k, _label in FUNNEL_COLUMNS[:9]],
            rates={"screening_rate": ("sent_to_review", "screened_out"),
                   "recommendation_rate": ("recommended", "not_recommended"),
                   "funding_rate": ("funded", "declined")})
        totals = figure.tables[0].rows[-1]
    figure.summary = {k: totals[k] for k, _label in FUNNEL_COLUMNS}
    stages = [(_("Submitted"), "submitted"), (_("Sent to review"), "sent_to_review"),
              (_("Recommended"), "recommended"), (_("Funded"), "funded")]
    figure.charts.append(charts.bar_chart(
        title=_("The funnel, %(which)s") % {"which": f"{which[0].lower()}{which[1:]}"},
        description=_("Proposals submitted, sent to review, recommended and funded."),
        rows=[(label, totals[key] or 0, public_rules.shown(totals[key])) for label, key in stages],
        same_series=True,
        summary=_("Screening rate %(screening)s, recommendation rate %(recommendation)s, "
                  "funding rate %(funding)s.") % {
                      "screening": _percent(totals["screening_rate"]),
                      "recommendation": _percent(totals["recommendation_rate"]),
                      "funding": _percent(totals["funding_rate"])}))
    return figure


TIMES = [
    ("decision", gettext_lazy("Submission to the panel's decision")),
    ("first_money", gettext_lazy("Submission to the first money released")),
    ("award", gettext_lazy("Recommendation to award")),
    ("first_release", gettext_lazy("Award to the first release")),
]


def _days(value) -> float | None:
    return None if value is None else round(value, 1)


def times(*, viewer, chosen, public=False, facts=None) -> Figure:
    found: dict[str, Spread] = _source(facts, public).durations(chosen=chosen, public=public)
    rows = [{"measure": label, "key": key, "proposals": found[key].count,
             "median_days": _days(found[key].median), "p90_days": _days(found[key].p90),
             **_keyed(public, {"proposals": found[key].key})}
            for key, label in TIMES]
    figure = Figure("times", FIGURES["times"], (_(
        "Days (with fractions, one decimal shown) from the proposal's last submission to the "
        "panel's recommendation or rejection, and to the first tranche released; from the "
        "recommendation to the award; from the award to its first release. Median and 90th "
        "percentile as PostgreSQL's percentile_cont computes them: the values sorted, the p-th "
        "percentile at position (n − 1)·p, interpolated linearly between the two values around "
        "it (Hyndman and Fan's type 7).")
        + (" " + _("On this public page each median and 90th percentile is moved by up to a "
                   "tenth and given in whole days, so that no one proposal's time can be "
                   "worked out from two figures.") if public else "")))
    figure.tables.append(Table("times", _("Days to each step"), [
        ("measure", gettext_lazy("From … to …")), ("proposals", gettext_lazy("Counted")), ("median_days", gettext_lazy("Median (days)")),
        ("p90_days", gettext_lazy("90th percentile (days)"))], rows))
    if public:
        public_rules.suppress_spread_rows(figure.tables[0])
    figure.summary = {r["key"]: {"count": r["proposals"], "median_days": r["median_days"],
                                 "p90_days": r["p90_days"]} for r in figure.tables[0].rows}

    def text(r):
        if r["median_days"] is None:
            return _("none counted") if r["proposals"] == 0 else _("fewer than 5")
        return _("median %(median)s days, 90%% within %(p90)s days") % {
            "median": r["median_days"], "p90": r["p90_days"]}

    figure.charts.append(charts.bar_chart(
        title=_("Median days to each step"),
        description=_("The median days for each of the four steps."),
        rows=[(r["measure"], r["median_days"] or 0, text(r)) for r in figure.tables[0].rows],
        same_series=True))
    return figure


def money_figure(*, viewer, chosen, public=False, facts=None) -> Figure:
    data = _source(facts, public).money_figures(chosen=chosen, public=public)
    names = data["agencies"]
    rows = []
    for aid in sorted(names, key=lambda a: names[a]["code"]):
        released, committed, funded = data["received"].get(
            aid, (Decimal("0.00"), Decimal("0.00"), 0))
        rows.append({"agency": names[aid]["code"], "agency_name": names[aid]["name"],
                     "contributed": data["contributed"].get(aid, Decimal("0.00")),
                     "proposals_with_award": funded,
                     "committed_to_its_proposals": committed,
                     "released_to_its_proposals": released,
                     **_keyed(public, {"proposals_with_award":
                                       data["keys"]["received"].get(aid, 0)})})
    totals = data["totals"]
    figure = Figure("money", FIGURES["money"], _(
        "Contributed: the agency's contributions to the funds chosen (received in the years "
        "chosen). Committed and released to its proposals: the money of awards to proposals "
        "the agency leads or partners in (a proposal with three agencies counts for each, so "
        "these columns add up to more than the total). Awarded: the awards' amounts; "
        "returned: cancelled tranches, money that went back to the fund; committed: awarded "
        "less returned; released: tranches released; spent: what outcome reports say was spent.")
        + (" " + _("A sum of money about fewer than 5 proposals is not shown.") + " "
           + _("Every other sum about proposals is moved by up to a tenth and rounded to a "
               "whole 1,000, so that no one team's figure can be worked out from two sums.")
           if public else ""))
    figure.tables.append(Table("agencies", _("Money by agency"), [
        ("agency", gettext_lazy("Agency")), ("agency_name", gettext_lazy("Name")), ("contributed", gettext_lazy("Contributed")),
        ("proposals_with_award", gettext_lazy("Its proposals with an award")),
        ("committed_to_its_proposals", gettext_lazy("Committed to its proposals")),
        ("released_to_its_proposals", gettext_lazy("Released to its proposals"))], rows))
    figure.tables.append(Table("totals", _("Money in total"), [
        ("measure", gettext_lazy("Measure")), ("amount", gettext_lazy("Amount")), ("proposals", gettext_lazy("Proposals counted"))],
        [{"key": k, "measure": MONEY_MEASURES[k], "amount": v, "proposals": data["basis"][k],
          **_keyed(public, {"proposals": data["keys"]["basis"].get(k, 0)})}
         for k, v in totals.items()]))
    if public:  # the money first: it reads the counts before they are hidden
        public_rules.suppress_money(figure.tables[0], amounts=[
            "committed_to_its_proposals", "released_to_its_proposals"],
            basis="proposals_with_award")
        public_rules.suppress_money(figure.tables[1], amounts=["amount"], basis="proposals")
        public_rules.suppress_table(figure.tables[0], counts=["proposals_with_award"])
        public_rules.suppress_table(figure.tables[1], counts=["proposals"])
    totals = {r["key"]: r["amount"] for r in figure.tables[1].rows}
    figure.summary = {k: None if v is None else str(v) for k, v in totals.items()}

    def told(value) -> str:
        return _("not shown (fewer than 5 proposals)") if value is None else money(value)

    bars = []
    for r in figure.tables[0].rows:
        bars.append((_("%(agency)s contributed") % {"agency": r["agency"]}, r["contributed"],
                     told(r["contributed"]),
                     0, 0))
        bars.append((_("%(agency)s's proposals received") % {"agency": r["agency"]},
                     r["released_to_its_proposals"] or 0,
                     told(r["released_to_its_proposals"]), 0, 1))
    if bars:
        figure.charts.append(charts.bar_chart(
            title=_("Contributed by each agency and released to the proposals it takes part in"),
            description=_("Two bars per agency: what it contributed, and what the proposals it "
                          "leads or partners in received."), rows=bars))
    figure.charts.append(charts.bar_chart(
        title=_("Money in total"),
        description=_("Contributed, awarded, committed, released, returned and spent."),
        rows=[(str(MONEY_MEASURES[k]), v or 0, told(v)) for k, v in totals.items()],
        same_series=True))
    return figure


def collaboration(*, viewer, chosen, public=False, facts=None) -> Figure:
    data = _source(facts, public).collaboration_counts(chosen=chosen, public=public)
    names = data["agencies"]
    keys = data["keys"]
    pairs = [{"agency": names[a]["code"], "with_agency": names[b]["code"], "shared_proposals": n,
              **_keyed(public, {"shared_proposals": keys["pairs"][a, b]})}
             for a, b, n in data["pairs"]]
    crossing = [{"agencies": label, "proposals": data["crossing"].get(k, 0),
                 **_keyed(public, {"proposals": keys["crossing"].get(k, 0)})}
                for k, label in ((1, "1"), (2, "2"), (3, "3"), (4, _("4 or more")))]
    per_agency = sorted(data["per_agency"].items(), key=lambda kv: (-kv[1], names[kv[0]]["code"]))
    figure = Figure("collaboration", FIGURES["collaboration"], (_(
        "An agency takes part in a proposal when it is the lead's agency or a partner agency. "
        "Shared proposals of two agencies: proposals both take part in. Crossing: proposals by "
        "the number of agencies taking part (drafts never counted).")))
    figure.tables.append(Table("pairs", _("Agencies working together"), [
        ("agency", gettext_lazy("Agency")), ("with_agency", gettext_lazy("With")), ("shared_proposals", gettext_lazy("Shared proposals"))],
        pairs))
    figure.tables.append(Table("crossing", _("Proposals by the number of agencies taking part"),
                               [("agencies", gettext_lazy("Agencies")), ("proposals", gettext_lazy("Proposals"))], crossing))
    if public:
        public_rules.suppress_table(figure.tables[0], counts=["shared_proposals"])
        public_rules.suppress_table(figure.tables[1], counts=["proposals"])
        # In the agencies' order, never the true counts' (hidden or perturbed: a pair listed
        # before another told a visitor which of two "fewer than 5" was larger, an
        # outsider's attack).
        figure.tables[0].rows.sort(key=lambda r: (r["agency"], r["with_agency"]))
    # The matrix: the agencies taking part most, both ways (public: in their codes' order,
    # for the same reason).
    top = [aid for aid, _n in per_agency[:12]]
    codes = [names[a]["code"] for a in top]
    if public:
        codes.sort()
    shared = {(p["agency"], p["with_agency"]): p["shared_proposals"] for p in figure.tables[0].rows}
    matrix = []
    for a in codes:
        row = {"agency": a}
        for b in codes:
            row[b] = "" if a == b else shared.get((a, b), shared.get((b, a), 0))
        matrix.append(row)
    figure.tables.append(Table("matrix", _("Shared proposals, agency by agency "
                                           "(the 12 agencies taking part most)"),
                               [("agency", gettext_lazy("Agency")), *[(c, c) for c in codes]], matrix))
    if len(data["pairs"]) >= selectors.PAIR_LIMIT:
        figure.notes.append(_("The %(count)d pairs sharing most are listed.")
                            % {"count": selectors.PAIR_LIMIT})
    figure.summary = {r["agencies"]: r["proposals"] for r in figure.tables[1].rows}
    figure.charts.append(charts.bar_chart(
        title=_("Proposals by the number of agencies taking part"),
        description=_("How many proposals cross one, two, three, four or more agencies."),
        rows=[(_("1 agency") if r["agencies"] == "1"
               else _("%(agencies)s agencies") % {"agencies": r["agencies"]},
               r["proposals"] or 0, public_rules.shown(r["proposals"]))
              for r in figure.tables[1].rows], same_series=True))
    return figure


def outcomes(*, viewer, chosen, public=False, facts=None) -> Figure:
    data = _source(facts, public).outcome_counts(chosen=chosen, public=public)
    rows = []
    for result, label in RESULT_LABELS.items():
        report = data["reports"].get(result, {})
        n = report.get("outcomes", 0)
        shared = data["learnings"].get(result, {})
        learnings, with_learning = shared.get("learnings", 0), shared.get("with_learning", 0)
        if public:  # counted with its key over the reports (the same number)
            with_learning = report.get("with_learning", 0)
        rows.append({"result": label, "key": result.value, "outcomes": n, "learnings": learnings,
                     "outcomes_with_learning": with_learning,
                     "share_with_learning": _rate(with_learning, n),
                     "learnings_per_outcome": round(learnings / n, 2) if n else None,
                     **_keyed(public, {
                         "outcomes": report.get("key_outcomes") or 0,
                         "learnings": shared.get("key_learnings") or 0,
                         "outcomes_with_learning": report.get("key_outcomes_with_learning") or 0})})
    figure = Figure("outcomes", FIGURES["outcomes"], _(
        "Outcome reports by result, and the learnings linked to those proposals%(which)s: how "
        "many, how many outcomes have at least one, and learnings per outcome. A result that "
        "did not work as hoped is an honoured outcome: its learnings count fully.") % {
            "which": " " + _("(public learnings only)") if public else ""})
    figure.tables.append(Table("results", _("Outcomes and the learnings shared"), [
        ("result", gettext_lazy("Result")), ("outcomes", gettext_lazy("Outcomes")), ("learnings", gettext_lazy("Learnings shared")),
        ("outcomes_with_learning", gettext_lazy("Outcomes with a learning")),
        ("share_with_learning", gettext_lazy("Share with a learning (%)")),
        ("learnings_per_outcome", gettext_lazy("Learnings per outcome"))], rows))
    if public:
        public_rules.suppress_table(
            figure.tables[0], counts=["outcomes", "learnings", "outcomes_with_learning"],
            rates={"share_with_learning": ("outcomes_with_learning", "outcomes"),
                   "learnings_per_outcome": ("learnings", "outcomes", "ratio")})
    rows = figure.tables[0].rows
    figure.summary = {r["key"]: {k: r[k] for k in ("outcomes", "learnings",
                                                   "outcomes_with_learning")} for r in rows}
    figure.charts.append(charts.bar_chart(
        title=_("Outcomes by result"), description=_("How many outcome reports of each result."),
        rows=[(r["result"], r["outcomes"] or 0, public_rules.shown(r["outcomes"])) for r in rows]))
    figure.charts.append(charts.bar_chart(
        title=_("Learnings shared per outcome"),
        description=_("Learnings linked to the proposals of each result."),
        rows=[(r["result"], r["learnings"] or 0,
               (_("%(count)s learning, %(share)s of outcomes with one") if r["learnings"] == 1
                else _("%(count)s learnings, %(share)s of outcomes with one")) % {
                   "count": public_rules.shown(r["learnings"]),
                   "share": _percent(r["share_with_learning"])}) for r in rows]))
    return figure


def _person(row) -> str:
    name = f"{row['reviewer__first_name']} {row['reviewer__last_name']}".strip()
    return name or row["reviewer__username"]


def reviewing(*, viewer, chosen, public=False, facts=None) -> Figure:
    data = (_source(facts, public).reviewing_figures(viewer=viewer, chosen=chosen, run=facts)
            if facts is not None else selectors.reviewing_figures(viewer=viewer, chosen=chosen))
    totals, agreement = data["totals"], data["agreement"]
    load = [{"reviewer": _person(r), "agency": r["reviewer__agency__code"] or "",
             "assigned": r["assigned"], "on_time": r["on_time"], "late": r["late"],
             "overdue": r["overdue"], "not_yet_due": r["not_yet_due"]} for r in data["load"]]
    figure = Figure("reviewing", FIGURES["reviewing"], _(
        "Assignments on the proposals chosen, never one in conflict nor one on a proposal you "
        "have a conflict of interest with. On time: submitted on or before the due date "
        "(Bhutan time). Agreement, over proposals with at least two submitted reviews: the "
        "share whose highest and lowest weighted score are within %(threshold)s points "
        "(the ranking's disagreement flag), the share where every reviewer made the same "
        "recommendation, and the mean spread (highest minus lowest).")
        % {"threshold": data["threshold"]})
    figure.tables.append(Table("reviewers", _("Reviewers by load (the busiest first)"), [
        ("reviewer", gettext_lazy("Reviewer")), ("agency", gettext_lazy("Agency")), ("assigned", gettext_lazy("Assigned")),
        ("on_time", gettext_lazy("Submitted on time")), ("late", gettext_lazy("Submitted late")), ("overdue", gettext_lazy("Open, overdue")),
        ("not_yet_due", gettext_lazy("Open, not yet due"))], load))
    spread = data["load_spread"]
    mean = agreement["mean_spread"]
    # From fewer than two proposals with two reviews or more, agreement is not measured: no
    # 0.0 or 100.0 made from one proposal (reviews.calibration.AGREEMENT_MIN_PROPOSALS).
    measured = (agreement["proposals"] or 0) >= AGREEMENT_MIN_PROPOSALS
    if not measured:
        agreement = {**agreement, "close": None, "unanimous": None}
        mean = None
    summary = {
        "assignments": totals["assigned"], "reviewers": totals["reviewers"],
        "median_load": spread.median, "p90_load": spread.p90,
        "on_time": totals["on_time"], "late": totals["late"], "overdue": totals["overdue"],
        "not_yet_due": totals["not_yet_due"],
        "proposals_with_two_or_more_reviews": agreement["proposals"],
        "within_spread": _rate(agreement["close"], agreement["proposals"]),
        "same_recommendation": _rate(agreement["unanimous"], agreement["proposals"]),
        "mean_spread": None if mean is None else round(float(mean), 2),
    }
    figure.tables.append(Table("summary", _("Reviewing in total"), [("measure", gettext_lazy("Measure")),
                                                                 ("value", gettext_lazy("Value"))],
                               [{"key": k, "measure": REVIEWING_MEASURES[k],
                                 # the page and the CSV say why there is no number; the
                                 # summary (API, JSON) keeps null, with the note
                                 "value": str(TOO_FEW_TO_MEASURE) if not measured
                                 and k in ("within_spread", "same_recommendation",
                                           "mean_spread") else v}
                                for k, v in summary.items()]))
    figure.summary = summary
    if totals["reviewers"] > len(load):
        figure.notes.append(_("The %(listed)d busiest of %(count)d reviewers are listed.")
                            % {"listed": len(load), "count": totals["reviewers"]})
    if not measured:
        figure.notes.append(_("Agreement between reviewers: %(too_few)s (it needs at least "
                              "%(proposals)d proposals with at least two submitted reviews "
                              "each).") % {"too_few": TOO_FEW_TO_MEASURE,
                                          "proposals": AGREEMENT_MIN_PROPOSALS})
    figure.charts.append(charts.bar_chart(
        title=_("Reviews against their due dates"),
        description=_("Submitted on time, submitted late, open and overdue, open and not yet "
                      "due."),
        rows=[(str(REVIEWING_MEASURES[key]), totals[key], str(totals[key]))
              for key in ("on_time", "late", "overdue", "not_yet_due")]))
    return figure


BUILDERS = {"funnel": funnel, "times": times, "money": money_figure,
            "collaboration": collaboration, "outcomes": outcomes, "reviewing": reviewing}


def _cache_key(key: str, *, viewer, chosen: dict, public: bool, sight=None) -> str:
    """Figures depend on the filters alone (every fund manager sees every submitted proposal;
    the public sees the same aggregates), except reviewing, which leaves out the proposals
    the viewer has a conflict with, and the reviews flagged as conflicts: its key holds the
    viewer's visibility fingerprint (the one job files are checked with) and the flagged
    reviews' stamp (`stored.reviewing_fingerprint`), so a new conflict is never served from an
    older answer."""
    chosen_ids = sorted((k, getattr(v, "pk", v)) for k, v in chosen.items())
    # VERSION (stored.py): a figure cached under an older shape or public rule (before a deploy)
    # is never served.
    parts = [VERSION, key, public, chosen_ids, get_language()]
    if key == "reviewing":
        parts.append((sight or _Sight(viewer))())
    return "analytics:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def build(key: str, *, viewer, chosen: dict, public: bool = False) -> Figure:
    """The figure, computed by the database, or the same answer kept for CACHE_SECONDS (the
    whole-table aggregates take seconds at national scale; pages show when they were made).
    Without filters, the answer the beat task last stored (analytics/stored.py), while it is
    recent enough and, for the Reviewing figure, the viewer may still see the same."""
    if public and key not in PUBLIC_FIGURES:
        raise KeyError(key)
    from .facts import reading

    viewers = key in VIEWER_FIGURES
    if viewers and not public:
        # Reviewing, with or without filters: counted from the facts, with what the viewer
        # may not see asked now, in one snapshot (facts.reading) with the check that the facts
        # still describe them: a few milliseconds, never kept (a cached answer would need
        # their whole fingerprint); else the stored figure or live, below.
        with reading():
            run = facts_run(key, viewer=viewer, chosen=chosen, public=public)
            if run is not None:
                figure = BUILDERS[key](viewer=viewer, chosen=chosen, public=public, facts=run)
                figure.computed_at, figure.stored = run.computed_at, True
                return figure
    if not chosen and (figure := stored_figure(key, viewer=viewer, public=public)) is not None:
        return figure
    seconds = cache_seconds()
    # One snapshot for the viewer's fingerprint (the cache's key) and the data counted: taken
    # before the data, a change made and undone in between kept the key of what the viewer
    # may see on a figure counting what they may not (an insider's attack).
    with reading() if chosen or viewers else nullcontext():
        run = None
        sight = _Sight(viewer)
        cache_key = (_cache_key(key, viewer=viewer, chosen=chosen, public=public, sight=sight)
                     if seconds else "")
        if seconds and (kept := cache.get(cache_key)) is not None:
            try:
                return figure_from_data(kept)
            except (KeyError, TypeError, ValueError, ArithmeticError):  # an older shape
                pass
        if not viewers:  # (the viewer's figure: asked above)
            run = facts_run(key, viewer=viewer, chosen=chosen, public=public)
        figure = BUILDERS[key](viewer=viewer, chosen=chosen, public=public, facts=run)
    figure.computed_at = run.computed_at if run is not None else timezone.now()
    figure.stored = run is not None
    if seconds:
        cache.set(cache_key, figure_data(figure), seconds)
    return figure


class _Sight:
    """The viewer's Reviewing fingerprint (stored.reviewing_fingerprint), taken once for a
    request however many times it is asked (the cache's key, the facts' check)."""

    def __init__(self, viewer):
        self.viewer, self._value = viewer, None

    def __call__(self) -> str:
        if self._value is None:
            from .stored import reviewing_fingerprint

            self._value = reviewing_fingerprint(self.viewer)
        return self._value


def facts_run(key: str, *, viewer, chosen: dict, public: bool):
    """The facts a filtered figure is counted from (analytics/facts.py), or None: computed
    live (no filters: the stored figure's work, except Reviewing, counted from the facts with
    or without filters; no recent facts; a public figure from facts without their record keys,
    public.py; Reviewing for a viewer whose agency's part in the proposals changed since, or
    after a new conflict: facts.may_count_reviewing)."""
    from . import facts

    if not chosen and key not in VIEWER_FIGURES:
        return None
    run = facts.fresh_run()
    if run is None or (public and not facts.keyed(run)):  # public: never without its keys
        return None
    if key in VIEWER_FIGURES and not facts.may_count_reviewing(viewer, run):
        return None
    return run


def cache_seconds() -> int:
    """How long a computed figure is kept: ANALYTICS_CACHE_SECONDS (default 300; 0: never)."""
    return int(getattr(settings, "ANALYTICS_CACHE_SECONDS", 300))
