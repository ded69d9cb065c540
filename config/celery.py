"""The Celery app: tasks are found in each app's tasks.py; settings use the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("innovation_fund")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
