"""Reading the tables people upload (a class list, a list of workers to issue vouchers to).

Clerks keep these in spreadsheets and export them as CSV: UTF-8 with or without a byte-order
mark from current programs, GB18030 from older Chinese ones. Whatever the bytes, the answer is
rows or a :class:`ValidationFailed` naming the rule, never an exception from the parser: a bare
carriage return, a NUL byte or a stray quote inside an upload once gave a 500.
"""

from __future__ import annotations

import csv
import io

from portfolio.errors import ValidationFailed

Row = dict[str, str]

# Tried in order: UTF-8 first (a GB18030 decoder accepts most UTF-8 byte strings as mojibake).
_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes, field: str = "body") -> str:
    """``raw`` as text in the first encoding that reads it whole."""
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed.single(field, "encoding", "CSV must be UTF-8 or GB18030 text")


def read_csv(raw: bytes, field: str = "body") -> list[Row]:
    """The rows of a CSV file whose first line names the columns; empty cells left out."""
    text = decode_text(raw, field)
    if "\x00" in text:
        raise ValidationFailed.single(field, "csv_invalid", "the file contains a NUL character")
    # newline="" lets the csv module see every line ending itself, bare CR included.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return [
            {key.strip(): value for key, value in row.items() if key and value not in (None, "")}
            for row in reader
            if isinstance(row, dict)
        ]
    except csv.Error as error:
        raise ValidationFailed.single(
            field, "csv_invalid", f"line {reader.line_num}: {error}"
        ) from None
