"""Krippendorff's alpha needs two proposals with two reviews or more
(reviews.calibration.AGREEMENT_MIN_PROPOSALS): stored alphas computed from fewer, a 0 that
measured nothing, are computed again (None: "too few reviews to measure agreement")."""

from django.db import migrations


def recompute(apps, schema_editor):
    from reviews.services.scores import calibrate_round

    models = (apps.get_model("reviews", "ProposalScore"), apps.get_model("reviews", "Review"),
              apps.get_model("reviews", "RoundCalibration"))
    rounds = (apps.get_model("reviews", "RoundCalibration").objects
              .filter(alpha__isnull=False).values_list("round_id", flat=True))
    for round_id in list(rounds):
        calibrate_round(round_id, models=models)


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0007_assignment_conflicts_index'),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
