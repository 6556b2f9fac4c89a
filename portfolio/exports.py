"""The one writer of every file the service hands out: CSV and Excel (.xlsx).

Reports, settlements and class-list results all leave through here, so two rules hold for
each of them:

* **No live formulas.** A name or note that starts with ``=``, ``+``, ``-``, ``@`` (a policy
  called ``=HYPERLINK(...)``) would run as a formula when the file is opened in a spreadsheet
  program. CSV cells are neutralised by ``defusedcsv`` (a leading apostrophe; plain numbers,
  negative ones included, stay numbers); .xlsx cells are written with the string type, which a
  spreadsheet never evaluates.
* **Opens right in the programs clerks use.** CSV is UTF-8 with a byte-order mark (without it,
  Excel on a Chinese Windows reads UTF-8 as GBK) and CRLF line ends.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from defusedcsv import csv
from openpyxl import Workbook

Cell = str | int | float | None

CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOM: Final = "\ufeff"
# Excel's limit on a sheet's name (and it refuses a few characters).
_SHEET_TITLE_MAX = 31
_NOT_IN_SHEET_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    """A table to hand out: a title (the .xlsx sheet's name), a header row and the rows."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]


@dataclass(frozen=True)
class Export:
    """A file ready to send: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def csv_bytes(sheet: Sheet) -> bytes:
    """``sheet`` as CSV: UTF-8 with a byte-order mark, CRLF, formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.header)
    writer.writerows(sheet.rows)
    return (_BOM + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheet: Sheet) -> bytes:
    """``sheet`` as an .xlsx workbook of one sheet; every text cell typed as text."""
    book = Workbook(write_only=False)
    page = book.active
    assert page is not None  # a new workbook has one sheet
    page.title = sheet.title.translate(_NOT_IN_SHEET_TITLES)[:_SHEET_TITLE_MAX] or "Sheet"
    for values in (sheet.header, *sheet.rows):
        page.append([None if value is None else value for value in values])
    for row in page.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                # openpyxl takes a string starting with "=" for a formula: say it is text.
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_WRITERS: Final[dict[str, tuple[str, Callable[[Sheet], bytes]]]] = {
    "csv": (CSV_MEDIA_TYPE, csv_bytes),
    "xlsx": (XLSX_MEDIA_TYPE, xlsx_bytes),
}
FORMATS: Final = tuple(_WRITERS)


def export(sheet: Sheet, *, file_format: str, basename: str) -> Export:
    """``sheet`` in ``file_format`` (one of :data:`FORMATS`) as a file named ``basename``."""
    media_type, write = _WRITERS[file_format]
    return Export(write(sheet), media_type, f"{basename}.{file_format}")
