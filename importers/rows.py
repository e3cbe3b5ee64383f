"""The two shapes an export row takes on its way into the books.

A tracker's CSV is first cut into :class:`RawRow` (its fields picked out by column, still
text), so each source module only knows its own header names. Parsing dates, times and
durations, which depends on the file as a whole (day/month order), then turns each raw row
into an :class:`ExportRow` that the mapping to ``custom "time"`` entries works on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

# Rows are treated as values but not declared frozen: a frozen dataclass's __init__ is
# several times slower, and an import of 100,000 rows builds two rows per record.


@dataclass(slots=True)
class RawRow:
    """One export record with its fields picked out by column, not yet parsed.

    ``duration`` is the exact duration column (``H:MM[:SS]`` or decimal hours) and
    ``hours`` a decimal, possibly rounded, column used only when ``duration`` is empty.
    ``skip`` names why a row is not time worked for a client (e.g. a Clockify break),
    so it is counted but not imported.
    """

    source: str
    filename: str
    line: int
    date: str
    start: str = ""
    end: str = ""
    duration: str = ""
    hours: str = ""
    client: str = ""
    project: str = ""
    task: str = ""
    activity: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    user: str = ""
    email: str = ""
    billable: str = ""
    entry_id: str = ""
    skip: str | None = None


@dataclass(slots=True)
class ExportRow:
    """One export record, parsed: a day, maybe a start time, and a duration in hours."""

    source: str
    filename: str
    line: int
    date: datetime.date
    start: datetime.time | None
    hours: Decimal
    client: str = ""
    project: str = ""
    task: str = ""
    activity: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    user: str = ""
    email: str = ""
    billable: bool = True
    entry_id: str = ""
