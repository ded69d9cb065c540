"""Search and similar work: who may see what is decided here, in the query itself.

- Proposals: `proposals.selectors.proposals_visible_to` (lead, team, invitation, assignment,
  chair without conflict, fund managers and HR once submitted), plus, for anyone signed in,
  the register of funded work (DOMAIN.md: funded, outcome-reported and closed proposals with
  an award not cancelled are visible to every signed-in person as a register entry: title,
  summary, agencies, outcome). A register entry the viewer may not open is shown without a
  link. Visitors (not signed in) get no proposals.
- Learnings: `rewards.selectors.learnings_visible_to` (signed-in people see all; visitors only
  the public ones).

Ranking is the database's (search/backends.py). Similar work re-ranks the database's best
candidates with measures computed here the same way on both databases (trigram similarity of
the titles, as pg_trgm computes it, and the overlap of the texts' words), so a "likely
duplicate" means the same on PostgreSQL and SQLite. Every function runs a fixed number of
queries whatever the data size (tests/search/test_queries.py).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.safestring import SafeString

from fund.selectors import register_entries
from proposals.models import OutcomeReport, Proposal
from proposals.selectors import NEVER_SUBMITTED, proposals_visible_to
from rewards.models import Learning
from rewards.selectors import learnings_visible_to, outcome_label, with_proposal_shown

from .backends import Wanted, backend
from .models import SimilarCandidate
from .text import (
    ParsedQuery,
    content_words,
    dice,
    highlighted,
    parse_query,
    stem,
    stems,
    trigram_similarity,
)

SEARCH_LIMIT = 20  # results of each kind on the page and in the API (at most MAX_LIMIT)
MAX_LIMIT = 50
CANDIDATES = 30  # the database's best matches that similar work re-ranks
SIMILAR_TERMS = 10  # words of a proposal that similar work searches for
# Text score (0..1) from which an earlier proposal is shown as a likely duplicate, chosen on
# the labelled set (tests/search/labelled.py): its non-matches score at most 0.34 (a proposal
# sharing "SMS reminders" with other work), two thirds of its true pairs (rewordings by
# another ministry) score above 0.36. The score is computed here, so it is the same on both
# databases.
DUPLICATE_AT = 0.36
# The same for a register entry the viewer may not open, compared on titles and summaries
# only (shorter texts score higher): on the labelled set its non-matches score at most 0.364,
# and 33 of its 45 true pairs at least 0.37, as with DUPLICATE_AT on every text.
REGISTER_DUPLICATE_AT = 0.37
# Words every proposal of the fund uses: they say nothing about what it is about, and each
# is in most documents, so searching for them would read most of the index.
GENERIC = frozenset("""
pilot project proposal programme program will also use using used new would per one two three
first month months year years week weeks day days experiment experiments test tests testing
citizen citizens people person service services public government agency agencies ministry
office offices time times many long often better improve improving improved make makes made
help helps work works need needs get gets way ways like less fewer much every still
""".split())


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def searchable_proposals(viewer) -> QuerySet[Proposal]:
    """Proposals `viewer` may find: those they may see, and the register for anyone signed in
    (one WHERE on the proposal's own row, so a search reads its matches, not every row)."""
    if not _signed_in(viewer):
        return Proposal.objects.none()
    return proposals_visible_to(viewer) | Proposal.objects.filter(register_entries())


def _visible(kind: str, viewer) -> QuerySet:
    return searchable_proposals(viewer) if kind == "proposal" else learnings_visible_to(viewer)


def _with_details(kind: str, ids, viewer=None) -> dict:
    """The rows to show, with what a result shows of them (agencies, outcome), by id; a
    learning with `proposal_shown` for `viewer` (rewards.selectors.with_proposal_shown)."""
    if kind == "proposal":
        qs = Proposal.objects.select_related("lead__agency", "outcome_report", "round") \
            .prefetch_related("partner_agencies")
    else:
        qs = with_proposal_shown(Learning.objects.all(), viewer) \
            .select_related("proposal__lead__agency") \
            .prefetch_related("proposal__partner_agencies")
    return qs.in_bulk(ids)


def _searched(kind, viewer, universe) -> list[tuple[QuerySet, str]]:
    """What is searched, and in which texts (search/backends.py SCOPES): given `universe`,
    all of it in every text; else the proposals `viewer` may open in every text, and the
    register of funded work in its title and summary only (a register entry shows no more,
    so it must not match, nor be quoted, on what it does not show)."""
    if universe is not None:
        return [(universe, "all")]
    if kind == "proposal":
        if not _signed_in(viewer):
            return []
        return [(proposals_visible_to(viewer), "all"),
                (Proposal.objects.filter(register_entries()), "register")]
    return [(learnings_visible_to(viewer), "all")]


def _ranked(kind, viewer, terms, mode, *, limit, exclude=None, title="", universe=None) -> list:
    """The `limit` best matches `viewer` may see (or, given `universe`, of that queryset),
    best first, each with `search_rank`: ids and ranks first (a narrow sort; for proposals one
    for those the viewer may open, one for the register), then the rows shown (at most four
    queries)."""
    ranks: dict[int, float] = {}
    for among, scope in _searched(kind, viewer, universe):
        qs = backend().ranked(among, kind, terms, mode, title, scope)
        if exclude is not None:
            qs = qs.exclude(pk=exclude)
        for pk, rank in qs.order_by("-search_rank", "-pk").values_list(
                "pk", "search_rank")[:limit]:
            ranks[pk] = max(ranks.get(pk, rank or 0.0), rank or 0.0)
    best = sorted(ranks.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    objects = _with_details(kind, [pk for pk, _ in best], viewer) if best else {}
    found = []
    for pk, rank in best:
        if pk in objects:
            objects[pk].search_rank = rank
            found.append(objects[pk])
    return found


# --- what a result shows ------------------------------------------------------------------------
@dataclass
class Hit:
    """One proposal or learning found, as the viewer may see it."""

    kind: str  # "proposal" or "learning"
    obj: object
    rank: float = 0.0
    title_html: SafeString | str = ""
    snippet_html: SafeString | str = ""
    may_open: bool = True
    score: float = 0.0  # similar work: 0..1, the same on both databases

    @property
    def id(self) -> int:
        return self.obj.pk

    @property
    def title(self) -> str:
        return self.obj.title

    @property
    def url(self) -> str:
        if not self.may_open:
            return ""
        if self.kind == "proposal":
            return reverse("proposals:detail", args=[self.obj.pk])
        return reverse("rewards:learning_detail", args=[self.obj.pk])

    @property
    def proposal(self) -> Proposal | None:
        """A proposal itself; a learning's proposal only where the viewer may see it (a
        learning linked to someone's draft does not name it, nor its agencies)."""
        if self.kind == "proposal":
            return self.obj
        return self.obj.proposal if getattr(self.obj, "proposal_shown", False) else None

    @property
    def agencies(self) -> list:
        """The lead's agency, then the partner agencies (prefetched)."""
        proposal = self.proposal
        if proposal is None:
            return []
        found = [proposal.lead.agency] if proposal.lead.agency_id else []
        found += [a for a in proposal.partner_agencies.all() if a.pk != proposal.lead.agency_id]
        return found

    @property
    def status(self) -> str:
        """A proposal's outcome when reported, else its state; a learning's kind."""
        if self.kind == "learning":
            return self.obj.get_kind_display()
        outcome = _outcome(self.obj)
        return outcome_label(outcome) if outcome else self.obj.get_state_display()

    @property
    def lesson(self) -> str:
        """What a learning says was learned (a proposal has none)."""
        return self.obj.what_we_learned if self.kind == "learning" else ""

    @property
    def likely_duplicate(self) -> bool:
        at = DUPLICATE_AT if self.may_open else REGISTER_DUPLICATE_AT
        return self.kind == "proposal" and self.score >= at


def _outcome(proposal) -> OutcomeReport | None:
    try:
        return proposal.outcome_report
    except OutcomeReport.DoesNotExist:
        return None


def _openable(viewer, ids) -> set[int]:
    """Of these proposals, those `viewer` may open (the others are register entries)."""
    if not ids:
        return set()
    return set(proposals_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))


# --- the search page and the API ----------------------------------------------------------------
@dataclass
class SearchResults:
    query: ParsedQuery
    kind: str = "all"
    proposals: list[Hit] = field(default_factory=list)
    learnings: list[Hit] = field(default_factory=list)
    any_word: bool = False  # nothing had every word: results have any of them

    @property
    def message(self) -> str:
        return self.query.message

    @property
    def found(self) -> bool:
        return bool(self.proposals or self.learnings)


KINDS = ("all", "proposals", "learnings")


def _hits(kind, viewer, terms, mode, limit) -> list[Hit]:
    found = _ranked(kind, viewer, terms, mode, limit=limit)
    if not found:
        return []
    ids = [obj.pk for obj in found]
    openable = _openable(viewer, ids) if kind == "proposal" else set(ids)
    # A register entry the viewer may not open is quoted from its title and summary only.
    marked = backend().headlines(kind, [i for i in ids if i in openable], terms, mode)
    marked.update(backend().headlines(kind, [i for i in ids if i not in openable], terms, mode,
                                      "register"))
    return [Hit(kind, obj, obj.search_rank or 0.0, highlighted(marked.get(obj.pk, ("", ""))[0]),
                highlighted(marked.get(obj.pk, ("", ""))[1]), may_open=obj.pk in openable)
            for obj in found]


def search(*, viewer, q, kind: str = "all", limit: int = SEARCH_LIMIT) -> SearchResults:
    """Proposals and learnings `viewer` may see that hold every word of `q` (or, when none
    holds every word, any of them), best first, with their matches marked. At most four
    queries a kind, twice when falling back to any word."""
    parsed = parse_query(q)
    kind = kind if kind in KINDS else "all"
    results = SearchResults(query=parsed, kind=kind)
    if not parsed.searchable:
        return results
    limit = max(1, min(int(limit), MAX_LIMIT))
    wanted = [k for k in ("proposal", "learning") if kind in ("all", f"{k}s")]
    found = {k: _hits(k, viewer, parsed.terms, "all", limit) for k in wanted}
    if len(parsed.terms) > 1 and not any(found.values()):
        results.any_word = True
        found = {k: _hits(k, viewer, parsed.terms, "any", limit) for k in wanted}
    results.proposals = found.get("proposal", [])
    results.learnings = found.get("learning", [])
    return results


# --- similar earlier work -----------------------------------------------------------------------
def _proposal_text(p) -> str:
    return " ".join(filter(None, (p.title, p.summary, p.problem, p.hypothesis)))


def _register_text(p) -> str:
    """What a register entry shows of its text (DOMAIN.md): the title and the summary."""
    return " ".join(filter(None, (p.title, p.summary)))


def _proposal_hit_text(hit) -> str:
    """What a proposal found is compared on: all its text when the viewer may open it, else
    its register entry's (title and summary)."""
    return _proposal_text(hit.obj) if hit.may_open else _register_text(hit.obj)


def _learning_hit_text(hit) -> str:
    return _learning_text(hit.obj)


def _learning_text(item) -> str:
    return " ".join(filter(None, (item.title, item.what_we_tried, item.what_we_learned)))


def similarity_terms(title: str, text: str, limit: int = SIMILAR_TERMS) -> list[str]:
    """The words to look for: every word of the title, then the text's most frequent ones
    (marked "~", for the backends' "two-of-title" mode: a match shares two words, one of them
    from the title)."""
    keep = [w for w in dict.fromkeys(content_words(title)) if w not in GENERIC][:limit]
    counts = Counter(w for w in content_words(text)
                     if len(w) > 2 and w not in GENERIC and not w.isdigit())
    body = [w for w, _ in counts.most_common() if w not in keep][:max(0, limit - len(keep))]
    return [w[:40] for w in keep] + [f"~{w[:40]}" for w in body]


def text_score(title: str, text: str, other_title: str, other_text: str) -> float:
    """How alike two pieces of work read, 0..1, the same on both databases: the titles'
    trigram similarity (pg_trgm's measure), the overlap of the titles' words and of the
    texts' words (light stems, stop words left out)."""
    return (0.35 * trigram_similarity(title, other_title)
            + 0.25 * dice(stems(title), stems(other_title))
            + 0.40 * dice(stems(text), stems(other_text)))


def _reranked(hits: list[Hit], title: str, text: str, texts, shown: str = "") -> list[Hit]:
    """`hits` best first by how alike they read (`texts(hit)`: the text compared) and, a
    little, by the database's rank. A register entry the viewer may not open is compared on
    its title and summary with `shown` (the same of the proposal they are like)."""
    top = max((h.rank for h in hits), default=0) or 1.0
    for hit in hits:
        mine = text if hit.may_open or not shown else shown
        hit.score = text_score(title, mine, hit.obj.title, texts(hit))
        hit.rank = 0.8 * hit.score + 0.2 * max(hit.rank, 0) / top
    return sorted(hits, key=lambda h: (-h.rank, -h.obj.pk))


@dataclass
class SimilarWork:
    proposals: list[Hit] = field(default_factory=list)
    learnings: list[Hit] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.proposals or self.learnings)


def similar_to(proposal: Proposal, viewer, limit: int = 5) -> SimilarWork:
    """The earlier proposals and learnings most like `proposal` that `viewer` may see (never
    the proposal itself, nor its own learnings): title, agencies, state or outcome, and the
    learning's lesson. A fixed number of queries (at most eight)."""
    title, text = proposal.title, _proposal_text(proposal)
    terms = similarity_terms(title, text)
    if not terms:
        return SimilarWork()
    found = _ranked("proposal", viewer, terms, "two-of-title", limit=CANDIDATES,
                    exclude=proposal.pk, title=title)
    openable = _openable(viewer, [p.pk for p in found])
    proposals = [Hit("proposal", p, p.search_rank or 0.0, may_open=p.pk in openable)
                 for p in found]
    learned = _ranked("learning", viewer, terms, "two-of-title", limit=CANDIDATES)
    learnings = [Hit("learning", item, item.search_rank or 0.0) for item in learned
                 if item.proposal_id != proposal.pk]
    return SimilarWork(
        proposals=_reranked(proposals, title, text, _proposal_hit_text,
                            _register_text(proposal))[:limit],
        learnings=_reranked(learnings, title, text, _learning_hit_text)[:limit],
    )


# --- found once when a proposal is submitted, shown by who may see it ------------------------------
STORED_PROPOSALS = 20  # candidates kept per submitted proposal (before anyone's visibility)
STORED_LEARNINGS = 10
# The queue reads this many more than it shows of each row's stored duplicates, in case the
# best are ones the fund manager may not see (a proposal of their own agency's conflict).
DUPLICATE_SPARE = 2


def submitted_universe() -> QuerySet[Proposal]:
    """Every proposal that was ever submitted (drafts never are anyone's similar work)."""
    return Proposal.objects.exclude(NEVER_SUBMITTED)


def find_similar_candidates(proposal: Proposal) -> SimilarWork:
    """What `refresh_similar` stores: the earlier submitted proposals and the learnings most
    like `proposal`, whoever may see them (never the proposal itself, its own learnings or a
    draft), best first: at most STORED_PROPOSALS and STORED_LEARNINGS, each with `score`
    (text_score, 0..1) and `rank`. The database's best CANDIDATES matches on two words, one of
    them from the title, and its best near-duplicate titles, re-ranked here. At most seven
    queries whatever the data size; at national scale about a second (run in a task)."""
    title, text = proposal.title, _proposal_text(proposal)
    terms = similarity_terms(title, text)
    if not terms:
        return SimilarWork()
    found = _ranked("proposal", None, terms, "two-of-title", limit=CANDIDATES,
                    exclude=proposal.pk, title=title, universe=submitted_universe())
    seen = {p.pk for p in found}
    title_terms = [w for w in dict.fromkeys(content_words(title)) if w not in GENERIC][:8]
    near = backend().find_for_each(
        "proposal", [Wanted(source=proposal.pk, title=title, terms=title_terms)], limit=5)
    extra = [m for m in near if m.id not in seen]
    if extra:
        rows = _with_details("proposal", [m.id for m in extra])
        for m in extra:
            if m.id in rows:
                rows[m.id].search_rank = m.rank
                found.append(rows[m.id])
    proposals = [Hit("proposal", p, p.search_rank or 0.0) for p in found]
    learned = _ranked("learning", None, terms, "two-of-title", limit=CANDIDATES,
                      universe=Learning.objects.exclude(proposal_id=proposal.pk))
    learnings = [Hit("learning", item, item.search_rank or 0.0) for item in learned]
    return SimilarWork(
        proposals=_reranked(proposals, title, text, _proposal_hit_text)[:STORED_PROPOSALS],
        learnings=_reranked(learnings, title, text, _learning_hit_text)[:STORED_LEARNINGS],
    )


def stored_similar_work(proposal: Proposal, viewer, limit: int = 5) -> SimilarWork:
    """The stored candidates of `proposal` (search.models.SimilarCandidate) that `viewer` may
    see now, best first, at most `limit` of each kind: proposals by `searchable_proposals`
    (a register entry the viewer may not open comes without a link), learnings by
    `learnings_visible_to`. A candidate the viewer may not see is left out, so a viewer may
    see fewer than `limit`. At most nine queries whatever the data size."""
    if not _signed_in(viewer):
        return SimilarWork()
    rows = list(SimilarCandidate.objects.filter(source_id=proposal.pk)
                .order_by("-rank", "-id").values_list("proposal_id", "learning_id", "score",
                                                      "rank"))
    if not rows:
        return SimilarWork()
    proposal_rows = [r for r in rows if r[0] is not None]
    learning_rows = [r for r in rows if r[1] is not None]
    work = SimilarWork()
    if proposal_rows:
        may_see = set(searchable_proposals(viewer).filter(
            pk__in=[r[0] for r in proposal_rows]).values_list("pk", flat=True))
        chosen = [r for r in proposal_rows if r[0] in may_see]
        objects = _with_details("proposal", [r[0] for r in chosen]) if chosen else {}
        openable = _openable(viewer, list(objects))
        hits = [Hit("proposal", objects[r[0]], r[3], score=r[2], may_open=r[0] in openable)
                for r in chosen if r[0] in objects]
        work.proposals = _register_checked(proposal, hits)[:limit]
    if learning_rows:
        may_see = set(learnings_visible_to(viewer).filter(
            pk__in=[r[1] for r in learning_rows]).values_list("pk", flat=True))
        chosen = [r for r in learning_rows if r[1] in may_see][:limit]
        objects = _with_details("learning", [r[1] for r in chosen], viewer) if chosen else {}
        work.learnings = [Hit("learning", objects[r[1]], r[3], score=r[2])
                          for r in chosen if r[1] in objects]
    return work


def _register_checked(proposal: Proposal, hits: list[Hit]) -> list[Hit]:
    """Stored candidates were found on every text; one the viewer may only see as a register
    entry is kept only if its title and summary share two of the words searched for (as the
    live search asks of it), and scored on them alone (so "likely duplicate" is not read from
    what it does not show). The order is kept."""
    terms = {stem(t.lstrip("~")) for t in similarity_terms(proposal.title,
                                                           _proposal_text(proposal))}
    kept = []
    for hit in hits:
        if not hit.may_open:
            if len(terms & stems(_register_text(hit.obj))) < 2:
                continue
            hit.score = text_score(proposal.title, _register_text(proposal), hit.obj.title,
                                   _register_text(hit.obj))
        kept.append(hit)
    return kept


def likely_duplicates(proposals, viewer, limit: int = 3) -> dict[int, list[Hit]]:
    """For each proposal of a page (the screening queue), the earlier proposals stored as
    reading like it (text score at least DUPLICATE_AT, search.models.SimilarCandidate) that
    `viewer` may see (`proposals_visible_to`), best first: of each row's best
    `limit + DUPLICATE_SPARE` stored, those the viewer may see. Two queries for the whole
    page, whatever its rows and the data size; reads only the rows' ids."""
    ids = [p.pk for p in proposals]
    if not ids or not _signed_in(viewer):
        return {}
    # The best few of each row, numbered in the database (a row may have twenty stored).
    place = Window(RowNumber(), partition_by=[F("source_id")], order_by=[F("score").desc(),
                                                                          F("id").desc()])
    rows = list(SimilarCandidate.objects.filter(
        source_id__in=ids, proposal__isnull=False, score__gte=DUPLICATE_AT)
        .annotate(place=place).filter(place__lte=limit + DUPLICATE_SPARE)
        .order_by("source_id", "-score", "-id").values_list("source_id", "proposal_id",
                                                            "score", "rank"))
    if not rows:
        return {}
    objects = proposals_visible_to(viewer).only("id", "title", "state").in_bulk(
        {r[1] for r in rows})
    by_source: dict[int, list[Hit]] = {}
    for source, other, score, rank in rows:
        if other in objects and len(by_source.get(source, ())) < limit:
            by_source.setdefault(source, []).append(
                Hit("proposal", objects[other], rank, score=score))
    return by_source
