"""Several API tokens per person, stored as digests; "Sign out everywhere".

Tokens people already hold keep working: each DRF `authtoken.Token` becomes an `ApiToken`
with the digest of its key, its creation time and last use, and the plain key is deleted
from the database.
"""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def tokens_to_digests(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    TokenUse = apps.get_model("people", "TokenUse")
    ApiToken = apps.get_model("people", "ApiToken")
    last_use = dict(TokenUse.objects.values_list("token_id", "last_used_at"))
    ApiToken.objects.bulk_create([
        ApiToken(user_id=token.user_id, digest=hashlib.sha256(token.key.encode()).hexdigest(),
                 starts_with=token.key[:6], created=token.created,
                 last_used_at=last_use.get(token.key))
        for token in Token.objects.all()
    ], batch_size=1000)
    Token.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("people", "0005_token_use"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="sessions_version",
            field=models.PositiveIntegerField(default=0, db_default=0, editable=False),
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("starts_with", models.CharField(editable=False, max_length=8)),
                ("created", models.DateTimeField(db_index=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created", "-pk"],
            },
        ),
        # Not reversible: the keys are gone, only their digests are kept.
        migrations.RunPython(tokens_to_digests, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="TokenUse"),
    ]
