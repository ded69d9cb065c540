"""All proposals' other orders (issue 16), on PostgreSQL: largest request first
(requested_amount DESC NULLS LAST, then id) and by state (state, then newest id), so a page
in those orders is read from an index instead of sorting every visible proposal. SQLite, the
embedded default for small funds, does not index NULLS LAST; it sorts."""

from django.db import migrations

INDEXES = {
    "proposal_amount": "(requested_amount DESC NULLS LAST, id)",
    "proposal_state_newest": "(state, id DESC)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON proposals_proposal {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [("proposals", "0006_html_list_indexes")]

    operations = [migrations.RunPython(create, drop)]
