"""The floor's one page: a table of 190 rows built in memory (no queries), rendered by a
template to about 34 KB of HTML."""

from django.shortcuts import render

ROWS = [
    {
        "ref": f"P-{i:05d}",
        "title": f"Proposal number {i} for a shared service",
        "agency": f"Ministry {i % 25:02d}",
        "state": ("Submitted", "Under review", "Funded", "Declined")[i % 4],
        "amount": f"Nu. {(i * 7919) % 1000000:,}.00",
        "updated": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
    }
    for i in range(190)
]


def table(request):
    return render(request, "floor/table.html", {"rows": ROWS})
