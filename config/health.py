"""Liveness and readiness probes for load balancers, containers and orchestrators.

- `/health/live/`: the process answers. No database, broker or file is touched, so a
  database outage never makes an orchestrator restart every web process.
- `/health/ready/`: this instance can serve: each database (`default`, and `replica` when
  configured), the Celery broker (when CELERY_BROKER_URL is set), the media storage (a file
  written, read back and deleted) and the cache answer. 200 when all do, 503 naming the
  failing check otherwise; take the instance out of the balancer until it answers 200.

Both answer JSON whatever the Accept header, are never cached, need no session or sign-in,
and are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), so a probe over plain HTTP
inside the network works; the Host it sends must still be in ALLOWED_HOSTS. Anyone may ask,
so a failing check answers only "unavailable": the reason (a driver's message may name the
database host) goes to the log (logger `config.health`), never to the caller.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (the web process sends tasks to it)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        from config.celery import app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                       timeout=self.timeout.total_seconds())
        except Exception as e:
            raise ServiceUnavailable("Cannot reach the Celery broker") from e


def ready_checks() -> list[HealthCheck]:
    """What /health/ready/ checks, from the settings in force."""
    checks: list[HealthCheck] = [Database(alias=alias) for alias in settings.DATABASES]
    if settings.CELERY_BROKER_URL:
        checks.append(Broker())
    checks += [Storage(alias="default"), Cache(alias="default")]
    return checks


def _name(check: HealthCheck) -> str:
    alias = getattr(check, "alias", None)
    kind = type(check).__name__.lower()
    return f"{kind}:{alias}" if alias else kind


@never_cache
@require_safe
def live(request):
    return JsonResponse({"status": "ok"})


class ReadyView(HealthCheckView):
    """django-health-check's runner (checks in parallel, each with its timeout), JSON only."""

    http_method_names = ["get", "head"]

    def get_checks(self):
        yield from ready_checks()

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks()))
        failed = any(result.error for result in results)
        for result in results:
            if result.error:
                logger.warning("health check %s failed: %s", _name(result.check), result.error)
        return JsonResponse(
            {
                "status": "unavailable" if failed else "ok",
                "checks": {
                    _name(result.check): "unavailable" if result.error else "ok"
                    for result in results
                },
            },
            status=503 if failed else 200,
        )


ready = ReadyView.as_view()
