"""gunicorn's settings for the product: `gunicorn` from the repository's root reads this file.

    gunicorn                      # config.wsgi:application on 0.0.0.0:8000, settings below
    GUNICORN_WORKERS=4 GUNICORN_THREADS=8 gunicorn

Each setting comes from an environment variable, with the default given here:

| variable | default | what |
|---|---|---|
| `PORT` / `GUNICORN_BIND` | `8000` / `0.0.0.0:$PORT` | where to listen |
| `GUNICORN_WORKERS` (or `WEB_CONCURRENCY`) | 2 × CPUs + 1, at most 8 | processes |
| `GUNICORN_THREADS` | 4 | threads per process (gthread) |
| `GUNICORN_TIMEOUT` | 60 | s a worker may be silent before it is restarted |
| `GUNICORN_GRACEFUL_TIMEOUT` | 30 | s to finish requests on a restart or stop |
| `GUNICORN_KEEPALIVE` | 5 | s a client connection is kept open between requests |
| `GUNICORN_MAX_REQUESTS` / `_JITTER` | 1000 / 100 | a worker is replaced after this many requests |
| `GUNICORN_PRELOAD` | 1 | load the app once before forking the workers |
| `GUNICORN_ACCESS_LOG` | `-` (standard output) | empty: no access log |
| `GUNICORN_LOG_LEVEL` | `info` | gunicorn's own log |
| `GUNICORN_PROXY_PROTOCOL` / `GUNICORN_PROXY_ALLOW_IPS` | off / `127.0.0.1,::1` | read the client's address from a balancer's PROXY protocol (v1) line |

Why threads: with sync workers each process serves one request at a time, so two slow
answers (a PDF, an export) on two workers froze every other page for their whole length.
With gthread a process serves GUNICORN_THREADS requests at once, and its heartbeat runs
beside them: a long request is not killed for being long (GUNICORN_TIMEOUT catches a process
that hangs), and the other threads keep answering. Heavy work belongs in background jobs
anyway (jobs/). Each thread keeps its own database connection for CONN_MAX_AGE seconds:
the database must accept instances × workers × threads connections, plus the workers of
Celery (docs/scaling.md).
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this container may use
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"

workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 8)))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)

timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# A worker is replaced after this many requests (spread, so they do not all restart at once):
# memory a long-lived process gathers (a big PDF's fonts, fragmentation) is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Django is loaded once in the master, then forked: workers share its memory, start fast,
# and a broken setting stops the server at once instead of every worker in a loop.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}

# Behind a balancer, REMOTE_ADDR is the balancer's, and sign-in throttling counts failures per
# REMOTE_ADDR (X-Forwarded-For is never trusted): every visitor would share one lock. A
# balancer that sends the PROXY protocol (v1; HAProxy `send-proxy`) from GUNICORN_PROXY_ALLOW_IPS
# makes REMOTE_ADDR the client's again (docs/scaling.md).
proxy_protocol = os.environ.get("GUNICORN_PROXY_PROTOCOL", "").strip().lower() in {"1", "true", "yes", "on"}
proxy_allow_ips = os.environ.get("GUNICORN_PROXY_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file on memory, not on a container's overlay disk (which can stall it).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Who, what, the answer, its size and how long it took (ms), and the client behind a proxy.
access_log_format = (
    '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
)


def post_fork(server, worker):
    """No database connection opened while the app loaded in the master is shared by workers."""
    from django.conf import settings

    if settings.configured:  # loaded in the master (preload_app)
        from django.db import connections

        connections.close_all()


def when_ready(server):
    """Import the URLs, and with them every view, before the workers are forked (preload_app):
    a worker's first request does not take seconds, and a broken import stops the server."""
    from django.conf import settings

    if preload_app and settings.configured:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018
