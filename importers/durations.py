"""Durations as trackers write them, turned into the decimal hours the ledger holds.

Hours are written as decimals so the books stay readable (``1.5``, not ``1:30``). Six
decimals are enough to give back every whole minute exactly (20 minutes is ``0.333333``,
which the billing rules take back to 20 minutes), and for a source that counts seconds
a duration is rounded *up* at the sixth decimal, so an exact half minute (``0:00:30``)
still rounds to the minute the billing rules would give it.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

PLACES = Decimal("0.000001")
SECONDS_PER_HOUR = Decimal(3600)
#: A single entry longer than this is a timer left running, not work to bill.
MAX_HOURS = Decimal(24)

# Minutes and seconds have two digits: ``01:3`` is a cut-off ``01:30``, not 1:03.
_CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$")
#: More digits than any duration has: past this, Decimal's 28 digits would overflow.
_MAX_DIGITS = 12
_DECIMAL = re.compile(r"^(\d*)(?:[.,](\d+))?$")


def hours_from_seconds(seconds: int) -> Decimal:
    """Decimal hours for a duration in seconds (see the module docstring for rounding)."""
    exact = Decimal(seconds) / SECONDS_PER_HOUR
    rounding = ROUND_HALF_UP if seconds % 60 == 0 else ROUND_CEILING
    return exact.quantize(PLACES, rounding=rounding).normalize()


@lru_cache(maxsize=8192)
def parse_duration(text: str) -> Decimal:
    """Hours from ``H:MM``, ``H:MM:SS`` or decimal hours (``1.5``, ``1,5``, ``.25``).

    Cached because exports repeat a handful of durations over thousands of rows.

    Raises:
        ValueError: the text is not a duration.
    """
    text = text.strip()
    if sum(char.isdigit() for char in text) > _MAX_DIGITS:
        raise ValueError(f"'{text[:30]}' has too many digits to be a duration")
    match = _CLOCK.match(text)
    if match is not None:
        hours, minutes, seconds = (int(group or 0) for group in match.groups())
        return hours_from_seconds(hours * 3600 + minutes * 60 + seconds)
    match = _DECIMAL.match(text)
    if match is None or not (match.group(1) or match.group(2)):
        raise ValueError(f"'{text}' is not a duration (expected e.g. 1:30, 1:30:00 or 1.5)")
    whole, fraction = match.group(1) or "0", match.group(2)
    try:
        value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueError(f"'{text}' is not a duration") from None
    return value.quantize(PLACES, rounding=ROUND_HALF_UP).normalize()


def is_seconds(text: str) -> bool:
    """A bare whole number above 24, where the tracker writes seconds: seconds.

    ``2`` stays 2 hours (a spreadsheet stores 2.0 as 2); no entry lasts more than 24
    hours, so a larger whole number can only be seconds (``6300`` is 1.75 h).
    """
    return text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS and int(text) > MAX_HOURS


def parse_seconds(text: str) -> Decimal:
    """Hours from a whole number of seconds (Kimai up to 2.26 writes ``6300`` for 1.75 h)."""
    return hours_from_seconds(int(text))
