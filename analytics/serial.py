"""A Figure as plain data (JSON) and back, for the figures kept in the database (StoredFigure).

Written explicitly, field by field, never pickled: a row of the database is data, and reading
it back builds nothing but a Figure, its Tables and Charts. Values keep their types: an amount
of money (Decimal) comes back a Decimal (the page writes it with thousands and two decimals), a
time a datetime; a translated label is kept as the text it had in the row's language (stored
figures are kept per language, analytics/stored.py). Anything else is refused when written
(ValueError), so a new kind of value is noticed in the tests, not served wrong.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.functional import Promise

from workflow.charts import Chart, Line, Series, Shape

DECIMAL, DATETIME = "$decimal", "$datetime"


def _value(value):
    """A cell, a summary value: JSON's own types as they are, the others tagged."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return {DECIMAL: str(value)}
    if isinstance(value, datetime):
        return {DATETIME: value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"keys other than text: {list(value)!r}")
        if len(value) == 1 and next(iter(value)) in (DECIMAL, DATETIME):
            raise ValueError(f"a dict that reads as a tagged value: {value!r}")
        return {k: _value(v) for k, v in value.items()}
    raise ValueError(f"no plain form for {type(value).__name__}: {value!r}")


def _read(value):
    if isinstance(value, list):
        return [_read(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and DECIMAL in value:
            return Decimal(value[DECIMAL])
        if len(value) == 1 and DATETIME in value:
            return datetime.fromisoformat(value[DATETIME])
        return {k: _read(v) for k, v in value.items()}
    return value


def _series(s: Series) -> dict:
    return {"index": s.index, "colour": s.colour, "pattern": s.pattern}


def _shape(s: Shape) -> dict:
    return {"x": s.x, "y": s.y, "width": s.width, "height": s.height,
            "series": _series(s.series), "label": str(s.label), "value_text": str(s.value_text),
            "short_label": str(s.short_label), "text_x": s.text_x, "text_y": s.text_y}


def _read_shape(d: dict) -> Shape:
    return Shape(x=d["x"], y=d["y"], width=d["width"], height=d["height"],
                 series=Series(**d["series"]), label=d["label"], value_text=d["value_text"],
                 short_label=d["short_label"], text_x=d["text_x"], text_y=d["text_y"])


def chart_data(chart: Chart) -> dict:
    line = chart.line
    return {
        "kind": chart.kind, "title": str(chart.title), "description": str(chart.description),
        "height": chart.height, "shapes": [_shape(s) for s in chart.shapes],
        "legend": [_shape(s) for s in chart.legend],
        "series": [_series(s) for s in chart.series],
        "line": None if line is None else {
            "x": line.x, "y1": line.y1, "y2": line.y2, "label": str(line.label),
            "text_x": line.text_x, "text_y": line.text_y, "anchor": line.anchor},
        "width": chart.width, "summary": str(chart.summary), "label_x": chart.label_x,
    }


def chart_from_data(d: dict) -> Chart:
    """A chart as it was drawn, with an id of its own (ids name its title in the page)."""
    return Chart(kind=d["kind"], title=d["title"], description=d["description"],
                 height=d["height"], shapes=[_read_shape(s) for s in d["shapes"]],
                 legend=[_read_shape(s) for s in d["legend"]],
                 series=[Series(**s) for s in d["series"]],
                 line=None if d["line"] is None else Line(**d["line"]),
                 width=d["width"], summary=d["summary"], label_x=d["label_x"])


def figure_data(figure) -> dict:
    """The figure as JSON's types only (what StoredFigure.figure keeps)."""
    return {
        "key": figure.key, "title": str(figure.title), "definition": str(figure.definition),
        "tables": [{"key": t.key, "caption": str(t.caption),
                    "columns": [[k, str(heading)] for k, heading in t.columns],
                    "rows": [_value(row) for row in t.rows]} for t in figure.tables],
        "charts": [chart_data(c) for c in figure.charts],
        "notes": [str(n) for n in figure.notes],
        "summary": _value(figure.summary),
        "computed_at": _value(figure.computed_at),
        "stored": bool(figure.stored),
    }


def figure_from_data(d: dict):
    """The Figure `figure_data` wrote."""
    from .shapes import Figure, Table

    return Figure(
        key=d["key"], title=d["title"], definition=d["definition"],
        tables=[Table(t["key"], t["caption"], [(k, h) for k, h in t["columns"]],
                      [_read(row) for row in t["rows"]]) for t in d["tables"]],
        charts=[chart_from_data(c) for c in d["charts"]],
        notes=list(d["notes"]), summary=_read(d["summary"]),
        computed_at=_read(d["computed_at"]), stored=d["stored"])
