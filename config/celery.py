"""The Celery app: tasks are found in each app's tasks.py; settings use the CELERY_ namespace."""

import os

from celery import Celery

from config.db_router import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("innovation_fund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Jobs of DATABASE_REPLICA_JOB_KINDS read from the read replica, when there is one.
connect_celery_signals()
