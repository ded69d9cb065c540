"""StoredFigure.figure: JSON (analytics/serial.py) instead of a pickle. The pickled rows are
dropped with their column (they were a cache: the next refresh stores every figure again)."""

from django.db import migrations, models


def forget_pickled(apps, schema_editor):
    apps.get_model("analytics", "StoredFigure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_stored_figure_language")]

    operations = [
        migrations.RunPython(forget_pickled, migrations.RunPython.noop),
        migrations.RemoveField(model_name="storedfigure", name="figure"),
        migrations.AddField(
            model_name="storedfigure",
            name="figure",
            field=models.JSONField(
                default=dict,
                help_text="The figure as plain data (analytics/serial.py), never pickled.",
            ),
        ),
    ]
