"""A client's hour bank at the end of a period: hours left in its blocks and banked lots.

Read from the month bills of the billing pass (``MonthBill.blocks`` and ``lots_left``),
never recomputed. The flags say when to sell the next block: one nearly used up (under
20% of its hours left), or one expiring within 30 days with hours unused.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.billing.model import KINDS, ZERO, Block
from plugins.billing.rules import MonthBill
from plugins.reports.flags import Flag

#: Under this share of its hours left, a block is nearly used up.
NEARLY_USED = Decimal("0.2")
#: A block expiring within this many days with hours unused is flagged.
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True, slots=True)
class BlockLeft:
    """A block still usable on the bank's date, and its hours not used yet."""

    block: Block
    hours_left: Decimal

    @property
    def share_left(self) -> Decimal:
        return self.hours_left / self.block.hours


@dataclass(slots=True)
class Bank:
    """Blocks with hours left and banked lots by kind, as of ``as_of``."""

    as_of: datetime.date
    blocks: list[BlockLeft] = field(default_factory=list)
    lots: dict[str, Decimal] = field(default_factory=dict)

    @property
    def block_hours(self) -> Decimal:
        return sum((b.hours_left for b in self.blocks), ZERO)

    @property
    def lot_hours(self) -> Decimal:
        return sum(self.lots.values(), ZERO)

    def __bool__(self) -> bool:
        return bool(self.blocks or self.lot_hours)


def bank_of(bills: Sequence[MonthBill], today: datetime.date) -> Bank | None:
    """The bank after the last of ``bills`` (a period's), or None without blocks or lots.

    The bank is read as of the earlier of the last bill's month end and ``today``: a block
    expiring later in the current month still has its hours (its bill has recognised
    them as expired already, on its ``expires`` date).
    """
    if not bills:
        return None
    last = bills[-1]
    if not last.blocks and not last.lots_left:
        return None
    as_of = min(last.last_day, today)
    lots = {kind: last.lots_left[kind] for kind in KINDS if last.lots_left.get(kind)}
    found = Bank(as_of, lots=lots)
    for month in last.blocks:
        block = month.block
        unused = month.hours_left
        if block.expires is not None and block.expires >= as_of:
            unused += month.hours_expired
        if unused and block.date <= as_of:
            found.blocks.append(BlockLeft(block, unused))
    return found if found else None


def bank_lines(bill: MonthBill) -> list[str]:
    """What a month drew on its hour bank, in a client's words (statements, drill-downs):
    ``3.00 h from block of 2026-01-05, 6.50 h left``; ``2.75 remote h from hours rolled over``."""
    found = []
    for kind in KINDS:
        if bill.lots_used.get(kind):
            found.append(f"{bill.lots_used[kind]:.2f} {kind} h from hours rolled over")
    for month in bill.blocks:
        if month.drawn:
            left = month.hours_left + month.hours_expired  # left after the draws, before expiry
            found.append(f"{month.drawn:.2f} h from {month.block.label}, {left:.2f} h left")
        if month.hours_expired:
            found.append(
                f"{month.block.label} expired on {month.block.expires}"
                f" with {month.hours_expired:.2f} h unused"
            )
    return found


def bank_flags(bank: Bank | None) -> list[Flag]:
    """Blocks nearly used up, and blocks about to expire with hours unused."""
    if bank is None:
        return []
    found = []
    soon = bank.as_of + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    for left in bank.blocks:
        block = left.block
        if left.share_left < NEARLY_USED:
            found.append(
                Flag(
                    "block",
                    f"{block.label}: {left.hours_left:.2f} of {block.hours:.2f} h left:"
                    " time to sell the next block",
                    "block nearly used",
                )
            )
        elif block.expires is not None and block.expires <= soon:
            found.append(
                Flag(
                    "block",
                    f"{block.label} expires {block.expires} with {left.hours_left:.2f} h unused",
                    "block expires soon",
                )
            )
    return found
