"""Every URL of the product must appear in a role-access test.

Role-access test modules (named `test_role_access*.py`) make requests through the
Django/DRF test clients; each response's resolved route is recorded. When the whole
suite runs, the routes of the URLconf that no role-access test reached fail the run.
"""

import os
import tempfile
from pathlib import Path

from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

ENV = "ROLE_ACCESS_ROUTES_DIR"
EXEMPT_PREFIXES = ("admin/",)  # Django's own admin; its access is Django's (staff only).


def all_routes() -> set[str]:
    routes: set[str] = set()

    def walk(patterns, prefix: str):
        for p in patterns:
            route = URLResolver._join_route(prefix, str(p.pattern))
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                routes.add(route)

    walk(get_resolver().url_patterns, "")
    return {r for r in routes if not r.startswith(EXEMPT_PREFIXES) and "(?P<format>" not in r}


def routes_dir() -> Path:
    if ENV not in os.environ:
        os.environ[ENV] = tempfile.mkdtemp(prefix="role-access-")
    return Path(os.environ[ENV])


def record(route: str) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(routes_dir() / f"{worker}.txt", "a", encoding="utf-8") as f:
        f.write(route + "\n")


def seen_routes() -> set[str]:
    seen: set[str] = set()
    for file in routes_dir().glob("*.txt"):
        seen.update(line.strip() for line in file.read_text(encoding="utf-8").splitlines())
    return seen
