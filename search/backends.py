"""One interface, two databases: PostgreSQL full-text search (with pg_trgm for titles) in
production, SQLite FTS5 for the embedded default (search/index.py keeps both indexes).

`backend()` answers for the default connection. A backend finds the ids of the best matches
of a list of words among a set of visible ids (a compiled subquery, so visibility is applied
in the same query), with a rank (higher is better) and, when asked, the title and a snippet
with the matches between text.MARK_START and text.MARK_END (escaped later by
`text.highlighted`). Words come from `text.parse_query`: letters and digits only, so they are
safe inside either database's query syntax; they still travel as parameters.
"""

from dataclasses import dataclass
from functools import cache

from django.db import connection

from .text import MARK_END, MARK_START

KINDS = {
    # kind: (source table, PostgreSQL document table and id column, FTS5 table)
    "proposal": ("proposals_proposal", "search_proposal_document", "proposal_id",
                 "search_proposal_fts"),
    "learning": ("rewards_learning", "search_learning_document", "learning_id",
                 "search_learning_fts"),
}
# What the snippet is made from (the B and C texts), per kind, on PostgreSQL.
SNIPPET_SOURCES = {
    "proposal": ("summary", "problem", "hypothesis", "approach", "expected_outcomes"),
    "learning": ("what_we_learned", "what_we_tried", "what_happened"),
}


@dataclass
class Match:
    id: int
    rank: float
    title: str = ""  # with match markers, when highlighted
    snippet: str = ""
    source: int | None = None  # for `find_for_each`: the id the match was found for


@dataclass
class Wanted:
    """One search of `find_for_each`: the words to look for on behalf of object `source`."""

    source: int
    terms: list[str]
    title: str = ""


class Backend:
    vendor = ""

    def find(self, kind: str, terms: list[str], *, visible: tuple[str, tuple], any_word=False,
             exclude: int | None = None, limit: int = 20, highlight: bool = False,
             title: str = "") -> list[Match]:
        raise NotImplementedError

    def find_for_each(self, kind: str, wanted: list[Wanted], *, visible: tuple[str, tuple],
                      limit: int = 5) -> list[Match]:
        raise NotImplementedError


class PostgresBackend(Backend):
    """`tsvector` documents (weights A, B, C) matched with `to_tsquery('english', …)`, ranked
    by `ts_rank`; near-duplicate titles by pg_trgm's `%` (its trigram index on the title) and
    `similarity`; `ts_headline` marks the matches of the rows shown."""

    vendor = "postgresql"
    HEADLINE_TITLE = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
    HEADLINE_TEXT = (f"MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \", "
                     f"StartSel={MARK_START}, StopSel={MARK_END}")

    @staticmethod
    def tsquery(terms: list[str], any_word: bool) -> str:
        return (" | " if any_word else " & ").join(terms)

    def _ranked(self, kind, terms, visible, any_word, exclude, limit, title):
        """The SQL (and its parameters) of the best `limit` visible ids with their rank."""
        source, table, id_column, _ = KINDS[kind]
        visible_sql, visible_params = visible
        params: list = [self.tsquery(terms, any_word)]
        candidates = f"SELECT d.{id_column} AS id FROM {table} d, q WHERE d.document @@ q.query"
        title_rank = "0"
        if title and has_trigrams():
            # Near-duplicate titles, through the trigram index on UPPER(title) (proposals 0006).
            candidates += (f" UNION SELECT s.id FROM {source} s "
                           f"WHERE UPPER(s.title::text) %% UPPER(%s)")
            params.append(title)
            title_rank = "similarity(UPPER(s.title::text), UPPER(%s))"
        sql = (
            f"WITH q AS (SELECT to_tsquery('english', %s) AS query), "
            f"candidates AS ({candidates}) "
            f"SELECT s.id, ts_rank(d.document, q.query) + {title_rank} AS rank "
            f"FROM candidates c JOIN {source} s ON s.id = c.id "
            f"JOIN {table} d ON d.{id_column} = s.id, q "
            f"WHERE s.id IN ({visible_sql})"
        )
        if title_rank != "0":
            params.append(title)
        params.extend(visible_params)
        if exclude is not None:
            sql += " AND s.id <> %s"
            params.append(exclude)
        sql += " ORDER BY rank DESC, s.id DESC LIMIT %s"
        params.append(limit)
        return sql, params

    def find(self, kind, terms, *, visible, any_word=False, exclude=None, limit=20,
             highlight=False, title=""):
        if not terms:
            return []
        sql, params = self._ranked(kind, terms, visible, any_word, exclude, limit, title)
        if highlight:
            source = KINDS[kind][0]
            text = ", ".join(f"t.{c}" for c in SNIPPET_SOURCES[kind])
            sql = (
                f"SELECT r.id, r.rank, ts_headline('english', t.title, q.query, %s), "
                f"ts_headline('english', concat_ws(' ', {text}), q.query, %s) "
                f"FROM ({sql}) r JOIN {source} t ON t.id = r.id, "
                f"(SELECT to_tsquery('english', %s) AS query) q ORDER BY r.rank DESC, r.id DESC"
            )
            params = [self.HEADLINE_TITLE, self.HEADLINE_TEXT, *params,
                      self.tsquery(terms, any_word)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if highlight:
            return [Match(id=r[0], rank=float(r[1]), title=r[2] or "", snippet=r[3] or "")
                    for r in rows]
        return [Match(id=r[0], rank=float(r[1])) for r in rows]

    def find_for_each(self, kind, wanted, *, visible, limit=5):
        parts, params = [], []
        for want in wanted:
            if not want.terms:
                continue
            sql, part_params = self._ranked(kind, want.terms, visible, True, want.source, limit,
                                             want.title)
            parts.append(f"SELECT %s AS source, m.id, m.rank FROM ({sql}) m")
            params.extend([want.source, *part_params])
        if not parts:
            return []
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return [Match(source=r[0], id=r[1], rank=float(r[2])) for r in cursor.fetchall()]


class SqliteBackend(Backend):
    """FTS5 tables (porter stemming) matched with a query of quoted words, ranked by `bm25`
    (title weighs 10, summary or lesson 4, the rest 1); `highlight` and `snippet` mark the
    matches."""

    vendor = "sqlite"
    WEIGHTS = "10.0, 4.0, 1.0"

    @staticmethod
    def match(terms: list[str], any_word: bool) -> str:
        return (" OR " if any_word else " AND ").join(f'"{t}"' for t in terms)

    def _ranked(self, kind, terms, visible, any_word, exclude, limit, highlight):
        f = KINDS[kind][3]  # FTS5's functions take the table's own name, never an alias
        visible_sql, visible_params = visible
        columns = f"{f}.rowid AS id, -bm25({f}, {self.WEIGHTS}) AS rank"
        params: list = []
        if highlight:
            columns += (f", highlight({f}, 0, %s, %s), snippet({f}, -1, %s, %s, ' … ', 24)")
            params += [MARK_START, MARK_END, MARK_START, MARK_END]
        sql = (f"SELECT {columns} FROM {f} WHERE {f} MATCH %s "
               f"AND {f}.rowid IN ({visible_sql})")
        params += [self.match(terms, any_word), *visible_params]
        if exclude is not None:
            sql += f" AND {f}.rowid <> %s"
            params.append(exclude)
        sql += f" ORDER BY rank DESC, {f}.rowid DESC LIMIT %s"
        params.append(limit)
        return sql, params

    def find(self, kind, terms, *, visible, any_word=False, exclude=None, limit=20,
             highlight=False, title=""):
        if not terms:
            return []
        sql, params = self._ranked(kind, terms, visible, any_word, exclude, limit, highlight)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if highlight:
            return [Match(id=r[0], rank=float(r[1]), title=r[2] or "", snippet=r[3] or "")
                    for r in rows]
        return [Match(id=r[0], rank=float(r[1])) for r in rows]

    def find_for_each(self, kind, wanted, *, visible, limit=5):
        parts, params = [], []
        for want in wanted:
            if not want.terms:
                continue
            sql, part_params = self._ranked(kind, want.terms, visible, True, want.source, limit,
                                             False)
            parts.append(f"SELECT * FROM (SELECT %s AS source, m.id, m.rank FROM ({sql}) m)")
            params.extend([want.source, *part_params])
        if not parts:
            return []
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return [Match(source=r[0], id=r[1], rank=float(r[2])) for r in cursor.fetchall()]


@cache
def has_trigrams() -> bool:
    """pg_trgm is installed (its migration may have lacked the right to create it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
