"""The figures of a client's months: money from the books, hours from the bills.

Plain records that every report reads (Client Margin now; statements, recurring revenue,
utilization and repricing later), so each sums money and hours the same way. Money is
what the books hold (postings under a client's accounts); hours come from the month
bills, because the ledger keeps them only as metadata.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from plugins.billing.model import (
    KINDS,
    LABOR_PART,
    REVENUE_PARTS,
    TOOLS_PART,
    UNLIMITED,
    ZERO,
    Allowance,
    Contract,
    client_of_account,
    hours_of,
    is_unlimited,
)
from plugins.billing.rules import Month, MonthBill, month_label, month_of

#: ``convert(number, currency, day) -> (number, currency)``: Fava's conversion, injected.
Converter = Callable[[Decimal, str, datetime.date], tuple[Decimal, str]]


class Posting(NamedTuple):
    """One posting of a transaction under the user's filters, reduced to what margins need.

    A NamedTuple: the report makes one per posting of the filtered ledger (``build_portfolio``
    picks the clients' ones), and it builds several times faster than a frozen dataclass.
    """

    date: datetime.date
    account: str
    number: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Period:
    """The months a report covers: inclusive bounds, ``None`` for an open end."""

    first: Month | None = None
    last: Month | None = None

    @staticmethod
    def from_dates(begin: datetime.date | None, end: datetime.date | None) -> Period:
        """The months overlapping ``[begin, end)``, as Fava's time filter gives them."""
        last = None
        if end is not None:
            last = month_of(end - datetime.timedelta(days=1))
        return Period(month_of(begin) if begin else None, last)

    def __contains__(self, month: object) -> bool:
        return (self.first is None or month >= self.first) and (  # type: ignore[operator]
            self.last is None or month <= self.last  # type: ignore[operator]
        )

    def label(self) -> str:
        if self.first is None and self.last is None:
            return "all months"
        first = month_label(self.first) if self.first else "start"
        last = month_label(self.last) if self.last else "now"
        return first if first == last else f"{first} – {last}"


@dataclass(slots=True)
class Money:
    """One currency's amounts of a client (or a total) over some months."""

    retainer: Decimal = ZERO
    hourly: Decimal = ZERO
    travel: Decimal = ZERO
    prepaid: Decimal = ZERO  # prepaid hour blocks, as they are used or expire
    projects: Decimal = ZERO  # fixed-price project milestones
    other_income: Decimal = ZERO  # any other account under Income:Clients:<Acct>
    labor: Decimal = ZERO
    tools: Decimal = ZERO  # the tools an agreement needs (RMM, backup, licences)
    other_costs: Decimal = ZERO  # any other account under Expenses:Clients:<Acct>

    @property
    def revenue(self) -> Decimal:
        """Everything under ``Income:Clients:<Acct>`` (a client's revenue, docs/reference.md §4)."""
        return self.retainer + self.hourly + self.travel + self.income_beyond

    @property
    def income_beyond(self) -> Decimal:
        """Income besides the agreement's retainer, hourly and travel lines."""
        return self.prepaid + self.projects + self.other_income

    def other_income_beside(self, prepaid: bool) -> Decimal:
        """Income beyond retainer, hourly and travel, less prepaid when it has a column."""
        return self.income_beyond - self.prepaid if prepaid else self.income_beyond

    def other_costs_beside(self, tools: bool) -> Decimal:
        """Costs beyond labor, less tools when they have a column."""
        return self.costs_beyond - self.tools if tools else self.costs_beyond

    @property
    def costs(self) -> Decimal:
        return self.labor + self.costs_beyond

    @property
    def costs_beyond(self) -> Decimal:
        """Direct costs besides labor: tools and any other client expense."""
        return self.tools + self.other_costs

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.costs

    @property
    def margin_ratio(self) -> Decimal | None:
        """Margin ÷ revenue; None without revenue (a ratio of nothing means nothing)."""
        return self.margin / self.revenue if self.revenue else None

    def add(self, other: Money) -> None:
        self.retainer += other.retainer
        self.hourly += other.hourly
        self.travel += other.travel
        self.prepaid += other.prepaid
        self.projects += other.projects
        self.other_income += other.other_income
        self.labor += other.labor
        self.tools += other.tools
        self.other_costs += other.other_costs

    def book(self, part: str, side: str, amount: Decimal) -> None:
        """Add a posting of ``<side>:Clients:<Acct>:<part>`` (income arrives negative)."""
        if side == "income":
            name = part.lower() if part in REVENUE_PARTS else "other_income"
            setattr(self, name, getattr(self, name) - amount)
        elif part == LABOR_PART:
            self.labor += amount
        elif part == TOOLS_PART:
            self.tools += amount
        else:
            self.other_costs += amount


def _kinds() -> dict[str, Decimal]:
    return dict.fromkeys(KINDS, ZERO)


@dataclass(slots=True)
class Hours:
    """Hours of a client over some months, from the month bills."""

    worked: dict[str, Decimal] = field(default_factory=_kinds)  # actual, billable or not
    nonbillable: dict[str, Decimal] = field(default_factory=_kinds)
    billable: dict[str, Decimal] = field(default_factory=_kinds)  # rounded, with shortfalls
    included: dict[str, Allowance] = field(default_factory=lambda: dict.fromkeys(KINDS, ZERO))
    included_used: dict[str, Decimal] = field(default_factory=_kinds)
    #: Hours billed beyond a month's (numeric, non-zero) allowance, summed month by month:
    #: a period's allowance may be "unlimited" (one month was) and still have months over.
    over: dict[str, Decimal] = field(default_factory=_kinds)
    staff: dict[str, Decimal] = field(default_factory=dict)
    uncosted: Decimal = ZERO
    #: Rolled-over hours (lots) used, by kind: included hours of earlier months.
    lots_used: dict[str, Decimal] = field(default_factory=_kinds)

    @property
    def total(self) -> Decimal:
        return sum(self.worked.values(), ZERO)

    @property
    def nonbillable_total(self) -> Decimal:
        return sum(self.nonbillable.values(), ZERO)

    @staticmethod
    def of_bill(bill: MonthBill) -> Hours:
        """A month's hours, as its bill has them."""

        def by_kind(found: Mapping[str, Decimal]) -> dict[str, Decimal]:
            return {kind: found.get(kind, ZERO) for kind in KINDS}

        included = {kind: bill.included.get(kind, ZERO) for kind in KINDS}
        return Hours(
            worked=by_kind(bill.hours_worked),
            nonbillable=by_kind(bill.hours_nonbillable),
            billable=by_kind(bill.hours_billable),
            included=included,
            included_used=by_kind(bill.included_used),
            # beyond an allowance; with none (0: break/fix work) every hour is just hourly
            over={
                kind: bill.uncovered.get(kind, ZERO) if _limited(included[kind]) else ZERO
                for kind in KINDS
            },
            staff=dict(bill.staff_hours),
            uncosted=bill.uncosted_hours,
            lots_used=by_kind(bill.lots_used),
        )

    def add(self, other: Hours) -> None:
        for kind in KINDS:
            self.worked[kind] += other.worked[kind]
            self.nonbillable[kind] += other.nonbillable[kind]
            self.billable[kind] += other.billable[kind]
            self.included_used[kind] += other.included_used[kind]
            self.lots_used[kind] += other.lots_used[kind]
            self.over[kind] += other.over[kind]
            self.included[kind] = _add_allowance(self.included[kind], other.included[kind])
        for staff, hours in other.staff.items():
            self.staff[staff] = self.staff.get(staff, ZERO) + hours
        self.uncosted += other.uncosted

    def over_included(self, kind: str) -> Decimal:
        """Hours of ``kind`` beyond a (numeric, non-zero) allowance; 0 for break/fix work."""
        return self.over[kind]

    @property
    def over_included_total(self) -> Decimal:
        """Hours billed beyond the allowances, all kinds (how the report sorts the column)."""
        return sum((self.over_included(kind) for kind in KINDS), ZERO)


def _limited(allowance: Allowance) -> bool:
    """A numeric, non-zero allowance: hours beyond it are overage."""
    return not is_unlimited(allowance) and bool(allowance)


def _add_allowance(left: Allowance, right: Allowance) -> Allowance:
    """Unlimited absorbs any number: a period with an unlimited month shows as unlimited
    (its overage is still counted, month by month, in ``Hours.over``)."""
    if is_unlimited(left) or is_unlimited(right):
        return UNLIMITED
    return hours_of(left) + hours_of(right)


def effective_rate(money: Money, hours: Hours) -> Decimal | None:
    """Revenue per hour worked, billable or not: what the agreement really pays per hour."""
    return money.revenue / hours.total if hours.total else None


@dataclass(slots=True)
class BillLine:
    """One line of a month's bill, as the client would read it."""

    what: str
    detail: str
    amount: Decimal


def _after_hours_words(bill: MonthBill, kind: str) -> str:
    """``(of which 1.50 h after hours × 1.5)``: the surcharge the hourly amount holds."""
    hours = bill.after_hours.get(kind)
    if not hours:
        return ""
    return f" (of which {hours:.2f} h after hours × {bill.after_hours_multiplier.normalize():f})"


def bill_lines(bill: MonthBill) -> list[BillLine]:
    """The billed lines of a month (what the plugin posts), with the quantities behind them."""
    lines = []
    if bill.retainer:
        detail = f"{bill.days_billed} days billed" if bill.days_billed else ""
        lines.append(BillLine("Retainer", detail, bill.retainer))
    if bill.hourly:
        parts = [
            f"{bill.uncovered[kind]:.2f} {kind} h beyond included"
            + _after_hours_words(bill, kind)
            for kind in KINDS
            if bill.uncovered.get(kind)
        ]
        lines.append(BillLine("Hourly", ", ".join(parts), bill.hourly))
    if bill.travel:
        visits = len(bill.visits)
        lines.append(BillLine("Travel", f"{visits} visit{'s' if visits != 1 else ''}", bill.travel))
    for month in bill.blocks:  # a prepaid block's price is billed on the day it is bought
        if month.bought:
            block = month.block
            detail = f"{block.hours:.2f} h {block.label}"
            if block.expires is not None:
                detail += f", expires {block.expires}"
            lines.append(BillLine("Prepaid block", detail, block.price))
    for project, milestone in bill.milestones:  # fixed-price work (2.2.8), on its own dates
        if milestone.amount:
            part = project.part(milestone)
            detail = f"{project.name}, {part + ', ' if part else ''}{milestone.date}"
            lines.append(BillLine("Project", detail, milestone.amount))
    return lines


def client_postings(
    contracts: Mapping[str, Contract], postings: Iterable[Posting]
) -> Iterator[tuple[str, str, str, Posting]]:
    """``(client, side, part, posting)`` for each posting under a client's accounts
    (``Income|Expenses:Clients:<Acct>[:<part>]``): the one way reports pick a client's
    money from the books. Each account name is looked up once."""
    accounts = {contract.account: client for client, contract in contracts.items()}
    of_account: dict[str, tuple[str, str, str] | None] = {}
    for posting in postings:
        account = posting.account
        if account in of_account:
            found = of_account[account]
        else:
            found = of_account[account] = client_of_account(account, accounts)
        if found is not None:
            yield found[0], found[1], found[2], posting
