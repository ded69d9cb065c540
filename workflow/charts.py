"""Charts as server-rendered SVG: horizontal bars, a stacked bar and a progress bar.

Why SVG drawn on the server rather than a JavaScript chart library: it needs no script (so it
works under the strict Content-Security-Policy and without JavaScript), prints and goes into
PDFs as it is, and is accessible by construction. Each chart is an `<svg role="img">` with a
`<title>` and a `<desc>`, drawn by templates/charts/chart.html (`{% chart c %}`, the `charts`
template library), with a visible text alternative right beside it: a list that is also the
legend, each item naming its series, value and pattern. Series are told apart by pattern
(solid, stripes, dots, hatching) and label as well as by colour, and every colour is one of
site.css's with at least 3:1 contrast against white (the non-text contrast of WCAG 2.2 AA).

This module knows nothing of the fund: callers give labels, numbers and the text of each
value (money already formatted, e.g. by workflow/display.py). It computes the geometry;
the template draws it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

# (colour, pattern): site.css's navy, link blue, green, dark saffron, purple and red; each at
# least 3:1 against white. The pattern repeats the difference for those who do not see colour.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#12355b", "solid"),
    ("#1457a8", "stripes"),
    ("#1e6b3a", "dots"),
    ("#8a5a00", "hatch"),
    ("#5b3a91", "backslash"),
    ("#b3261e", "grid"),
)
PATTERN_NAMES = {
    "solid": "solid", "stripes": "diagonal stripes", "dots": "dots", "hatch": "cross-hatching",
    "backslash": "reverse stripes", "grid": "grid",
}
# A part of the whole that is not there (still to release, not yet reached): an outline.
EMPTY = ("#ffffff", "empty")

WIDTH = 560  # the viewBox's width; the SVG scales to its container
LABEL_WIDTH = 150  # the bar chart's label column
VALUE_WIDTH = 130  # room after a bar for its value
ROW_HEIGHT = 30
BAR_HEIGHT = 18
MAX_LABEL = 20  # characters of a label drawn in the chart (the list beside has it whole)

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One colour and pattern; `index` names its <pattern> in the chart's <defs>."""

    index: int
    colour: str
    pattern: str

    @property
    def pattern_name(self) -> str:
        return PATTERN_NAMES.get(self.pattern, "outline")


@dataclass(frozen=True)
class Shape:
    """A drawn bar or segment, in viewBox units, and what it stands for."""

    x: float
    y: float
    width: float
    height: float
    series: Series
    label: str
    value_text: str
    short_label: str = ""  # drawn at the left of a bar chart's row
    text_x: float = 0.0  # where the value is drawn (bar charts)
    text_y: float = 0.0


@dataclass(frozen=True)
class Line:
    """A reference line across the bars (e.g. where the money runs out)."""

    x: float
    y1: float
    y2: float
    label: str
    text_x: float
    text_y: float
    anchor: str  # "start" or "end"


@dataclass
class Chart:
    kind: str  # bars, stacked, progress
    title: str
    description: str
    height: float
    shapes: list[Shape]
    legend: list[Shape]
    series: list[Series]
    line: Line | None = None
    width: int = WIDTH
    uid: str = field(default_factory=lambda: f"chart-{next(_ids)}")
    summary: str = ""  # one sentence shown under the chart's list (e.g. the total)
    label_x: int = LABEL_WIDTH - 4  # where a bar chart's row labels end

    @property
    def title_id(self) -> str:
        return f"{self.uid}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.uid}-desc"


def _number(value) -> float:
    try:
        return float(Decimal(str(value or 0)))
    except (ArithmeticError, ValueError):
        return 0.0


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def series_for(index: int) -> Series:
    colour, pattern = PALETTE[index % len(PALETTE)]
    return Series(index, colour, pattern)


def _empty_series(index: int) -> Series:
    return Series(index, *EMPTY)


def bar_chart(*, title: str, description: str, rows, line=None, scale_max=None,
              same_series: bool = False, summary: str = "") -> Chart:
    """Horizontal bars, one a row. `rows`: (label, value, value_text), optionally followed by
    `start` (the bar starts there: a running total, each bar from the sum before it to the
    sum after) and `group` (the series of the bar). `line`: (value, label) drawn across every
    row. `same_series`: bars without a group in the first series (a ranking), else one
    series a row."""
    rows = [tuple(row) + (0, None)[len(row) - 3:] for row in rows]
    ends = [_number(start) + max(_number(value), 0) for _l, value, _t, start, _g in rows]
    top = max([_number(scale_max), *ends, _number(line[0]) if line else 0, 0]) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    shapes, series = [], []
    for i, (label, value, value_text, start, group) in enumerate(rows):
        s = series_for(group if group is not None else 0 if same_series else i)
        if s not in series:
            series.append(s)
        x = LABEL_WIDTH + _number(start) / top * plot
        width = max(max(_number(value), 0) / top * plot, 0)
        y = 8 + i * ROW_HEIGHT
        shapes.append(Shape(
            x=round(x, 2), y=y, width=round(width, 2), height=BAR_HEIGHT, series=s,
            label=str(label), value_text=str(value_text), short_label=_short(label),
            text_x=round(x + width + 4, 2), text_y=y + BAR_HEIGHT - 4,
        ))
    height = 8 + len(rows) * ROW_HEIGHT + (22 if line else 4)
    drawn_line = None
    if line is not None:
        x = round(LABEL_WIDTH + _number(line[0]) / top * plot, 2)
        anchor = "end" if x > WIDTH / 2 else "start"
        drawn_line = Line(x=x, y1=2, y2=height - 18, label=str(line[1]),
                          text_x=x - 3 if anchor == "end" else x + 3, text_y=height - 4,
                          anchor=anchor)
    return Chart("bars", title, description, height, shapes, shapes, series, drawn_line,
                 summary=summary)


def stacked_bar(*, title: str, description: str, parts, total=None, summary: str = "",
                empty_last: bool = False) -> Chart:
    """One bar cut into `parts`: (label, value, value_text), left to right, each its own
    series. `total`: the whole the bar stands for (default: the sum of the parts).
    `empty_last`: the last part is drawn as an outline (what is not there yet)."""
    parts = list(parts)
    values = [max(_number(value), 0) for _l, value, _t in parts]
    whole = max(_number(total), sum(values)) or 1
    shapes, series = [], []
    x = 0.0
    for i, ((label, _value, value_text), value) in enumerate(zip(parts, values, strict=True)):
        last_empty = empty_last and i == len(parts) - 1
        s = _empty_series(i) if last_empty else series_for(i)
        series.append(s)
        width = value / whole * WIDTH
        shapes.append(Shape(x=round(x, 2), y=4, width=round(width, 2), height=28, series=s,
                            label=str(label), value_text=str(value_text)))
        x += width
    return Chart("stacked", title, description, 36, [s for s in shapes if s.width > 0],
                 shapes, series, summary=summary)


def progress_bar(*, title: str, description: str, parts, total, rest_label: str,
                 rest_text: str, summary: str = "") -> Chart:
    """How much of `total` is done: `parts` (label, value, value_text) drawn in turn from the
    left, and what is left of the whole as an outline (`rest_label`, `rest_text`)."""
    parts = list(parts)
    done = sum(max(_number(value), 0) for _l, value, _t in parts)
    rest = max(_number(total) - done, 0)
    chart = stacked_bar(title=title, description=description,
                        parts=[*parts, (rest_label, rest, rest_text)],
                        total=total, summary=summary, empty_last=True)
    chart.kind = "progress"
    return chart
