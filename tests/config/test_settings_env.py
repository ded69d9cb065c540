"""Production settings come from the environment: connections, pooler, replica, media storage."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CLEARED = {"DATABASE_URL", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DATABASE_POOLER",
           "DATABASE_REPLICA_URL", "MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME",
           "AWS_S3_ENDPOINT_URL", "AWS_DEFAULT_ACL", "CACHE_URL", "DEBUG", "DATABASE_JIT",
           "DJANGO_SETTINGS_MODULE"}
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.files.storage import storages
db = {alias: {k: c.get(k) for k in ("ENGINE", "NAME", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS",
      "DISABLE_SERVER_SIDE_CURSORS", "OPTIONS")} for alias, c in s.DATABASES.items()}
media = storages["default"]
jobs = storages["jobs"]
try:
    jobs.url("results/job-1/x.csv")
    jobs_url = "made"
except ValueError:
    jobs_url = "refused"
print(json.dumps({
    "jobs_storage": type(jobs).__name__, "jobs_location": str(getattr(jobs, "location", "")),
    "jobs_acl": getattr(jobs, "default_acl", None), "jobs_url": jobs_url,
    "db": db, "routers": s.DATABASE_ROUTERS,
    "middleware": [m for m in s.MIDDLEWARE if "db_router" in m],
    "replica_job_kinds": getattr(s, "DATABASE_REPLICA_JOB_KINDS", None),
    "storage": s.STORAGES["default"]["BACKEND"], "storage_class": type(media).__name__,
    "acl": getattr(media, "default_acl", None), "signed": getattr(media, "querystring_auth", None),
    "endpoint": getattr(media, "endpoint_url", None),
    "cache": s.CACHES["default"]["BACKEND"],
}))
"""


def settings_with(**env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def failure_with(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT,
                            env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    return result.stderr


def test_postgres_keeps_connections_and_checks_them_before_reuse():
    s = settings_with(DATABASE_URL="postgres://app@db:5432/fund")
    assert s["db"]["default"]["CONN_MAX_AGE"] == 60
    assert s["db"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert not s["db"]["default"]["DISABLE_SERVER_SIDE_CURSORS"]
    # Nothing else by default: no replica, no router, files on disk, a local cache.
    assert list(s["db"]) == ["default"] and s["routers"] == [] and s["middleware"] == []
    assert s["storage"] == "django.core.files.storage.FileSystemStorage"
    assert s["jobs_storage"] == "PrivateJobStorage" and s["jobs_location"].endswith("private-jobs")
    assert s["jobs_url"] == "refused"
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_sqlite_default_and_explicit_values():
    s = settings_with()
    assert s["db"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["db"]["default"]["CONN_MAX_AGE"] == 0
    s = settings_with(DATABASE_URL="postgres://app@db:5432/fund", CONN_MAX_AGE="300",
                      CONN_HEALTH_CHECKS="0", CACHE_URL="redis://cache:6379/1")
    assert s["db"]["default"]["CONN_MAX_AGE"] == 300
    assert s["db"]["default"]["CONN_HEALTH_CHECKS"] is False
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_pgbouncer_pooling_drops_persistent_connections_and_server_side_cursors():
    s = settings_with(DATABASE_URL="postgres://app@pgbouncer:6432/fund",
                      DATABASE_POOLER="pgbouncer")
    assert s["db"]["default"]["CONN_MAX_AGE"] == 0
    assert s["db"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "DATABASE_POOLER is 'pgpool'" in failure_with(DATABASE_POOLER="pgpool")


def test_a_replica_url_adds_the_alias_router_and_middleware():
    s = settings_with(DATABASE_URL="postgres://app@db:5432/fund",
                      DATABASE_REPLICA_URL="postgres://reader@replica:5432/fund")
    assert s["db"]["replica"]["NAME"] == "fund"
    assert s["db"]["replica"]["CONN_MAX_AGE"] == 60
    assert s["routers"] == ["config.db_router.ReplicaRouter"]
    assert s["middleware"] == ["config.db_router.ReplicaReadsMiddleware"]
    assert s["replica_job_kinds"] == ["export"]


def test_media_on_s3_compatible_storage_is_private_and_signed():
    s = settings_with(MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="fund-media",
                      AWS_S3_ENDPOINT_URL="http://minio:9000")
    assert s["storage"] == "storages.backends.s3.S3Storage"
    assert s["storage_class"] == "S3Storage"
    assert s["acl"] == "private" and s["signed"] is True
    assert s["endpoint"] == "http://minio:9000"
    # Jobs' files (exports, PDFs, large imports) in the same bucket, private, with no URL, so
    # that a worker and a web instance on different machines share them.
    assert s["jobs_storage"] == "PrivateS3JobStorage" and s["jobs_location"] == "private-jobs"
    assert s["jobs_acl"] == "private" and s["jobs_url"] == "refused"
    assert "AWS_STORAGE_BUCKET_NAME" in failure_with(MEDIA_STORAGE="s3")
    assert "MEDIA_STORAGE is 'ftp'" in failure_with(MEDIA_STORAGE="ftp")


def test_postgres_jit_is_off_unless_asked_for_and_never_a_startup_option_behind_pgbouncer():
    pg = "postgres://app@db:5432/fund"
    assert "-c jit=off" in settings_with(DATABASE_URL=pg)["db"]["default"]["OPTIONS"]["options"]
    assert "options" not in (settings_with(DATABASE_URL=pg, DATABASE_JIT="1")
                             ["db"]["default"]["OPTIONS"] or {})
    pooled = settings_with(DATABASE_URL=pg, DATABASE_POOLER="pgbouncer")["db"]["default"]
    assert "options" not in (pooled["OPTIONS"] or {})
    assert "OPTIONS" not in settings_with()["db"]["default"] or \
        "options" not in settings_with()["db"]["default"]["OPTIONS"]
