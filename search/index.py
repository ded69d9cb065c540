"""The search index kept in the database, one per backend, written by triggers.

PostgreSQL: `search_proposal_document` and `search_learning_document` (search/models.py), a
weighted `tsvector` per row (title A; summary, or the learning's lesson, B; the other texts C)
with a GIN index, kept current by triggers on `proposals_proposal` and `rewards_learning`, so
every channel that writes a proposal (pages, API, admin, imports, the load generator) keeps it
current without knowing of it. Titles also have pg_trgm's trigram index (proposals'
migration 0006) for near-duplicate titles.

SQLite (the embedded default): FTS5 tables `search_proposal_fts` and `search_learning_fts`
(porter stemming, unicode61 without diacritics, FTS5_TOKENIZE), rowid = the object's id, kept
current by triggers. Combining marks (Mn, Mc) are part of a word, as in search/text.py: a
Dzongkha syllable (བཀྲ, ཤིས) is one token and its highlight is the whole syllable; a table made
before (marks were separators) is rebuilt by search's migration 0003 and by `ensure_index`. Django rebuilds an SQLite table to alter it, which drops its triggers: after every
`migrate` (`SearchConfig.ready`, post_migrate) `ensure_index` puts back what is missing and
refills the index.
"""

PROPOSAL_BODY = ("problem", "hypothesis", "success_criteria", "approach", "citizen_engagement",
                 "expected_outcomes")
LEARNING_BODY = ("what_we_tried", "what_happened")
PROPOSAL_COLUMNS = ("title", "summary", *PROPOSAL_BODY)
LEARNING_COLUMNS = ("title", "what_we_learned", *LEARNING_BODY)

FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2 categories 'L* N* Co Mn Mc'"

# (table, the index's name, source table, id column, the B column, the C columns)
SOURCES = (
    ("proposal", "proposals_proposal", "proposal_id", "summary", PROPOSAL_BODY),
    ("learning", "rewards_learning", "learning_id", "what_we_learned", LEARNING_BODY),
)


# --- PostgreSQL --------------------------------------------------------------------------------
def _pg_vector(row: str, second: str, body: tuple) -> str:
    rest = ", ".join(f"{row}.{c}" for c in body)
    title = _pg_syllables(f"coalesce({row}.title, '')")
    summary = _pg_syllables(f"coalesce({row}.{second}, '')")
    text = _pg_syllables(f"concat_ws(' ', {rest})")
    return (f"setweight(to_tsvector('english', {title}), 'A') || "
            f"setweight(to_tsvector('english', {summary}), 'B') || "
            f"setweight(to_tsvector('english', {text}), 'C')")


# The tsheg and the shads end a Dzongkha syllable. PostgreSQL's parser takes them for blanks
# in a database whose LC_CTYPE is a UTF-8 locale (C.UTF-8, en_US.UTF-8), but for letters in
# one whose LC_CTYPE is C (every non-ASCII character is a letter there): the document is made
# with them as spaces, so a syllable is a word whatever the database's locale.
TIBETAN_SEPARATORS = "\u0f0b\u0f0c\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f14"


def _pg_syllables(expression: str) -> str:
    return (f"translate({expression}, '{TIBETAN_SEPARATORS}', "
            f"'{' ' * len(TIBETAN_SEPARATORS)}')")


def _postgres_install(cursor) -> None:
    try:
        cursor.execute("SAVEPOINT search_trgm")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("RELEASE SAVEPOINT search_trgm")
    except Exception:  # noqa: BLE001 (a right the database may not give: no trigrams then)
        cursor.execute("ROLLBACK TO SAVEPOINT search_trgm")
    for kind, source, id_column, second, body in SOURCES:
        table = f"search_{kind}_document"
        columns = ", ".join(("title", second, *body))
        cursor.execute(f"""
            CREATE OR REPLACE FUNCTION {table}_refresh() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'DELETE' THEN
                DELETE FROM {table} WHERE {id_column} = OLD.id;
                RETURN NULL;
              END IF;
              INSERT INTO {table} ({id_column}, document)
                VALUES (NEW.id, {_pg_vector('NEW', second, body)})
                ON CONFLICT ({id_column}) DO UPDATE SET document = EXCLUDED.document;
              RETURN NULL;
            END $$ LANGUAGE plpgsql""")
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_write ON {source}")
        cursor.execute(f"""CREATE TRIGGER {table}_write
            AFTER INSERT OR UPDATE OF {columns} ON {source}
            FOR EACH ROW EXECUTE FUNCTION {table}_refresh()""")
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_delete ON {source}")
        cursor.execute(f"""CREATE TRIGGER {table}_delete AFTER DELETE ON {source}
            FOR EACH ROW EXECUTE FUNCTION {table}_refresh()""")
        cursor.execute(f"""INSERT INTO {table} ({id_column}, document)
            SELECT s.id, {_pg_vector('s', second, body)} FROM {source} s
            ON CONFLICT ({id_column}) DO UPDATE SET document = EXCLUDED.document""")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_gin ON {table} USING gin (document)")


def _postgres_uninstall(cursor) -> None:
    for kind, source, *_ in SOURCES:
        table = f"search_{kind}_document"
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_write ON {source}")
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_delete ON {source}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {table}_refresh()")


# --- SQLite ------------------------------------------------------------------------------------
def _sqlite_body(row: str, body: tuple) -> str:
    return " || ' ' || ".join(f"coalesce({row}.{c}, '')" for c in body)


def _sqlite_statements() -> dict[str, str]:
    """Each trigger's name and its CREATE statement."""
    made = {}
    for kind, source, _, second, body in SOURCES:
        fts = f"search_{kind}_fts"
        columns = ", ".join(("title", second, *body))
        insert = (f"INSERT INTO {fts}(rowid, title, second, body) VALUES "
                  f"(new.id, new.title, new.{second}, {_sqlite_body('new', body)});")
        delete = f"DELETE FROM {fts} WHERE rowid = old.id;"
        made[f"{fts}_ai"] = (f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {source} "
                             f"BEGIN {insert} END")
        made[f"{fts}_au"] = (f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {columns} "
                             f"ON {source} BEGIN {delete} {insert} END")
        made[f"{fts}_ad"] = (f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {source} "
                             f"BEGIN {delete} END")
    return made


def _sqlite_create(fts: str) -> str:
    tokenize = FTS5_TOKENIZE.replace("'", "''")
    return (f"CREATE VIRTUAL TABLE {fts} USING fts5(title, second, body, "
            f"tokenize = '{tokenize}')")


def _sqlite_ensure(cursor) -> bool:
    """Create what is missing; refill an index whose triggers were missing, rebuild one made
    with another tokenizer. True if it did."""
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger') "
                   "AND name LIKE 'search\\_%' ESCAPE '\\'")
    present = dict(cursor.fetchall())
    statements = _sqlite_statements()
    stale = [f"search_{kind}_fts" for kind, *_ in SOURCES
             if f"search_{kind}_fts" in present
             and present[f"search_{kind}_fts"] != _sqlite_create(f"search_{kind}_fts")]
    if set(statements) <= set(present) and not stale and all(
            f"search_{kind}_fts" in present for kind, *_ in SOURCES):
        return False
    for fts in stale:
        cursor.execute(f"DROP TABLE {fts}")
    for kind, source, _, second, body in SOURCES:
        fts = f"search_{kind}_fts"
        if fts in stale or fts not in present:
            cursor.execute(_sqlite_create(fts))
        cursor.execute(f"DELETE FROM {fts}")
        cursor.execute(f"INSERT INTO {fts}(rowid, title, second, body) SELECT s.id, s.title, "
                       f"s.{second}, {_sqlite_body('s', body)} FROM {source} s")
    for statement in statements.values():
        cursor.execute(statement)
    return True


def _sqlite_uninstall(cursor) -> None:
    for name in _sqlite_statements():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for kind, *_ in SOURCES:
        cursor.execute(f"DROP TABLE IF EXISTS search_{kind}_fts")


def install(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgres_install(cursor)
        elif connection.vendor == "sqlite":
            _sqlite_ensure(cursor)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgres_uninstall(cursor)
        elif connection.vendor == "sqlite":
            _sqlite_uninstall(cursor)


def ensure_index(using: str = "default", **kwargs) -> None:
    """After `migrate` on SQLite: put back triggers a rebuilt table lost (post_migrate)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    from django.db.migrations.recorder import MigrationRecorder

    if not MigrationRecorder(connection).migration_qs.filter(app="search").exists():
        return  # not migrated yet (a migrate to an earlier state)
    with connection.cursor() as cursor:
        _sqlite_ensure(cursor)
