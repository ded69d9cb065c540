"""Benchmark: what the fund's PDFs cost in CPU instructions, not seconds (issue 18).

Timing WeasyPrint on a shared or loaded machine says little (the runs of
bench/award_documents.py spread by ±50% while other work ran). Valgrind counts the
instructions a process executes, the same for the same code and input whatever else the
machine does. So the cost of one document is measured as a difference of two counts:

    .venv/bin/python bench/pdf_instructions.py dump /tmp/pdfhtml      # the documents' HTML
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python bench/pdf_instructions.py render /tmp/pdfhtml 0
    valgrind ... bench/pdf_instructions.py render /tmp/pdfhtml 2

`render DIR N` sets Django up, renders every HTML file of DIR once (fonts and stylesheet
loaded, as a running server has them), then N more times; the difference between N=2 and N=0,
halved, is one rendering of each document. Run it from two checkouts on the same HTML to
compare them (results: bench/pdf_instructions.md).
"""

import glob
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dump(directory: str) -> None:
    """The award letter and a 200-proposal round portfolio's HTML, as the views render them
    (bench/award_documents.py builds the round)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import award_documents as bench

    bench._setup(tempfile.mkdtemp())
    from django.template.loader import render_to_string

    from documents import portfolio
    from fund import documents

    manager, round_, award, _recommended = bench._build(200, 4)
    os.makedirs(directory, exist_ok=True)
    for name, template, context in (
        ("letter", "documents/award_letter.html", documents.award_letter_context(award)),
        ("portfolio", "documents/round_portfolio.html",
         portfolio.round_portfolio_context(round_, manager)),
    ):
        html = render_to_string(template, {**context, "generated_at": None})
        Path(directory, f"{name}.html").write_text(html)


def render(directory: str, times: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/unused.sqlite3")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from fund.documents import html_to_pdf

    pages = [Path(p).read_text() for p in sorted(glob.glob(f"{directory}/*.html"))]
    for html in pages:
        html_to_pdf(html)
    for _ in range(times):
        for html in pages:
            html_to_pdf(html)


if __name__ == "__main__":
    if sys.argv[1:2] == ["dump"]:
        dump(sys.argv[2])
    elif sys.argv[1:2] == ["render"]:
        render(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)
