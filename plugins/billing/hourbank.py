"""Hour banks: rollover lots of unused included hours, and prepaid blocks of hours.

Both carry state from one month to the next (a lot banked in March is used in April; a
block bought in January is drawn on until it is used up or expires), so ``bill_contract``
keeps one ``Bank`` per contract and hands it to each month in turn. Contracts with
neither never make one: the plain months stay as cheap as before.

The rules (kept here, pure, by the table in tests/test_hourbank.py):

- Rollover: when the terms on a month's last billed day set ``rollover: {months: N}``,
  the month's own numeric allowance of a kind left unused becomes a lot of that kind,
  usable in the N following months. Units use unexpired lots first, oldest first, then
  the month's own allowance. Lots above ``max_hours`` are cut, oldest first. Units on
  unlimited days touch no lot; lots end with the contract.
- Blocks: hours left uncovered draw on blocks covering the kind, bought on or before the
  unit's date and not expired on it: earliest ``expires`` first (never-expiring last),
  then earliest ``date``, then file order. After-hours units draw hour for hour.
- Money: each month's draw on a block is recognised at price ÷ hours, rounded half-up to
  cents once per block and month; the draw that uses a block up, and its expiry, take
  exactly what is left of its price, so a block's recognised total equals its price.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from .model import KINDS, ZERO, Block, Contract
from .rules import Month, cents, month_of

if TYPE_CHECKING:  # pragma: no cover
    from .rules import MonthBill, Segment


#: Hours left below this are rounding dust of minutes ÷ 60 (1/60 h has no exact decimal): a
#: block left with them is used up, so it recognises what is left of its price.
_DUST = Decimal("1e-12")


def months_after(month: Month, count: int) -> Month:
    """The month ``count`` months after ``month``: (2026, 11) + 3 -> (2027, 2)."""
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


@dataclass(slots=True)
class Lot:
    """Unused included hours of one kind, banked at a month's end."""

    kind: str
    banked: Month  # the month whose hours these were
    last: Month  # the last month they can be used in
    hours: Decimal  # what is left of them


class BlockDraw(NamedTuple):
    """Hours one unit drew on one block, and the block's hours left after it."""

    block: Block
    hours: Decimal
    hours_left: Decimal


@dataclass(frozen=True, slots=True)
class BlockMonth:
    """What one block did in one month: what statements say and the plugin posts.

    Listed for every block in use during the month (bought by its end, not expired or
    used up before it began).
    """

    block: Block
    bought: bool  # its ``date`` falls in the month: the price is receivable
    drawn: Decimal  # hours drawn in the month
    recognised: Decimal  # income of the month's draws, to the cent
    expired: Decimal  # income recognised on ``expires`` (what was left of the price)
    hours_expired: Decimal  # hours left unused when it expired
    hours_left: Decimal  # after the month (0 once used up or expired)
    price_left: Decimal  # not yet recognised, after the month

    @property
    def income(self) -> Decimal:
        return self.recognised + self.expired

    @property
    def expired_in_month(self) -> bool:
        return bool(self.hours_expired or self.expired)


@dataclass(slots=True)
class _Held:
    """A block's running balance."""

    block: Block
    hours_left: Decimal
    price_left: Decimal
    drawn: Decimal = ZERO  # this month


def _draw_order(block: Block) -> tuple[bool, datetime.date, datetime.date, int]:
    return (block.expires is None, block.expires or datetime.date.max, block.date, block.index)


@dataclass(slots=True)
class Bank:
    """The lots and blocks of one contract, carried from month to month."""

    contract: Contract
    lots: dict[str, list[Lot]] = field(default_factory=dict)
    held: list[_Held] = field(default_factory=list)  # in draw order
    lots_used: dict[str, Decimal] = field(default_factory=dict)  # this month
    lots_expired: dict[str, Decimal] = field(default_factory=dict)  # this month
    block_hours: dict[str, Decimal] = field(default_factory=dict)  # this month

    @classmethod
    def of(cls, contract: Contract) -> Bank:
        ordered = sorted(contract.blocks, key=_draw_order)
        return cls(
            contract,
            lots={kind: [] for kind in KINDS},
            held=[_Held(block, block.hours, block.price) for block in ordered],
        )

    def open_month(self, month: Month) -> None:
        """Let lots past their last month go; start the month's counts."""
        self.lots_used = dict.fromkeys(KINDS, ZERO)
        self.block_hours = dict.fromkeys(KINDS, ZERO)
        self.lots_expired = dict.fromkeys(KINDS, ZERO)
        for kind, lots in self.lots.items():
            kept = [lot for lot in lots if lot.last >= month]
            self.lots_expired[kind] = sum((lot.hours for lot in lots if lot.last < month), ZERO)
            self.lots[kind] = kept
        for held in self.held:
            held.drawn = ZERO

    def use_lots(self, kind: str, hours: Decimal) -> Decimal:
        """Cover up to ``hours`` from the kind's lots, oldest first; the hours covered."""
        covered = ZERO
        for lot in self.lots[kind]:
            if covered == hours:
                break
            if not lot.hours:
                continue
            take = min(lot.hours, hours - covered)
            lot.hours -= take
            covered += take
        self.lots_used[kind] += covered
        return covered

    def has_lots(self, kind: str) -> bool:
        return any(lot.hours for lot in self.lots[kind])

    def draw(self, day: datetime.date, kind: str, hours: Decimal) -> list[BlockDraw]:
        """Draw up to ``hours`` on the blocks usable on ``day`` for ``kind``, in draw order."""
        draws = []
        wanted = hours
        for held in self.held:
            if not wanted:
                break
            block = held.block
            if not held.hours_left or kind not in block.kinds or not block.usable_on(day):
                continue
            take = min(held.hours_left, wanted)
            held.hours_left -= take
            if held.hours_left < _DUST:
                held.hours_left = ZERO
            held.drawn += take
            wanted -= take
            draws.append(BlockDraw(block, take, held.hours_left))
        self.block_hours[kind] += hours - wanted
        return draws

    def close_month(self, bill: MonthBill, parts: list[Segment], own_left: dict[str, Decimal]) -> None:
        """Recognise the month's draws and expiries, bank the month's lots, fill ``bill``."""
        month = bill.month
        first = datetime.date(month[0], month[1], 1)
        found = []
        for held in self.held:
            block = held.block
            bought = month_of(block.date) == month
            if block.date > bill.last_day or (block.expires is not None and block.expires < first):
                continue  # not bought yet, or expired in an earlier month
            if not (held.drawn or held.hours_left or bought):
                continue  # used up in an earlier month
            expires_now = block.expires is not None and month_of(block.expires) == month
            recognised = ZERO
            if held.drawn:
                recognised = cents(held.drawn * block.price / block.hours)
                # the draw that uses the block up takes exactly what is left (and no
                # rounding may ever take more than is left)
                if not held.hours_left or recognised > held.price_left:
                    recognised = held.price_left
                held.price_left -= recognised
            expired = hours_expired = ZERO
            if expires_now and (held.hours_left or held.price_left):
                expired, hours_expired = held.price_left, held.hours_left
                held.price_left = held.hours_left = ZERO
            found.append(
                BlockMonth(
                    block,
                    bought,
                    held.drawn,
                    recognised,
                    expired,
                    hours_expired,
                    held.hours_left,
                    held.price_left,
                )
            )
        bill.blocks = tuple(found)
        bill.prepaid = sum((b.income for b in found), ZERO)
        bill.block_hours = dict(self.block_hours)
        self._bank_lots(bill, parts, own_left)

    def _bank_lots(self, bill: MonthBill, parts: list[Segment], own_left: dict[str, Decimal]) -> None:
        bill.lots_used = dict(self.lots_used)
        bill.lots_expired = dict(self.lots_expired)
        banked = dict.fromkeys(KINDS, ZERO)
        cut = dict.fromkeys(KINDS, ZERO)
        rollover = parts[-1].terms.rollover if parts else None
        if rollover is not None and rollover.months:
            for kind in KINDS:
                left = own_left.get(kind, ZERO)
                if isinstance(bill.included.get(kind), Decimal) and left > 0:
                    lot = Lot(kind, bill.month, months_after(bill.month, rollover.months), left)
                    self.lots[kind].append(lot)
                if rollover.max_hours is not None:
                    cut[kind] = _cap(self.lots[kind], rollover.max_hours)
                    self.lots[kind] = [lot for lot in self.lots[kind] if lot.hours]
                new = self.lots[kind][-1] if self.lots[kind] else None
                banked[kind] = new.hours if new is not None and new.banked == bill.month else ZERO
        ends = self.contract.ends
        if ends is not None and ends <= bill.last_day:  # lots end with the contract
            for kind in KINDS:
                self.lots[kind] = []
        bill.lots_banked, bill.lots_cut = banked, cut
        bill.lots = tuple(
            Lot(lot.kind, lot.banked, lot.last, lot.hours) for kind in KINDS for lot in self.lots[kind]
        )
        bill.lots_left = {kind: sum((lot.hours for lot in self.lots[kind]), ZERO) for kind in KINDS}


def _cap(lots: list[Lot], most: Decimal) -> Decimal:
    """Cut ``lots`` (oldest first) until they sum to at most ``most``; the hours cut."""
    excess = sum((lot.hours for lot in lots), ZERO) - most
    cut = ZERO
    for lot in lots:
        if excess <= 0:
            break
        take = min(lot.hours, excess)
        lot.hours -= take
        excess -= take
        cut += take
    return cut
