"""Each proposal's record key (analytics/public.py): the column added with 0, each existing
proposal then given its own random key from 0 to 255 in one UPDATE, then the column's default
left to the model (`new_record_key`, drawn in Python for every new proposal)."""

from django.db import migrations, models

import proposals.models


def random_keys(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("proposals", "Proposal")._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        # gen_random_uuid() (PostgreSQL 13+) is drawn from the server's strong random source;
        # the first byte of a version 4 UUID is random.
        value = "get_byte(uuid_send(gen_random_uuid()), 0)"
    else:  # SQLite
        value = "abs(random() % 256)"
    schema_editor.execute(f"UPDATE {table} SET record_key = {value}")


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0009_lead_id_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="record_key",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(random_keys, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="proposal",
            name="record_key",
            field=models.PositiveSmallIntegerField(
                default=proposals.models.new_record_key, editable=False),
        ),
    ]
