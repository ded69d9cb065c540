"""The ranking and the round portfolio at scale: time, queries and peak memory (issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ranking_scale \
        .venv/bin/python bench/ranking_bench.py [--runs 7] [--round ID]

On a database made by `manage.py generate_load --proposals N` it takes the largest round and
its fund manager (the first active one) and a chair of one of its panels, and measures, in
process with Django's test client (the web worker's work without the network):
- the ranking page and API: page 1, the page where the funding line falls, the last page,
  and the API with `page_size=500`; the query count of each;
- the whole ranking as rows (`ranking_rows`, every row in Python: what each request did
  before the ranking was paginated), for comparison;
- the floor: a minimal signed-in page (`/help/conflicts/`), so the ratios are comparable
  between machines;
- the portfolio: its PDF (as the job makes it) and the CSV beside it, each in a fresh
  process so that its peak RSS (`ru_maxrss`) is that document's alone; and the PDF URL's
  answer for a large round (a job started, no PDF made in the request).
Writes bench/ranking_results.md (the table) and prints it.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="ranking-bench-")


def _scene(round_id=None):
    from django.db.models import Count

    from fund.models import Round
    from people.models import FUND_MANAGERS, User
    from proposals.models import Proposal
    from reviews.models import Panel

    if round_id:
        round_ = Round.objects.select_related("fund").get(pk=round_id)
    else:
        top = (Proposal.objects.values("round").annotate(n=Count("pk")).order_by("-n").first())
        round_ = Round.objects.select_related("fund").get(pk=top["round"])
    managers = User.objects.filter(groups__name=FUND_MANAGERS, is_active=True).order_by("pk")
    manager = next((u for u in managers if not _conflicted(u, round_)), None)
    if manager is None:
        # In a round of thousands every fund manager's agency leads or partners a proposal,
        # and a conflicted viewer sees no running totals and no funding line; the benchmark
        # adds a fund manager of no agency (in the benchmark's own database) to time them.
        from django.contrib.auth.models import Group

        manager, _ = User.objects.get_or_create(
            username="ranking-bench-fm",
            defaults={"first_name": "Ranking", "last_name": "Benchmark", "agency": None})
        manager.groups.add(Group.objects.get(name=FUND_MANAGERS))
    chair = Panel.objects.filter(round=round_).select_related("chair").first().chair
    return round_, manager, chair


def _conflicted(user, round_) -> bool:
    from reviews.selectors import ranking_counts

    return ranking_counts(round_=round_, viewer=user)[1] > 0


def _time(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def _get(client, url):
    def go():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
    return go


def pages(args) -> dict:
    _setup()
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from documents.portfolio import portfolio_size
    from reviews.selectors import RANKING_PAGE_SIZE, ranking_page, ranking_rows

    round_, manager, chair = _scene(args.round)
    from people.models import FUND_MANAGERS, User

    conflicted_fm = (User.objects.filter(groups__name=FUND_MANAGERS, is_active=True)
                     .exclude(pk=manager.pk).order_by("pk").first())
    first = ranking_page(round_=round_, viewer=manager)
    line_page = first.funding_line_page or 1
    results = {
        "round": round_.pk, "title": round_.title, "budget": str(round_.budget),
        "proposals": portfolio_size(round_), "ranked": first.ranked_count,
        "line_after": first.funding_line_after_rank, "line_page": line_page,
        "pages": first.num_pages, "page_size": RANKING_PAGE_SIZE, "rows": [],
    }
    base = f"/reviews/rounds/{round_.pk}/ranking/"
    api = f"/api/v1/rounds/{round_.pk}/ranking/"
    urls = [
        ("Floor: a minimal signed-in page", "/help/conflicts/", manager),
        ("Ranking page 1 (fund manager)", base, manager),
        (f"Ranking page {line_page}, the funding line's", f"{base}?page={line_page}", manager),
        (f"Ranking page {first.num_pages}, the last", f"{base}?page={first.num_pages}", manager),
        ("Ranking page 1 (panel chair; a conflict: rows set apart, no totals)", base, chair),
        ("Ranking page 1 (a conflicted fund manager)", base, conflicted_fm),
        ("Ranking API page 1 (50 rows)", api, manager),
        ("Ranking API, page_size=500", f"{api}?page_size=500", manager),
    ]
    for label, url, user in urls:
        client = Client()
        client.force_login(user)
        go = _get(client, url)
        go()  # warm
        from django.db import connections

        reset_queries()  # each request resets the log: count from an empty one
        contexts = [CaptureQueriesContext(connections[alias]) for alias in connections]
        for ctx in contexts:
            ctx.__enter__()
        go()
        for ctx in contexts:
            ctx.__exit__(None, None, None)
        p50, worst = _time(go, args.runs)
        results["rows"].append({"label": label, "url": url, "p50_ms": p50, "max_ms": worst,
                                "queries": sum(len(c.captured_queries) for c in contexts)})
    p50, worst = _time(lambda: ranking_rows(round_=round_, viewer=manager), max(3, args.runs // 2))
    results["rows"].append({"label": "Every row in Python (ranking_rows; what each request did "
                                     "before)", "url": "—", "p50_ms": p50, "max_ms": worst,
                            "queries": None})
    return results


def document(args) -> dict:
    """One document in this fresh process: its time and this process's peak RSS."""
    _setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from documents import portfolio

    round_, manager, _chair = _scene(args.round)
    rss_before = _rss_mib()
    queries = None
    start = time.perf_counter()
    if args.document == "pdf":
        with CaptureQueriesContext(connection) as ctx:
            content = portfolio.round_portfolio_pdf(round_, manager)
        queries = len(ctx.captured_queries)
        import io

        from pypdf import PdfReader

        size, pages = len(content), len(PdfReader(io.BytesIO(content)).pages)
    elif args.document == "csv":
        client = Client()
        client.force_login(manager)
        rss_before = _rss_mib()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/rounds/{round_.pk}/portfolio.csv")
            size = sum(len(chunk) for chunk in response.streaming_content)
        queries, pages = len(ctx.captured_queries), None
    else:  # the PDF URL of a large round: a job is started, nothing rendered
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = "memory://"
        client = Client()
        client.force_login(manager)
        from unittest import mock

        with mock.patch("jobs.services.enqueue"):
            start = time.perf_counter()
            response = client.get(f"/api/v1/rounds/{round_.pk}/portfolio.pdf",
                                  HTTP_ACCEPT="text/html,*/*;q=0.8")
        size, pages = response.status_code, response.get("Location")
    seconds = time.perf_counter() - start
    return {"document": args.document, "seconds": seconds, "rss_before_mib": rss_before,
            "peak_rss_mib": _rss_mib(), "bytes": size, "pages": pages, "queries": queries}


def _fresh(document: str, args) -> dict:
    command = [sys.executable, __file__, "--document", document, "--json"]
    if args.round:
        command += ["--round", str(args.round)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def report(results: dict, docs: list[dict], args) -> str:
    floor = results["rows"][0]["p50_ms"]
    lines = [
        "# The ranking and the round portfolio at scale (issue 16)",
        "",
        f"Measured by `bench/ranking_bench.py` on PostgreSQL, database made by "
        f"`manage.py generate_load --proposals {args.proposals}`; in process with Django's test "
        f"client (the worker's work, no network), median of {args.runs} runs, on a 2-core "
        "machine shared with other work (load average "
        f"{os.getloadavg()[0]:.1f} at the end).",
        "",
        f"The round: “{results['title']}” (id {results['round']}), {results['proposals']} "
        f"proposals past drafting, {results['ranked']} ranked, budget {results['budget']}; "
        f"the funding line falls after rank {results['line_after']} (page "
        f"{results['line_page']} of {results['pages']}, {results['page_size']} a page).",
        "",
        "## The ranking",
        "",
        "| What | p50 | max | × floor | queries |",
        "|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        lines.append(f"| {row['label']} | {row['p50_ms']:.1f} ms | {row['max_ms']:.1f} ms | "
                     f"{row['p50_ms'] / floor:.1f} | {row['queries'] if row['queries'] is not None else '—'} |")
    lines += [
        "",
        "## The round portfolio",
        "",
        "Each in a fresh process: peak RSS is that process's (Django and WeasyPrint loaded "
        "included; `before` is the process before making the document).",
        "",
        "| What | time | peak RSS (before) | size | pages | queries |",
        "|---|---|---|---|---|---|",
    ]
    names = {"pdf": "Portfolio PDF (what the job makes)",
             "csv": "Every proposal's details, CSV (streamed)",
             "redirect": "PDF URL of this round (above PORTFOLIO_INLINE_MAX)"}
    for doc in docs:
        size = (f"{doc['bytes'] / 1024:.0f} KiB" if doc["document"] != "redirect"
                else f"{doc['bytes']} → {doc['pages']}")
        pages = doc["pages"] if doc["document"] == "pdf" else "—"
        lines.append(f"| {names[doc['document']]} | {doc['seconds']:.2f} s | "
                     f"{doc['peak_rss_mib']:.0f} MiB ({doc['rss_before_mib']:.0f}) | {size} | "
                     f"{pages} | {doc['queries'] if doc['queries'] is not None else '—'} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--round", type=int)
    parser.add_argument("--proposals", default="?", help="N of generate_load, for the report")
    parser.add_argument("--document", choices=["pdf", "csv", "redirect"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "ranking_results.md"))
    args = parser.parse_args()
    if args.document:
        print(json.dumps(document(args)))
        return
    results = pages(args)
    docs = [_fresh(name, args) for name in ("pdf", "csv", "redirect")]
    text = report(results, docs, args)
    Path(args.out).write_text(text + "\n```json\n" + json.dumps(
        {"ranking": results, "portfolio": docs}, indent=1) + "\n```\n")
    print(text)


if __name__ == "__main__":
    main()
