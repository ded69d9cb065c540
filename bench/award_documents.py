"""Benchmark: award letter and round portfolio PDFs, and funding throughput (issue 4).

    .venv/bin/python bench/award_documents.py [--proposals 500] [--reviews-per-proposal 4]

Runs in a fresh SQLite database in a temporary folder. For each document it measures the
whole request (URL → view → permission → queries → template → WeasyPrint → bytes, through
Django's test client, the median of several runs), WeasyPrint alone on the very same HTML
and stylesheet (`documents.html_to_pdf`), the number of queries and the PDF's size. Beside
them stands WeasyPrint's own time for plain HTML with its default font: a one-page letter
and a 500-row, 6-column table (the yardstick of issue 4). It also times `proposal_fund`
(lock, sums, award, tranches, log) one call after another. Results are printed and written
to bench/award_results.md; a "## History" section already in that file is kept.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(tmp: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _build(proposals: int, reviews_per: int):
    import datetime
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from fund.models import Award, Contribution, Fund, Round, Tranche
    from people.models import FUND_MANAGERS, Agency, User
    from proposals.models import Proposal
    from reviews.models import Assignment, Panel, Review

    agencies = Agency.objects.bulk_create(
        Agency(code=f"AG{i:02d}", name=f"Ministry number {i}") for i in range(12))
    manager = User.objects.create(username="bench-manager", first_name="Sonam",
                                  last_name="Dorji", position_title="Fund Manager",
                                  agency=agencies[0])
    manager.groups.add(Group.objects.get_or_create(name=FUND_MANAGERS)[0])
    fund = Fund.objects.create(name="Bench Innovation Fund", slug="bench")
    Contribution.objects.bulk_create(
        Contribution(fund=fund, agency=a, amount=Decimal("50000000.00"),
                     received_on=datetime.date(2026, 1, 1)) for a in agencies[:4])
    now = timezone.now()
    round_ = Round.objects.create(
        fund=fund, title="Bench round", slug="bench-round", opens_at=now, state="closed",
        closes_at=now + datetime.timedelta(days=30), budget=Decimal("150000000.00"),
        max_award=Decimal("1000000.00"))
    leads = User.objects.bulk_create(
        User(username=f"lead{i}", first_name="Lead", last_name=str(i),
             agency=agencies[i % len(agencies)]) for i in range(50))
    reviewers = User.objects.bulk_create(
        User(username=f"reviewer{i}", agency=agencies[i % len(agencies)]) for i in range(20))
    chair = User.objects.create(username="bench-chair")
    panel = Panel.objects.create(round=round_, name="Bench panel", chair=chair)
    states = ["in_review", "recommended", "rejected", "funded", "declined", "closed"]
    rows = Proposal.objects.bulk_create(
        Proposal(round=round_, lead=leads[i % len(leads)], title=f"Experiment number {i}",
                 requested_amount=Decimal(200000 + (i % 7) * 50000), duration_months=6,
                 summary="A bench proposal.", state=states[i % len(states)])
        for i in range(proposals))
    assignments = Assignment.objects.bulk_create(
        Assignment(proposal=p, reviewer=reviewers[(i + k) % len(reviewers)], panel=panel,
                   due_on=datetime.date(2026, 12, 1), state="submitted")
        for i, p in enumerate(rows) for k in range(reviews_per))
    Review.objects.bulk_create(
        Review(assignment=a, recommendation="fund", submitted_at=now,
               weighted_score=Decimal(40 + (i * 7) % 60)) for i, a in enumerate(assignments))
    funded = [p for p in rows if p.state in ("funded", "closed")]
    awards = Award.objects.bulk_create(
        Award(proposal=p, amount=p.requested_amount, approved_by=manager,
              state="completed" if p.state == "closed" else "active") for p in funded)
    Tranche.objects.bulk_create(
        Tranche(award=a, sequence=k, amount=a.amount / 2, due_on=datetime.date(2027, k, 1),
                milestone=f"Milestone {k}") for a in awards for k in (1, 2))
    recommended = [p for p in rows if p.state == "recommended"]
    return manager, round_, awards[0], recommended


def _plain_html() -> dict[str, str]:
    """WeasyPrint's yardstick: plain HTML, no stylesheet, WeasyPrint's default font."""
    paragraph = (
        "<p>On behalf of the fund, I am pleased to confirm an award of BTN 400,000.00 for the "
        "experiment described in your proposal. The award is paid in two tranches; each "
        "tranche after the first is released once the previous milestone is reported.</p>"
    )
    rows = "".join(
        f"<tr><td>{i}</td><td>Experiment number {i}</td><td>AG{i % 12:02d}</td>"
        f"<td>{40 + i % 60}.0</td><td>{i % 5}</td><td>BTN {200000 + (i % 7) * 50000:,}.00</td></tr>"
        for i in range(1, 501)
    )
    return {
        "Plain one-page letter": f"<!doctype html><h1>Award letter</h1>{paragraph * 6}",
        "Plain table, 500 rows × 6 columns": (
            "<!doctype html><table><thead><tr><th>#</th><th>Proposal</th><th>Agency</th>"
            f"<th>Score</th><th>Reviews</th><th>Requested</th></tr></thead><tbody>{rows}"
            "</tbody></table>"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=500)
    parser.add_argument("--reviews-per-proposal", type=int, default=4)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        from django.db import connection
        from django.template.loader import render_to_string
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from weasyprint import HTML

        from documents import portfolio
        from fund import documents
        from fund.services.awards import proposal_fund

        manager, round_, award, recommended = _build(args.proposals, args.reviews_per_proposal)
        client = Client(HTTP_HOST="localhost")
        client.force_login(manager)

        def request(url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response.content

        def pages_of(content):
            from io import BytesIO

            from pypdf import PdfReader

            return len(PdfReader(BytesIO(content)).pages)

        baseline = []
        for label, html in _plain_html().items():
            HTML(string=html).write_pdf()  # warm up
            raw, content = _timed(lambda html=html: HTML(string=html).write_pdf(), args.runs)
            baseline.append((label, raw, len(content), pages_of(content)))

        results = []
        for label, url, context_fn, template, runs in (
            ("Award letter (1 award, 2 tranches)", f"/api/v1/awards/{award.pk}/letter.pdf",
             lambda: documents.award_letter_context(award), "documents/award_letter.html",
             args.runs),
            (f"Round portfolio ({args.proposals} proposals, "
             f"{args.proposals * args.reviews_per_proposal} reviews)",
             f"/api/v1/rounds/{round_.pk}/portfolio.pdf",
             lambda: portfolio.round_portfolio_context(round_, manager),
             "documents/round_portfolio.html",
             max(3, args.runs // 2)),
        ):
            request(url)  # warm up: fonts, templates, sessions
            with CaptureQueriesContext(connection) as queries:
                request(url)
            total, content = _timed(lambda url=url: request(url), runs)
            html = render_to_string(template, {**context_fn(), "generated_at": None})
            raw, _ = _timed(lambda html=html: documents.html_to_pdf(html), runs)
            results.append((label, total, raw, len(queries), pages_of(content), len(content)))

        # Funding: one `proposal_fund` after another (lock, sums, award, tranches, log).
        count = min(50, len(recommended))
        start = time.perf_counter()
        for proposal in recommended[:count]:
            half = (proposal.requested_amount / 2).quantize(Decimal("0.01"))
            proposal_fund(proposal=proposal, actor=manager, amount=proposal.requested_amount,
                          tranches=[
                              {"amount": half, "due_on": "2027-02-01", "milestone": "Start"},
                              {"amount": proposal.requested_amount - half,
                               "due_on": "2027-08-01", "milestone": "Evaluate"}])
        per_award = (time.perf_counter() - start) / count

    lines = [
        "# Award documents and funding: benchmark results",
        "",
        f"`bench/award_documents.py` on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite, "
        f"median of {args.runs} runs (portfolio: {max(3, args.runs // 2)}); load average "
        f"during the run {os.getloadavg()[0]:.1f} (other work on the machine slows every "
        "figure, WeasyPrint's alike).",
        "",
        "| document | request → bytes | WeasyPrint alone, same HTML | ratio | queries | pages "
        "| PDF size |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, total, raw, queries, pages, size in results:
        lines.append(f"| {label} | {total:.3f} s | {raw:.3f} s | {total / raw:.2f} | {queries} "
                     f"| {pages} | {size / 1024:.0f} KB |")
    for label, raw, size, pages in baseline:
        lines.append(f"| WeasyPrint baseline: {label.lower()}, default font | – | {raw:.3f} s "
                     f"| – | – | {pages} | {size / 1024:.0f} KB |")
    lines += [
        "",
        f"Funding: `proposal_fund` with two tranches, one call after another: "
        f"{per_award * 1000:.1f} ms per award ({1 / per_award:.0f} awards/s).",
        "",
        "Targets (issue 4): award letter under 0.3 s; portfolio of 500 proposals and 2,000 "
        "reviews under 5 s with a constant number of queries (the portfolio's queries do not "
        "grow with the round: compare `--proposals 50`).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    results_file = ROOT / "bench" / "award_results.md"
    previous = results_file.read_text(encoding="utf-8") if results_file.exists() else ""
    if "\n## History" in previous:
        text += previous[previous.index("\n## History"):]
    results_file.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
