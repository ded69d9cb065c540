"""Scale benchmark (issue 16): every page the issue lists, beside a floor, on PostgreSQL, under gunicorn.

    .venv/bin/python bench/scale.py \\
        --database-url postgres://postgres@127.0.0.1:5432/load_1k \\
        --database-url postgres://postgres@127.0.0.1:5432/load_10k \\
        --requests 30 --out bench/scale_results.md

Each `--database-url` is a database filled by `manage.py generate_load --proposals N` (N is
read from it). For each one, and for each `--serving` mode, it:

1. serves the product (`config.wsgi`, `DEBUG=0`, the production settings, a fresh
   `collectstatic`) and the floor (`bench/floor/`: a minimal Django project whose one view
   renders a 34 KB HTML table from a template, no database) side by side with gunicorn, with
   the same workers: `--serving sync2` (the default) is 2 sync workers and gunicorn's other
   defaults, as the issue measured; `--serving product` is the product's own
   `gunicorn.conf.py` for both;
2. signs in as each role (the sign-in page for pages, `POST /api/v1/auth/token/` for the API)
   and requests every page, each one right after a request to the floor, in a shuffled order,
   `--requests` times after `--warmup` untimed rounds, one request at a time, so that both see
   the same machine load;
3. times the heavy work on its own (`--heavy-runs` times each): CSV exports, 360Giving and the
   round portfolio PDF of the largest round, in the request and as a job (time until the job is
   done, read from the database), with the peak RSS of the serving processes while it runs;
4. checks that heavy work does not stall the site: the civil servant's home page, requested
   every 0.2 s while two heavy requests run at once, against its own p50;
5. counts each page's queries (`--no-queries` to skip): one request per page through
   Django's test client in a subprocess, same database and settings;

then writes the Markdown report (`--out`) and a JSON beside it (same name, `.json`). Runs of
other sizes or serving modes already in that JSON are kept, so sizes can be measured in
separate invocations; a size measured again in the same mode replaces its old run.

Timings are client-side, from opening the connection to the last byte of the body, in ms.
p50 and p95 are linearly interpolated percentiles. "× floor" is the page's p50 over the floor's
p50 measured in the same run. Targets (issue 16): every page ≤ 10× the floor at p50; the civil
servant's pages stay where they were (≤ 21×, the top of the 8–21× range the issue measured);
any answer other than 200 fails the page. Heavy work: 200 (or a job that ends ready) and a
portfolio PDF under 10 s; peak worker RSS under 150 MiB is reported (the target is at 100k).

Settings of the served product: `DEBUG=0`, a random `SECRET_KEY`, `ALLOWED_HOSTS=127.0.0.1,
localhost`, `TWO_FACTOR_ROLES=` (nobody must give a code), `AXES_FAILURE_LIMIT=10000` (the bench
users are never locked out), `MEDIA_ROOT` in a temporary folder. Requests carry
`X-Forwarded-Proto: https`, as from the TLS proxy of a production deployment, so the HTTPS-only
settings (secure cookies, SSL redirect, HSTS) stay as they are in production and the cookies
are sent back by this client itself. `--env NAME=VALUE` adds to the product's environment
(e.g. `--env CONN_MAX_AGE=60`); `--broker-url redis://…` serves with a Celery worker (jobs then
run off the request, as in production; without it they run in the web process).

Users: `--user role=username` (roles: civil_servant, reviewer, chair, fund_manager, hr_officer,
superuser) and `--password`; the defaults are generate_load's deterministic accounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# --- targets ----------------------------------------------------------------------------------

TARGET_RATIO = 10.0
# The civil servant's pages were 8–21× the floor before issue 16; they must stay where they were.
CIVIL_SERVANT_RATIO = 21.0
PDF_TARGET_SECONDS = 10.0
RSS_TARGET_MIB = 150.0

ROLES = ("civil_servant", "reviewer", "chair", "fund_manager", "hr_officer", "superuser")
ROLE_LABELS = {
    "civil_servant": "civil servant", "reviewer": "reviewer", "chair": "chair",
    "fund_manager": "fund manager", "hr_officer": "HR officer", "superuser": "superuser",
}
# generate_load's deterministic accounts (portal/management/commands/generate_load.py).
DEFAULT_USERS = {
    "civil_servant": "load-cs-1",
    "reviewer": "load-rv-1",
    "chair": "load-chair-1",
    "fund_manager": "load-fm-1",
    "hr_officer": "load-hr-1",
    "superuser": "load-admin",
}
DEFAULT_PASSWORD = "load-pass-2026"


# --- statistics and the report (pure: tests/bench/test_scale_harness.py) -------------------------

def percentile(values, q: float) -> float | None:
    """The q-th percentile (0–100) of `values`, linearly interpolated; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    if len(ordered) == 1:
        return float(ordered[0])
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def summarise(times_ms, statuses=()) -> dict:
    """p50, p95, mean and count of timings in ms, and how many answers had each status."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return {
        "n": len(times_ms),
        "p50": percentile(times_ms, 50),
        "p95": percentile(times_ms, 95),
        "mean": statistics.fmean(times_ms) if times_ms else None,
        "statuses": counts,
    }


def non_200(statuses: dict) -> dict:
    return {status: count for status, count in statuses.items() if status != "200"}


def page_verdict(page: dict, floor_p50: float | None) -> dict:
    """The page's ratio to the floor and whether it meets its target (fills ratio, verdict)."""
    ratio = None
    if page.get("p50") is not None and floor_p50:
        ratio = page["p50"] / floor_p50
    target = page.get("target") or TARGET_RATIO
    bad = non_200(page.get("statuses", {}))
    if bad:
        verdict = "FAIL (status " + ", ".join(f"{s}×{c}" for s, c in sorted(bad.items())) + ")"
    elif ratio is None:
        verdict = "no data"
    elif ratio <= target:
        verdict = "pass"
    else:
        verdict = "FAIL"
    return {**page, "ratio": ratio, "target": target, "verdict": verdict}


def heavy_verdict(item: dict) -> dict:
    """Heavy work passes when every run answered 200 (or its job ended ready), a PDF within
    PDF_TARGET_SECONDS at p50; an export's peak RSS is reported against RSS_TARGET_MIB."""
    bad = non_200(item.get("statuses", {}))
    problems = []
    if bad:
        problems.append("status " + ", ".join(f"{s}×{c}" for s, c in sorted(bad.items())))
    p50 = item.get("p50")
    if item.get("pdf") and p50 is not None and p50 > PDF_TARGET_SECONDS * 1000:
        problems.append(f"over {PDF_TARGET_SECONDS:g} s")
    if p50 is None and not bad:
        problems.append("no data")
    rss = item.get("peak_rss_mib")
    rss_note = ""
    grew = item.get("rss_grew_mib")
    if (rss is not None and rss > RSS_TARGET_MIB and not item.get("pdf")
            and (grew is None or grew >= 1.0)):
        rss_note = f"RSS over {RSS_TARGET_MIB:g} MiB"
    verdict = "FAIL (" + "; ".join(problems) + ")" if problems else "pass"
    return {**item, "verdict": verdict, "rss_note": rss_note}


def fmt_ms(value) -> str:
    if value is None:
        return "–"
    if value >= 10000:
        return f"{value / 1000:.1f} s"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def fmt_time(value) -> str:
    """A duration in prose: '612 ms', '13.9 s'."""
    text = fmt_ms(value)
    return text if text.endswith(" s") or text == "–" else text + " ms"


def fmt_ratio(value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def fmt_n(n) -> str:
    if n is None:
        return "?"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)


def fmt_statuses(statuses: dict) -> str:
    if not statuses:
        return "–"
    return ", ".join(f"{s}×{c}" if len(statuses) > 1 or s != "200" else "200"
                     for s, c in sorted(statuses.items()))


def run_key(run: dict) -> tuple:
    return (run.get("n"), run.get("serving"))


def merge_runs(old_runs: list, new_runs: list) -> list:
    """Old runs kept unless measured again (same N and serving mode); sorted by mode, then N."""
    fresh = {run_key(run) for run in new_runs}
    kept = [run for run in old_runs if run_key(run) not in fresh]
    return sorted(kept + list(new_runs), key=lambda r: (str(r.get("serving")), r.get("n") or 0))


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|")


def render_markdown(report: dict) -> str:
    """The results file: what was run where, a summary by size, then each run in full."""
    runs = report.get("runs", [])
    machine = report.get("machine", {})
    lines = [
        "# Scale benchmark results (issue 16)",
        "",
        "Written by `bench/scale.py` (how to run it: the docstring at its top). The product and "
        "the floor (`bench/floor/`, a minimal Django page rendering a 34 KB table, no "
        "database) are served side by side by gunicorn on the same machine, with the same "
        "workers, and requested alternately, one request at a time; times are client-side, "
        "connection to last byte, in ms.",
        "",
        f"- Written: {report.get('generated', '?')}",
        f"- Machine: {machine.get('cpus', '?')} CPUs ({_md_escape(machine.get('cpu_model', '?'))}), "
        f"{machine.get('ram_gib', '?')} GiB RAM, {machine.get('os', '?')}, Python "
        f"{machine.get('python', '?')}, {machine.get('postgres', '?')}, gunicorn "
        f"{machine.get('gunicorn', '?')}",
    ]
    if report.get("note"):
        lines.append(f"- Note: {report['note']}")
    lines += [
        f"- Targets: every page ≤ {TARGET_RATIO:g}× the floor at p50; the civil servant's pages "
        f"stay where they were (≤ {CIVIL_SERVANT_RATIO:g}×); any answer but 200 fails; a "
        f"portfolio PDF under {PDF_TARGET_SECONDS:g} s; peak worker RSS during an export "
        f"under {RSS_TARGET_MIB:g} MiB (at 100k).",
        "",
    ]
    modes = sorted({str(run.get("serving")) for run in runs})
    for mode in modes:
        mode_runs = [run for run in runs if str(run.get("serving")) == mode]
        lines += _summary_table(mode, mode_runs)
    for run in runs:
        lines += _run_section(run)
    return "\n".join(lines).rstrip() + "\n"


def _summary_table(mode: str, runs: list) -> list:
    sizes = [run for run in sorted(runs, key=lambda r: r.get("n") or 0)]
    header = "| page | role | " + " | ".join(
        f"{fmt_n(run.get('n'))}: p50 ms (× floor)" for run in sizes) + " | target |"
    lines = [
        f"## Summary, serving `{mode}`",
        "",
        "Floor p50: " + ", ".join(
            f"{fmt_n(run.get('n'))}: {fmt_ms(run.get('floor', {}).get('p50'))} ms" for run in sizes)
        + ".",
        "",
        header,
        "|---|---|" + "---|" * len(sizes) + "---|",
    ]
    order: list = []
    by_key: dict = {}
    for run in sizes:
        for page in run.get("pages", []):
            if page["key"] not in by_key:
                order.append(page["key"])
            by_key[page["key"]] = page  # the largest size's label (e.g. its deep page)
    for key in order:
        page = by_key[key]
        cells = []
        for run in sizes:
            found = next((p for p in run.get("pages", []) if p["key"] == key), None)
            if found is None:
                cells.append("–")
                continue
            mark = "" if found.get("verdict") == "pass" else " **" + found.get("verdict", "") + "**"
            cells.append(f"{fmt_ms(found.get('p50'))} ({fmt_ratio(found.get('ratio'))}×){mark}")
        lines.append(f"| {_md_escape(page['label'])} | {ROLE_LABELS.get(page['role'], page['role'])} | "
                     + " | ".join(cells) + f" | ≤ {page.get('target', TARGET_RATIO):g}× |")
    heavy_keys: list = []
    heavy: dict = {}
    for run in sizes:
        for item in run.get("heavy", []):
            if item["key"] not in heavy:
                heavy_keys.append(item["key"])
            heavy[item["key"]] = item
    if heavy_keys:
        lines += ["", "| heavy work | how | " + " | ".join(
            f"{fmt_n(run.get('n'))}: p50 (peak RSS)" for run in sizes) + " |",
            "|---|---|" + "---|" * len(sizes)]
        for key in heavy_keys:
            cells = []
            for run in sizes:
                found = next((h for h in run.get("heavy", []) if h["key"] == key), None)
                if found is None:
                    cells.append("–")
                    continue
                rss = found.get("peak_rss_mib")
                rss_text = f" ({rss:.0f} MiB)" if rss is not None else ""
                mark = "" if found.get("verdict") == "pass" else " **" + found.get("verdict", "") + "**"
                cells.append(f"{fmt_ms(found.get('p50'))}{rss_text}{mark}")
            item = heavy[key]
            lines.append(f"| {_md_escape(item['label'])} | {item.get('how', '')} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _run_section(run: dict) -> list:
    floor = run.get("floor", {})
    lines = [
        f"## N = {fmt_n(run.get('n'))} proposals, serving `{run.get('serving')}`",
        "",
        f"- Database: `{run.get('database', '?')}` ({run.get('database_size', '?')}); "
        f"{run.get('counts_text', '')}; the largest round has "
        f"{run.get('largest_round_size') or 0:,} proposals",
        f"- Commit: `{run.get('commit', '?')}`{' (with uncommitted changes in the tree)' if run.get('dirty') else ''}; "
        f"measured {run.get('started', '?')} → {run.get('finished', '?')}",
        f"- Serving: {run.get('serving_text', '')}",
        "- Accounts (and the proposals each sees, `/api/v1/proposals/` count): " + (", ".join(
            f"{ROLE_LABELS.get(role, role)} `{name}`"
            + (f" ({run['visible'][role]:,})" if run.get("visible", {}).get(role) is not None else "")
            for role, name in run.get("users", {}).items()) or "–"),
        f"- Requests: {run.get('requests', '?')} timed per page (after {run.get('warmup', '?')} "
        f"untimed), each after one to the floor; load average {run.get('load_start', '?')} at the "
        f"start, {run.get('load_end', '?')} at the end",
        f"- Floor: p50 {fmt_ms(floor.get('p50'))} ms, p95 {fmt_ms(floor.get('p95'))} ms "
        f"({floor.get('n', 0)} requests, {fmt_statuses(floor.get('statuses', {}))})",
    ]
    if run.get("to_jobs"):
        lines.append("- Made by a background job at this size (the answer sends to the job's "
                     "page), so timed under heavy work: " + "; ".join(run["to_jobs"]))
    if run.get("note"):
        lines.append(f"- Note: {run['note']}")
    lines += [
        "",
        "| page | role | path | p50 ms | p95 ms | × floor | target | queries | status | KB | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in run.get("pages", []):
        queries = page.get("queries")
        lines.append(
            f"| {_md_escape(page['label'])} | {ROLE_LABELS.get(page['role'], page['role'])} | "
            f"`{_md_escape(short_path(page['path']))}` | {fmt_ms(page.get('p50'))} | {fmt_ms(page.get('p95'))} | "
            f"{fmt_ratio(page.get('ratio'))} | ≤ {page.get('target', TARGET_RATIO):g} | "
            f"{'–' if queries is None else queries} | {fmt_statuses(page.get('statuses', {}))} | "
            f"{(page.get('bytes') or 0) / 1024:.0f} | {page.get('verdict', '')} |")
    if run.get("heavy"):
        lines += [
            "",
            "| heavy work | how | path | runs | p50 | max | peak RSS MiB (growth) | status | size KB | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for item in run["heavy"]:
            rss = item.get("peak_rss_mib")
            rss_text = "–" if rss is None else f"{rss:.0f}"
            if rss is not None and item.get("rss_grew_mib") is not None:
                rss_text += f" (+{item['rss_grew_mib']:.0f})"
            note = f"; {item['rss_note']}" if item.get("rss_note") else ""
            detail = f"; {item['detail']}" if item.get("detail") else ""
            lines.append(
                f"| {_md_escape(item['label'])} | {item.get('how', '')} | `{_md_escape(item['path'])}` | "
                f"{item.get('n', 0)} | {fmt_ms(item.get('p50'))} | {fmt_ms(item.get('max'))} | "
                f"{rss_text} | {fmt_statuses(item.get('statuses', {}))} | "
                f"{(item.get('bytes') or 0) / 1024:.0f} | {item.get('verdict', '')}{note}{detail} |")
    stall = run.get("stall")
    if stall:
        lines += [
            "",
            f"Stall check: {_md_escape(stall.get('page', ''))} requested every 0.2 s while "
            f"{_md_escape(stall.get('heavy', ''))} ran at once ({fmt_time(stall.get('heavy_ms'))}): "
            f"{stall.get('n', 0)} requests, p50 {fmt_time(stall.get('p50'))}, max "
            f"{fmt_time(stall.get('max'))} (alone: p50 {fmt_time(stall.get('alone_p50'))}); "
            f"status {fmt_statuses(stall.get('statuses', {}))}.",
        ]
    lines.append("")
    return lines


def short_path(path: str) -> str:
    """A keyset cursor is long and says nothing to a reader: `?cursor=…`."""
    return re.sub(r"cursor=[^&]{12,}", "cursor=…", path)


def write_results(out: Path, report: dict) -> None:
    """The Markdown report at `out` and the JSON beside it (same name, .json)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    out.write_text(render_markdown(report))


def load_previous(out: Path) -> dict:
    path = out.with_suffix(".json")
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


# --- HTTP --------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    ms: float
    body: bytes
    headers: dict
    cookies: dict = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def fetch(port: int, path: str, *, method: str = "GET", headers: dict | None = None,
          body: bytes | None = None, timeout: float = 900.0) -> Answer:
    """One request on a new connection (gunicorn's sync workers close it after each answer),
    timed from connecting to the body's last byte."""
    sent = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https",
            "Accept-Encoding": "identity", "User-Agent": "bench/scale.py"}
    sent.update(headers or {})
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        ms = (time.perf_counter() - start) * 1000
        cookies = {}
        for raw in response.headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(raw)
            for name, morsel in parsed.items():
                cookies[name] = morsel.value
        return Answer(response.status, ms, data,
                      {k.lower(): v for k, v in response.getheaders()}, cookies)
    except (OSError, http.client.HTTPException) as error:
        ms = (time.perf_counter() - start) * 1000
        return Answer(0, ms, str(error).encode(), {})
    finally:
        connection.close()


class Visitor:
    """One signed-in person: session cookies for pages, a token for the API."""

    def __init__(self, role: str, username: str):
        self.role, self.username = role, username
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def headers(self, *, api: bool) -> dict:
        if api and self.token:
            return {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        if self.cookies:
            return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        return {}

    def get(self, port: int, path: str, *, api: bool = False, timeout: float = 900.0) -> Answer:
        answer = fetch(port, path, headers=self.headers(api=api), timeout=timeout)
        if not api:
            self.cookies.update(answer.cookies)
        return answer

    def post_form(self, port: int, path: str, data: dict, timeout: float = 900.0) -> Answer:
        origin = f"https://127.0.0.1:{port}"
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
        headers = {**self.headers(api=False), "Content-Type": "application/x-www-form-urlencoded",
                   "Origin": origin, "Referer": origin + path,
                   "X-CSRFToken": self.cookies.get("csrftoken", "")}
        answer = fetch(port, path, method="POST", headers=headers,
                       body=urlencode(fields).encode(), timeout=timeout)
        self.cookies.update(answer.cookies)
        return answer

    def sign_in(self, port: int, password: str) -> None:
        page = fetch(port, "/login/")
        self.cookies.update(page.cookies)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        origin = f"https://127.0.0.1:{port}"
        fields = {"username": self.username, "password": password, "next": "/",
                  "csrfmiddlewaretoken": match.group(1).decode() if match else ""}
        answer = fetch(port, "/login/", method="POST", body=urlencode(fields).encode(), headers={
            **self.headers(api=False), "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin, "Referer": origin + "/login/"})
        self.cookies.update(answer.cookies)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"Signing in as {self.username} ({self.role}) failed: "
                             f"{answer.status} {answer.location} {answer.body[:300]!r}")
        if "/login/code" in answer.location:
            raise SystemExit(f"{self.username} is asked for a two-factor code: "
                             "TWO_FACTOR_ROLES must be empty for the benchmark.")
        body = json.dumps({"username": self.username, "password": password}).encode()
        answer = fetch(port, "/api/v1/auth/token/", method="POST", body=body,
                       headers={"Content-Type": "application/json", "Accept": "application/json"})
        if answer.status != 200:
            raise SystemExit(f"No API token for {self.username}: {answer.status} {answer.body[:300]!r}")
        self.token = json.loads(answer.body)["token"]


# --- servers -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A process this harness started (gunicorn or a Celery worker), stopped by its own id."""

    def __init__(self, name: str, command: list, env: dict, log: Path, port: int | None = None):
        self.name, self.port, self.log = name, port, log
        self.command = command
        self.handle = open(log, "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.handle,
                                        stderr=subprocess.STDOUT)

    def wait_ready(self, path: str = "/", seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} stopped at start; see {self.log}:\n"
                                 + self.log.read_text()[-3000:])
            answer = fetch(self.port, path, timeout=30)
            if answer.status:
                return
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer within {seconds:.0f} s; see {self.log}")

    def pids(self) -> list[int]:
        """The process and its children (gunicorn's workers, Celery's pool)."""
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            found += [int(child) for child in text]
    except OSError:
        pass
    return found


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler:
    """The resident size of each process of `served` while the block runs: `peak` is the
    largest of any one, `grew` the most any one grew over what it held when the block began."""

    def __init__(self, served: list, every: float = 0.05):
        self.served, self.every = served, every
        self.before = {pid: rss_mib(pid) or 0.0 for server in served for pid in server.pids()}
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def peak(self) -> float:
        return max(self.peaks.values(), default=0.0)

    @property
    def grew(self) -> float:
        return max((peak - self.before.get(pid, 0.0) for pid, peak in self.peaks.items()),
                   default=0.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            for server in self.served:
                for pid in server.pids():
                    value = rss_mib(pid)
                    if value is not None and value > self.peaks.get(pid, 0.0):
                        self.peaks[pid] = value
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def gunicorn_command(app: str, port: int, serving: str, empty_config: Path) -> list:
    """gunicorn for `app`; no access log (it would cost both alike and fill the disk)."""
    command = [str(VENV_BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT)]
    if serving == "product":
        return command + ["--config", str(ROOT / "gunicorn.conf.py")]
    # An empty file, so that a gunicorn.conf.py in the repository is not read.
    return command + ["--config", str(empty_config), "--workers", "2", "--worker-class", "sync"]


def serving_text(serving: str, env: dict | None = None) -> str:
    if serving != "product":
        return "gunicorn, 2 sync workers, gunicorn's defaults otherwise (30 s timeout), for both"
    names = ["workers", "worker_class", "threads", "timeout", "keepalive", "max_requests",
             "preload_app"]
    code = ("import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
            f"print(json.dumps({{k: c.get(k) for k in {names!r}}}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env or os.environ.copy(),
                          capture_output=True, text=True)
    try:
        values = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "the product's `gunicorn.conf.py` for both"
    return ("the product's `gunicorn.conf.py` for both: "
            + ", ".join(f"{name} {values[name]}" for name in names if values.get(name) is not None))


# --- what to request ---------------------------------------------------------------------------

@dataclass
class Page:
    key: str
    label: str
    role: str
    path: str
    api: bool = False
    target: float = TARGET_RATIO


def database_facts(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        one = lambda sql, *args: connection.execute(sql, args).fetchone()  # noqa: E731
        facts = {
            "n": one("SELECT count(*) FROM proposals_proposal")[0],
            "size": one("SELECT pg_size_pretty(pg_database_size(current_database()))")[0],
            "postgres": one("SHOW server_version")[0],
        }
        counts = {}
        for table, label in (("people_user", "people"), ("people_agency", "agencies"),
                             ("reviews_assignment", "assignments"), ("reviews_review", "reviews"),
                             ("reviews_score", "scores"), ("fund_award", "awards"),
                             ("workflow_transitionlog", "history rows")):
            try:
                counts[label] = one(f"SELECT count(*) FROM {table}")[0]  # noqa: S608 (fixed names)
            except psycopg.Error:
                pass
        facts["counts"] = counts
        row = one("SELECT round_id, count(*) FROM proposals_proposal GROUP BY round_id "
                  "ORDER BY 2 DESC, 1 LIMIT 1")
        facts["round"], facts["round_size"] = (row if row else (None, 0))
    return facts


def usernames_present(url: str, usernames: list) -> set:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT lower(username) FROM people_user WHERE lower(username) = ANY(%s)",
                                  ([u.lower() for u in usernames],)).fetchall()
    return {row[0] for row in rows}


def job_state(url: str, job_id: int) -> str | None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT state FROM jobs_job WHERE id = %s", (job_id,)).fetchone()
    return row[0] if row else None


def pages_for(facts: dict, roles: set) -> list[Page]:
    round_id = facts.get("round")
    cs = CIVIL_SERVANT_RATIO
    pages = [
        Page("cs-home", "home page", "civil_servant", "/", target=cs),
        Page("cs-mine", "my proposals", "civil_servant", "/proposals/", target=cs),
        Page("cs-library", "learning library", "civil_servant", "/learnings/", target=cs),
        Page("cs-record", "my innovation record", "civil_servant", "/people/me/record/", target=cs),
        Page("cs-api-proposals", "`/api/v1/proposals/` page 1", "civil_servant",
             "/api/v1/proposals/", api=True, target=cs),
        Page("rv-home", "home page", "reviewer", "/"),
        Page("rv-assignments", "my assignments", "reviewer", "/reviews/"),
        Page("rv-api-assignments", "`/api/v1/assignments/` page 1", "reviewer",
             "/api/v1/assignments/", api=True),
        Page("ch-home", "chair home", "chair", "/"),
        Page("fm-home", "fund manager home", "fund_manager", "/"),
        Page("fm-all", "all proposals", "fund_manager", "/proposals/all/"),
        Page("fm-queue", "screening queue", "fund_manager", "/proposals/queue/"),
        Page("fm-api-assignments", "`/api/v1/assignments/` page 1", "fund_manager",
             "/api/v1/assignments/", api=True),
        Page("fm-api-proposals", "`/api/v1/proposals/` page 1", "fund_manager",
             "/api/v1/proposals/", api=True),
        Page("fm-api-proposals-100", "`/api/v1/proposals/?page_size=100`", "fund_manager",
             "/api/v1/proposals/?page_size=100", api=True),
        Page("fm-api-awards", "`/api/v1/awards/` page 1", "fund_manager", "/api/v1/awards/", api=True),
        Page("fm-360-json", "360Giving JSON", "fund_manager", "/api/v1/awards/360giving.json", api=True),
        Page("fm-360-csv", "360Giving CSV", "fund_manager", "/data/export/360giving.csv"),
        Page("hr-home", "home page", "hr_officer", "/"),
        Page("hr-people", "HR record list", "hr_officer", "/people/"),
        Page("su-home", "home page", "superuser", "/"),
    ]
    if round_id:
        pages += [
            Page("fm-ranking", "ranking of the largest round, page 1",
                 "fund_manager", f"/reviews/rounds/{round_id}/ranking/"),
            Page("fm-api-ranking", "`/api/v1/rounds/<id>/ranking/`, largest round, page 1",
                 "fund_manager", f"/api/v1/rounds/{round_id}/ranking/", api=True),
        ]
    return [page for page in pages if page.role in roles]


def deep_proposals_pages(port: int, visitor: Visitor) -> list[Page]:
    """The issue's 'page 500' (the deepest page up to 500, by page number), and where the list
    offers a keyset (`?cursor=`), the page reached after following `next` 20 times."""
    found = []
    answer = visitor.get(port, "/api/v1/proposals/", api=True)
    if answer.status == 200:
        data = json.loads(answer.body)
        count = data.get("count") or 0
        per_page = len(data.get("results") or []) or 25
        last = max(1, -(-count // per_page))
        deep = min(500, last)
        if deep > 1:
            found.append(Page("fm-api-proposals-deep", "`/api/v1/proposals/` page 500 (or the last)",
                              "fund_manager", f"/api/v1/proposals/?page={deep}", api=True))
    path, following = "/api/v1/proposals/?cursor=", None
    answer = visitor.get(port, path, api=True)
    if answer.status == 200:
        data = json.loads(answer.body)
        # A keyset page has no count; a list without a keyset answers page 1 instead.
        following = data.get("next") if data.get("count", 0) is None else None
    hops = 0
    while following and "cursor=" in following and hops < 20:
        split = urlsplit(following)
        path = split.path + ("?" + split.query if split.query else "")
        answer = visitor.get(port, path, api=True)
        hops += 1
        following = json.loads(answer.body).get("next") if answer.status == 200 else None
    if hops:
        found.append(Page("fm-api-proposals-cursor",
                          f"`/api/v1/proposals/?cursor=` after {hops} pages (keyset)",
                          "fund_manager", path, api=True))
    return found


def visible_proposals(port: int, visitors: dict) -> dict:
    """How many proposals each role's `/api/v1/proposals/` lists (its `count`)."""
    seen = {}
    for role, visitor in visitors.items():
        answer = visitor.get(port, "/api/v1/proposals/?page_size=1", api=True)
        if answer.status == 200:
            seen[role] = json.loads(answer.body).get("count")
    return seen


def follow_redirects(pages: list[Page], visitors: dict, port: int) -> tuple[list[Page], list]:
    """A page that sends on to another (e.g. /people/me/record/ to the person's own record) is
    measured where it lands; a redirect to the sign-in page stays, and fails the page. A page
    that starts a job at this size (a redirect to /jobs/<id>/) is left out of the pages: its
    time until the job is done is under heavy work."""
    kept, to_jobs = [], []
    for page in pages:
        answer = visitors[page.role].get(port, page.path, api=page.api)
        target = urlsplit(answer.location)
        # A job's page, or (the 360Giving API's 202) the job in the API: /api/v1/jobs/<id>/.
        if answer.status in (202, 301, 302, 303) and re.match(r"(/api/v1)?/jobs/\d+/", target.path):
            to_jobs.append(f"{page.label} ({ROLE_LABELS[page.role]}, `{page.path}`)")
            continue
        if answer.status in (301, 302, 303, 307, 308) and not target.path.startswith("/login"):
            page.path = target.path + ("?" + target.query if target.query else "")
        kept.append(page)
    return kept, to_jobs


# --- query counts (a subprocess with Django's test client) -------------------------------------

def count_queries_main() -> None:
    """`scale.py --count-queries`: reads [{key, username, path}] on stdin, prints {key: queries}."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from people.models import User

    wanted = json.load(sys.stdin)
    clients: dict = {}
    counts: dict = {}
    for item in wanted:
        client = clients.get(item["username"])
        if client is None:
            user = User.objects.get(username__iexact=item["username"])
            client = Client()
            client.force_login(user, backend="people.backends.CaseInsensitiveModelBackend")
            clients[item["username"]] = client
        client.get(item["path"], secure=True)  # warm: the first request fills caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(item["path"], secure=True)
            if getattr(response, "streaming", False):
                for _chunk in response.streaming_content:
                    pass
        counts[item["key"]] = {"queries": len(captured), "status": response.status_code}
    json.dump(counts, sys.stdout)


def count_queries(env: dict, pages: list[Page], users: dict) -> dict:
    wanted = [{"key": p.key, "username": users[p.role], "path": p.path} for p in pages]
    env = {**env, "ALLOWED_HOSTS": env.get("ALLOWED_HOSTS", "") + ",testserver",
           "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--count-queries"],
                          input=json.dumps(wanted), capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=3600)
    if done.returncode != 0:
        print("Query counts failed:\n" + done.stderr[-3000:], file=sys.stderr)
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- one run -----------------------------------------------------------------------------------

def machine_facts() -> dict:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kib = int(next(row for row in Path("/proc/meminfo").read_text().splitlines()
                       if row.startswith("MemTotal")).split()[1])
        ram = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration):
        ram = "?"
    try:
        import gunicorn

        gunicorn_version = gunicorn.__version__
    except ImportError:
        gunicorn_version = "missing"
    return {"cpus": os.cpu_count(), "cpu_model": model, "ram_gib": ram,
            "os": f"{platform.system()} {platform.machine()}", "python": platform.python_version(),
            "gunicorn": gunicorn_version}


def git(*args) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def product_env(database_url: str, media: Path, extra: dict, broker: str | None) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    env.update({
        "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "TWO_FACTOR_ROLES": "",
        "AXES_FAILURE_LIMIT": "10000", "MEDIA_ROOT": str(media), "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if broker:
        env["CELERY_BROKER_URL"] = broker
    env.update(extra)
    return env


def measure_pages(pages, visitors, product_port, floor_port, requests, warmup, seed=16):
    """Each page right after a floor request, shuffled per round; warm-up rounds untimed."""
    samples = {page.key: ([], [], []) for page in pages}  # ms, statuses, bytes
    floor_ms, floor_statuses = [], []
    rng = random.Random(seed)
    for round_number in range(warmup + requests):
        order = list(pages)
        rng.shuffle(order)
        for page in order:
            floor = fetch(floor_port, "/", timeout=60)
            answer = visitors[page.role].get(product_port, page.path, api=page.api, timeout=900)
            if round_number < warmup:
                continue
            floor_ms.append(floor.ms)
            floor_statuses.append(floor.status)
            times, statuses, sizes = samples[page.key]
            times.append(answer.ms)
            statuses.append(answer.status)
            sizes.append(len(answer.body))
        if round_number >= warmup:
            print(f"  round {round_number - warmup + 1}/{requests} done ({load_average()})", flush=True)
    floor_summary = summarise(floor_ms, floor_statuses)
    rows = []
    for page in pages:
        times, statuses, sizes = samples[page.key]
        row = {"key": page.key, "label": page.label, "role": page.role, "path": page.path,
               "api": page.api, "target": page.target, "bytes": int(statistics.median(sizes)) if sizes else 0,
               **summarise(times, statuses)}
        rows.append(page_verdict(row, floor_summary["p50"]))
    return floor_summary, rows


def time_heavy(label, key, how, path, runs, action, served, pdf=False, detail=""):
    times, statuses, sizes, peaks, notes, grew = [], [], [], [], [], []
    for _ in range(runs):
        with RssSampler(served) as sampler:
            start = time.perf_counter()
            status, size, note = action()
            times.append((time.perf_counter() - start) * 1000)
        statuses.append(status)
        sizes.append(size)
        peaks.append(sampler.peak)
        grew.append(sampler.grew)
        if note:
            notes.append(note)
        print(f"  {label}: {status} in {times[-1] / 1000:.2f} s, peak RSS {sampler.peak:.0f} MiB", flush=True)
    item = {"key": key, "label": label, "how": how, "path": path, "pdf": pdf,
            "bytes": max(sizes) if sizes else 0, "max": max(times) if times else None,
            "peak_rss_mib": max(peaks) if peaks else None,
            "rss_grew_mib": max(grew) if grew else None,
            "detail": "; ".join(sorted(set(notes))) or detail, **summarise(times, statuses)}
    return heavy_verdict(item)


JOB_TIMEOUT = 600.0  # seconds; --job-timeout


def follow_job(url: str, visitor: Visitor, port: int, answer: Answer, timeout: float | None = None):
    """If `answer` sends to a job's page, wait until the job is done: (status, bytes, note)."""
    match = re.search(r"/jobs/(\d+)/", answer.location)
    if answer.status not in (202, 301, 302, 303) or not match:
        return answer.status, len(answer.body), ""
    job_id = int(match.group(1))
    deadline = time.monotonic() + (timeout or JOB_TIMEOUT)
    state = None
    while time.monotonic() < deadline:
        state = job_state(url, job_id)
        if state in ("ready", "failed"):
            break
        time.sleep(0.1)
    if state != "ready":
        return 0 if state != "failed" else 500, 0, f"job {job_id} {state}"
    if urlsplit(answer.location).path.startswith("/api/v1/jobs/"):
        # The 360Giving API's 202: its client reads the file through the API, with its token.
        result = visitor.get(port, f"/api/v1/jobs/{job_id}/result", api=True)
    else:
        result = visitor.get(port, f"/jobs/{job_id}/result")
    return result.status, len(result.body), "job: time until ready"


def stall_check(visitor, port, heavy_actions, label) -> dict:
    """The civil servant's home page every 0.2 s while the heavy actions run at once."""
    alone = [visitor.get(port, "/").ms for _ in range(5)]
    done = threading.Event()
    results: list = []

    def run(action):
        results.append(action())

    threads = [threading.Thread(target=run, args=(a,), daemon=True) for a in heavy_actions]
    times, statuses = [], []
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    while any(t.is_alive() for t in threads):
        answer = visitor.get(port, "/", timeout=900)
        times.append(answer.ms)
        statuses.append(answer.status)
        time.sleep(0.2)
    heavy_ms = (time.perf_counter() - start) * 1000
    done.set()
    summary = summarise(times, statuses)
    return {"page": "the civil servant's home page", "heavy": label, "heavy_ms": heavy_ms,
            "alone_p50": percentile(alone, 50), "max": max(times) if times else None, **summary}


def static_is_fresh() -> bool:
    """The collected files are newer than every file of static/."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    collected_at = manifest.stat().st_mtime
    for folder in (ROOT / "static",):
        for path in folder.rglob("*"):
            if path.is_file() and path.stat().st_mtime > collected_at:
                return False
    return True


def collect_static(env: dict, mode: str) -> None:
    """`manage.py collectstatic` (DEBUG=0 serves the manifest's files), unless fresh (auto)."""
    if mode == "never" or (mode == "auto" and static_is_fresh()):
        return
    print("  collectstatic...", flush=True)
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                               cwd=ROOT, env=env, capture_output=True, text=True)
    if collected.returncode != 0:
        raise SystemExit("collectstatic failed:\n" + collected.stderr[-3000:])


def one_run(database_url: str, serving: str, args, users: dict, work: Path) -> dict:
    facts = database_facts(database_url)
    print(f"N = {facts['n']} proposals in {urlsplit(database_url).path.lstrip('/')} "
          f"({facts['size']}); serving {serving}", flush=True)
    present = usernames_present(database_url, list(users.values()))
    roles = {role for role, name in users.items() if name.lower() in present}
    missing = sorted(set(users) - roles)
    if missing:
        print(f"  not in this database, left out: {', '.join(f'{r} ({users[r]})' for r in missing)}")
    media = work / f"media-{facts['n']}-{serving}"
    media.mkdir(parents=True, exist_ok=True)
    extra = dict(item.split("=", 1) for item in args.env)
    env = product_env(database_url, media, extra, args.broker_url)
    collect_static(env, args.collectstatic)
    empty_config = work / "empty_gunicorn.conf.py"
    empty_config.write_text("# no settings: gunicorn's defaults and the command line\n")
    product_port, floor_port = free_port(), free_port()
    floor_env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    floor_env["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
    servers = []
    try:
        product = Served("product", gunicorn_command("config.wsgi", product_port, serving, empty_config),
                         env, work / f"product-{facts['n']}-{serving}.log", product_port)
        servers.append(product)
        floor = Served("floor", gunicorn_command("bench.floor.wsgi", floor_port, serving, empty_config),
                       floor_env, work / f"floor-{facts['n']}-{serving}.log", floor_port)
        servers.append(floor)
        if args.broker_url:
            servers.append(Served("celery worker", [str(VENV_BIN / "celery"), "-A", "config", "worker",
                                                    "--concurrency", "2", "--loglevel", "WARNING",
                                                    *(["-Q", args.celery_queues] if args.celery_queues else [])],
                                  env, work / f"worker-{facts['n']}-{serving}.log"))
        product.wait_ready("/login/")
        floor.wait_ready("/")
        visitors = {}
        for role in ROLES:
            if role in roles:
                visitors[role] = Visitor(role, users[role])
                visitors[role].sign_in(product_port, args.password)
        visible = visible_proposals(product_port, visitors)
        print(f"  proposals each role sees: {visible}", flush=True)
        pages = pages_for(facts, roles)
        if "fund_manager" in visitors:
            at = [p.key for p in pages].index("fm-api-proposals") + 1
            pages[at:at] = deep_proposals_pages(product_port, visitors["fund_manager"])
        if args.only:
            pages = [p for p in pages if any(word in p.key for word in args.only)]
        pages, to_jobs = follow_redirects(pages, visitors, product_port)
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        load_start = load_average()
        print(f"  {len(pages)} pages × {args.requests} requests (+{args.warmup} warm-up), "
              f"each beside the floor", flush=True)
        floor_summary, rows = measure_pages(pages, visitors, product_port, floor_port,
                                            args.requests, args.warmup)
        heavy = []
        stall = None
        fm = visitors.get("fund_manager")
        if fm and not args.no_heavy:
            heavy = measure_heavy(database_url, facts, fm, product_port, [product, *servers[2:]],
                                  args.heavy_runs, [k for k in args.exports.split(",") if k])
            if "civil_servant" in visitors and facts.get("round") and not args.no_stall:
                round_id = facts["round"]

                def export():
                    answer = fm.get(product_port, "/data/export/proposals.csv")
                    return follow_job(database_url, fm, product_port, answer)

                def portfolio():
                    answer = fm.post_form(product_port, f"/jobs/round-portfolio/{round_id}/", {})
                    return follow_job(database_url, fm, product_port, answer)

                stall = stall_check(visitors["civil_servant"], product_port, [export, portfolio],
                                    "the proposals CSV export and the largest round's portfolio "
                                    "PDF (each a job where the product makes one, until done)")
                print(f"  stall check: p50 {stall['p50']} ms, max {stall['max']} ms", flush=True)
        load_end = load_average()
        if not args.no_queries:
            counted = count_queries(env, pages, users)
            for row in rows:
                found = counted.get(row["key"])
                if found:
                    row["queries"] = found["queries"]
                    row["queries_status"] = found["status"]
    finally:
        for server in reversed(servers):
            server.stop()
    counts = facts.get("counts", {})
    return {
        "n": facts["n"], "serving": serving, "serving_text": serving_text(serving, env),
        "database": urlsplit(database_url).path.lstrip("/"), "database_size": facts["size"],
        "counts": counts, "counts_text": ", ".join(f"{v:,} {k}" for k, v in counts.items()),
        "largest_round": facts.get("round"), "largest_round_size": facts.get("round_size"),
        "postgres": facts["postgres"], "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "started": started, "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "requests": args.requests, "warmup": args.warmup, "load_start": load_start, "load_end": load_end,
        "users": {role: users[role] for role in sorted(roles)}, "env": extra, "broker": bool(args.broker_url),
        "visible": visible, "floor": floor_summary, "pages": rows, "to_jobs": to_jobs, "heavy": heavy, "stall": stall, "note": args.note or "",
    }


def measure_heavy(url, facts, fm: Visitor, port, served, runs, exports=("proposals", "reviews", "awards")) -> list:
    heavy = []
    for kind in exports:
        path = f"/data/export/{kind}.csv"

        def export(path=path):
            answer = fm.get(port, path)
            return follow_job(url, fm, port, answer)

        heavy.append(time_heavy(f"CSV export: {kind}", f"export-{kind}", "request (or job)", path,
                                runs, export, served))
    for label, key, path, api in (("360Giving JSON (API)", "360-json", "/api/v1/awards/360giving.json", True),
                                  ("360Giving CSV", "360-csv", "/data/export/360giving.csv", False)):

        def giving(path=path, api=api):
            return follow_job(url, fm, port, fm.get(port, path, api=api))

        heavy.append(time_heavy(label, key, "request (or job)", path, runs, giving, served))
    round_id = facts.get("round")
    if round_id:
        path = f"/api/v1/rounds/{round_id}/portfolio.pdf"

        def portfolio_api():
            answer = fm.get(port, path, api=True)
            return follow_job(url, fm, port, answer)

        heavy.append(time_heavy("portfolio PDF of the largest round (API)", "portfolio-api",
                                "API (202: its job, until ready)", path, runs, portfolio_api,
                                served, pdf=True))
        start_path = f"/jobs/round-portfolio/{round_id}/"

        def portfolio_job():
            fm.get(port, f"/funds/rounds/{round_id}/")  # a page with the form: a fresh CSRF cookie
            answer = fm.post_form(port, start_path, {})
            return follow_job(url, fm, port, answer)

        heavy.append(time_heavy("portfolio PDF of the largest round (page's job)", "portfolio-job",
                                "job (until ready)", start_path, runs, portfolio_job, served, pdf=True))
    return heavy


# --- main --------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render-only", action="store_true",
                        help="only write the Markdown again from the JSON beside --out")
    parser.add_argument("--database-url", action="append", default=[],
                        help="a PostgreSQL database filled by generate_load (repeat for sizes)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed rounds first")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale_results.md")
    parser.add_argument("--serving", action="append", choices=("sync2", "product"),
                        help="sync2: 2 sync workers (the issue's); product: gunicorn.conf.py; repeat for both")
    parser.add_argument("--user", action="append", default=[], metavar="ROLE=USERNAME")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="more environment for the product, e.g. CONN_MAX_AGE=60")
    parser.add_argument("--broker-url", help="serve with a Celery worker on this broker")
    parser.add_argument("--celery-queues", help="queues the worker consumes (comma-separated)")
    parser.add_argument("--heavy-runs", type=int, default=3)
    parser.add_argument("--no-heavy", action="store_true", help="pages only")
    parser.add_argument("--exports", default="proposals,reviews,awards",
                        help="the CSV exports timed (kinds of /data/export/<kind>.csv)")
    parser.add_argument("--no-stall", action="store_true", help="no stall check")
    parser.add_argument("--job-timeout", type=float, default=JOB_TIMEOUT,
                        help="seconds to wait for a job to be done")
    parser.add_argument("--no-queries", action="store_true")
    parser.add_argument("--collectstatic", choices=("auto", "always", "never"), default="auto",
                        help="auto: only when static/ changed since the last one")
    parser.add_argument("--only", nargs="*", help="only pages whose key contains one of these")
    parser.add_argument("--note", help="a note for this run's section")
    parser.add_argument("--report-note", help="a note at the top of the report (e.g. the machine "
                        "was shared); kept from the JSON when not given")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    global JOB_TIMEOUT
    args = parse_args(argv)
    JOB_TIMEOUT = args.job_timeout
    if args.render_only:
        report = load_previous(args.out)
        if args.report_note:
            report["note"] = args.report_note
        write_results(args.out, report)
        return
    if not args.database_url:
        raise SystemExit("--database-url is needed (a database filled by generate_load)")
    users = dict(DEFAULT_USERS)
    for item in args.user:
        role, _, name = item.partition("=")
        if role not in ROLES or not name:
            raise SystemExit(f"--user {item}: expected ROLE=USERNAME with ROLE one of {', '.join(ROLES)}")
        users[role] = name
    modes = args.serving or ["sync2"]
    if "product" in modes and not (ROOT / "gunicorn.conf.py").exists():
        raise SystemExit("--serving product: there is no gunicorn.conf.py at the repository's root")
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"Logs and media in {work}", flush=True)
    runs = []
    for url in args.database_url:
        for mode in modes:
            runs.append(one_run(url, mode, args, users, work))
            previous = load_previous(args.out)
            report = {
                "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": {**machine_facts(), "postgres": "PostgreSQL " + runs[-1]["postgres"]},
                "note": args.report_note or previous.get("note", ""),
                "runs": merge_runs(previous.get("runs", []), runs),
            }
            write_results(args.out, report)
            print(f"Written {args.out} and {args.out.with_suffix('.json')}", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--count-queries"]:
        count_queries_main()
    else:
        main()
