"""Benchmark: 10,000 civil servants from a CSV on SQLite (issue 6).

    .venv/bin/python bench/import_civil_servants.py [--rows 10000]

Each variant runs in a fresh SQLite database in its own process. "ours" is the whole
management command `import_civil_servants` (process start included), as a scheduled load
from the HR system runs it. Results are printed and written to bench/import_results.md.
"""

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HEADERS = "employee_id,username,first_name,last_name,email,agency,position_title,position_level"

LIBRARY = r'''
import os, sys, time, resource
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django; django.setup()
import tablib
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from people.models import Agency, User
tuned = sys.argv[2] == "tuned"
FK = widgets.CachedForeignKeyWidget if tuned else widgets.ForeignKeyWidget

class R(resources.ModelResource):
    agency = fields.Field(attribute="agency", column_name="agency", widget=FK(Agency, field="code"))
    class Meta:
        model = User
        fields = ("employee_id", "username", "first_name", "last_name", "email", "agency",
                  "position_title", "position_level")
        import_id_fields = ("employee_id",)
        if tuned:
            use_bulk = True
            skip_diff = True
            instance_loader_class = CachedInstanceLoader

data = open(sys.argv[1], encoding="utf-8").read()
out = []
for label in ("new", "unchanged"):
    t = time.perf_counter()
    result = R().import_data(tablib.Dataset().load(data, format="csv"), raise_errors=True)
    out.append(f"{label}={time.perf_counter() - t:.2f}")
print(" ".join(out), f"maxrss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")
'''

RAW = r'''
import os, sys, csv, time
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django; django.setup()
from people.models import Agency, User
agencies = dict(Agency.objects.values_list("code", "id"))
t = time.perf_counter()
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
User.objects.bulk_create([User(employee_id=r["employee_id"], username=r["username"],
    first_name=r["first_name"], last_name=r["last_name"], email=r["email"],
    agency_id=agencies[r["agency"]], position_title=r["position_title"],
    position_level=r["position_level"], password="!") for r in rows], batch_size=1000)
print(f"new={time.perf_counter() - t:.2f}")
'''


def fresh_env(tmp: Path, name: str) -> dict:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp / name}.sqlite3", DEBUG="1")
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([PY, "manage.py", "migrate", "-v0", "--skip-checks"], cwd=ROOT, env=env,
                   check=True)
    agencies = tmp / "agencies.csv"
    agencies.write_text("code,name,kind\nMOH,Ministry of Health,ministry\nGOV,GovTech,agency\n")
    subprocess.run([PY, "manage.py", "import_agencies", str(agencies)], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return env


def timed_command(env: dict, path: Path) -> tuple[float, int]:
    t = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", PY, "manage.py", "import_civil_servants", str(path)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - t
    rss_kb = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, rss_kb // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = tmp / "people.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADERS.split(","))
            for i in range(rows):
                w.writerow([f"E{i:07d}", f"user{i}", "Pema", f"Wangmo{i}", f"user{i}@gov.bt",
                            "MOH" if i % 3 else "GOV", "Programme Officer", f"P{i % 5 + 1}"])
        results = []
        for variant in ("defaults", "tuned"):
            env = fresh_env(tmp, variant)
            out = subprocess.run([PY, "-c", LIBRARY, str(path), variant], cwd=ROOT, env=env,
                                 check=True, capture_output=True, text=True).stdout.split()
            results.append((f"django-import-export, {variant}", dict(kv.split("=") for kv in out)))
        env = fresh_env(tmp, "raw")
        out = subprocess.run([PY, "-c", RAW, str(path)], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout.split()
        results.append(("raw bulk_create (no checks)", dict(kv.split("=") for kv in out)))
        env = fresh_env(tmp, "ours")
        new, rss_new = timed_command(env, path)
        same, rss_same = timed_command(env, path)
        results.append(("ours: `manage.py import_civil_servants` (whole command)",
                        {"new": f"{new:.2f}", "unchanged": f"{same:.2f}",
                         "maxrss_mb": str(max(rss_new, rss_same))}))
    lines = [
        f"# Importing {rows:,} civil servants on SQLite",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; run `{Path(PY).name} bench/import_civil_servants.py`.",
        "",
        "| variant | new rows (s) | re-import unchanged (s) | peak memory (MB) |",
        "|---|---|---|---|",
    ]
    for label, r in results:
        lines.append(f"| {label} | {r.get('new', '–')} | {r.get('unchanged', '–')} | "
                     f"{r.get('maxrss_mb', '–')} |")
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "import_results.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
