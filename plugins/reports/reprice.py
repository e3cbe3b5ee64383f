"""What-if repricing: a client's recorded months billed again under proposed terms.

Pure: the contract, the practice, the client's time entries and the other direct costs the
ledger holds go in; current and proposed figures per month come out. Both sides are billed
by the billing core (``rules.bill_contract``), the proposed side on a copy of the contract
whose terms carry the proposed keys, so a what-if can never disagree with a real bill.
Nothing here writes anything.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from plugins.billing.model import (
    EXPENSE_ROOT,
    LABOR_PART,
    TOOLS_PART,
    ZERO,
    Contract,
    Plan,
    Practice,
    TermKeys,
    TimeEntry,
)
from plugins.billing.rules import Month, MonthBill, bill_contract, days_in, retainer_fee, segments
from plugins.billing.whatif import WhatIfError, proposed_contract
from plugins.reports.figures import Posting

if TYPE_CHECKING:  # pragma: no cover
    from plugins.books import Books

CENT = Decimal("0.01")
DEFAULT_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Figures:
    """One side (current or proposed) of a month or of the period."""

    revenue: Decimal = ZERO
    cost: Decimal = ZERO  # labor + tools + other direct costs
    hours: Decimal = ZERO  # worked, billable or not

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_ratio(self) -> Decimal | None:
        return self.margin / self.revenue if self.revenue else None

    @property
    def effective_rate(self) -> Decimal | None:
        """Revenue per hour worked, as Client Margin computes it."""
        return self.revenue / self.hours if self.hours else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.revenue + other.revenue, self.cost + other.cost, self.hours + other.hours)


@dataclass(frozen=True, slots=True)
class RepricedMonth:
    month: Month
    current: Figures
    proposed: Figures


@dataclass(frozen=True, slots=True)
class Repricing:
    """A client's period under its terms and under the proposed ones."""

    contract: Contract
    proposed_contract: Contract
    months: tuple[RepricedMonth, ...]
    target_margin: Decimal | None
    break_even_fee: Decimal | None  # None: no target margin, or no billed day in the period

    @property
    def first(self) -> Month:
        return self.months[0].month

    @property
    def last(self) -> Month:
        return self.months[-1].month

    @property
    def current(self) -> Figures:
        return sum((m.current for m in self.months), Figures())

    @property
    def proposed(self) -> Figures:
        return sum((m.proposed for m in self.months), Figures())

    @property
    def gap(self) -> Decimal | None:
        """How far the current margin ratio falls short of the target (negative: above it)."""
        ratio = self.current.margin_ratio
        if self.target_margin is None or ratio is None:
            return None
        return self.target_margin - ratio


class PeriodError(ValueError):
    """A period with no billed month of the client in it."""


def billed_months(bills: Sequence[MonthBill]) -> list[Month]:
    return [bill.month for bill in bills]


def choose_period(
    billed: Sequence[Month], first: Month | None, last: Month | None, count: int | None
) -> list[Month]:
    """The billed months a what-if covers: ``first``..``last``, or ``count`` months from
    ``first`` or back from ``last``; by default the last twelve billed months."""
    if not billed:
        raise PeriodError("no billed month yet")
    if first is not None and last is None and count is not None:
        chosen = [m for m in billed if m >= first][:count]
    else:
        upper = last if last is not None else billed[-1]
        chosen = [m for m in billed if m <= upper and (first is None or m >= first)]
        if first is None:
            chosen = chosen[-(count or DEFAULT_MONTHS) :]
    if not chosen:
        raise PeriodError("no billed month in that period")
    return chosen


def other_direct_costs(contract: Contract, postings: Iterable[Posting]) -> dict[Month, Decimal]:
    """Per month, the ledger's direct costs of the client beside labor and tools (which the
    bills give): everything else under ``Expenses:Clients:<Acct>``."""
    root = f"{EXPENSE_ROOT}:{contract.account}:"
    skip = {root + LABOR_PART, root + TOOLS_PART}
    found: dict[Month, Decimal] = {}
    for posting in postings:
        account = posting.account
        if account.startswith(root) and posting.currency == contract.currency:
            if account in skip or any(account.startswith(s + ":") for s in skip):
                continue
            month = (posting.date.year, posting.date.month)
            found[month] = found.get(month, ZERO) + posting.number
    return found


def month_figures(bill: MonthBill, other_costs: Decimal) -> Figures:
    """A bill's revenue (milestones included: repricing leaves them as they are), cost, hours."""
    milestones = sum((milestone.amount for _, milestone in bill.milestones), ZERO)
    cost = (bill.labor or ZERO) + bill.tools + other_costs
    return Figures(bill.revenue + milestones, cost, bill.total_hours)


def reprice(
    contract: Contract,
    proposed: Contract,
    practice: Practice,
    entries: Sequence[TimeEntry],
    today: datetime.date,
    period: Sequence[Month],
    other_costs: Mapping[Month, Decimal],
) -> Repricing:
    """Bill ``contract`` and ``proposed`` over the client's time; keep the months of ``period``."""
    wanted = set(period)
    now = {b.month: b for b in bill_contract(contract, practice, entries, today, detail=False)}
    then = {b.month: b for b in bill_contract(proposed, practice, entries, today, detail=False)}
    months = tuple(
        RepricedMonth(
            month,
            month_figures(now[month], other_costs.get(month, ZERO)),
            month_figures(then[month], other_costs.get(month, ZERO)),
        )
        for month in sorted(wanted)
        if month in now and month in then
    )
    if not months:
        raise PeriodError("no billed month in that period")
    fee = None
    if practice.target_margin is not None:
        fee = break_even_fee(
            proposed,
            [m.month for m in months],
            sum((m.proposed for m in months), Figures()),
            practice.target_margin,
        )
    return Repricing(contract, proposed, months, practice.target_margin, fee)


def break_even_fee(
    proposed: Contract, period: Sequence[Month], figures: Figures, target: Decimal
) -> Decimal | None:
    """The smallest ``monthly_fee`` (to the cent, the same on every term) at which the
    period's margin ÷ revenue reaches ``target``, every other proposed key kept.

    Only the retainer depends on the fee, so revenue(F) = Σ_month retainer(F) + R0, with R0
    the proposed revenue less its retainers, and cost C fixed. Margin ÷ revenue ≥ t is
    revenue(F) × (1 − t) ≥ C (revenue > 0, t < 1). Rule 1 makes a month's retainer
    cents(Σ (F + devices_s) × days_s ÷ days_in_month) = cents(F·a + b): linear in F but for
    its once-a-month rounding, which moves each month by at most half a cent. So:
    solve F·A + B + R0 = C ÷ (1 − t) exactly (A = Σ a, B = Σ b), start that many half cents
    per month below the root, and step up cent by cent through the exact rule-1 retainer
    (``rules.retainer_fee``) to the first fee that reaches the target. Revenue never falls
    as the fee rises, so the first is the smallest; the steps are bounded by the
    rounding's reach (about n ÷ A + 2 cents for n months), not a search.
    """
    if target >= 1:
        return None
    shares = [_fee_share(proposed, month) for month in period]
    slope = sum((a for a, _ in shares), ZERO)
    if not slope:
        return None
    retained = sum((retainer_fee(proposed, month) for month in period), ZERO)
    rest = figures.revenue - retained  # hourly, travel, prepaid, milestones: fee-independent
    offset = sum((b for _, b in shares), ZERO)
    needed = figures.cost / (1 - target)

    def reaches(fee: Decimal) -> bool:
        contract = _with_fee(proposed, fee)
        revenue = rest + sum((retainer_fee(contract, month) for month in period), ZERO)
        return revenue > 0 and (revenue - figures.cost) >= target * revenue

    root = (needed - rest - offset) / slope
    slack = Decimal(len(period)) * Decimal("0.005") / slope
    fee = max(ZERO, (root - slack).quantize(CENT, rounding=ROUND_FLOOR) - CENT)
    ceiling = max(ZERO, (root + slack).quantize(CENT, rounding=ROUND_CEILING) + CENT)
    while fee <= ceiling:
        if reaches(fee):
            return fee
        fee += CENT
    raise AssertionError(f"no fee up to {ceiling} reaches the target")  # revenue(ceiling) ≥ needed


def _fee_share(contract: Contract, month: Month) -> tuple[Decimal, Decimal]:
    """(a, b) of a month's unrounded retainer F·a + b: the share of the month billed, and
    the device part prorated (the terms of rule 1, for the estimate only)."""
    days = Decimal(days_in(month))
    a = ZERO
    b = ZERO
    for part in segments(contract, month):
        a += part.days / days
        b += (part.terms.monthly_retainer - part.terms.monthly_fee) * part.days / days
    return a, b


def _with_fee(contract: Contract, fee: Decimal) -> Contract:
    return replace(contract, terms=tuple(replace(t, monthly_fee=fee) for t in contract.terms))


def reprice_client(
    books: Books,
    client: str,
    postings: Iterable[Posting],
    plan: Plan | None = None,
    keys: TermKeys | None = None,
    first: Month | None = None,
    last: Month | None = None,
    count: int | None = None,
) -> Repricing | str:
    """One client of the billing pass repriced (the CLI's and Fava's one entry point), or
    a one-line reason there is none."""
    contract = books.clients[client]
    bills = books.bills.get(client)
    if bills is None:
        return "its bills could not be made (see retainer check)"
    try:
        proposed = proposed_contract(contract, plan, keys or TermKeys())
        months = choose_period(billed_months(bills), first, last, count)
    except (WhatIfError, PeriodError) as exc:
        return str(exc)
    costs = other_direct_costs(contract, postings)
    return reprice(contract, proposed, books.practice, books.time.get(client, []), books.today, months, costs)
