"""Team membership by invitation (DOMAIN.md, "Consent"). Everyone already on a team was put
there before consent existed: they are marked accepted, as of when the proposal was made."""

import django_fsm
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def accept_existing(apps, schema_editor):
    TeamMember = apps.get_model("proposals", "TeamMember")
    Proposal = apps.get_model("proposals", "Proposal")
    created = Subquery(Proposal.objects.filter(pk=OuterRef("proposal_id")).values("created_at")[:1])
    TeamMember.objects.update(state="accepted", invited_at=created, accepted_at=created)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="teammember", name="state",
            field=django_fsm.FSMField(
                choices=[("invited", "Invited"), ("accepted", "Accepted"),
                         ("declined", "Declined"), ("left", "Left"), ("removed", "Removed")],
                default="invited", max_length=50, protected=True),
        ),
        migrations.AddField(model_name="teammember", name="invited_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="teammember", name="accepted_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(accept_existing, migrations.RunPython.noop),
        migrations.AddIndex(model_name="teammember",
                            index=models.Index(fields=["user", "state"],
                                               name="proposals_t_user_id_eaa2de_idx")),
    ]
