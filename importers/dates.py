"""Dates and clock times as trackers write them, and settling day/month order per file.

``03/04/2026`` is March 4th in a US export and April 3rd in a British one, and a single
row cannot tell which. A file as a whole usually can: a first number above 12 means day
first, a second number above 12 month first, and dotted dates (``03.04.2026``) are
written day first wherever they are used. 12-hour AM/PM times settle nothing: many
day-first countries use them. When the file stays ambiguous, ``--day-first`` or
``--month-first`` says, else ``date_order`` in practice.yaml; guessing would silently
put a whole month of work on the wrong days. Two-digit years (``7/27/22``, Excel's US
short date) are 20YY.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

DateOrder = Literal["day-first", "month-first"]
DAY_FIRST: DateOrder = "day-first"
MONTH_FIRST: DateOrder = "month-first"

_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp])?\.?(?:[Mm]\.?)?$")


@lru_cache(maxsize=4096)
def split_datetime(text: str) -> tuple[str, str]:
    """``"2026-01-06 09:00"`` or ``"2026-01-06T09:00:00"`` -> date part, time part."""
    text = text.strip()
    for separator in ("T", " "):
        head, found, tail = text.partition(separator)
        if found and (_YEAR_FIRST.match(head) or _NUMERIC.match(head)):
            return head, tail.strip()
    return text, ""


def evidence(text: str) -> DateOrder | None:
    """What one date says about the file's day/month order, if anything."""
    match = _NUMERIC.match(text.strip())
    if match is None:
        return None
    first, separator, second = int(match.group(1)), match.group(2), int(match.group(3))
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    if separator == ".":
        return DAY_FIRST
    return None


def is_ambiguous(text: str) -> bool:
    """True for a date like ``03/04/2026`` that reads both ways."""
    match = _NUMERIC.match(text.strip())
    return match is not None and int(match.group(1)) <= 12 and int(match.group(3)) <= 12


@dataclass(frozen=True, slots=True)
class Settled:
    """The outcome of settling a file's date order: an order, or why it cannot be settled."""

    order: DateOrder | None
    problem: str | None = None
    line: int = 0


#: What to do about a file whose dates stay ambiguous, for the refusals.
HOW_TO_SETTLE = (
    "run again with --day-first or --month-first, or set date_order: day-first"
    " (or month-first) in contracts/practice.yaml"
)


def settle_order(
    dates: Iterable[tuple[int, str]],
    override: DateOrder | None = None,
    standing: DateOrder | None = None,
) -> Settled:
    """Decide day/month order for a whole file from its (line, text) dates.

    ``override`` (from ``--day-first``/``--month-first``) always wins. Otherwise evidence
    for one order settles it; evidence for both refuses the file with the lines that
    show why. A file without evidence takes ``standing`` (practice.yaml's
    ``date_order``), else is refused if some date is ambiguous.
    """
    if override is not None:
        return Settled(override)
    seen: dict[DateOrder, tuple[int, str]] = {}
    first_ambiguous: tuple[int, str] | None = None
    for line, text in dates:
        found = evidence(text)
        if found is not None:
            seen.setdefault(found, (line, text))
        elif first_ambiguous is None and is_ambiguous(text):
            first_ambiguous = (line, text)
    if len(seen) == 2:
        day_line, day_text = seen[DAY_FIRST]
        month_line, month_text = seen[MONTH_FIRST]
        return Settled(
            None,
            f"dates read both day first (line {day_line}: {day_text}) and month first"
            f" (line {month_line}: {month_text}); check the export, or {HOW_TO_SETTLE}",
            min(day_line, month_line),
        )
    if seen:
        return Settled(next(iter(seen)))
    if standing is not None:
        return Settled(standing)
    if first_ambiguous is not None:
        line, text = first_ambiguous
        return Settled(
            None,
            f"dates like {text} read both as day/month and month/day, and nothing in the file"
            f" settles it (12-hour times do not): {HOW_TO_SETTLE}",
            line,
        )
    return Settled(None)


@lru_cache(maxsize=4096)
def parse_date(text: str, order: DateOrder | None) -> datetime.date:
    """A date as ISO ``YYYY-MM-DD`` (also with ``/`` or ``.``), or ``D/M/YYYY`` in ``order``.

    Without an order, the date must settle it itself, by the rules of :func:`evidence`.

    Cached because an export repeats the same few dozen dates over thousands of rows.

    Raises:
        ValueError: the text is not a date, or a numeric date needs an order not given.
    """
    text = text.strip()
    match = _YEAR_FIRST.match(text)
    if match is not None:
        year, month, day = (int(group) for group in match.groups())
        return _date(year, month, day, text)
    match = _NUMERIC.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a date (expected e.g. 2026-01-06 or 01/06/2026)")
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    if year < 100:
        year += 2000
    if first > 12 and second > 12:
        raise ValueError(f"'{text}' is not a valid date: neither number can be the month")
    if order is None:
        order = evidence(text)
        if order is None:
            raise ValueError(f"'{text}' could be day or month first: {HOW_TO_SETTLE}")
    if order == DAY_FIRST:
        return _date(year, second, first, text)
    return _date(year, first, second, text)


def _date(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a valid date") from None


@lru_cache(maxsize=4096)
def parse_time(text: str) -> datetime.time | None:
    """A clock time ``HH:MM[:SS]`` (24-hour) or ``h:MM[:SS] AM/PM``; None for empty text.

    A date in front (``2026-01-06 09:00``) is ignored, as Kimai and some CSVs add it.

    Raises:
        ValueError: the text is not a clock time.
    """
    text = text.strip()
    if not text:
        return None
    _, tail = split_datetime(text)
    text = tail or text
    match = _TIME.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time of day (expected e.g. 14:30 or 2:30 PM)")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{text}' is not a 12-hour time")
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{text}' is not a time of day")
    return datetime.time(hour, minute, second)
