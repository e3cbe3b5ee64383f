"""Closing, reopening and adjusting months: what ``retainer close|reopen|adjust`` write.

Each ``plan_*`` function works out every file change first and raises ``Refused`` (with
nothing written) when the change is not allowed; ``write_changes`` then applies the plan.
``scripts/make_demo.py`` closes the demo's first months through ``plan_close`` too, so the
shipped closed files are byte for byte what ``retainer close`` writes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import printer

from plugins.billing.rules import Month, books_horizon, month_label, month_of, months
from plugins.closing import (
    ADJUSTMENT_TAG,
    ADJUSTS,
    CLOSED_FOLDER,
    ClosedBooks,
    Difference,
    closed_file,
    closed_on_disk,
    marker_text,
    parse_month,
)
from scripts.ledger import Loaded, error_line

CLOSED_GLOB = f"{CLOSED_FOLDER}/*.beancount"
ADJUSTMENTS_FILE = "adjustments.beancount"
_CLOSED_INCLUDE = (
    "\n; Months closed by `retainer close`: their bills as issued (README: Closing a month).\n"
    f'include "{CLOSED_GLOB}"\n'
)
_ADJUSTMENTS_INCLUDE = (
    f'\n; Adjustments to closed months, written by `retainer adjust`.\ninclude "{ADJUSTMENTS_FILE}"\n'
)

#: Path -> new text, or None to delete; applied in order.
Changes = dict[Path, str | None]


class Refused(Exception):
    """A close, reopen or adjustment that is not allowed; nothing has been written."""


def month_argument(text: str) -> Month:
    month = parse_month(text)
    if month is None:
        raise Refused(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2026-03")
    return month


def plan_close(loaded: Loaded, month: Month) -> Changes:
    """The closed file of ``month`` and, when missing, the ledger's include line."""
    label = month_label(month)
    target = closed_file(loaded.path, month)
    closed = ClosedBooks.of(loaded.entries)
    if month in closed.months or target.exists():
        raise Refused(f"{label} is already closed ({target}); to close it again, reopen it first")
    if loaded.errors:
        shown = "\n".join(error_line(error) for error in loaded.errors[:20])
        more = f"\n... and {len(loaded.errors) - 20} more" if len(loaded.errors) > 20 else ""
        raise Refused(
            f"{shown}{more}\nthe books have {len(loaded.errors)} error(s): fix them before closing {label}"
            " (retainer check lists them)"
        )
    books = loaded.books
    if not books.clients:
        raise Refused("no contracts: there is nothing to close")
    horizon = books_horizon(books.practice, books.today)
    if month > horizon:
        raise Refused(f"{label} is after the horizon ({month_label(horizon)}): it is not billed yet")
    first = min(month_of(contract.starts) for contract in books.clients.values())
    if month < first:
        raise Refused(f"{label} is before the first accrued month ({month_label(first)}): nothing to close")
    on_disk = set(closed_on_disk(loaded.path))
    still_open = [m for m in months(first, month)[:-1] if m not in closed.months and m not in on_disk]
    if still_open:
        raise Refused(
            f"{month_label(still_open[0])} is still open: close the months in order"
            f" (retainer close {month_label(still_open[0])} first)"
        )
    generated = [
        entry
        for entry in books.transactions(loaded.entries)
        if isinstance(entry, data.Transaction) and month_of(entry.date) == month
    ]
    changes: Changes = {target: closed_text(month, generated)}
    ledger_text = loaded.path.read_text(encoding="utf-8")
    if not _includes(ledger_text, CLOSED_GLOB):
        changes[loaded.path] = _appended(ledger_text, _CLOSED_INCLUDE)
    return changes


def closed_text(month: Month, transactions: list[data.Transaction]) -> str:
    """A closed month's file: a note, the marker, then each transaction as Beancount prints it."""
    label = month_label(month)
    head = (
        f"; {label} as closed by `retainer close {label}`: the month's bills as issued.\n"
        "; Do not edit: to change the month, book an adjustment (`retainer adjust`) or reopen it.\n\n"
    )
    body = "".join("\n" + printer.format_entry(entry) for entry in transactions)
    return head + marker_text(month) + body


def plan_reopen(ledger: Path, month: Month) -> Changes:
    """Delete the latest closed month's file; drop the include line when none is left."""
    label = month_label(month)
    closed = closed_on_disk(ledger)
    target = closed_file(ledger, month)
    if month not in closed:
        raise Refused(f"{label} is not closed (no {target})")
    if month != closed[-1]:
        raise Refused(
            f"{label} is not the latest closed month: reopen {month_label(closed[-1])} first"
            " (months reopen latest first)"
        )
    changes: Changes = {}
    others = [p for p in target.parent.glob("*.beancount") if p != target]
    text = ledger.read_text(encoding="utf-8")
    if not others and _includes(text, CLOSED_GLOB):
        # An include glob that matches nothing is a Beancount error: the include goes too.
        changes[ledger] = _without_include(text, CLOSED_GLOB, _CLOSED_INCLUDE)
    changes[target] = None
    return changes


@dataclass
class Adjustment:
    """One adjustment transaction and the difference it settles."""

    difference: Difference
    entry: data.Transaction
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = printer.format_entry(self.entry)


def plan_adjust(
    loaded: Loaded, month: Month | None, client: str | None, day: datetime.date | None
) -> tuple[Changes, list[Adjustment]]:
    """Adjustments in an open month that bring each differing closed month to its new figures."""
    books = loaded.books
    closed = ClosedBooks.of(loaded.entries)
    first_open = closed.first_open_day()
    if first_open is None:
        raise Refused("no month is closed: there is nothing to adjust")
    if month is not None and month not in closed.months:
        raise Refused(f"{month_label(month)} is not closed: an open month is billed as it stands")
    if client is not None and client not in books.clients:
        raise Refused(f"unknown client {client!r}: use one of {', '.join(sorted(books.clients))}")
    day = day or first_open
    if day < first_open:
        raise Refused(f"{day} is in a closed month: date the adjustment on or after {first_open}")
    differences = closed.settle(books.generated(), books.clients).differences
    picked = [
        d
        for d in differences
        if (month is None or d.month == month) and (client is None or d.client == client)
    ]
    adjustments = [Adjustment(d, _adjustment(d, books.clients[d.client].name, day)) for d in picked]
    if not adjustments:
        return {}, []
    target = loaded.path.parent / ADJUSTMENTS_FILE
    existing = (
        target.read_text(encoding="utf-8")
        if target.exists()
        else (
            "; Adjustments to closed months, written by `retainer adjust`: each brings a closed month's\n"
            "; figures to what the books bill for it now, booked in an open month.\n"
        )
    )
    changes: Changes = {target: existing + "".join("\n" + a.text for a in adjustments)}
    ledger_text = loaded.path.read_text(encoding="utf-8")
    if not _includes(ledger_text, ADJUSTMENTS_FILE):
        changes[loaded.path] = _appended(ledger_text, _ADJUSTMENTS_INCLUDE)
    return changes, adjustments


def _adjustment(difference: Difference, payee: str, day: datetime.date) -> data.Transaction:
    label = month_label(difference.month)
    meta = data.new_metadata("<retainer adjust>", 0)
    meta[ADJUSTS] = label
    postings = [
        data.Posting(line.account, Amount(line.new - line.closed, line.currency), None, None, None, None)
        for line in difference.lines
    ]
    assert sum((line.new - line.closed for line in difference.lines), Decimal(0)) == 0  # each balances
    return data.Transaction(
        meta,
        day,
        "*",
        payee,
        f"Adjustment for {label} (closed): as billed now",
        frozenset((ADJUSTMENT_TAG,)),
        data.EMPTY_SET,
        postings,
    )


def _includes(ledger_text: str, target: str) -> bool:
    pattern = rf'^include[ \t]+"(\./)?{re.escape(target)}"'
    return re.search(pattern, ledger_text, re.M) is not None


def _appended(text: str, block: str) -> str:
    return text + ("" if not text or text.endswith("\n") else "\n") + block


def _without_include(text: str, target: str, block: str) -> str:
    """The ledger without our include: the exact block we appended, else just its line."""
    if text.endswith(block):
        return text[: -len(block)]
    pattern = rf'^include[ \t]+"(\./)?{re.escape(target)}"[^\n]*\n?'
    return re.sub(pattern, "", text, count=1, flags=re.M)
