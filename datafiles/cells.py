"""Text stays text (DOMAIN.md, Integrity rules): the one place that writes cells to CSV and
XLSX files and reads them back.

A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
as a formula. Every export therefore writes such a text
- in CSV with a leading apostrophe (`'=1+2`), and
- in XLSX as a string cell (shown as typed, quote-prefixed so that editing it keeps it text);
and every import removes exactly that one apostrophe, so an export imports back unchanged.

XLSX cannot carry a carriage return or most control characters as such: they are written
as Excel writes them (`_x000D_`, and a literal `_x000D_` as `_x005F_x000D_`), and read back
by `imported_xlsx_text`.

Only text is neutralised: numbers (an amount, even a negative one) are written as numbers.
To keep the mapping reversible whatever a text holds, a text that already begins with
apostrophes followed by one of those characters (`'=x`) gets one more apostrophe as well
(in XLSX too), and the importer removes one apostrophe only before such a text.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _apostrophes_then_formula(text: str) -> bool:
    """`'=x`, `''+1`: what an escaped formula looks like, so it must be escaped again."""
    return text.startswith("'") and _runs_as_formula(text.lstrip("'"))


def csv_cell(value):
    """The value as written to a CSV file: a text a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and (_runs_as_formula(value) or _apostrophes_then_formula(value)):
        return "'" + value
    return value


def imported_text(text: str) -> str:
    """A cell's text as imported: exactly one apostrophe that an export added is removed."""
    return text[1:] if _apostrophes_then_formula(text) else text


# What XML 1.0 cannot hold (or, for the carriage return, turns into a line feed), and an
# underscore that would otherwise be read as the start of such an escape.
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_text(text: str) -> str:
    """A text as stored in an XLSX cell (SpreadsheetML's `_xHHHH_` escapes)."""
    return _XLSX_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def imported_xlsx_text(text: str) -> str:
    """An XLSX cell's text with its `_xHHHH_` escapes undone (before `imported_text`)."""
    return _XLSX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A CSV table, every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """`csv_text` in UTF-8 with a BOM, so that Excel reads it as UTF-8."""
    return csv_text(headers, rows).encode("utf-8-sig")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Export") -> bytes:
    """One sheet: a bold header row (frozen), then the rows; every text is a string cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    widths: dict[int, int] = {}
    for r, row in enumerate([headers, *rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                text = "'" + value if _apostrophes_then_formula(value) else value
                cell.value = xlsx_text(text)
                cell.data_type = "s"  # never "f": openpyxl would write "=..." as a formula
                if _runs_as_formula(text):
                    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
            else:
                cell.value = value
            if r == 1:
                cell.font = bold
            widths[c] = max(widths.get(c, 0), min(len(str(value or "")), 60))
    for c, width in widths.items():
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = width + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
