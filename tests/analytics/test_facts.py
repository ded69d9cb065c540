"""Filtered figures counted from the facts the beat task keeps (analytics/facts.py): the same
numbers as the live computation for every filter, served only while the facts are recent and
of this version, Reviewing only while its viewer may still see what they saw, a bounded
number of queries whatever the data size; and every figure kept as JSON (analytics/serial.py)
comes back the same."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import facts
from analytics.figures import BUILDERS, FIGURES, PUBLIC_FIGURES, build
from analytics.models import FactsRun, MoneyFact, PairTotalFact, ProposalFact, StoredFigure
from analytics.refresh import refresh_stored_figures
from analytics.serial import figure_data, figure_from_data
from analytics.views import figure_json

from .test_queries import MAX_QUERIES, grow

pytestmark = pytest.mark.django_db


def numbers(figure) -> dict:
    out = figure_json(figure, {})
    del out["as_of"], out["stored"]
    return out


def choices(world) -> dict:
    """Every kind of filter, alone and together."""
    f1, f2 = world["funds"]
    agencies = world["agencies"]
    out = {"f1": {"fund": f1}, "f2": {"fund": f2}, "r1": {"round": world["r1"]},
           "r2": {"round": world["r2"]}, "r3": {"round": world["r3"]},
           "2025": {"year_from": 2025, "year_to": 2025}, "2024-": {"year_to": 2024},
           "2026+": {"year_from": 2026},
           "f1 2025 A": {"fund": f1, "year_from": 2025, "year_to": 2025,
                         "agency": agencies["A"]},
           "r1 C": {"round": world["r1"], "agency": agencies["C"]}}
    out |= {f"agency {k}": {"agency": a} for k, a in agencies.items()}
    return out


def test_every_filtered_figure_from_the_facts_is_the_live_one(world):
    manager = world["manager"]
    refresh_stored_figures()
    assert facts.fresh_run() is not None
    # Reviewing without filters too is counted from the facts.
    served = build("reviewing", viewer=manager, chosen={})
    assert served.stored and numbers(served) == numbers(
        BUILDERS["reviewing"](viewer=manager, chosen={}))
    for name, chosen in choices(world).items():
        for key in FIGURES:
            served = build(key, viewer=manager, chosen=chosen)
            assert served.stored, (name, key)
            assert numbers(served) == numbers(
                BUILDERS[key](viewer=manager, chosen=chosen)), (name, key)
        for key in PUBLIC_FIGURES:  # public: with its record keys (below)
            served = build(key, viewer=None, chosen=chosen, public=True)
            assert served.stored, (name, key)
            assert numbers(served) == numbers(
                BUILDERS[key](viewer=None, chosen=chosen, public=True)), (name, key)
    # The hand-computed values of test_figures.py, from the facts.
    r1 = build("funnel", viewer=manager, chosen={"round": world["r1"]})
    assert r1.stored and r1.summary["submitted"] == 10


def test_facts_too_old_or_of_another_version_are_never_read(world, settings):
    manager = world["manager"]
    chosen = {"round": world["r1"]}
    refresh_stored_figures()
    assert build("times", viewer=manager, chosen=chosen).stored
    settings.ANALYTICS_STORED_MAX_MINUTES = 30
    FactsRun.objects.update(computed_at=timezone.now() - timedelta(minutes=31))
    assert not build("times", viewer=manager, chosen=chosen).stored
    FactsRun.objects.update(computed_at=timezone.now(), version=facts.VERSION - 1)
    assert not build("times", viewer=manager, chosen=chosen).stored
    # Changed facts are what a fresh run serves: proof the figure reads them.
    FactsRun.objects.update(version=facts.VERSION)
    ProposalFact.objects.filter(round_id=world["r1"].pk).update(state="submitted")
    assert build("funnel", viewer=manager, chosen=chosen).summary["submitted"] == 10
    assert build("funnel", viewer=manager, chosen=chosen).summary["awaiting_screening"] == 10


def test_money_and_collaboration_are_counted_from_their_sums_per_round(world):
    """Money reads the rounds' sums (MoneyFact), collaboration with an agency alone the sums
    over every round (PairTotalFact), never the proposals' rows: changed sums are what is
    served (their equality with the live figures: the tests above and test_stored.py)."""
    manager, f1, a = world["manager"], world["funds"][0], world["agencies"]["A"]
    refresh_stored_figures()
    money = build("money", viewer=manager, chosen={"fund": f1})
    assert money.stored and money.summary["awarded"] == "650.00"
    rows = MoneyFact.objects.filter(scope=0, fund_id=f1.pk, agency_id=None).update(
        awarded=F("awarded") + 1)
    assert rows == 1  # one round of F1 has proposals
    assert build("money", viewer=manager, chosen={"fund": f1}).summary["awarded"] == "651.00"
    agency = build("collaboration", viewer=manager, chosen={"agency": a})
    assert agency.stored
    PairTotalFact.objects.filter(scope=a.pk, kind="crossing").update(n=F("n") + 100)
    again = build("collaboration", viewer=manager, chosen={"agency": a})
    assert {k: v + 100 if v else v for k, v in agency.summary.items()} == again.summary
    # With a round chosen, from the rounds' counts (PairFact), unchanged: the live figure.
    chosen = {"agency": a, "round": world["r1"]}
    served = build("collaboration", viewer=manager, chosen=chosen)
    assert served.stored and numbers(served) == numbers(
        BUILDERS["collaboration"](viewer=manager, chosen=chosen))


def test_a_fund_made_inactive_leaves_an_agencys_public_sums_at_once(world):
    """The public collaboration of an agency alone is read from the sums over every round
    (PairTotalFact), which still count a round of a fund made inactive since the facts: it
    is then added up from the rounds' counts of the rounds public now, as Money's are."""
    from fund.models import Fund

    a = world["agencies"]["A"]
    refresh_stored_figures()
    before = build("collaboration", viewer=None, chosen={"agency": a}, public=True)
    Fund.objects.filter(pk=world["funds"][0].pk).update(is_active=False)
    served = {}
    for key in ("collaboration", "money"):
        served[key] = build(key, viewer=None, chosen={"agency": a}, public=True)
        assert served[key].stored, key
        assert numbers(served[key]) == numbers(
            BUILDERS[key](viewer=None, chosen={"agency": a}, public=True)), key
    assert numbers(served["collaboration"]) != numbers(before)  # F1's proposals left


def test_a_filtered_reviewing_is_counted_from_the_facts_for_what_the_viewer_sees_now(world):
    """The facts hold the reviews; what the viewer may not see is asked now (their lead, team,
    open reviews, agency), their agency's proposals from its copies only while its parties
    digest is unchanged and no review was flagged since."""
    manager, p = world["manager"], world["p"]
    agencies = world["agencies"]
    chosen = {"fund": world["funds"][0]}

    def served_and_live():
        served = build("reviewing", viewer=manager, chosen=chosen)
        return served, numbers(BUILDERS["reviewing"](viewer=manager, chosen=chosen))

    refresh_stored_figures()
    served, now = served_and_live()
    assert served.stored and served.summary["assignments"] == 7 and numbers(served) == now
    # Their agency becomes A, a party to every reviewed proposal of R1: from A's copies of
    # the facts, nothing counted, as live.
    manager.agency = agencies["A"]
    manager.save()
    served, now = served_and_live()
    assert served.stored and served.summary["assignments"] == 0 and numbers(served) == now
    # Back in E; then E becomes a partner of a reviewed proposal: E's digest changed, live,
    # leaving out that proposal's reviews.
    manager.agency = agencies["E"]
    manager.save()
    assert served_and_live()[0].stored
    p["rev"].partner_agencies.add(agencies["E"])
    served, now = served_and_live()
    assert not served.stored and served.summary["assignments"] < 7
    # Refreshed: from the facts again, still leaving it out.
    refresh_stored_figures()
    served, now = served_and_live()
    assert served.stored and numbers(served) == now
    # A person of another agency moved into E, with the proposals they lead: live.
    lead = p["rec"].lead
    lead.agency = agencies["E"]
    lead.save()
    served, now = served_and_live()
    assert not served.stored and numbers(served) == now
    refresh_stored_figures()
    # Anyone else, named a fund manager since: from the facts too, for what they see.
    from people.factories import UserFactory

    other = UserFactory(fund_manager=True, agency=agencies["B"])
    served = build("reviewing", viewer=other, chosen=chosen)
    assert served.stored and numbers(served) == numbers(
        BUILDERS["reviewing"](viewer=other, chosen=chosen))
    # Given a review of a proposal (open): its others' reviews left out at once, from the facts.
    from reviews.factories import AssignmentFactory

    before = served_and_live()[0].summary["assignments"]
    AssignmentFactory(proposal=p["rej"], reviewer=manager)
    served, now = served_and_live()
    assert served.stored and numbers(served) == now
    assert served.summary["assignments"] < before
    # Facts without digests (older): live.
    FactsRun.objects.update(conflicts="")
    assert not build("reviewing", viewer=manager, chosen=chosen).stored


def test_the_agencies_parties_digest_is_the_same_in_sql_and_in_python(world, monkeypatch):
    """PostgreSQL makes the digest in SQL, SQLite here: both over the same ids, to the same
    value; and it changes with a partnership or a lead's agency, not with a newer proposal."""
    upto = max(x.pk for x in world["p"].values())
    digests = facts.agency_digests(upto)
    a = str(world["agencies"]["A"].pk)
    assert facts.agency_digests(upto, int(a)) == {a: digests[a]}
    if connection.vendor == "postgresql":
        monkeypatch.setattr(connection, "vendor", "sqlite")
        assert facts.agency_digests(upto) == digests
        monkeypatch.undo()
    world["p"]["closed"].partner_agencies.add(world["agencies"]["A"])
    assert facts.agency_digests(upto)[a] != digests[a]
    from proposals.factories import ProposalFactory

    ProposalFactory(lead=world["p"]["rev"].lead, partners=[world["agencies"]["B"]])
    b = str(world["agencies"]["B"].pk)
    assert facts.agency_digests(upto)[b] == digests[b]


FILTERED = ["round={r1}", "fund={f1}", "agency={a}", "year=2025", "fund={f1}&year=2025&agency={a}"]


def test_filtered_pages_from_the_facts_make_a_bounded_number_of_queries(world):
    client = APIClient()
    client.force_login(world["manager"])

    def urls():
        ids = {"r1": world["r1"].pk, "f1": world["funds"][0].pk, "a": world["agencies"]["A"].pk}
        queries = [q.format(**ids) for q in FILTERED]
        return ([f"/analytics/{k}/?{q}" for k in FIGURES for q in queries]
                + [f"/api/v1/analytics/{k}/?{q}" for k in FIGURES for q in queries]
                + [f"/analytics/public/{k}/?{q}" for k in PUBLIC_FIGURES for q in queries])

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        # the public figures too, with their record keys (test_public_filtered_figures_...)
        assert response.context is None or response.context["figure"].stored, url
        return len(queries)

    refresh_stored_figures()
    for url in urls():
        client.get(url)
    small = {url: count(url) for url in urls()}
    grow(world)
    refresh_stored_figures()
    assert {url: count(url) for url in urls()} == small
    assert max(n for url, n in small.items() if "reviewing" not in url) <= MAX_QUERIES, small
    # Reviewing asks, besides, whether the facts still describe the viewer's agency and no
    # review was flagged since (facts.may_count_reviewing: two queries).
    assert max(small.values()) <= MAX_QUERIES + 2, small
    grow(world, n=12)
    refresh_stored_figures()
    assert {url: count(url) for url in urls()} == small


@pytest.mark.parametrize("public", [False, True])
def test_every_figure_kind_comes_back_the_same_from_json(world, public):
    manager = world["manager"]
    for key in PUBLIC_FIGURES if public else FIGURES:
        for chosen in ({}, {"round": world["r1"]}):
            figure = BUILDERS[key](viewer=None if public else manager, chosen=chosen,
                                   public=public)
            figure.computed_at = timezone.now()
            text = json.dumps(figure_data(figure))  # JSON's types only, or this raises
            back = figure_from_data(json.loads(text))
            assert numbers(back) == numbers(figure), key
            assert back.computed_at == figure.computed_at
            for table, again in zip(figure.tables, back.tables, strict=True):
                assert [k for k, _h in table.columns] == [k for k, _h in again.columns]
                assert [str(h) for _k, h in table.columns] == [h for _k, h in again.columns]
                for row, row_again in zip(table.rows, again.rows, strict=True):
                    assert {k: str(v) for k, v in row.items()} == \
                        {k: str(v) for k, v in row_again.items()}
                    for k, v in row.items():  # money stays Decimal, numbers numbers
                        assert isinstance(row_again[k], Decimal) == isinstance(v, Decimal), k
                assert table.cells == again.cells
            assert len(back.charts) == len(figure.charts)
            for chart, again in zip(figure.charts, back.charts, strict=True):
                assert (str(chart.title), chart.shapes, chart.series, chart.line) == \
                    (again.title, again.shapes, again.series, again.line)
                assert again.uid != chart.uid  # its own id on the page


def test_what_is_not_plain_data_is_refused():
    from analytics.serial import _value

    with pytest.raises(ValueError):
        _value(object())
    with pytest.raises(ValueError):
        _value({1: "a"})
    assert _value({"a": Decimal("1.50")}) == {"a": {"$decimal": "1.50"}}


def test_a_stored_row_is_read_as_data_never_unpickled(world):
    import pickle

    refresh_stored_figures()
    row = StoredFigure.objects.filter(key="funnel", public=False).first()
    assert isinstance(row.figure, dict) and row.figure["key"] == "funnel"
    # Something that is not a figure (e.g. an old pickle's bytes as text): computed live.
    StoredFigure.objects.filter(pk=row.pk).update(
        figure={"pickle": pickle.dumps({"x": 1}).hex()})
    with __import__("django").utils.translation.override(row.language):
        served = build("funnel", viewer=world["manager"], chosen={})
    assert not served.stored


def test_a_conflicted_reviewer_with_own_reviews_gets_the_live_reviewing_from_the_facts(world):
    """The Reviewing figure from the facts leaves out, for its viewer, the others' reviews of
    proposals they have a conflict with (their own stay), and every review of a proposal
    whose review by them is open: as the live one, for each kind of filter."""
    from reviews.factories import AssignmentFactory
    from reviews.models import Panel

    manager, p = world["manager"], world["p"]
    manager.agency = world["agencies"]["C"]  # party to rev, inel, rej, rec, dec, closed...
    manager.save()
    panel = Panel.objects.filter(round=world["r1"]).first()
    AssignmentFactory(proposal=p["rev"], panel=panel, reviewer=manager, submitted=True,
                      score=4)  # their own, on a proposal they have a conflict with
    AssignmentFactory(proposal=p["rej"], panel=panel, reviewer=manager)  # open: rej hidden
    refresh_stored_figures()
    checked = 0
    for name, chosen in choices(world).items():
        served = build("reviewing", viewer=manager, chosen=chosen)
        assert served.stored, name
        assert numbers(served) == numbers(
            BUILDERS["reviewing"](viewer=manager, chosen=chosen)), name
        checked += served.summary["assignments"]
    assert checked  # not all empty


def _published(world) -> dict:
    """Every public filtered figure as served, by filter and figure."""
    return {(name, key): numbers(build(key, viewer=None, chosen=chosen, public=True))
            for name, chosen in choices(world).items() for key in PUBLIC_FIGURES}


def _keyed_rows(monkeypatch) -> list:
    """The rows of every public table as they go to publication (public.py), `_keys`
    included: each suppress_* call records a copy of its table's rows first."""
    import copy

    from analytics import public as public_rules

    seen = []

    def recording(original):
        def suppress(table, *args, **kwargs):
            seen.append((table.key, copy.deepcopy(table.rows)))
            return original(table, *args, **kwargs)
        return suppress

    for name in ("suppress_table", "suppress_money", "suppress_spread_rows"):
        monkeypatch.setattr(public_rules, name, recording(getattr(public_rules, name)))
    return seen


def _record_keys(world) -> None:
    """Fixed, non-zero, unequal record keys (the same published values every run)."""
    from proposals.models import Proposal

    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    for i, pk in enumerate(ids):
        Proposal.objects.filter(pk=pk).update(record_key=(97 * i + 13) % 255 + 1)


def test_public_filtered_figures_from_the_facts_are_the_live_ones_with_their_keys(
        world, settings, monkeypatch):
    """A public filtered figure is counted from the facts (they carry each proposal's record
    key, `FactsRun.keyed`): for every filter and public figure, the cells it publishes and
    their cell keys (`_keys`, before publication) are the live figure's, and not the ones
    those counts would give without their keys."""
    from analytics.figures import facts_run
    from proposals.models import Proposal

    settings.ANALYTICS_CACHE_SECONDS = 0
    _record_keys(world)
    refresh_stored_figures()
    run = facts.fresh_run()
    assert run is not None and run.keyed
    served = _published(world)
    rows = _keyed_rows(monkeypatch)
    nonzero = 0
    for (name, key), shown in served.items():
        chosen = choices(world)[name]
        assert facts_run(key, viewer=None, chosen=chosen, public=True) == run
        rows.clear()
        from_facts = build(key, viewer=None, chosen=chosen, public=True)
        assert from_facts.stored, (name, key)
        facts_rows = list(rows)
        rows.clear()
        live = BUILDERS[key](viewer=None, chosen=chosen, public=True)
        assert not live.stored
        assert shown == numbers(from_facts) == numbers(live), (name, key)
        assert facts_rows == rows and rows, (name, key)  # every cell and its key
        nonzero += sum(1 for _t, table in rows for row in table if any(row["_keys"].values()))
    assert nonzero  # keys that count
    # The keys count: with every record key 0 some published value differs.
    Proposal.objects.update(record_key=0)
    refresh_stored_figures()
    assert _published(world) != served


def _sums(found):
    """A counting function's answer with a key sum over nothing (None live: SQL's SUM of
    no rows) as 0, as the figures read it (`or 0`)."""
    if isinstance(found, dict):
        return {k: 0 if v is None and str(k).startswith("key_") else _sums(v)
                for k, v in found.items()}
    return found


def test_each_public_count_from_the_facts_has_the_live_key_sum(world):
    """The facts' counting functions give, for a public figure, the same counts and the same
    sums of record keys (before they become cell keys) as the live ones, for every filter."""
    from analytics import selectors

    _record_keys(world)
    refresh_stored_figures()
    sums = 0
    for name, chosen in choices(world).items():
        for part in ("funnel_counts", "collaboration_counts", "money_figures",
                     "outcome_counts"):
            kept = getattr(facts, part)(chosen=chosen, public=True)
            live = getattr(selectors, part)(chosen=chosen, public=True)
            assert _sums(kept) == _sums(live), (name, part)
        kept = facts.durations(chosen=chosen, public=True)
        live = selectors.durations(chosen=chosen, public=True)
        assert {k: (s.count, s.key) for k, s in kept.items()} == \
            {k: (s.count, s.key) for k, s in live.items()}, name
        sums += sum(s.key for s in live.values()) + sum(
            facts.funnel_counts(chosen=chosen, public=True)["keys"].values())
    assert sums


def test_a_public_figure_never_comes_from_facts_without_their_keys(world, settings):
    """Facts not marked as carrying their record keys (`keyed`), or of another version, are
    never read for a public figure: it is computed live, keys included; the fund managers'
    figures still come from them."""
    from analytics.figures import facts_run

    settings.ANALYTICS_CACHE_SECONDS = 0
    _record_keys(world)
    refresh_stored_figures()
    chosen = {"fund": world["funds"][0]}
    assert build("funnel", viewer=None, chosen=chosen, public=True).stored
    FactsRun.objects.update(keyed=False)
    run = facts.fresh_run()
    for key in PUBLIC_FIGURES:
        assert facts_run(key, viewer=None, chosen=chosen, public=True) is None
        served = build(key, viewer=None, chosen=chosen, public=True)
        assert not served.stored, key
        assert numbers(served) == numbers(BUILDERS[key](viewer=None, chosen=chosen,
                                                         public=True)), key
        # Even handed those facts, the figure counts live.
        assert numbers(BUILDERS[key](viewer=None, chosen=chosen, public=True, facts=run)) \
            == numbers(served), key
    assert build("funnel", viewer=world["manager"], chosen=chosen).stored
    # Facts changed (no keys at all) are what a keyed run would serve: proof it reads them.
    ProposalFact.objects.update(record_key=0)
    FactsRun.objects.update(keyed=True)
    assert build("times", viewer=None, chosen=chosen, public=True).stored


def test_a_public_figure_with_its_keys_comes_back_the_same_from_json():
    """A public table's cells keep their keys (`_keys`) through JSON until publication, and
    publish the same numbers after it."""
    from analytics import public as public_rules
    from analytics.figures import Figure, Table

    rows = [{"round": "R", "submitted": n, "_keys": {"submitted": k}}
            for n, k in ((7, 3), (12, 200), (3, 9), (0, 0), (58, 77))]
    unkeyed = [{**row, "_keys": {"submitted": 0}} for row in rows]
    figure = Figure("funnel", "The funnel", "", tables=[Table(
        "rounds", "Rounds", [("round", "Round"), ("submitted", "Submitted")], rows)])
    figure.computed_at = timezone.now()
    back = figure_from_data(json.loads(json.dumps(figure_data(figure))))
    assert back.tables[0].rows == rows
    for f in (figure, back):
        public_rules.suppress_table(f.tables[0], counts=["submitted"])
    assert back.tables[0].rows == figure.tables[0].rows
    assert all("_keys" not in row for row in back.tables[0].rows)
    # Not the values the same counts publish under other keys.
    other = Table("rounds", "Rounds", [("round", "Round"), ("submitted", "Submitted")],
                  unkeyed)
    public_rules.suppress_table(other, counts=["submitted"])
    assert other.rows != back.tables[0].rows


def test_a_cached_figure_of_an_older_version_is_never_served(world, settings, monkeypatch):
    """The cache key holds stored.VERSION: after a deploy that changes the figures' shape or
    the public rules, a figure cached before it is not served."""
    from django.core.cache import cache

    from analytics import figures

    settings.ANALYTICS_CACHE_SECONDS = 300
    cache.clear()
    chosen = {"round": world["r1"]}
    first = build("funnel", viewer=None, chosen=chosen, public=True)
    old_key = figures._cache_key("funnel", viewer=None, chosen=chosen, public=True)
    kept = cache.get(old_key)
    assert kept is not None
    kept["title"] = "Cached before the deploy"
    cache.set(old_key, kept, 300)
    assert build("funnel", viewer=None, chosen=chosen, public=True).title == \
        "Cached before the deploy"  # the same version: served from the cache
    monkeypatch.setattr(figures, "VERSION", figures.VERSION + 1)
    assert figures._cache_key("funnel", viewer=None, chosen=chosen, public=True) != old_key
    again = build("funnel", viewer=None, chosen=chosen, public=True)
    assert again.title == first.title != "Cached before the deploy"
    cache.clear()


def test_reviewing_agreement_from_the_facts_needs_two_proposals(world):
    """Fewer than two proposals with two submitted reviews: no agreement measured (null with
    the note), from the facts as live (reviews.calibration.AGREEMENT_MIN_PROPOSALS)."""
    from reviews.calibration import TOO_FEW_TO_MEASURE

    manager = world["manager"]
    refresh_stored_figures()
    seen = {"few": 0, "measured": 0}
    for name, chosen in choices(world).items():
        served = build("reviewing", viewer=manager, chosen=chosen)
        assert served.stored, name
        if served.summary["proposals_with_two_or_more_reviews"] < 2:
            seen["few"] += 1
            assert served.summary["within_spread"] is None, name
            assert served.summary["mean_spread"] is None, name
            assert any(str(TOO_FEW_TO_MEASURE) in str(n) for n in served.notes), name
        else:
            seen["measured"] += 1
            assert served.summary["within_spread"] is not None, name
    assert seen["few"] and seen["measured"], seen
