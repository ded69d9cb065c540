"""Settings, read from the environment so that one build runs anywhere.

Embedded default: SQLite, no broker (Celery tasks run eagerly), DEBUG on.
Production: DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG=0, ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp_source
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.task_routes import QUEUES as TASK_QUEUE_NAMES

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_INSECURE_KEY = "django-insecure-local-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY") or _INSECURE_KEY
if not DEBUG and SECRET_KEY == _INSECURE_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "csp",
    # Two-factor sign-in (people/two_factor.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "people",
    "securitylog",
    "workflow",
    "fund",
    "proposals",
    "reviews",
    "rewards",
    "notifications",
    "jobs",
    "analytics",
    "search",  # full-text search and similar work (issue 17)
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below); an answer that
    # sets its own (attachments) keeps it.
    "csp.middleware.CSPMiddleware",
    # Cache-Control: no-store for signed-in pages and every /api/ answer (workflow/security.py).
    "workflow.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the page (issue 18): the language cookie set by the switcher, else the
    # browser's Accept-Language, else LANGUAGE_CODE. After sessions, before CommonMiddleware.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor sign-in: which device verified this session (people/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "people.middleware.ChangeActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Short sessions for fund managers, HR officers and administrators; "session ended"
    # messages (people/sessions.py). After auth and messages.
    "people.sessions.PrivilegedSessionMiddleware",
    # Who must give a code or set two-factor sign-in up before going on (after messages).
    "people.two_factor.TwoFactorMiddleware",
    # A signed-in person's saved language (User.language) wins over the cookie and the browser's
    # (people/language.py); after the session checks above, which must see the session first.
    "people.language.UserLanguageMiddleware",
    # A form sent twice or an API POST repeated with its Idempotency-Key has one effect
    # (workflow/one_effect.py): after auth and messages, outside any transaction of a view.
    "workflow.one_effect.OneEffectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An id beyond the database's integers: 404, never 500 (workflow/ids.py).
    "workflow.ids.IdOverflowMiddleware",
    # Sign-in throttling: turns a lockout into the 429 page (people/throttling.py). Last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.roles",
                "notifications.context_processors.unread",
            ],
            # {% form_token %} in every state-changing form, with no {% load %}.
            "builtins": ["workflow.templatetags.one_effect"],
        },
    },
]

# Databases (README "Production serving"; docs/scaling.md). DATABASE_URL, else SQLite.
# CONN_MAX_AGE: seconds a connection is kept for the next request of the same thread (default
# 60 on a database server, where a new connection costs 12-14 ms, a quarter of a cheap page;
# 0 on SQLite); CONN_HEALTH_CHECKS: a kept connection is tested before it is reused, so a
# restarted database costs one reconnect, not an error page.
# DATABASE_POOLER=pgbouncer (PgBouncer in transaction pooling mode): connections are pooled by
# PgBouncer, so CONN_MAX_AGE defaults to 0, and server-side cursors (.iterator()) are off,
# since a cursor cannot outlive the transaction that PgBouncer lends a server connection for.
# DATABASE_REPLICA_URL: a read replica (alias `replica`) that exports and analytics read from
# (config/db_router.py); off when empty.
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured(
        f"DATABASE_POOLER is {DATABASE_POOLER!r}: use 'pgbouncer' (transaction pooling), or "
        "leave it empty for direct connections.")


def _database(url: str) -> dict:
    config = dj_database_url.parse(url)
    on_sqlite = config["ENGINE"] == "django.db.backends.sqlite3"
    default_age = "0" if on_sqlite or DATABASE_POOLER else "60"
    config["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE") or default_age)
    config["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
    if DATABASE_POOLER == "pgbouncer":
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif config["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DATABASE_JIT", False):
        # PostgreSQL's JIT compiler: the visibility UNIONs' (over)estimated cost crosses its
        # threshold and it spent 150-175 ms compiling queries that run in 1 ms (issue 16).
        # Behind PgBouncer, which refuses startup options, set it on the role instead:
        # ALTER ROLE fund SET jit = off (docs/scaling.md).
        options = config.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
    return config


DATABASES = {
    "default": _database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read what they wrote
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    # GET requests under these paths read from the replica (all of the answer, streamed too).
    DATABASE_REPLICA_PATHS = env_list(
        "DATABASE_REPLICA_PATHS", "/data/export/,/api/v1/awards/360giving.json")
    # Background jobs of these kinds read from the replica while they run (exports by default).
    DATABASE_REPLICA_JOB_KINDS = env_list("DATABASE_REPLICA_JOB_KINDS", "export")
    MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware"),
                      "config.db_router.ReplicaReadsMiddleware")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default holds concurrent use: writes wait their turn instead of failing
    # with "database is locked". Every transaction takes the write lock when it begins
    # (a read that would later write cannot deadlock with another), waits up to 20 s for
    # it, and readers never block the writer (write-ahead log).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
# Sign-in throttling first (it refuses locked-out accounts and addresses before any
# password is checked), then sign-in ignoring the case of the username (people/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "people.backends.CaseInsensitiveModelBackend",
]
# Sign-in throttling (django-axes, people/throttling.py; README "Sign-in throttling").
# Failures are counted in the database per account (any address) and per address (any
# account); AXES_FAILURE_LIMIT of them lock both for AXES_COOLOFF_MINUTES after the last.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = "people.throttling.lockout_parameters"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Off: axes would delete the failures matching the username OR the address, those of other
# accounts from the same address too. A complete sign-in clears the account's own count
# (people/throttling.py, reset_account_failures).
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "people.throttling.username_key"
AXES_LOCKOUT_CALLABLE = "people.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ONLY_ADMIN_SITE = False
# The address counted is the connection's (REMOTE_ADDR): X-Forwarded-For is never trusted.
# Two-factor sign-in (people/two_factor.py; README "Two-factor sign-in"). Required for the
# roles named (comma-separated from the names below); all of them when DEBUG is off, none when
# it is on; an empty value turns the requirement off. Anyone may still turn it on.
TWO_FACTOR_ROLE_NAMES = ("fund_managers", "hr_officers", "superusers")
TWO_FACTOR_ROLES = env_list(
    "TWO_FACTOR_ROLES", "" if DEBUG else ",".join(TWO_FACTOR_ROLE_NAMES))
if unknown := [name for name in TWO_FACTOR_ROLES if name not in TWO_FACTOR_ROLE_NAMES]:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_ROLES names {', '.join(unknown)}, which is not a role that can require "
        f"two-factor sign-in; use a comma-separated list of {', '.join(TWO_FACTOR_ROLE_NAMES)}, "
        "or an empty value to require it of nobody.")
OTP_TOTP_ISSUER = "Innovation Fund"
# Wrong codes are counted by the sign-in throttling above (axes), per account and address;
# django-otp's own per-device delays would only make a right code after a typo fail.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The admin never shows a TOTP secret, its QR code or recovery codes (people/otp_admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Asia/Thimphu"
USE_I18N = True
# The interface's languages (issue 18), each named in itself for the switcher (base.html).
# English is British English (en-gb); a browser asking for any English gets it. Dzongkha's
# catalogue is locale/dz/LC_MESSAGES (README "Translating the interface"); a string it does not
# translate yet shows in English.
LANGUAGES = [("en-gb", "English"), ("dz", "རྫོང་ཁ")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers in Dzongkha (Django has no dz formats): config/formats/dz/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
# The language cookie the switcher sets for visitors (a year; read by LocaleMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media (attachments): MEDIA_STORAGE=filesystem (default, under MEDIA_ROOT) or s3, any
# S3-compatible store (AWS, MinIO, Ceph...; django-storages), so that several web instances
# share one. Files are private: stored with AWS_DEFAULT_ACL (default "private"; empty sends no
# ACL and leaves it to the bucket's policy), never on a public URL, and still served only
# through the permission-checked views, which read them from the store. AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY may be left out where the machine has a role.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower() or "filesystem"
if MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    # Jobs' inputs and results (a large import, an export, a portfolio PDF): MEDIA_ROOT/private-jobs.
    _job_storage = {"BACKEND": "jobs.storage.PrivateJobStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", "media"),
            "default_acl": os.environ.get("AWS_DEFAULT_ACL", "private") or None,
            # Any URL made for a file is signed and short-lived; none is public.
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "300")),
            "custom_domain": None,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        },
    }
    # Jobs' files in the same bucket under their own prefix, so a worker on one machine and
    # the web instance serving the download on another read the same file; never at a URL.
    _job_storage = {
        "BACKEND": "jobs.s3_storage.PrivateS3JobStorage",
        "OPTIONS": {**_media_storage["OPTIONS"],
                    "location": os.environ.get("AWS_JOBS_LOCATION", "private-jobs")},
    }
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE is {MEDIA_STORAGE!r}: use 'filesystem' (default) or 's3'.")
STORAGES = {
    "default": _media_storage,
    "jobs": _job_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The cache: this process's memory, or CACHE_URL (redis://...) shared by every instance.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# Attachments are never served from MEDIA_URL: only through permission-checked views.
MEDIA_URL = "/media-not-served/"

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

FUND_CURRENCY_DEFAULT = "BTN"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "people.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api_common.pagination.ApiPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "api_common.errors.exception_handler",
}
# The largest `?page_size=` an API list honours (api_common/pagination.py); larger is cut to it.
API_PAGE_SIZE_MAX = int(os.environ.get("API_PAGE_SIZE_MAX") or 200)
# The proposals that may be stalled (home pages of fund managers and administrators) are asked
# of the database at most once in this many seconds, for everyone (portal.home); 0: every time.
# The unread notifications count on every page is kept this many seconds per person in the
# cache, renewed by every write that changes it (notifications/unread.py). Only with a shared
# cache (CACHE_URL): a per-process cache cannot be renewed across processes, so 0 (off) then.
UNREAD_COUNT_CACHE_SECONDS = int(os.environ.get("UNREAD_COUNT_CACHE_SECONDS")
                                 or (300 if CACHE_URL else 0))
STALLED_CACHE_SECONDS = int(os.environ.get("STALLED_CACHE_SECONDS") or 60)
# An API token is refused once older than this, or unused for this long (seconds; people/tokens.py).
API_TOKEN_MAX_AGE = timedelta(seconds=int(os.environ.get("API_TOKEN_MAX_AGE") or 30 * 24 * 3600))
API_TOKEN_IDLE = timedelta(seconds=int(os.environ.get("API_TOKEN_IDLE") or 8 * 3600))
# Sessions (seconds; people/sessions.py): everyone's lasts SESSION_COOKIE_AGE; fund managers',
# HR officers' and administrators' ends PRIVILEGED_SESSION_AGE after signing in, or after
# PRIVILEGED_SESSION_IDLE without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE") or 14 * 24 * 3600)
PRIVILEGED_SESSION_AGE = int(os.environ.get("PRIVILEGED_SESSION_AGE") or 8 * 3600)
PRIVILEGED_SESSION_IDLE = int(os.environ.get("PRIVILEGED_SESSION_IDLE") or 30 * 60)
# /api/schema/ and /api/docs/ are for signed-in people unless this is on (workflow/security.py).
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Innovation Fund API",
    "DESCRIPTION": "The JSON API of the cross-sectoral innovation fund.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every state machine has a `state` field: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "RoundStateEnum": "fund.models.Round.State",
        "AwardStateEnum": "fund.models.Award.State",
        "TrancheStateEnum": "fund.models.Tranche.State",
        "ProposalStateEnum": "proposals.models.Proposal.State",
        "AssignmentStateEnum": "reviews.models.Assignment.State",
        "NominationStateEnum": "rewards.models.Nomination.State",
        "JobStateEnum": "jobs.models.Job.State",
    },
    # Swagger UI from the vendored sidecar package: no CDN on closed networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the public validator: nothing leaves the site (Content-Security-Policy).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Every POST but auth/token/ documents the Idempotency-Key header (workflow/one_effect.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workflow.one_effect.document_idempotency_key",
        # 400/401/403/404/409 where an operation can give them (api_common/schema_errors.py).
        "api_common.schema_errors.document_error_responses",
    ],
}

# Content-Security-Policy (django-csp; README "Content-Security-Policy"): no inline script or
# style anywhere, everything from this site. CSP_REPORT_ONLY (env, off by default) sends the
# same policy as Content-Security-Policy-Report-Only instead, to try it without breaking a
# page; CSP_REPORT_URI (env, optional) is where browsers report what it blocked (or would).
# (Not settings named CSP_*: django-csp 4 refuses those as its old format.)
_csp_directives = {
    "default-src": [csp_source.SELF],
    "script-src": [csp_source.SELF],
    "style-src": [csp_source.SELF],
    "img-src": [csp_source.SELF, "data:"],
    "font-src": [csp_source.SELF],
    "object-src": [csp_source.NONE],
    "base-uri": [csp_source.SELF],
    "form-action": [csp_source.SELF],
    "frame-ancestors": [csp_source.NONE],
}
if os.environ.get("CSP_REPORT_URI", "").strip():
    _csp_directives["report-uri"] = [os.environ["CSP_REPORT_URI"].strip()]
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# Celery: eager unless a broker is configured, so `make run` needs no services.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, jobs (large exports, portfolio PDFs, large imports) run in a thread of the
# web process, so the request that starts one answers at once (jobs/services.py `enqueue`);
# `JOBS_IN_THREAD=0` runs them inside that request instead.
JOBS_IN_THREAD = (os.environ.get("JOBS_IN_THREAD") or "1") == "1"
# A request repeated within this many seconds is sent to the job the first one started, if it
# still waits or runs (jobs.selectors.waiting_jobs); later, it starts anew.
JOBS_REUSE_SECONDS = int(os.environ.get("JOBS_REUSE_SECONDS") or 120)
CELERY_TASK_EAGER_PROPAGATES = True
# No result backend unless asked for: nothing here waits for a task's return value, and a
# result backend on a broker that is down makes every enqueue retry for ~20 s.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with late acks: a crashed task goes back to the queue
CELERY_RESULT_EXPIRES = 24 * 3600
# A web request that enqueues must not hang on a broker that is down: give up fast, the
# caller logs it and notifies in-process (notifications/dispatch.py, enqueue).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 10}
# Queues by kind of work (config/task_routes.py): default, mail (notifications), documents
# (PDFs), files (imports, exports). A worker without -Q consumes them all; at scale each gets
# workers of its own: `celery -A config worker -Q documents -c 1` (docs/scaling.md).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = tuple(Queue(name, routing_key=name) for name in TASK_QUEUE_NAMES)
CELERY_TASK_ROUTES = ["config.task_routes.route_task"]
# Scheduled work, run by `celery -A config beat` (times in Asia/Thimphu). Each task is also a
# management command: close_due_rounds, send_reminders, resend_notifications,
# reconcile_acting_chairs.
# Analytics figures without filters are computed by the beat every ANALYTICS_REFRESH_MINUTES
# and served from that answer while it is at most ANALYTICS_STORED_MAX_MINUTES old
# (analytics/stored.py); older, they are computed live again.
ANALYTICS_REFRESH_MINUTES = int(os.environ.get("ANALYTICS_REFRESH_MINUTES", "5"))
ANALYTICS_STORED_MAX_MINUTES = int(os.environ.get("ANALYTICS_STORED_MAX_MINUTES", "30"))

CELERY_BEAT_SCHEDULE = {
    "close-due-rounds": {"task": "fund.close_due_rounds", "schedule": crontab(minute="*/5")},
    "send-reminders": {"task": "notifications.send_reminders", "schedule": crontab(hour=8, minute=0)},
    "resend-notifications": {
        "task": "notifications.resend_notifications", "schedule": crontab(minute="*/10"),
    },
    # Jobs left queued while the broker was down, and jobs a dead worker left running.
    "run-pending-jobs": {"task": "jobs.run_pending_jobs", "schedule": crontab(minute="*/5")},
    # Form tokens and Idempotency-Keys older than 24 hours (workflow/one_effect.py).
    "sweep-form-tokens": {"task": "workflow.sweep_form_tokens", "schedule": crontab(minute=17)},
    # The stored acting chairs checked against the rule (reviews/tasks.py), at night.
    "reconcile-acting-chairs": {
        "task": "reviews.reconcile_acting_chairs", "schedule": crontab(hour=2, minute=40),
    },
    # The analytics figures without filters, served "as of" their time (analytics/stored.py).
    "refresh-analytics": {
        "task": "analytics.refresh_stored_figures",
        "schedule": crontab(minute=f"*/{ANALYTICS_REFRESH_MINUTES}"),
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "innovation-fund@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Links in emails point here (the notification's page path is appended).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# 360Giving identifiers: grants are published as <prefix>-<award id>.
GRANT_ID_PREFIX = os.environ.get("GRANT_ID_PREFIX", "360G-innovationfund")

# PDFs: where the DejaVu fonts are (fund/pdf_fonts.py says what is missing if they are not).
PDF_FONT_DIR = os.environ.get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
# ... and the Tibetan-script DDC_Uchen.ttf that draws Dzongkha (Debian's fonts-ddc-uchen puts it
# here). Without it PDFs still render, Tibetan characters replaced by U+FFFD (logged once).
PDF_TIBETAN_FONT_DIR = os.environ.get("PDF_TIBETAN_FONT_DIR", "/usr/share/fonts/truetype/tibetan")
# Import files larger than this are checked as background jobs (jobs/).
JOBS_LARGE_IMPORT_BYTES = int(os.environ.get("JOBS_LARGE_IMPORT_BYTES", str(1024 * 1024)))
# The round portfolio PDF of a round with more proposals (past drafting) than this is made by
# a background job, never inside a request; it lists the first PORTFOLIO_RANKED_MAX proposals
# of the ranking after the summary, and every proposal is in the CSV beside it (documents/).
PORTFOLIO_INLINE_MAX = int(os.environ.get("PORTFOLIO_INLINE_MAX", "500"))
PORTFOLIO_RANKED_MAX = int(os.environ.get("PORTFOLIO_RANKED_MAX", "100"))
# Exports (and the /data/ 360Giving files) of more rows than this are made by a background
# job, whose page offers the file; smaller ones are streamed in the request (datafiles/).
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "5000"))

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # Probes inside the network speak plain HTTP (config/health.py).
    SECURE_REDIRECT_EXEMPT = [r"^health/(live|ready)/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Tasks run in-process without a broker: a line per finished task, and kombu's note that
    # there is no broker host, only clutter the output of `make run` and the commands.
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
    },
}
