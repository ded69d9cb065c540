"""One interface, two databases: PostgreSQL full-text search (with pg_trgm for titles) in
production, SQLite FTS5 for the embedded default (search/index.py keeps both indexes).

A backend gives SQL pieces that the selectors put into ordinary querysets, so that who may
see what (proposals_visible_to, learnings_visible_to) is applied by the ORM in the same query:

- `matches(kind, terms, mode)`: the ids whose text matches (for `pk__in`);
- `rank(kind, terms, mode, title)`: the match's rank for the row of the outer query (higher
  is better; on PostgreSQL plus the title's trigram similarity to `title` when given);
- `headlines(kind, ids, terms, mode)`: the title and a passage of the rows shown, with the
  matches between text.MARK_START and text.MARK_END (escaped later by `text.highlighted`);
- `find_for_each(kind, wanted, limit)`: the best few matches for each of several objects at
  once, one query (the screening queue's likely duplicates).

`scope` is "all" (every indexed text) or "register" (a proposal's title and summary only: the
register entry of funded work, for a viewer who may not open the proposal).

`mode` is "all" (every word), "any" (one of them), "two" (any two of them), "two-of-title"
(two words, one of them from the title; the text's words are marked with a leading "~") or
"title" (every word but one, in the title: a near-duplicate). Words come from `text.parse_query` or
`selectors.similarity_terms`: letters and digits only, so they are safe inside either
database's query syntax; they still travel as parameters.
"""

from dataclasses import dataclass
from itertools import combinations

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import F, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper

from .text import MARK_END, MARK_START

KINDS = {
    # kind: (source table, PostgreSQL document table, its id column, FTS5 table)
    "proposal": ("proposals_proposal", "search_proposal_document", "proposal_id",
                 "search_proposal_fts"),
    "learning": ("rewards_learning", "search_learning_document", "learning_id",
                 "search_learning_fts"),
}
# What the passage is made from (the B and C texts), per kind.
SNIPPET_SOURCES = {
    "proposal": ("summary", "problem", "hypothesis", "approach", "expected_outcomes"),
    "learning": ("what_we_learned", "what_we_tried", "what_happened"),
}
# A register entry (DOMAIN.md: title, summary, agencies, outcome) that the viewer may not open
# is matched and quoted on its title and summary only (scope "register"): its other texts are
# not the viewer's to search. Scope "all" is every indexed text.
SCOPES = ("all", "register")
REGISTER_SNIPPET = {"proposal": ("summary",), "learning": SNIPPET_SOURCES["learning"]}
# SQLite: at most this many matches are ranked (the embedded default holds far fewer).
MAX_RANKED = 5_000
NEVER_SUBMITTED_SQL = "(s.state = 'draft' OR (s.state = 'withdrawn' AND s.submitted_at IS NULL))"


@dataclass
class Match:
    id: int
    rank: float
    source: int | None = None  # for `find_for_each`: the id the match was found for


@dataclass
class Wanted:
    """One search of `find_for_each`: the words to look for on behalf of object `source`."""

    source: int
    terms: list[str]
    title: str = ""


def _clauses(terms: list[str], mode: str) -> list[list[str]]:
    """The query as OR-ed groups of AND-ed words."""
    if mode == "all":
        return [terms]
    if mode == "any" or len(terms) < 2:
        return [[t] for t in terms]
    if mode == "two":
        return [list(pair) for pair in combinations(terms, 2)]
    if mode == "two-of-title":  # two words, one of them from the title (the first words)
        title = [t for t in terms if not t.startswith("~")]
        body = [t.lstrip("~") for t in terms if t.startswith("~")]
        return [list(pair) for pair in combinations(title, 2)] + [
            [t, b] for t in title for b in body]
    if mode == "title":
        if len(terms) < 3:
            return [terms]
        return [[t for t in terms if t != left_out] for left_out in terms]
    raise ValueError(mode)


class Backend:
    vendor = ""

    def query(self, terms: list[str], mode: str, scope: str = "all") -> str:
        raise NotImplementedError

    def ranked(self, queryset, kind: str, terms: list[str], mode: str, title: str = "",
               scope: str = "all"):
        """`queryset` (what the viewer may see) narrowed to the matches, with `search_rank`."""
        return queryset.filter(pk__in=self.matches(kind, terms, mode, scope)).annotate(
            search_rank=self.rank(kind, terms, mode, title, scope))

    def matches(self, kind: str, terms: list[str], mode: str, scope: str = "all") -> RawSQL:
        raise NotImplementedError

    def rank(self, kind: str, terms: list[str], mode: str, title: str = "",
             scope: str = "all") -> RawSQL:
        raise NotImplementedError

    def headlines(self, kind: str, ids: list[int], terms: list[str],
                  mode: str, scope: str = "all") -> dict[int, tuple[str, str]]:
        raise NotImplementedError

    def find_for_each(self, kind: str, wanted: list[Wanted], limit: int = 5) -> list[Match]:
        raise NotImplementedError

    def _union(self, parts, params) -> list[Match]:
        if not parts:
            return []
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return [Match(source=r[0], id=r[1], rank=float(r[2] or 0)) for r in cursor.fetchall()]


class PostgresBackend(Backend):
    """`tsvector` documents (weights A, B, C) matched with `to_tsquery('english', …)` through
    their GIN index, ranked by `ts_rank` plus pg_trgm's `similarity` of the titles (near-
    duplicate titles rise); `ts_headline` marks the matches of the rows shown."""

    vendor = "postgresql"
    HEADLINE_TITLE = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
    HEADLINE_TEXT = (f"MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \", "
                     f"StartSel={MARK_START}, StopSel={MARK_END}")
    SNIPPET_CHARS = 4000  # ts_headline reads this much of the text, not 100,000 characters

    def query(self, terms, mode, scope="all"):
        weight = ":A" if mode == "title" else (":AB" if scope == "register" else "")
        groups = [" & ".join(f"{t}{weight}" for t in group) for group in _clauses(terms, mode)]
        return " | ".join(f"({g})" for g in groups)

    def ranked(self, queryset, kind, terms, mode, title="", scope="all"):
        """A join of each visible row to its document: the GIN index finds the matches, the
        visibility test runs on the row itself, `ts_rank` in the join."""
        query = SearchQuery(self.query(terms, mode, scope), config="english",
                            search_type="raw")
        rank = SearchRank(F("search_document__document"), query)
        if title and has_trigrams():
            rank = rank + TrigramSimilarity(Upper("title"), title.upper())
        return queryset.filter(search_document__document=query).annotate(search_rank=rank)

    def matches(self, kind, terms, mode, scope="all"):
        _, table, id_column, _ = KINDS[kind]
        return RawSQL(f"SELECT {id_column} FROM {table} "
                      f"WHERE document @@ to_tsquery('english', %s)",
                      [self.query(terms, mode, scope)])

    def rank(self, kind, terms, mode, title="", scope="all"):
        source, table, id_column, _ = KINDS[kind]
        sql = (f"(SELECT ts_rank(d.document, to_tsquery('english', %s)) FROM {table} d "
               f"WHERE d.{id_column} = {source}.id)")
        params = [self.query(terms, mode, scope)]
        if title and has_trigrams():
            sql = f"({sql} + similarity(UPPER({source}.title::text), UPPER(%s)))"
            params.append(title)
        return RawSQL(sql, params, output_field=FloatField())

    def headlines(self, kind, ids, terms, mode, scope="all"):
        if not ids:
            return {}
        source = KINDS[kind][0]
        columns = REGISTER_SNIPPET[kind] if scope == "register" else SNIPPET_SOURCES[kind]
        text = ", ".join(f"t.{c}" for c in columns)
        sql = (f"SELECT t.id, ts_headline('english', t.title, q.query, %s), "
               f"ts_headline('english', left(concat_ws(' ', {text}), {self.SNIPPET_CHARS}), "
               f"q.query, %s) FROM {source} t, to_tsquery('english', %s) AS q(query) "
               f"WHERE t.id = ANY(%s)")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.HEADLINE_TITLE, self.HEADLINE_TEXT,
                                 self.query(terms, mode, scope), list(ids)])
            return {r[0]: (r[1] or "", r[2] or "") for r in cursor.fetchall()}

    def find_for_each(self, kind, wanted, limit=5):
        source, table, id_column, _ = KINDS[kind]
        trigrams = has_trigrams()
        parts, params = [], []
        for want in wanted:
            if not want.terms:
                continue
            similar = "similarity(UPPER(s.title::text), UPPER(%s))" if trigrams else "0"
            parts.append(
                f"SELECT * FROM (SELECT %s AS source, s.id, ts_rank(d.document, q.query) "
                f"+ {similar} AS rank FROM {table} d JOIN {source} s ON s.id = d.{id_column}, "
                f"to_tsquery('english', %s) AS q(query) WHERE d.document @@ q.query "
                f"AND s.id <> %s" + (f" AND NOT {NEVER_SUBMITTED_SQL}" if kind == "proposal"
                                     else "") + " ORDER BY rank DESC, s.id DESC LIMIT %s) x")
            params += [want.source, *([want.title] if trigrams else []),
                       self.query(want.terms, "title"), want.source, limit]
        return self._union(parts, params)


class SqliteBackend(Backend):
    """FTS5 tables (porter stemming) matched with a query of quoted words, ranked by `bm25`
    (title weighs 10, summary or lesson 4, the rest 1); `highlight` and `snippet` mark the
    matches. FTS5's functions take the table's own name, never an alias."""

    vendor = "sqlite"
    WEIGHTS = "10.0, 4.0, 1.0"

    def query(self, terms, mode, scope="all"):
        groups = [" AND ".join(f'"{t}"' for t in group) for group in _clauses(terms, mode)]
        text = " OR ".join(f"({g})" for g in groups)
        if mode == "title":
            return f"title : ({text})"
        return f"{{title second}} : ({text})" if scope == "register" else text

    def matches(self, kind, terms, mode, scope="all"):
        fts = KINDS[kind][3]
        return RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s LIMIT {MAX_RANKED}",
                      [self.query(terms, mode, scope)])

    def rank(self, kind, terms, mode, title="", scope="all"):
        source, fts = KINDS[kind][0], KINDS[kind][3]
        return RawSQL(f"(SELECT -bm25({fts}, {self.WEIGHTS}) FROM {fts} WHERE {fts} MATCH %s "
                      f"AND {fts}.rowid = {source}.id)", [self.query(terms, mode, scope)],
                      output_field=FloatField())

    def headlines(self, kind, ids, terms, mode, scope="all"):
        if not ids:
            return {}
        fts = KINDS[kind][3]
        marks = ", ".join(["%s"] * len(ids))
        # A passage of the summary (or lesson) when it matches, else of the other texts.
        sql = (f"SELECT rowid, highlight({fts}, 0, %s, %s), "
               f"snippet({fts}, 1, %s, %s, ' … ', 24), snippet({fts}, 2, %s, %s, ' … ', 24) "
               f"FROM {fts} WHERE {fts} MATCH %s AND rowid IN ({marks})")
        with connection.cursor() as cursor:
            cursor.execute(sql, [*(MARK_START, MARK_END) * 3, self.query(terms, mode, scope),
                                 *ids])
            rows = cursor.fetchall()
        if scope == "register":  # the summary only, never the other texts
            return {r[0]: (r[1] or "", r[2] or "") for r in rows}
        return {r[0]: (r[1] or "", r[2] if MARK_START in (r[2] or "") or MARK_START not in
                       (r[3] or "") else r[3]) for r in rows}

    def find_for_each(self, kind, wanted, limit=5):
        source, fts = KINDS[kind][0], KINDS[kind][3]
        parts, params = [], []
        for want in wanted:
            if not want.terms:
                continue
            parts.append(
                f"SELECT * FROM (SELECT %s AS source, s.id, -bm25({fts}, {self.WEIGHTS}) AS rank "
                f"FROM {fts} JOIN {source} s ON s.id = {fts}.rowid WHERE {fts} MATCH %s "
                f"AND s.id <> %s" + (f" AND NOT {NEVER_SUBMITTED_SQL}" if kind == "proposal"
                                     else "") + " ORDER BY rank DESC, s.id DESC LIMIT %s)")
            params += [want.source, self.query(want.terms, "title"), want.source, limit]
        return self._union(parts, params)


_TRIGRAMS: dict[str, bool] = {}


def has_trigrams() -> bool:
    """pg_trgm is installed (its migration may have lacked the right to create it); asked
    once per database."""
    name = connection.settings_dict["NAME"]
    if name not in _TRIGRAMS:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _TRIGRAMS[name] = cursor.fetchone() is not None
    return _TRIGRAMS[name]


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
