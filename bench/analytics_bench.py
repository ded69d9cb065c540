"""The analytics pages and API against the fund manager's proposal list, at scale (issue 17).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anaspeed_100k \\
        .venv/bin/python bench/analytics_bench.py [--runs 5] [--label "100k, after"] \\
        [--refresh | --live] [--out bench/analytics_results.md]

`--refresh` first does the beat task's work (`analytics.refresh.refresh_stored_figures`: every
figure without filters computed and stored, as every ANALYTICS_REFRESH_MINUTES in production)
and reports how long it took: the pages are then measured as a fund manager finds them between
two refreshes. `--live` deletes the stored figures first (the database's own copy!), so every
figure is computed in the request, as before they were stored. Neither: as the database is.

Run once per database made by `manage.py generate_load --proposals N` (a copy of it: the
benchmark writes nothing but Django's sessions, yet the load databases are shared). Each run
adds (or replaces) its size's section in the JSON kept beside `--out` and rewrites the Markdown
from every size measured so far, so 1k, 10k and 100k can be measured one after the other.

What it measures, in process with Django's test client (the web worker's work, no network),
signed in as generate_load's fund manager `load-fm-1`:
- the baseline: the fund manager's proposal list, `/proposals/all/` (page 1);
- each analytics page (`/analytics/<figure>/`) and each API figure
  (`/api/v1/analytics/<figure>/`), every one as a FIRST request: the cache is cleared before
  each timed request (`cache.clear()` of the in-process cache; the benchmark refuses to run
  against a shared cache: unset CACHE_URL), so nothing is served from an earlier answer;
- the public pages (`/analytics/public/<figure>/`), also uncached, for information;
- with `--filtered [round fund agency year combined]` (all five when none is named), each
  page and API figure filtered to the largest round, fund, agency and year, and to the largest
  fund's largest year and the largest agency together: counted from the facts the refresh
  keeps (analytics/facts.py) after `--refresh`, else live; `--only-filtered` measures the
  baseline and these only; `--kinds` which of them (`page`, `api`, `public`: the public
  pages, `/analytics/public/<figure>/?...`, counted from the facts with their record keys;
  default: page and api);
- the query count of each (one request, captured).

Each row is the median of `--runs` timed requests after one untimed one (warming Python and
the database's buffers, not the figure cache), and its ratio to the proposal list's median
measured in the same run. Target (issue 17): every page and API figure < 2× the list.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 2.0


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if os.environ.get("CACHE_URL"):
        sys.exit("Unset CACHE_URL: the benchmark clears the cache before every request.")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def _manager(username):
    from people.models import FUND_MANAGERS, User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = (
            User.objects.filter(groups__name=FUND_MANAGERS, is_active=True).order_by("pk").first()
        )
    return user


FILTERS = ("round", "fund", "agency", "year", "combined")


def _filters(which) -> list[tuple[str, str]]:
    """(label, query) of each filter asked for: the largest round, fund, agency (by the
    proposals it leads or partners in) and year a round opens, and those three together
    (the largest fund, its largest year, the largest agency)."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from analytics.selectors import proposals_counted
    from people.models import Agency

    counted = proposals_counted(chosen={})
    top_round = counted.values("round").annotate(n=Count("pk")).order_by("-n").first()
    top_fund = counted.values("round__fund").annotate(n=Count("pk")).order_by("-n").first()
    top_year = (counted.annotate(y=ExtractYear("round__opens_at")).values("y")
                .annotate(n=Count("pk")).order_by("-n").first())
    agency = max(Agency.objects.all(), key=lambda a: proposals_counted(
        chosen={"agency": a}).count())
    n_agency = proposals_counted(chosen={"agency": agency}).count()
    fund_year = (counted.filter(round__fund=top_fund["round__fund"])
                 .annotate(y=ExtractYear("round__opens_at")).values("y")
                 .annotate(n=Count("pk")).order_by("-n").first())
    both = {"fund": top_fund["round__fund"], "year": fund_year["y"], "agency": agency}
    n_both = proposals_counted(chosen={**both, "year_from": both["year"],
                                       "year_to": both["year"]}).count()
    choices = {
        "round": (f"largest round ({top_round['n']:,} proposals)",
                  f"round={top_round['round']}"),
        "fund": (f"largest fund ({top_fund['n']:,})", f"fund={top_fund['round__fund']}"),
        "agency": (f"largest agency ({n_agency:,})", f"agency={agency.pk}"),
        "year": (f"largest year ({top_year['n']:,})", f"year={top_year['y']}"),
        "combined": (f"fund + year + agency ({n_both:,})",
                     f"fund={both['fund']}&year={both['year']}&agency={agency.pk}"),
    }
    return [choices[k] for k in which]


def measure(args) -> dict:
    _setup()
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from analytics.figures import FIGURES, PUBLIC_FIGURES
    from analytics.models import StoredFigure
    from proposals.models import Proposal

    manager = _manager(args.user)
    refresh = None
    if args.live:
        StoredFigure.objects.all().delete()
    if args.refresh:
        from analytics.refresh import refresh_stored_figures

        start = time.perf_counter()
        refresh_stored_figures()
        refresh = {
            "seconds": time.perf_counter() - start,
            "figures": [
                {"figure": str(row), "seconds": row.seconds}
                for row in StoredFigure.objects.order_by("key", "public", "viewer")
            ],
        }
    client = Client()
    client.force_login(manager)
    urls = [("Proposal list (baseline)", "/proposals/all/")]
    if not args.only_filtered:
        urls += [(f"Page: {title}", f"/analytics/{key}/") for key, title in FIGURES.items()]
        urls += [(f"API: {key}", f"/api/v1/analytics/{key}/") for key in FIGURES]
        urls += [(f"Public page: {key}", f"/analytics/public/{key}/")
                 for key in PUBLIC_FIGURES]
    if args.filtered:  # the largest of each filter
        kinds = {"page": ("Page,", "/analytics/", FIGURES),
                 "api": ("API,", "/api/v1/analytics/", FIGURES),
                 "public": ("Public page,", "/analytics/public/", PUBLIC_FIGURES)}
        urls += [(f"{kind} {label}: {key}", f"{prefix}{key}/?{query}")
                 for label, query in _filters(args.filtered)
                 for kind, prefix, keys in (kinds[k] for k in args.kinds)
                 for key in keys]
    rows = []
    for label, url in urls:

        def go(url=url):
            cache.clear()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        go()  # untimed: Python's imports, the database's buffers
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            go()
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            go()
            times.append((time.perf_counter() - start) * 1000)
        rows.append(
            {
                "label": label,
                "url": url,
                "p50_ms": statistics.median(times),
                "max_ms": max(times),
                "queries": len(ctx.captured_queries),
            }
        )
        print(f"{label}: {rows[-1]['p50_ms']:.0f} ms", file=sys.stderr)
    return {
        "label": args.label,
        "proposals": Proposal.objects.count(),
        "runs": args.runs,
        "user": manager.username,
        "load": os.getloadavg()[0],
        "rows": rows,
        "stored": StoredFigure.objects.count(),
        "refresh": refresh,
    }


def report(runs: dict) -> str:
    lines = [
        "# Analytics at scale: each figure's first request against the proposal list (issue 17)",
        "",
        "Measured by `bench/analytics_bench.py` on PostgreSQL (databases made by `manage.py "
        "generate_load`), in process with Django's test client (the worker's work, no "
        "network), signed in as the fund manager; every request a first one (the figure "
        "cache cleared before it). Median of the runs given; × list: the median over the "
        "proposal list's (`/proposals/all/`) median in the same run. Target: < 2× the list. "
        "The machine (2 cores) was shared with other work while this ran: the load average "
        "at the end of each run is given, and the ratios are more telling than the times.",
        "",
        "*Before*: every figure computed in the request (1k and 10k: the code before figures "
        "were stored; 100k: `--live`, the same computation with the stored figures deleted). "
        "*After*: `--refresh`, the figures without filters stored by the beat task's work first, "
        "as a fund manager finds them between two refreshes (every 5 minutes); Reviewing is "
        "stored per fund manager and served while their visibility fingerprint holds. The "
        "100k copy was `VACUUM ANALYZE`d and given the (lead, id) index between the before and "
        "after runs. Filtered pages (`--filtered`: the largest round, fund, agency, year and "
        "the three together) are counted from the facts the refresh keeps "
        "(analytics/facts.py) after `--refresh`, else computed in the request.",
        "",
    ]
    for label in sorted(runs, key=lambda k: runs[k]["proposals"]):
        run = runs[label]
        base = run["rows"][0]["p50_ms"]
        lines += [
            f"## {label}: {run['proposals']:,} proposals (runs: {run['runs']}, load "
            f"average {run['load']:.1f})",
            "",
            "Stored figures (computed in the background) in the database: "
            f"{run.get('stored', 0)}"
            + ("" if run.get("stored") else ": every figure computed in the request")
            + ".",
            "",
        ]
        if run.get("refresh"):
            lines += [
                f"The beat task's work before the run (every figure without filters, "
                f"Reviewing once per active fund manager): {run['refresh']['seconds']:.1f} s "
                "in all; "
                + ", ".join(
                    f"{f['figure']} {f['seconds']:.2f} s" for f in run["refresh"]["figures"]
                )
                + ".",
                "",
            ]
        lines += ["| What | URL | p50 | max | × list | queries |", "|---|---|---|---|---|---|"]
        for row in run["rows"]:
            ratio = row["p50_ms"] / base
            mark = "" if row is run["rows"][0] or ratio < TARGET else " ✗"
            lines.append(
                f"| {row['label']} | `{row['url']}` | {row['p50_ms']:.0f} ms | "
                f"{row['max_ms']:.0f} ms | {ratio:.2f}{mark} | {row['queries']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default=None, help="the size's name in the report (e.g. 100k)")
    parser.add_argument("--user", default="load-fm-1")
    parser.add_argument(
        "--filtered", nargs="*", choices=FILTERS, default=None,
        help="also each page and API figure filtered (computed live): by the largest round, "
             "fund, agency, year, and the three together (all five when none is named)")
    parser.add_argument("--kinds", nargs="+", choices=("page", "api", "public"),
                        default=["page", "api"],
                        help="which filtered figures: pages, API, public pages")
    parser.add_argument("--only-filtered", action="store_true",
                        help="measure the baseline and the filtered figures only")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--refresh", action="store_true", help="store the figures first")
    mode.add_argument("--live", action="store_true", help="delete the stored figures first")
    parser.add_argument("--out", default=str(ROOT / "bench" / "analytics_results.md"))
    args = parser.parse_args()
    if args.filtered == []:
        args.filtered = list(FILTERS)
    result = measure(args)
    if args.label is None:
        result["label"] = args.label = f"{result['proposals']:,} proposals"
    store = Path(args.out).with_suffix(".json")
    runs = json.loads(store.read_text()) if store.exists() else {}
    runs[args.label] = result
    store.write_text(json.dumps(runs, indent=1) + "\n")
    text = report(runs)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
