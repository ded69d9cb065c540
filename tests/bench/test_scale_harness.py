"""bench/scale.py's statistics, verdicts and report, on fake timings: no server, no database.

The benchmark itself is run by hand (bench/scale.py's docstring); these tests keep its
arithmetic and its tables right."""

import json

import pytest

from bench import scale


def test_percentiles_are_interpolated():
    values = [5, 1, 4, 2, 3]
    assert scale.percentile(values, 50) == 3
    assert scale.percentile(values, 0) == 1
    assert scale.percentile(values, 100) == 5
    assert scale.percentile(values, 95) == pytest.approx(4.8)
    assert scale.percentile([10, 20], 50) == 15
    assert scale.percentile([7], 95) == 7
    assert scale.percentile([], 50) is None


def test_summary_counts_each_status():
    summary = scale.summarise([10.0, 30.0, 20.0, 40.0], [200, 200, 500, 200])
    assert summary["n"] == 4
    assert summary["p50"] == 25
    assert summary["p95"] == pytest.approx(38.5)
    assert summary["statuses"] == {"200": 3, "500": 1}


def test_a_page_passes_within_its_ratio_and_only_with_200s():
    page = {"p50": 48.0, "statuses": {"200": 30}, "target": 10.0}
    assert scale.page_verdict(page, 4.8)["verdict"] == "pass"
    assert scale.page_verdict(page, 4.8)["ratio"] == pytest.approx(10.0)
    assert scale.page_verdict({**page, "p50": 48.1}, 4.8)["verdict"] == "FAIL"
    failed = scale.page_verdict({**page, "statuses": {"200": 29, "500": 1}}, 4.8)
    assert failed["verdict"] == "FAIL (status 500×1)"
    civil = scale.page_verdict({**page, "p50": 96.0, "target": scale.CIVIL_SERVANT_RATIO}, 4.8)
    assert civil["verdict"] == "pass"
    assert scale.page_verdict({"p50": None, "statuses": {}}, 4.8)["verdict"] == "no data"


def test_heavy_work_fails_on_errors_and_slow_pdfs():
    ok = {"p50": 9000.0, "statuses": {"200": 3}, "pdf": True, "peak_rss_mib": 120.0}
    assert scale.heavy_verdict(ok)["verdict"] == "pass"
    slow = scale.heavy_verdict({**ok, "p50": 10500.0})
    assert slow["verdict"] == "FAIL (over 10 s)"
    assert scale.heavy_verdict({**ok, "p50": 10500.0, "pdf": False})["verdict"] == "pass"
    assert scale.heavy_verdict({**ok, "statuses": {"500": 3}})["verdict"].startswith("FAIL (status 500×3")
    assert scale.heavy_verdict({**ok, "peak_rss_mib": 987.0})["rss_note"] == ""  # a PDF
    export = {**ok, "pdf": False, "peak_rss_mib": 987.0, "rss_grew_mib": 800.0}
    assert scale.heavy_verdict(export)["rss_note"] == "RSS over 150 MiB"
    # A process that already held that much before the export began: not the export's doing.
    assert scale.heavy_verdict({**export, "rss_grew_mib": 0.0})["rss_note"] == ""


def test_pages_alternate_with_the_floor_and_warm_up_is_not_counted(monkeypatch):
    """Fake answers: the floor takes 5 ms, the page 20 ms, then 40 ms, ... one per call."""
    calls = []
    page_times = iter([999.0, 999.0] + [20.0, 40.0, 60.0] * 2)

    def fake_fetch(port, path, **kwargs):
        calls.append(port)
        if port == 2:
            return scale.Answer(200, 5.0, b"x" * 100, {})
        return scale.Answer(200 if path == "/" else 404, next(page_times), b"y" * 10, {})

    monkeypatch.setattr(scale, "fetch", fake_fetch)
    pages = [scale.Page("home", "home page", "civil_servant", "/"),
             scale.Page("gone", "gone", "civil_servant", "/gone/")]
    visitors = {"civil_servant": scale.Visitor("civil_servant", "someone")}
    floor, rows = scale.measure_pages(pages, visitors, product_port=1, floor_port=2,
                                      requests=3, warmup=1)
    assert calls == [2, 1] * 8  # every product request right after one to the floor
    assert floor["n"] == 6 and floor["p50"] == 5.0
    by_key = {row["key"]: row for row in rows}
    assert sorted(by_key["home"]["statuses"].items()) == [("200", 3)]
    assert by_key["gone"]["verdict"] == "FAIL (status 404×3)"
    timed = by_key["home"]["n"] + by_key["gone"]["n"]
    assert timed == 6  # the warm-up's 999 ms never counted
    assert max(by_key["home"]["p95"], by_key["gone"]["p95"]) < 999


def test_a_keyset_cursor_is_shortened_in_the_report():
    assert scale.short_path("/api/v1/proposals/?cursor=eyJ2IjpbIjIwMjYtMDYtMjBU&x=1") == (
        "/api/v1/proposals/?cursor=…&x=1")
    assert scale.short_path("/api/v1/proposals/?cursor=") == "/api/v1/proposals/?cursor="


def _run(n, serving="sync2", p50=30.0):
    page = scale.page_verdict({"key": "fm-home", "label": "fund manager home", "role": "fund_manager",
                               "path": "/", "p50": p50, "p95": p50 * 2, "n": 30, "bytes": 10240,
                               "statuses": {"200": 30}, "target": 10.0, "queries": 12}, 5.0)
    heavy = scale.heavy_verdict({"key": "portfolio-job", "label": "portfolio PDF job", "how": "job",
                                 "path": "/jobs/round-portfolio/1/", "p50": 12000.0, "max": 13000.0,
                                 "n": 3, "statuses": {"200": 3}, "pdf": True, "bytes": 4096,
                                 "peak_rss_mib": 140.0, "rss_grew_mib": 40.0})
    return {"n": n, "serving": serving, "floor": {"p50": 5.0, "p95": 6.0, "n": 30,
                                                  "statuses": {"200": 30}},
            "pages": [page], "heavy": [heavy], "database": f"load_{n}", "commit": "abc1234",
            "to_jobs": ["360Giving CSV (fund manager, `/data/export/360giving.csv`)"],
            "stall": {"page": "home", "heavy": "two PDFs", "heavy_ms": 13900.0, "n": 17,
                      "p50": 612.0, "max": 765.0, "alone_p50": 277.0, "statuses": {"200": 17}}}


def test_a_size_measured_again_replaces_its_old_run_only():
    old = [_run(1000), _run(10000), _run(1000, serving="product")]
    merged = scale.merge_runs(old, [_run(1000, p50=99.0)])
    assert [(r["n"], r["serving"]) for r in merged] == [
        (1000, "product"), (1000, "sync2"), (10000, "sync2")]
    assert merged[1]["pages"][0]["p50"] == 99.0


def test_the_report_has_a_row_per_page_and_size_and_flags_failures(tmp_path):
    report = {"generated": "2026-12-01 04:20 UTC", "note": "shared machine",
              "machine": {"cpus": 2, "ram_gib": 23.5, "postgres": "PostgreSQL 15"},
              "runs": [_run(1000), _run(10000, p50=80.0)]}
    out = tmp_path / "scale_results.md"
    scale.write_results(out, report)
    text = out.read_text()
    assert "| fund manager home | fund manager | 30.0 (6.0×) | 80.0 (16.0×) **FAIL** | ≤ 10× |" in text
    assert "## N = 1k proposals, serving `sync2`" in text
    assert "## N = 10k proposals, serving `sync2`" in text
    assert "| fund manager home | fund manager | `/` | 30.0 | 60.0 | 6.0 | ≤ 10 | 12 | 200 | 10 | pass |" in text
    assert "12.0 s (140 MiB) **FAIL (over 10 s)**" in text
    assert "140 (+40)" in text
    assert "Note: shared machine" in text
    assert ("so timed under heavy work: 360Giving CSV (fund manager, "
            "`/data/export/360giving.csv`)") in text
    assert ("two PDFs ran at once (13.9 s): 17 requests, p50 612 ms, max 765 ms "
            "(alone: p50 277 ms); status 200.") in text
    assert json.loads(out.with_suffix(".json").read_text()) == report
    assert scale.load_previous(out) == report
