"""The floor: the least a Django page costs on this machine (bench/scale.py serves it beside the
product). One view renders a 34 KB HTML table from a template; no database, no sessions, no
authentication. Served exactly like the product (gunicorn, same worker count and class), so the
ratio page / floor says what the product adds to Django's own cost."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

DEBUG = False
SECRET_KEY = os.environ.get("FLOOR_SECRET_KEY", "floor-benchmark-only-not-a-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "bench.floor.urls"
WSGI_APPLICATION = "bench.floor.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "APP_DIRS": False,
    "OPTIONS": {"context_processors": []},
}]
DATABASES: dict = {}
USE_TZ = True
TIME_ZONE = "Asia/Thimphu"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"handlers": [], "level": "WARNING"}}
