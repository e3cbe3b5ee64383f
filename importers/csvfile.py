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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

DELIMITERS = (",", ";", "\t")
_SPACES = re.compile(r"\s+")


def header_key(name: str) -> str:
    """A column name as compared: trimmed, single-spaced, case-folded."""
    return _SPACES.sub(" ", name.replace("\ufeff", "")).strip().casefold()


def decode(data: bytes) -> str:
    """UTF-8 text without a byte-order mark; Windows-1252 for files saved by older Excel."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
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
        _, header = next(records)
    except StopIteration:  # pragma: no cover - ``first`` guarantees a header
        raise ValueError("the file is empty: export the report again") from None
    table = Table(filename, chosen, [name.strip() for name in header])
    width = len(header)
    for line, fields in records:
        if len(fields) < width:
            fields.extend([""] * (width - len(fields)))
        elif len(fields) > width:
            extra = [value for value in fields[width:] if value.strip()]
            if extra:
                table.malformed.append(
                    (
                        line,
                        f"row has {len(fields)} fields but the header has {width}: a field with a"
                        f" '{chosen}' in it is not quoted; export the file again",
                    )
                )
                continue
            del fields[width:]
        table.records.append(Record(line, fields))
    return table


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    for fields in reader:
        start = previous + 1
        previous = reader.line_num
        if not any(fields):  # a blank line, or a row of empty fields Excel left behind
            continue
        yield start, fields
