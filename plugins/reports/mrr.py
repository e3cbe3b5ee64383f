"""Recurring revenue: monthly recurring revenue (MRR), its movements, and the revenue mix.

Is the move to agreements paying off? MRR says how much income the agreements promise
each month; its movements say where it came from (new clients, upgrades) and where it
went (downgrades, lost clients); the revenue mix says how much of what was actually
booked is recurring rather than hourly. Pure functions over the contracts and plain
posting records, so the ``retainer mrr`` command and the Fava page show the same figures.

MRR is a contract's full-month retainer (``monthly_fee`` + Σ ``per_device`` × ``devices``)
under the terms in force on its last day in force in the month, never prorated: a client
who starts on the 20th is new MRR that month, and one whose agreement ends on the 10th
still counts in full that month and churns the month after. Revenue comes from the books
(what was posted, closed months included); MRR comes from the terms.

Amounts are never summed across currencies: each currency has its own months.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.billing.model import ZERO, Contract, Practice
from plugins.billing.rules import (
    Month,
    books_horizon,
    days_in,
    month_of,
    months,
    next_month,
    retainer_fee,
    segments,
)
from plugins.reports.figures import Period, Posting, client_postings

#: Movement kinds, in the order a report lists them.
NEW, EXPANSION, CONTRACTION, CHURN = "new", "expansion", "contraction", "churn"
MOVEMENTS = (NEW, EXPANSION, CONTRACTION, CHURN)
#: How far ahead the contract-end list looks.
END_WINDOW_DAYS = 90


def contract_mrr(contract: Contract, month: Month) -> Decimal:
    """The contract's MRR in ``month``: the full-month retainer of the terms in force on its
    last day in force in that month; 0 when it is not in force at all."""
    parts = segments(contract, month)
    return parts[-1].terms.monthly_retainer if parts else ZERO


def month_before(month: Month) -> Month:
    return month_of(datetime.date(month[0], month[1], 1) - datetime.timedelta(days=1))


def look_ahead_from(period: Period, today: datetime.date) -> datetime.date:
    """The day the contract-end list starts from: today, or the period's last day if earlier
    (a report of last spring looks ahead from the end of last spring)."""
    if period.last is None:
        return today
    return min(today, datetime.date(period.last[0], period.last[1], days_in(period.last)))


@dataclass(frozen=True, slots=True)
class Movement:
    """One client's change of MRR from one month to the next."""

    client: str
    kind: str  # one of MOVEMENTS
    before: Decimal
    after: Decimal

    @property
    def amount(self) -> Decimal:
        """The size of the change, a positive number (churn: all of the MRR before)."""
        return abs(self.after - self.before)


def movement(client: str, before: Decimal, after: Decimal) -> Movement | None:
    """New (from 0), expansion (up), contraction (down, not to 0), churn (to 0); None if equal."""
    if before == after:
        return None
    if not before:
        return Movement(client, NEW, before, after)
    if not after:
        return Movement(client, CHURN, before, after)
    return Movement(client, EXPANSION if after > before else CONTRACTION, before, after)


#: ``Income:Clients:<Acct>:<part>`` -> the kind of revenue it is (docs/reference.md §4).
_KIND_OF_PART = {
    "Retainer": "recurring",
    "Hourly": "hourly",
    "Travel": "travel",
    "Prepaid": "prepaid",
    "Projects": "projects",
}


@dataclass(slots=True)
class Revenue:
    """A month's revenue booked under ``Income:Clients:<Acct>``, by kind."""

    recurring: Decimal = ZERO  # the retainer postings
    hourly: Decimal = ZERO
    travel: Decimal = ZERO
    prepaid: Decimal = ZERO  # hour blocks, as used or expired
    projects: Decimal = ZERO  # fixed-price milestones
    other: Decimal = ZERO  # any other account under the client's income

    def book(self, part: str, amount: Decimal) -> None:
        """Add an income posting of ``Income:Clients:<Acct>:<part>`` (income arrives negative)."""
        name = _KIND_OF_PART.get(part, "other")
        setattr(self, name, getattr(self, name) - amount)

    @property
    def total(self) -> Decimal:
        return self.recurring + self.hourly + self.travel + self.prepaid + self.projects + self.other

    @property
    def recurring_share(self) -> Decimal | None:
        """Recurring ÷ all client revenue; None without revenue."""
        return self.recurring / self.total if self.total else None

    def add(self, other: Revenue) -> None:
        for name in ("recurring", "hourly", "travel", "prepaid", "projects", "other"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class MRRMonth:
    """One month of one currency: MRR, its movements, and the revenue behind it."""

    month: Month
    mrr: Decimal
    by_client: dict[str, Decimal]  # clients with MRR this month
    movements: list[Movement]
    #: What was posted; for a forecast month, only ``recurring``: the retainer the terms
    #: will bill (prorated, as the plugin posts it). Hourly work is not known ahead.
    revenue: Revenue
    forecast: bool = False

    def moved(self, kind: str) -> Decimal:
        """The month's total of one movement kind, a positive number."""
        return sum((m.amount for m in self.movements if m.kind == kind), ZERO)

    @property
    def new(self) -> Decimal:
        return self.moved(NEW)

    @property
    def expansion(self) -> Decimal:
        return self.moved(EXPANSION)

    @property
    def contraction(self) -> Decimal:
        return self.moved(CONTRACTION)

    @property
    def churn(self) -> Decimal:
        return self.moved(CHURN)

    @property
    def retained(self) -> Decimal:
        """MRR carried over from the month before: MRR − new − expansion."""
        return self.mrr - self.new - self.expansion


@dataclass(slots=True)
class Recurring:
    """The months of one currency: actual ones, then any forecast."""

    currency: str
    months: list[MRRMonth]

    @property
    def actual(self) -> list[MRRMonth]:
        return [m for m in self.months if not m.forecast]

    @property
    def forecast(self) -> list[MRRMonth]:
        return [m for m in self.months if m.forecast]

    @property
    def mrr(self) -> Decimal:
        """MRR of the last actual month (0 with none)."""
        actual = self.actual
        return actual[-1].mrr if actual else ZERO

    @property
    def arr(self) -> Decimal:
        """Annual recurring revenue: 12 × the last actual month's MRR."""
        return 12 * self.mrr

    @property
    def revenue(self) -> Revenue:
        """The actual months' revenue, summed."""
        total = Revenue()
        for month in self.actual:
            total.add(month.revenue)
        return total


@dataclass(frozen=True, slots=True)
class ContractEvent:
    """A contract that ends, or whose terms change, soon: what its MRR is and becomes."""

    client: str
    date: datetime.date
    kind: str  # "ends" (its last day) or "renews" (new terms from that day)
    currency: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(slots=True)
class RecurringReport:
    """The whole report: one ``Recurring`` per currency (the practice's first)."""

    period: Period
    horizon: Month
    currencies: dict[str, Recurring]
    events: list[ContractEvent] = field(default_factory=list)
    as_of: datetime.date | None = None  # the day the contract-end list looks ahead from

    def of(self, currency: str) -> Recurring:
        return self.currencies.get(currency) or Recurring(currency, [])


def posted_revenue(
    contracts: Mapping[str, Contract], postings: Iterable[Posting]
) -> dict[str, dict[Month, Revenue]]:
    """Client income by currency and month, from the ledger's postings."""
    found: dict[str, dict[Month, Revenue]] = {}
    for _, side, part, posting in client_postings(contracts, postings):
        if side != "income":
            continue
        by_month = found.setdefault(posting.currency, {})
        by_month.setdefault(month_of(posting.date), Revenue()).book(part, posting.number)
    return found


def build_recurring(
    contracts: Mapping[str, Contract],
    practice: Practice,
    postings: Iterable[Posting],
    period: Period,
    today: datetime.date,
    *,
    forecast: int = 0,
    as_of: datetime.date | None = None,
) -> RecurringReport:
    """MRR, movements and revenue per month of ``period`` (through the horizon), then
    ``forecast`` months after the horizon from the terms on file.

    ``postings`` are the (filtered) ledger's; months outside the period are left out.
    The first month's movements compare with the month before it, so a period that starts
    mid-way shows the same movements as the whole books. A forecast continues the months
    shown, so a period that ends before the horizon gets none, and one that starts after
    the horizon gets the forecast months from its start. ``as_of`` (default
    ``today``) is the day the contract-end list looks ahead from.
    """
    last_actual = books_horizon(practice, today)
    if period.last is not None and period.last < last_actual:
        forecast = 0  # a forecast continues the months shown, from the horizon on
    revenue = posted_revenue(contracts, postings)
    starts = [month_of(c.starts) for c in contracts.values()]
    starts += [month for by_month in revenue.values() for month in by_month]
    first = period.first or (min(starts) if starts else last_actual)
    last = min(period.last, last_actual) if period.last is not None else last_actual
    actual = months(first, last)
    ahead = months(next_month(last_actual), _plus(last_actual, forecast)) if forecast > 0 else []
    ahead = [month for month in ahead if period.first is None or month >= period.first]
    currencies = [practice.currency, *sorted({c.currency for c in contracts.values()} | set(revenue))]
    report: dict[str, Recurring] = {}
    for currency in dict.fromkeys(currencies):
        own = {client: c for client, c in contracts.items() if c.currency == currency}
        posted = revenue.get(currency, {})
        if not own and not any(month in posted for month in actual):
            continue
        found = _months(own, actual, posted, forecast=False)
        found += _months(own, ahead, {}, forecast=True)
        report[currency] = Recurring(currency, found)
    day = as_of or today
    return RecurringReport(period, last_actual, report, contract_events(contracts, day), day)


def months_after(month: Month, last: Month) -> int:
    """How many months come after ``month`` through ``last`` (0 when ``last`` is not later)."""
    return max(0, (last[0] - month[0]) * 12 + last[1] - month[1])


def _plus(month: Month, count: int) -> Month:
    for _ in range(count):
        month = next_month(month)
    return month


def _months(
    contracts: Mapping[str, Contract], span: list[Month], posted: Mapping[Month, Revenue], *, forecast: bool
) -> list[MRRMonth]:
    if not span:
        return []
    before = {client: contract_mrr(c, month_before(span[0])) for client, c in contracts.items()}
    found = []
    for month in span:
        now = {client: contract_mrr(c, month) for client, c in contracts.items()}
        moves = [m for client in sorted(now) if (m := movement(client, before[client], now[client]))]
        if forecast:
            revenue = Revenue(recurring=sum((retainer_fee(c, month) for c in contracts.values()), ZERO))
        else:
            revenue = posted.get(month) or Revenue()
        by_client = {client: mrr for client, mrr in now.items() if mrr}
        found.append(MRRMonth(month, sum(now.values(), ZERO), by_client, moves, revenue, forecast))
        before = now
    return found


def contract_events(
    contracts: Mapping[str, Contract], as_of: datetime.date, days: int = END_WINDOW_DAYS
) -> list[ContractEvent]:
    """What ends or renews from ``as_of`` through ``days`` days later, by date.

    "ends": the agreement's last day (``ends``), its MRR then lost. "renews": a term on file
    that starts in the window, with the MRR before and after it (a price change, a new
    device count, or simply the next year's terms).
    """
    until = as_of + datetime.timedelta(days=days)
    found = []
    for client, contract in contracts.items():
        for terms in contract.terms[1:]:
            if as_of <= terms.start <= until and (contract.ends is None or terms.start <= contract.ends):
                previous = contract.terms_on(terms.start - datetime.timedelta(days=1))
                before = previous.monthly_retainer if previous is not None else ZERO
                found.append(
                    ContractEvent(client, terms.start, "renews", contract.currency, before,
                                  terms.monthly_retainer)
                )  # fmt: skip
        if contract.ends is not None and as_of <= contract.ends <= until:
            last = contract.terms_on(contract.ends)
            before = last.monthly_retainer if last is not None else ZERO
            found.append(ContractEvent(client, contract.ends, "ends", contract.currency, before, ZERO))
    return sorted(found, key=lambda e: (e.date, e.client, e.kind))
