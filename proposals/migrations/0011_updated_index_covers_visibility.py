"""The API list's index (`proposal_updated`: updated_at, id, read backwards) carries the
columns of a fund manager's visibility test too, on PostgreSQL (issue 16): `state` and
`submitted_at` (never submitted: a draft, or a draft withdrawn), as INCLUDE columns. A deep
page (`?page=500`, 12,500 rows skipped) is then read from the index alone instead of
visiting each skipped row in the table (8 ms, 13,500 pages read; 1.6 ms, 110 pages with it).
Same name and key, so the model's `Index` stands for it; SQLite, which has no INCLUDE, keeps
the plain index."""

from django.db import migrations

COVERING = ("CREATE INDEX proposal_updated ON proposals_proposal (updated_at, id) "
            "INCLUDE (state, submitted_at)")
PLAIN = "CREATE INDEX proposal_updated ON proposals_proposal (updated_at, id)"


def _replace(schema_editor, create: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS proposal_updated")
    schema_editor.execute(create)


def covering(apps, schema_editor):
    _replace(schema_editor, COVERING)


def plain(apps, schema_editor):
    _replace(schema_editor, PLAIN)


class Migration(migrations.Migration):

    dependencies = [("proposals", "0010_proposal_record_key")]

    operations = [migrations.RunPython(covering, plain)]
