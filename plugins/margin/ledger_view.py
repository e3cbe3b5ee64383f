"""What the report needs from Fava's filtered ledger, as plain ``reports.figures`` records.

Kept apart from the extension class so the Fava-facing parts are small: Fava's time
filter as a ``Period``, its conversion selector as a ``Converter``, its interval selector
as a chart bucket, and whether its account or tag filter is set.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fava.util.date import Quarter, Year

from plugins.reports.figures import Converter, Period

#: Fava's conversion values that keep amounts in their own currency: revenue and labor
#: postings carry no cost basis, so "at cost" and "at value" change nothing here.
NATIVE_CONVERSIONS = frozenset({"", "at_cost", "at_value", "units"})


def period_of(filtered: Any) -> Period:
    """The months of Fava's time filter (``g.filtered.date_range``); open without one."""
    date_range = getattr(filtered, "date_range", None)
    if date_range is None:
        return Period()
    return Period.from_dates(date_range.begin, date_range.end)


def money_filtered(args: Mapping[str, str]) -> bool:
    """Whether Fava's account (``account``) or tag/advanced (``filter``) filter is set.

    Those cut the ledger's postings, so the money, but not the hours, which come from the
    bills: revenue per hour and the flags judged on money would then be false.
    """
    return any(args.get(name, "").strip() for name in ("account", "filter"))


def converter(conversion: str, prices: Any) -> Converter | None:
    """Fava's conversion selector as a ``Converter``, or None to keep booked currencies.

    A currency conversion (``?conversion=EUR``, or the first of ``EUR,USD``) converts each
    posting at the price on its own date, as income is earned at that day's rate; amounts
    with no price stay in their currency (and so on their own row), never summed blindly.
    """
    if conversion in NATIVE_CONVERSIONS:
        return None
    target = conversion.split(",")[0].strip()
    if not target:
        return None

    def convert(number: Decimal, currency: str, day: datetime.date) -> tuple[Decimal, str]:
        if currency == target:
            return number, currency
        try:
            price = prices.get_price((currency, target), day)
        except Exception:  # an odd price map must not take the report down
            price = None
        if price is None:
            return number, currency
        return number * price, target

    return convert


def interval_name(interval: Any) -> str:
    """``year``, ``quarter`` or ``month`` for Fava's interval; finer ones fall back to months."""
    if interval is Year:
        return "year"
    if interval is Quarter:
        return "quarter"
    return "month"
