"""The shapes of an analytics figure (what the pages, the API, the downloads and the stored
JSON all read): a `Figure` of `Table`s, charts and notes. Apart from figures.py, which builds
them, so that `serial.py` (reading them back) and `figures.py` do not import each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


def _shown_cell(value):
    return f"{value:,.2f}" if isinstance(value, Decimal) else value


@dataclass
class Table:
    key: str
    caption: str
    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict]

    @property
    def cells(self) -> list[list]:
        """The rows as the page shows them, column by column: amounts of money with their
        thousands and two decimals (the downloads keep the plain numbers)."""
        return [[_shown_cell(row.get(key)) for key, _h in self.columns] for row in self.rows]


@dataclass
class Figure:
    key: str
    title: str
    definition: str
    tables: list[Table] = field(default_factory=list)
    charts: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    computed_at: datetime | None = None
    stored: bool = False  # computed in the background (analytics/stored.py), not for this request

    def table(self, key: str | None) -> Table | None:
        return next((t for t in self.tables if key in (None, t.key)), None)
