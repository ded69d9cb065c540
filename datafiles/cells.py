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
from collections.abc import Iterable, Iterator, Sequence

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


# --- streamed: the same cells, written a chunk at a time (constant memory) -----------------
CSV_FLUSH_ROWS = 500


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence], *,
               bom: bool = True) -> Iterator[bytes]:
    """`csv_bytes`, a few hundred rows at a time: the same bytes (BOM, escaping, line ends)
    joined, for a `StreamingHttpResponse` or a file written as the rows arrive. Without
    `bom`, the same as `csv_text` in UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in headers])
    first = bom
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
        if n % CSV_FLUSH_ROWS == 0:
            yield _take(out, bom=first)
            first = False
    yield _take(out, bom=first)


def _take(out: io.StringIO, *, bom: bool) -> bytes:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode("utf-8-sig" if bom else "utf-8")


WIDTH_SAMPLE_ROWS = 200


def xlsx_write(headers: Sequence[str], rows: Iterable[Sequence], target, *,
               title: str = "Export") -> None:
    """`xlsx_bytes` written to `target` (a path or a binary file) in openpyxl's write-only
    mode: rows go to disk as they come, so memory stays flat whatever their number. The
    cells are the same (text as string cells, formula-like text quote-prefixed); column
    widths are taken from the header and the first rows."""
    from itertools import islice

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    widths: dict[int, int] = {}
    for row in [headers, *sample]:
        for c, value in enumerate(row, start=1):
            widths[c] = max(widths.get(c, 0), min(len(str(value or "")), 60))
    from openpyxl.utils import get_column_letter

    for c, width in widths.items():
        sheet.column_dimensions[get_column_letter(c)].width = width + 2
    bold = Font(bold=True)

    def cells(row, *, header=False):
        out = []
        for value in row:
            cell = WriteOnlyCell(sheet)
            if isinstance(value, str):
                text = "'" + value if _apostrophes_then_formula(value) else value
                cell.value = xlsx_text(text)
                cell.data_type = "s"  # never "f": openpyxl would write "=..." as a formula
                if _runs_as_formula(text):
                    cell.quotePrefix = True
            else:
                cell.value = value
            if header:
                cell.font = bold
            out.append(cell)
        return out

    sheet.append(cells(headers, header=True))
    for row in sample:
        sheet.append(cells(row))
    for row in rows:
        sheet.append(cells(row))
    book.save(target)
