"""Profile the pages of issue 16 in-process: wall time, SQL time and Python time per page.

    DEBUG=0 SECRET_KEY=x .venv/bin/python manage.py collectstatic --noinput   # into staticfiles/
    .venv/bin/python bench/profile_pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/<a copy of load_100k> \\
        --repeats 20 [--pages rv-home,fm-home] [--profile fm-home] [--sql fm-home] \\
        [--compare /path/to/other/checkout] [--rounds 4]

Never point it at a database others use: signing in writes sessions and `last_login`. Make a
copy first: `createdb -h 127.0.0.1 -U postgres mycopy -T load_100k`.

Each page is requested through Django's test client (`force_login` as generate_load's
deterministic accounts, `secure=True` as behind the TLS proxy), with the production settings:
`DEBUG=0`, `TWO_FACTOR_ROLES=` (nobody gives a code), `ALLOWED_HOSTS=testserver`; static files
(the settings put them in the checkout's `staticfiles/`: run `manage.py collectstatic --noinput`
in each checkout first, the templates need its manifest). After 2 untimed requests, each page is requested `--repeats` times, pages
interleaved, and for each request:

- `wall`: time from the request to the full response, in ms;
- `sql`: time spent inside the database driver's `execute` (a `connection.execute_wrapper`),
  i.e. the database's work plus the round trip, not Django's building of the SQL;
- `python`: wall minus sql (views, forms, serialisers, templates, and compiling the SQL);
- `queries`: the number of queries.

The report gives the median of each, per page. `--profile PAGE` prints a cProfile of that page
(the top functions by cumulative time over `--repeats` requests); `--sql PAGE` prints each of
its queries with its time (the median request's).

`--compare DIR` measures this checkout and the one in DIR alternately (`--rounds` times, in
the order before-after, after-before, ..., each a subprocess with `PYTHONPATH` set to the checkout, `--repeats` requests per page each time),
and prints both medians side by side: before/after on the same machine at the same load. The
unread notifications count is cached only with a shared cache: set `CACHE_URL=redis://...` to
measure it as deployed (compose sets it). The checkouts must work against the same database schema (run the newer one's migrations on the
copy first; an extra table or column does not disturb the older code).

Pages (ids as in bench/scale.py): cs-home, rv-home, rv-assignments, ch-home, fm-home, fm-all,
fm-queue, fm-api-proposals, fm-api-proposals-500, fm-api-proposals-100, hr-home, su-home,
fm-ranking, fm-api-ranking.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

USERS = {
    "civil_servant": "load-cs-1",
    "reviewer": "load-rv-1",
    "chair": "load-chair-1",
    "fund_manager": "load-fm-1",
    "hr_officer": "load-hr-1",
    "superuser": "load-admin",
}

PAGES = [
    ("cs-home", "civil_servant", "/"),
    ("rv-home", "reviewer", "/"),
    ("rv-assignments", "reviewer", "/reviews/"),
    ("ch-home", "chair", "/"),
    ("fm-home", "fund_manager", "/"),
    ("fm-all", "fund_manager", "/proposals/all/"),
    ("fm-queue", "fund_manager", "/proposals/queue/"),
    ("fm-api-proposals", "fund_manager", "/api/v1/proposals/"),
    ("fm-api-proposals-500", "fund_manager", "/api/v1/proposals/?page={last500}"),
    ("fm-api-proposals-100", "fund_manager", "/api/v1/proposals/?page_size=100"),
    ("hr-home", "hr_officer", "/"),
    ("su-home", "superuser", "/"),
    ("fm-ranking", "fund_manager", "/reviews/rounds/{round}/ranking/"),
    ("fm-api-ranking", "fund_manager", "/api/v1/rounds/{round}/ranking/"),
]


def _setup(database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": "x",
            "ALLOWED_HOSTS": "testserver",
            "TWO_FACTOR_ROLES": "",
            "AXES_FAILURE_LIMIT": "10000",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class _Timer:
    """A connection.execute_wrapper that sums the time spent executing queries."""

    def __init__(self):
        self.seconds = 0.0
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            self.queries.append((spent, sql))


def _facts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT round_id FROM proposals_proposal GROUP BY round_id "
            "ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        row = cursor.fetchone()
    return {"round": row[0] if row else 0}


def _clients(roles: set[str]) -> dict:
    from django.test import Client

    from people.models import User

    clients = {}
    for role in roles:
        user = User.objects.get(username=USERS[role])
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(user)
        clients[role] = client
    return clients


def _resolve(pages, clients, facts) -> list[tuple[str, str, str]]:
    resolved = []
    for name, role, path in pages:
        if "{last500}" in path:
            data = clients[role].get("/api/v1/proposals/", secure=True).json()
            per_page = len(data.get("results") or []) or 25
            last = max(1, -(-(data.get("count") or 0) // per_page))
            path = path.format(last500=min(500, last))
        path = path.format(round=facts["round"])
        resolved.append((name, role, path))
    return resolved


def measure(
    database_url: str,
    names: list[str],
    repeats: int,
    profile: str | None = None,
    sql: str | None = None,
) -> dict:
    _setup(database_url)
    from django.db import connection

    pages = [page for page in PAGES if page[0] in names]
    clients = _clients({role for _, role, _ in pages})
    pages = _resolve(pages, clients, _facts())
    results = {
        name: {"path": path, "wall": [], "sql": [], "queries": [], "runs": []}
        for name, _, path in pages
    }
    for _ in range(2):  # untimed
        for name, role, path in pages:
            answer = clients[role].get(path, secure=True)
            assert answer.status_code == 200, (name, path, answer.status_code)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    for _ in range(repeats):
        for name, role, path in pages:
            timer = _Timer()
            with connection.execute_wrapper(timer):
                if profiler and name == profile:
                    profiler.enable()
                start = time.perf_counter()
                answer = clients[role].get(path, secure=True)
                if hasattr(answer, "streaming_content"):
                    b"".join(answer.streaming_content)
                wall = time.perf_counter() - start
                if profiler and name == profile:
                    profiler.disable()
            assert answer.status_code == 200, (name, path, answer.status_code)
            entry = results[name]
            entry["wall"].append(wall * 1000)
            entry["sql"].append(timer.seconds * 1000)
            entry["queries"].append(len(timer.queries))
            entry["runs"].append([(round(s * 1000, 2), q) for s, q in timer.queries])
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    if sql:
        runs = results[sql]["runs"]
        walls = results[sql]["wall"]
        median_run = runs[sorted(range(len(walls)), key=walls.__getitem__)[len(walls) // 2]]
        print(f"\n-- queries of {sql} (median request)")
        for spent, text in median_run:
            print(f"{spent:8.2f} ms  {text[:400]}")
    for entry in results.values():
        del entry["runs"]
    return results


def _summary(entry: dict) -> tuple[float, float, float, int]:
    wall = statistics.median(entry["wall"])
    sql = statistics.median(entry["sql"])
    return wall, sql, wall - sql, max(entry["queries"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pages", default=",".join(name for name, _, _ in PAGES))
    parser.add_argument("--profile", help="a page to cProfile")
    parser.add_argument("--sql", help="a page whose queries to print")
    parser.add_argument("--compare", help="another checkout to measure alternately with this one")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    names = [name.strip() for name in args.pages.split(",") if name.strip()]

    if args.worker:
        print("RESULT " + json.dumps(measure(args.database_url, names, args.repeats)))
        return
    if not args.compare:
        results = measure(args.database_url, names, args.repeats, args.profile, args.sql)
        print(
            "\n| page | path | wall p50 ms | sql ms | python ms | queries |\n|---|---|---|---|---|---|"
        )
        for name, entry in results.items():
            wall, sql, python, queries = _summary(entry)
            print(
                f"| {name} | `{entry['path']}` | {wall:.1f} | {sql:.1f} | {python:.1f} | {queries} |"
            )
        return

    here = Path(__file__).resolve().parents[1]
    checkouts = {"before": Path(args.compare).resolve(), "after": here}
    merged: dict[str, dict] = {label: {} for label in checkouts}
    for round_number in range(args.rounds):
        order = list(checkouts.items())
        if round_number % 2:  # ABBA: neither always runs first
            order.reverse()
        for label, checkout in order:
            env = dict(os.environ, PYTHONPATH=str(checkout))
            output = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--worker",
                    "--database-url",
                    args.database_url,
                    "--repeats",
                    str(args.repeats),
                    "--pages",
                    ",".join(names),
                ],
                env=env,
                cwd=checkout,
                capture_output=True,
                text=True,
                check=False,
            )
            lines = [line for line in output.stdout.splitlines() if line.startswith("RESULT ")]
            if not lines:
                sys.exit(f"{label} failed:\n{output.stderr[-3000:]}")
            for name, entry in json.loads(lines[-1][7:]).items():
                into = merged[label].setdefault(
                    name, {"path": entry["path"], "wall": [], "sql": [], "queries": []}
                )
                for key in ("wall", "sql", "queries"):
                    into[key] += entry[key]
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    print(
        "\n| page | before p50 ms (sql / python, queries) | after p50 ms (sql / python, queries) "
        "| change |\n|---|---|---|---|"
    )
    for name in names:
        if name not in merged["after"]:
            continue
        b = _summary(merged["before"][name])
        a = _summary(merged["after"][name])
        print(
            f"| {name} | {b[0]:.1f} ({b[1]:.1f} / {b[2]:.1f}, {b[3]}) "
            f"| {a[0]:.1f} ({a[1]:.1f} / {a[2]:.1f}, {a[3]}) | {a[0] / b[0] - 1:+.0%} |"
        )


if __name__ == "__main__":
    main()
