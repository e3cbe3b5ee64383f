"""Read an XLSX export (Kimai's and Clockify's default) into the same table as a CSV.

openpyxl reads the workbook (read-only, cached values, not formulas); each cell is then
written as the text a CSV export of the same report holds, so one set of parsing rules
serves both: dates as ISO ``YYYY-MM-DD`` (a date cell has no day/month question),
clock times ``HH:MM:SS``, durations stored as times or day fractions ``H:MM:SS``, and
numbers without exponents.
"""

from __future__ import annotations

import datetime
import io
import itertools
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from .csvfile import Record, Table, fit_records

#: A ZIP file's first bytes: every XLSX workbook starts with them.
MAGIC = b"PK\x03\x04"


def is_xlsx(data: bytes) -> bool:
    return data[:4] == MAGIC


def cell_text(value: object) -> str:
    """A cell's value as a CSV export of the same report would write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.timedelta):
        seconds = round(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # With a decimal point: 2.5 stays 2.5, and 2.0 reads as hours like 2.
        text = format(Decimal(repr(value)).normalize(), "f")
        return text if "." in text else f"{text}.0"
    return str(value).strip()


#: How many rows above the header a workbook may have (a title, the period, a blank).
TITLE_ROWS = 10


def parse_xlsx(data: bytes, filename: str, is_header: Callable[[list[str]], bool] | None = None) -> Table:
    """The first worksheet of a workbook as a table (blank rows skipped, like CSV).

    The header is the first row, or with ``is_header`` the first of the top rows it
    accepts: a spreadsheet report may put a title and the period above its columns.

    Raises:
        ValueError: the file is not a readable workbook, or its sheet is empty.
    """
    import openpyxl  # loaded only for XLSX files: the CSV path never pays for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValueError(f"not a readable XLSX workbook ({exc}); export the report again") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ValueError("the workbook has no worksheet: export the report again")
        rows = _rows(sheet.iter_rows(values_only=True))
        top = list(itertools.islice(rows, TITLE_ROWS))
        if not top:
            raise ValueError("the file is empty: export the report again")
        at = next((i for i, (_, cells) in enumerate(top) if is_header and is_header(cells)), 0)
        line, header = top[at]
        rows = itertools.chain(top[at + 1 :], rows)
        table = Table(filename, ",", [name.strip() for name in header], header_line=line)
        fit_records(table, (Record(number, fields) for number, fields in rows), "cell")
        return table
    finally:
        workbook.close()


def _rows(values: Iterable[tuple[object, ...]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(values, 1):
        fields = [cell_text(value) for value in row]
        while fields and not fields[-1]:
            fields.pop()
        if any(fields):
            yield number, fields
