"""The search index: stored documents and triggers on PostgreSQL, FTS5 tables on SQLite
(search/index.py)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from search.index import install as make

    make(schema_editor.connection)


def uninstall(apps, schema_editor):
    from search.index import uninstall as remove

    remove(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("proposals", "0007_all_proposals_sort_indexes"),
        ("rewards", "0004_html_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProposalDocument",
            fields=[
                ("proposal", models.OneToOneField(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    primary_key=True, related_name="search_document", serialize=False,
                    to="proposals.proposal")),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": "search_proposal_document"},
        ),
        migrations.CreateModel(
            name="LearningDocument",
            fields=[
                ("learning", models.OneToOneField(
                    db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                    primary_key=True, related_name="search_document", serialize=False,
                    to="rewards.learning")),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": "search_learning_document"},
        ),
        migrations.RunPython(install, uninstall),
    ]
