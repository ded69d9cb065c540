"""SQLite: the FTS5 tables keep combining marks (Mn, Mc) in a word, so a Dzongkha syllable is
one token (search/index.py FTS5_TOKENIZE); the tables are made again and refilled from the
proposals and learnings. PostgreSQL's documents are unchanged (its parser keeps the marks in
a UTF-8 database)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from search.index import install

    install(schema_editor.connection)  # a table of another tokenizer is dropped and refilled


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_similar_candidates"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False),
    ]
