"""Dzongkha syllables are words in both indexes (search/index.py):

- SQLite: the FTS5 tables keep combining marks (Mn, Mc) in a word (FTS5_TOKENIZE); the tables
  are made again and refilled from the proposals and learnings;
- PostgreSQL: the documents are made with the tsheg and the shads as spaces, whatever the
  database's LC_CTYPE; the trigger functions are replaced and every document made again.
"""

from django.db import migrations


def rebuild(apps, schema_editor):
    from search.index import install

    # SQLite: a table of another tokenizer is dropped and refilled. PostgreSQL: the functions
    # are replaced and the documents refilled (one INSERT … ON CONFLICT per kind).
    install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_similar_candidates"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False),
    ]
