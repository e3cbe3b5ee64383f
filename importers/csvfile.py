"""Read a tracker's CSV export into a header and numbered records.

Real exports differ in small ways that break a naive ``csv.DictReader``: Excel and some
trackers start the file with a UTF-8 byte-order mark (which would glue itself to the first
column name), European locales use ``;`` between fields so that ``1,5`` can be a number,
and notes may span lines. Problems are reported by the record's first line in the file,
which is what an editor or ``FILE:LINE`` jump shows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

DELIMITERS = (",", ";", "\t")
_SPACES = re.compile(r"\s+")


def header_key(name: str) -> str:
    """A column name as compared: trimmed, single-spaced, case-folded."""
    return _SPACES.sub(" ", name.replace("\ufeff", "")).strip().casefold()


#: UTF-8's multi-byte sequences: a file holding any is UTF-8, whatever else it holds.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode(data: bytes) -> str:
    """UTF-8 text without a byte-order mark; Windows-1252 for files saved by older Excel.

    Raises:
        ValueError: a UTF-8 file with a byte that is not UTF-8; read as Windows-1252 it
            would turn every accented letter into two wrong ones, without a word.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith(b"\xef\xbb\xbf") or _UTF8_SEQUENCE.search(data):
            line = data[: exc.start].count(b"\n") + 1
            byte = data[exc.start : exc.start + 1].hex()
            raise ValueError(
                f"line {line}: byte 0x{byte} is not UTF-8, though the rest of the file is;"
                " the file is damaged: export it again (or fix that character and save as UTF-8)"
            ) from None
        text = data.decode("cp1252", errors="replace")
    return text.lstrip("\ufeff")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter used most often outside quotes in the header line (``,`` on a tie)."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


@dataclass(frozen=True, slots=True)
class Record:
    """A data row: its first line number in the file and its fields, padded to the header."""

    line: int
    fields: list[str]


@dataclass
class Table:
    """A parsed CSV export: column names, records, and rows too wide for the header."""

    filename: str
    delimiter: str
    header: list[str]
    records: list[Record] = field(default_factory=list)
    #: (line, message) for rows with more non-empty fields than the header has columns.
    malformed: list[tuple[int, str]] = field(default_factory=list)
    header_line: int = 1

    def columns(self) -> Columns:
        return Columns(self.header)


class Columns:
    """Finds a column by any of its names, compared as :func:`header_key` does."""

    def __init__(self, header: Sequence[str]) -> None:
        self.index: dict[str, int] = {}
        for position, name in enumerate(header):
            self.index.setdefault(header_key(name), position)

    def has_all(self, names: Sequence[str]) -> bool:
        return all(header_key(name) in self.index for name in names)

    def find(self, *names: str) -> int | None:
        """Position of the first of ``names`` present in the header, else None."""
        for name in names:
            position = self.index.get(header_key(name))
            if position is not None:
                return position
        return None


def parse_table(data: bytes, filename: str) -> Table:
    """Split an export into header and records, skipping blank lines.

    Raises:
        ValueError: the file holds no header line.
    """
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ValueError("the file is empty: export the report again")
    chosen = sniff_delimiter(first)
    records = _records(text, chosen)
    try:
        header_line, header = next(records)
    except StopIteration:  # pragma: no cover - ``first`` guarantees a header
        raise ValueError("the file is empty: export the report again") from None
    table = Table(filename, chosen, [name.strip() for name in header], header_line=header_line)
    rows = [Record(line, fields) for line, fields in records]
    if rows and len(rows[-1].fields) < len(header) and not text.endswith(("\n", "\r")):
        # Fewer separators than the header and no line end: the file stops mid-row, and
        # its last value (``01:3`` of ``01:30``) would be read as something else.
        last = rows.pop()
        table.malformed.append(
            (
                last.line,
                f"the last row is cut short ({len(last.fields)} of {len(header)} fields and no line"
                " end): the file was not saved whole; export it again",
            )
        )
    fit_records(table, rows, "field")
    return table


def fit_records(table: Table, records: Iterable[Record], what: str) -> None:
    """Add ``records`` to ``table``, padded to its header; too wide ones are malformed."""
    width = len(table.header)
    for record in records:
        fields = record.fields
        if len(fields) < width:
            fields.extend([""] * (width - len(fields)))
        elif len(fields) > width:
            extra = [value for value in fields[width:] if value.strip()]
            if extra:
                why = (
                    f"a field with a '{table.delimiter}' in it is not quoted; export the file again"
                    if what == "field"
                    else "a value stands right of the last column; export the report again"
                )
                table.malformed.append(
                    (record.line, f"row has {len(fields)} {what}s but the header has {width}: {why}")
                )
                continue
            del fields[width:]
        table.records.append(record)


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Records with their first line; a field past the csv module's limit is a ValueError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(
                f"line {previous + 1}: {exc} characters: no tracker writes such a field; a quote"
                " is probably not closed: export the file again"
            ) from None
        start = previous + 1
        previous = reader.line_num
        if not any(fields):  # a blank line, or a row of empty fields Excel left behind
            continue
        yield start, fields
