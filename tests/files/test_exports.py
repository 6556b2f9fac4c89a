"""The one export writer: formula-like cells come out inert in CSV and .xlsx."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from portfolio.exports import Sheet, csv_bytes, export, xlsx_bytes

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"]
SHEET = Sheet(
    "结算 settlement", ["名称", "金额"], [[name, 100] for name in DANGEROUS] + [["-5", -5]]
)


def test_csv_starts_with_a_bom_and_neutralises_formulas() -> None:
    raw = csv_bytes(SHEET)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["名称", "金额"]
    assert [row[0] for row in rows[1:5]] == ["'" + name for name in DANGEROUS]
    assert rows[5] == ["-5", "-5"]  # a plain negative number stays a number
    assert b"\r\n" in raw


def test_xlsx_types_every_text_cell_as_text() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(SHEET)))
    page = book.active
    assert page is not None
    assert page.title == "结算 settlement"
    cells = [row[0] for row in page.iter_rows(min_row=2, max_row=5)]
    assert [c.value for c in cells] == DANGEROUS
    assert {c.data_type for c in cells} == {"s"}
    assert page.cell(row=2, column=2).value == 100


def test_export_names_the_file_and_its_type() -> None:
    file = export(SHEET, file_format="xlsx", basename="settlement-5101-2026-11")
    assert file.filename == "settlement-5101-2026-11.xlsx"
    assert file.media_type.startswith("application/vnd.openxmlformats")
