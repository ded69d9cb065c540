"""Exports at scale: time, queries and peak memory of each export, one fresh process each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/export_scale \
        .venv/bin/python bench/export_bench.py            # every export, the table for the README
    .venv/bin/python bench/export_bench.py --one stream /data/export/proposals.csv

Each measurement runs in a new Python process (so the peak RSS, `ru_maxrss`, is that one
export's worker) signed in as the first active fund manager:
- `stream`: the download streamed in the request, the inline limit lifted
  (EXPORT_INLINE_MAX_ROWS) so the whole file is made there: the worst a web worker does;
- `job`: what a background worker does for a large export (`jobs.kinds._run_export`, the
  file written to a temporary file and stored);
- `redirect`: the request with the default limit, which only starts the job.
The body is read and thrown away chunk by chunk, as a client would.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URLS = [
    "/data/export/proposals.csv", "/data/export/proposals.xlsx",
    "/data/export/reviews.csv", "/data/export/awards.csv", "/data/export/learnings.csv",
    "/data/export/civil-servants.csv", "/data/export/agencies.csv",
    "/data/export/contributions.csv",
    "/data/export/360giving.json", "/data/export/360giving.csv",
    "/api/v1/awards/360giving.json",
]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(mode: str, url: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from people.models import FUND_MANAGERS, User

    settings.ALLOWED_HOSTS = ["*"]
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="export-bench-")
    if mode in ("stream", "job"):
        settings.EXPORT_INLINE_MAX_ROWS = 10**9 if mode == "stream" else 0
    user = (User.objects.filter(groups__name=FUND_MANAGERS, is_active=True)
            .order_by("pk").first())
    client = Client()
    client.force_login(user)
    client.get("/data/export/")  # warm: templates, content types, the session
    base = _rss_mib()
    size = 0
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if mode == "job":
            from jobs.models import Job
            from jobs.running import run_job

            assert response.status_code == 302, response.status_code
            job = Job.objects.filter(owner=user).latest("pk")
            run_job(job_id=job.pk)  # what the worker does (eager without a broker anyway)
            job.refresh_from_db()
            assert job.state == Job.State.READY, job.error
            size = job.result.size
        elif mode == "redirect":
            assert response.status_code in (200, 302), response.status_code
        else:
            assert response.status_code == 200, response.status_code
            for chunk in response.streaming_content:
                size += len(chunk)
            response.close()
    seconds = time.perf_counter() - start
    return {"mode": mode, "url": url, "status": response.status_code, "bytes": size,
            "seconds": round(seconds, 2), "queries": len(queries),
            "rss_base_mib": round(base, 1), "rss_peak_mib": round(_rss_mib(), 1)}


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(sys.argv[2], sys.argv[3])))
        return
    modes = sys.argv[1:] or ["stream", "job", "redirect"]
    results = []
    for mode in modes:
        for url in URLS:
            if mode == "job" and url.startswith("/api/"):
                continue  # the API always streams
            out = subprocess.run([sys.executable, __file__, "--one", mode, url],
                                 capture_output=True, text=True, env=os.environ)
            line = (out.stdout.strip().splitlines() or [""])[-1]
            try:
                row = json.loads(line)
            except ValueError:
                row = {"mode": mode, "url": url, "error": out.stderr.strip()[-300:]}
            results.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| mode | export | rows' file | time | queries | peak RSS (base) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['mode']} | `{r['url']}` | error: {r['error'][:80]} | | | |")
            continue
        print(f"| {r['mode']} | `{r['url']}` | {r['bytes'] / 1048576:.1f} MiB | {r['seconds']} s "
              f"| {r['queries']} | {r['rss_peak_mib']} MiB ({r['rss_base_mib']}) |")


if __name__ == "__main__":
    main()
