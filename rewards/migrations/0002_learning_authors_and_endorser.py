"""Co-authorship by consent (DOMAIN.md, "Consent") and the endorser of a nomination.

Everyone already named an author was named before consent existed: each (learning, author)
pair of the old `authors` table becomes an accepted `LearningAuthor`, as of the learning's
publication, and only then is the old table dropped. A nomination's endorser is read from
the transition log (the `endorse` entry's actor). Both moves run backwards too.
"""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


def authors_to_rows(apps, schema_editor):
    Learning = apps.get_model("rewards", "Learning")
    LearningAuthor = apps.get_model("rewards", "LearningAuthor")
    through = Learning.authors.through
    rows = []
    for pair in through.objects.select_related("learning").order_by("pk").iterator():
        at = pair.learning.published_at
        rows.append(LearningAuthor(learning_id=pair.learning_id, user_id=pair.user_id,
                                   state="accepted", invited_at=at, accepted_at=at))
    LearningAuthor.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def rows_to_authors(apps, schema_editor):
    Learning = apps.get_model("rewards", "Learning")
    LearningAuthor = apps.get_model("rewards", "LearningAuthor")
    through = Learning.authors.through
    pairs = LearningAuthor.objects.filter(state="accepted").values_list("learning_id", "user_id")
    through.objects.bulk_create(
        [through(learning_id=learning, user_id=user) for learning, user in pairs],
        batch_size=1000, ignore_conflicts=True,
    )


def endorsers_from_log(apps, schema_editor):
    Nomination = apps.get_model("rewards", "Nomination")
    TransitionLog = apps.get_model("workflow", "TransitionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="rewards", model="nomination").first()
    if content_type is None:
        return
    logs = TransitionLog.objects.filter(
        content_type=content_type, transition="endorse", actor__isnull=False
    ).order_by("at", "id").values_list("object_id", "actor_id")
    for nomination_id, actor_id in logs:  # the latest endorsement wins
        Nomination.objects.filter(pk=nomination_id).update(endorsed_by_id=actor_id)


class Migration(migrations.Migration):

    dependencies = [
        ('rewards', '0001_initial'),
        ('workflow', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LearningAuthor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', django_fsm.FSMField(choices=[('invited', 'Invited to co-author'), ('accepted', 'Co-author'), ('declined', 'Declined to co-author'), ('left', 'Left the authors'), ('removed', 'Removed from the authors')], default='invited', max_length=50, protected=True)),
                ('invited_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('learning', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='author_rows', to='rewards.learning')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='learning_authorships', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['id'],
                'indexes': [models.Index(fields=['user', 'state'], name='rewards_lea_user_id_190339_idx')],
                'constraints': [models.UniqueConstraint(fields=('learning', 'user'), name='one_authorship_per_person')],
            },
            bases=(django_fsm.FSMModelMixin, models.Model),
        ),
        migrations.RunPython(authors_to_rows, rows_to_authors),
        migrations.RemoveField(
            model_name='learning',
            name='authors',
        ),
        migrations.AddField(
            model_name='nomination',
            name='endorsed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='nominations_endorsed', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(endorsers_from_log, migrations.RunPython.noop),
    ]
