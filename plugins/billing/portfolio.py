"""Client margin figures: what each agreement earns against the time it takes.

Pure functions over the billing core's objects and plain posting records, so the Fava
report (``plugins.margin``) stays a thin adapter and every figure can be tested by the
table. Money comes from the ledger's postings (what was actually booked, including
costs the plugin does not generate); hours and included hours come from the month
bills, because the ledger holds them only as metadata.

Amounts are never summed across currencies: a client's postings in a currency other
than its contract's get a row of their own, and totals are kept per currency.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .model import (
    EXPENSE_ROOT,
    INCOME_ROOT,
    KINDS,
    LABOR_PART,
    REVENUE_PARTS,
    UNLIMITED,
    ZERO,
    Allowance,
    Contract,
    Practice,
    TimeEntry,
)
from .rules import Month, MonthBill, horizon, month_label, month_of

#: The account prefixes whose postings are a client's money (SPEC 4), colon included.
CLIENT_PREFIXES = (f"{INCOME_ROOT}:", f"{EXPENSE_ROOT}:")

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
    other_income: Decimal = ZERO
    labor: Decimal = ZERO
    other_costs: Decimal = ZERO

    @property
    def revenue(self) -> Decimal:
        """Everything under ``Income:Clients:<Acct>`` (SPEC 4: per-client margin)."""
        return self.retainer + self.hourly + self.travel + self.other_income

    @property
    def costs(self) -> Decimal:
        return self.labor + self.other_costs

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
        self.other_income += other.other_income
        self.labor += other.labor
        self.other_costs += other.other_costs

    def book(self, part: str, side: str, amount: Decimal) -> None:
        """Add a posting of ``<side>:Clients:<Acct>:<part>`` (income arrives negative)."""
        if side == "income":
            name = part.lower() if part in REVENUE_PARTS else "other_income"
            setattr(self, name, getattr(self, name) - amount)
        elif part == LABOR_PART:
            self.labor += amount
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
        )

    def add(self, other: Hours) -> None:
        for kind in KINDS:
            self.worked[kind] += other.worked[kind]
            self.nonbillable[kind] += other.nonbillable[kind]
            self.billable[kind] += other.billable[kind]
            self.included_used[kind] += other.included_used[kind]
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
    return not isinstance(allowance, str) and bool(allowance)


def _add_allowance(left: Allowance, right: Allowance) -> Allowance:
    """Unlimited absorbs any number: a period with an unlimited month shows as unlimited
    (its overage is still counted, month by month, in ``Hours.over``)."""
    if isinstance(left, str) or isinstance(right, str):
        return UNLIMITED
    return left + right


@dataclass(frozen=True, slots=True)
class Flag:
    """Why a client (or one of its months) needs a look; ``code`` is stable for CSS and tests."""

    code: str  # "rate", "margin", "included", "renegotiate"
    reason: str
    short: str = ""  # a few words for a table cell; ``reason`` is the full sentence

    @property
    def label(self) -> str:
        return self.short or self.reason


@dataclass(frozen=True, slots=True)
class DataWarning:
    """A data-quality problem: figures that look precise but are not."""

    code: str  # "uncosted", "default-rate", "unbilled", "currency", "no-cost-rates"
    message: str
    client: str | None = None


@dataclass(slots=True)
class Targets:
    """The practice's floors (SPEC 2.3); ``currency`` is the one the hourly target is in."""

    hourly_rate: Decimal | None
    margin: Decimal | None
    currency: str

    @staticmethod
    def of(practice: Practice) -> Targets:
        return Targets(practice.target_hourly_rate, practice.target_margin, practice.currency)


def effective_rate(money: Money, hours: Hours) -> Decimal | None:
    """Revenue per hour worked, billable or not: what the agreement really pays per hour."""
    return money.revenue / hours.total if hours.total else None


#: Flags that say the agreement earns too little; two months running of these: renegotiate.
PROFIT_FLAGS = frozenset({"rate", "margin"})


def flags_for(money: Money, hours: Hours, currency: str, targets: Targets) -> list[Flag]:
    """The rate and margin flags of SPEC 2.3 for some months of a client, with short reasons.

    The hourly target is compared only with rates in its own currency: a EUR rate under a
    USD target says nothing.
    """
    found = []
    rate = effective_rate(money, hours)
    floor = targets.hourly_rate
    if floor is not None and rate is not None and currency == targets.currency and rate < floor:
        found.append(
            Flag(
                "rate",
                f"earns {rate:.2f} {currency}/h, under the {floor:.2f} target",
                f"rate {rate:.0f} < {floor:.0f}/h",
            )
        )
    if targets.margin is not None and (money.revenue or money.costs):
        ratio = money.margin_ratio
        if ratio is None:
            found.append(Flag("margin", "costs with no revenue", "costs, no revenue"))
        elif ratio < targets.margin:
            found.append(
                Flag(
                    "margin",
                    f"margin {ratio:.0%}, under the {targets.margin:.0%} target",
                    f"margin {ratio:.0%} < {targets.margin:.0%}",
                )
            )
    return found


def month_overage_flag(hours: Hours) -> Flag | None:
    """A month that used up an included allowance and billed hours beyond it."""
    over = [
        f"{hours.billable[kind]:.2f} {kind} h for {hours.included[kind]:.2f} included"
        for kind in KINDS
        if hours.over_included(kind)
    ]
    if not over:
        return None
    return Flag("included", "over included hours: " + "; ".join(over), "over included")


def period_overage_flag(months: Sequence[MonthFigures]) -> Flag | None:
    """How often a period went over its included hours, and by how much."""
    billed = [m for m in months if m.bill is not None]
    parts, shorts = [], []
    for kind in KINDS:
        over = [m.hours.over_included(kind) for m in billed if m.hours.over_included(kind)]
        if over:
            parts.append(f"{kind} in {len(over)} of {len(billed)} months (+{sum(over, ZERO):.2f} h billed)")
            shorts.append(f"{kind} {len(over)}/{len(billed)} mo")
    if not parts:
        return None
    return Flag("included", "over included hours: " + "; ".join(parts), "over included: " + ", ".join(shorts))


@dataclass(slots=True)
class BillLine:
    """One line of a month's bill, as the client would read it."""

    what: str
    detail: str
    amount: Decimal


def bill_lines(bill: MonthBill) -> list[BillLine]:
    """The billed lines of a month (what the plugin posts), with the quantities behind them."""
    lines = []
    if bill.retainer:
        detail = f"{bill.days_billed} days billed" if bill.days_billed else ""
        lines.append(BillLine("Retainer", detail, bill.retainer))
    if bill.hourly:
        parts = [
            f"{bill.uncovered[kind]:.2f} {kind} h beyond included"
            for kind in KINDS
            if bill.uncovered.get(kind)
        ]
        lines.append(BillLine("Hourly", ", ".join(parts), bill.hourly))
    if bill.travel:
        visits = len(bill.visits)
        lines.append(BillLine("Travel", f"{visits} visit{'s' if visits != 1 else ''}", bill.travel))
    return lines


@dataclass(slots=True)
class MonthFigures:
    """One month of one client, in its primary currency."""

    month: Month
    money: Money
    hours: Hours
    bill: MonthBill | None
    flags: list[Flag] = field(default_factory=list)
    foreign: dict[str, Money] = field(default_factory=dict)  # postings in other currencies
    judged: bool = True  # False: the money is cut by an account or tag filter, the hours not

    @property
    def label(self) -> str:
        """``2026-03``: how the page names the month (and Fava's time filter takes it)."""
        return month_label(self.month)

    @property
    def effective_rate(self) -> Decimal | None:
        return effective_rate(self.money, self.hours) if self.judged else None

    @property
    def lines(self) -> list[BillLine]:
        return bill_lines(self.bill) if self.bill is not None else []


@dataclass(slots=True)
class ClientRow:
    """A client's figures in one currency; the primary row carries hours, months and flags."""

    contract: Contract
    currency: str
    money: Money
    hours: Hours | None  # None on rows of a client's other currencies
    months: list[MonthFigures] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    unbilled_hours: Decimal = ZERO
    judged: bool = True  # see ``MonthFigures.judged``


    @property
    def client(self) -> str:
        return self.contract.client

    @property
    def primary(self) -> bool:
        return self.hours is not None

    @property
    def effective_rate(self) -> Decimal | None:
        if self.hours is None or not self.judged:
            return None
        return effective_rate(self.money, self.hours)

    @property
    def renegotiate(self) -> bool:
        return any(flag.code == "renegotiate" for flag in self.flags)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(slots=True)
class Portfolio:
    """The whole report: rows, per-currency totals, and warnings."""

    period: Period
    rows: list[ClientRow]
    totals: dict[str, Money]
    warnings: list[DataWarning]
    targets: Targets
    #: False under an account or tag filter: it cuts the money but not the hours, so rates
    #: (revenue ÷ hours) and the flags judged on them or on margins would be false.
    judged: bool = True
    #: Per currency: hours of the clients whose primary row is in it, and the total rate.
    currency_hours: dict[str, Hours] = field(init=False)
    total_effective_rates: dict[str, Decimal | None] = field(init=False)

    def __post_init__(self) -> None:
        """Sum the hours per currency once (the totals' rows and rates read them)."""
        self.currency_hours = {currency: Hours() for currency in self.totals}
        for row in self.rows:
            if row.hours is not None:
                self.currency_hours.setdefault(row.currency, Hours()).add(row.hours)
        self.total_effective_rates = {}
        for currency, money in self.totals.items():
            hours = self.currency_hours[currency].total
            self.total_effective_rates[currency] = money.revenue / hours if hours and self.judged else None

    def row(self, client: str) -> ClientRow | None:
        """The primary row of ``client``."""
        return next((r for r in self.rows if r.client == client and r.primary), None)

    def rows_of(self, client: str) -> list[ClientRow]:
        return [r for r in self.rows if r.client == client]

    @property
    def currencies(self) -> list[str]:
        return list(self.totals)

    @property
    def has_other_income(self) -> bool:
        """Whether any client has income besides retainer, hourly and travel (else no column)."""
        return any(row.money.other_income for row in self.rows)

    def hours_in(self, currency: str) -> Hours:
        """Hours of the clients whose primary row is in ``currency`` (for that total's rate)."""
        return self.currency_hours.get(currency) or Hours()


def client_of_account(account: str, accounts: Mapping[str, str]) -> tuple[str, str, str] | None:
    """``(client, side, part)`` of ``Income|Expenses:Clients:<Acct>[:<part>]``, else None.

    ``accounts`` maps account components to client ids; ``part`` is the next component
    (``""`` for the client account itself), ``side`` is ``income`` or ``expense``.
    """
    income, expense = CLIENT_PREFIXES
    if account.startswith(income):
        side, rest = "income", account[len(income) :]
    elif account.startswith(expense):
        side, rest = "expense", account[len(expense) :]
    else:
        return None
    acct, _, tail = rest.partition(":")
    client = accounts.get(acct)
    if client is None:
        return None
    return client, side, tail.partition(":")[0]


def unbilled_hours(entries: Sequence[TimeEntry], last: Month, period: Period) -> Decimal:
    """Hours of the period dated after ``last``, the accrual horizon: worked, not billed yet
    (SPEC 2.2.0)."""
    total = ZERO
    for entry in reversed(entries):  # ledger (date) order: the unbilled ones are at the end
        month = month_of(entry.date)
        if month <= last:
            break
        if month in period:
            total += entry.hours
    return total


def _staff_warnings(row: ClientRow, practice: Practice) -> list[DataWarning]:
    """Uncosted hours and staff costed at the default rate: labor cost that is a guess."""
    hours = row.hours
    assert hours is not None
    found = []
    if hours.uncosted and practice.costs_labor:
        who = sorted(s or "no staff" for s in hours.staff if practice.cost_rate(s or None) is None)
        found.append(
            DataWarning(
                "uncosted",
                f"{hours.uncosted:.2f} h not costed ({', '.join(who)}): add a cost_rate in practice.yaml",
                row.client,
            )
        )
    if practice.default_cost_rate is not None:
        at_default = {
            s or "no staff": h for s, h in hours.staff.items() if not practice.has_own_rate(s or None)
        }
        if at_default:
            listed = ", ".join(f"{s} {h:.2f} h" for s, h in sorted(at_default.items()))
            found.append(
                DataWarning(
                    "default-rate",
                    f"costed at the default rate {practice.default_cost_rate:.2f}/h: {listed}",
                    row.client,
                )
            )
    return found


def _renegotiate(months: Sequence[MonthFigures]) -> Flag | None:
    """Under the target rate or margin in the period's last two (or more) billed months.

    Going over the included hours is flagged but does not count here: the overage is
    billed, so it is the agreement working, not losing money.
    """
    streak: list[MonthFigures] = []
    for figures in reversed([m for m in months if m.bill is not None]):
        if not any(flag.code in PROFIT_FLAGS for flag in figures.flags):
            break
        streak.append(figures)
    if len(streak) < 2:
        return None
    first, last = month_label(streak[-1].month), month_label(streak[0].month)
    names = f"{first}, {last}" if len(streak) == 2 else f"{first} – {last}"
    return Flag(
        "renegotiate",
        f"under target {len(streak)} months running ({names}): renegotiate",
        f"{len(streak)} months under target",
    )


def _identity(number: Decimal, currency: str, day: datetime.date) -> tuple[Decimal, str]:
    return number, currency


def build_portfolio(
    contracts: Mapping[str, Contract],
    practice: Practice,
    bills: Mapping[str, Sequence[MonthBill]],
    time: Mapping[str, Sequence[TimeEntry]],
    postings: Iterable[Posting],
    period: Period,
    today: datetime.date,
    convert: Converter | None = None,
    *,
    judge: bool = True,
) -> Portfolio:
    """Every client's margin over ``period``.

    ``postings`` are the filtered ledger's (so Fava's account and tag filters apply to
    money); ``bills`` and ``time`` cover the whole books and are cut to ``period`` here.
    ``convert`` maps each posting to a reporting currency (Fava's conversion selector);
    without one, amounts stay in the currency they were booked in. ``judge=False`` (under
    an account or tag filter, which cuts the money but not the hours) leaves out effective
    rates and the rate, margin and renegotiate flags; hours and overage are still shown.
    """
    convert = convert or _identity
    targets = Targets.of(practice)
    accounts = {contract.account: client for client, contract in contracts.items()}
    # money[client][currency][month]
    money: dict[str, dict[str, dict[Month, Money]]] = {client: {} for client in contracts}
    # The one place postings are picked: a client's account (looked up once per account
    # name), in a month of the period (which also drops the summary entries Fava's time
    # filter dates just before it).
    of_account: dict[str, tuple[str, str, str] | None] = {}
    for posting in postings:
        account = posting.account
        if account in of_account:
            found = of_account[account]
        else:
            found = of_account[account] = client_of_account(account, accounts)
        if found is None:
            continue
        day = posting.date
        month = month_of(day)
        if month not in period:
            continue
        client, side, part = found
        number, currency = convert(posting.number, posting.currency, day)
        by_month = money[client].setdefault(currency, {})
        by_month.setdefault(month, Money()).book(part, side, number)

    rows: list[ClientRow] = []
    warnings: list[DataWarning] = []
    for client in sorted(contracts, key=lambda c: contracts[c].name.lower()):
        contract = contracts[client]
        client_bills = [b for b in bills.get(client, ()) if b.month in period]
        last_day = client_bills[-1].last_day if client_bills else today
        primary = convert(ZERO, contract.currency, last_day)[1]
        by_currency = money[client]
        by_currency.setdefault(primary, {})
        months = sorted({b.month for b in client_bills}.union(*by_currency.values()))
        bill_of = {b.month: b for b in client_bills}
        figures = []
        for month in months:
            bill = bill_of.get(month)
            hours = Hours.of_bill(bill) if bill is not None else Hours()
            month_money = by_currency[primary].get(month, Money())
            foreign = {
                currency: amounts[month]
                for currency, amounts in sorted(by_currency.items())
                if currency != primary and month in amounts
            }
            flags = []
            if bill is not None:  # a month not billed yet (past the horizon) is not judged
                if judge:
                    flags = flags_for(month_money, hours, primary, targets)
                overage = month_overage_flag(hours)
                if overage is not None:
                    flags.append(overage)
            figures.append(MonthFigures(month, month_money, hours, bill, flags, foreign, judge))
        total_money, total_hours = Money(), Hours()
        for month_figures in figures:
            total_money.add(month_figures.money)
            total_hours.add(month_figures.hours)
        row = ClientRow(contract, primary, total_money, total_hours, figures, judged=judge)
        if judge:
            row.flags = flags_for(total_money, total_hours, primary, targets)
        for flag in (period_overage_flag(figures), _renegotiate(figures) if judge else None):
            if flag is not None:
                row.flags.append(flag)
        row.warnings = _staff_warnings(row, practice)
        last = horizon(contract, practice, today)
        row.unbilled_hours = unbilled_hours(time.get(client, ()), last, period)
        if row.unbilled_hours:
            row.warnings.append(
                DataWarning(
                    "unbilled",
                    f"{row.unbilled_hours:.2f} h after the accrual horizon ({month_label(last)}) "
                    "are not billed yet",
                    client,
                )
            )
        rows.append(row)
        for currency, amounts in sorted(by_currency.items()):
            if currency == primary:
                continue
            other = Money()
            for month_money in amounts.values():
                other.add(month_money)
            rows.append(ClientRow(contract, currency, other, None, judged=judge))
            row.warnings.append(
                DataWarning(
                    "currency",
                    f"{currency} amounts are shown on their own line, not added to {primary}",
                    client,
                )
            )
        warnings.extend(row.warnings)

    if not practice.costs_labor:
        warnings.insert(
            0,
            DataWarning(
                "no-cost-rates",
                "practice.yaml sets no cost rates: labor is not costed, so margins leave it out",
            ),
        )
    totals: dict[str, Money] = {}
    for row in rows:
        totals.setdefault(row.currency, Money()).add(row.money)
    return Portfolio(period, rows, dict(sorted(totals.items())), warnings, targets, judge)


def bucket(month: Month, interval: str) -> datetime.date:
    """The first day of the ``interval`` (``year``, ``quarter`` or ``month``) holding ``month``.

    Charts group months by Fava's interval selector; finer intervals fall back to months,
    since bills are monthly.
    """
    year, number = month
    if interval == "year":
        return datetime.date(year, 1, 1)
    if interval == "quarter":
        return datetime.date(year, (number - 1) // 3 * 3 + 1, 1)
    return datetime.date(year, number, 1)
