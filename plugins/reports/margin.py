"""Client Margin: what each agreement earns against the time it takes, per client.

Pure functions over the billing pass's bills and plain posting records, so the Fava
report (``plugins.margin``) and the ``retainer margin`` command show the same figures and
every figure can be tested by the table. Money comes from the ledger's postings (what was
actually booked, including costs the plugin does not generate); hours and included hours
come from the month bills (``figures``), the judgement from ``flags``.

Amounts are never summed across currencies: a client's postings in a currency other
than its contract's get a row of their own, and totals are kept per currency.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath

from plugins.billing.model import ZERO, Contract, Practice, Problem, TimeEntry
from plugins.billing.rules import Month, MonthBill, horizon, month_label, month_of
from plugins.reports.banks import Bank, bank_flags, bank_of
from plugins.reports.figures import (
    BillLine,
    Converter,
    Hours,
    Money,
    Period,
    Posting,
    bill_lines,
    client_postings,
    effective_rate,
)
from plugins.reports.flags import (
    DataWarning,
    Flag,
    Targets,
    flags_for,
    month_overage_flag,
    period_overage_flag,
    renegotiate_flag,
    staff_warnings,
)


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
    bank: Bank | None = None  # hours left in prepaid blocks and banked lots, at the period's end


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
    def has_prepaid(self) -> bool:
        """Whether any client has prepaid block income (then it gets a column of its own)."""
        return any(row.money.prepaid for row in self.rows)

    @property
    def has_tools(self) -> bool:
        """Whether any client has tool costs (then they get a column of their own)."""
        return any(row.money.tools for row in self.rows)

    @property
    def has_other_income_beside_prepaid(self) -> bool:
        """Whether an "Other income" column is still needed beside a prepaid one."""
        prepaid = self.has_prepaid
        return any(row.money.other_income_beside(prepaid) for row in self.rows)

    @property
    def has_bank(self) -> bool:
        return any(row.bank for row in self.rows)

    @property
    def has_other_income(self) -> bool:
        """Whether any client has income besides retainer, hourly and travel (else no column)."""
        return any(row.money.income_beyond for row in self.rows)

    def hours_in(self, currency: str) -> Hours:
        """Hours of the clients whose primary row is in ``currency`` (for that total's rate)."""
        return self.currency_hours.get(currency) or Hours()


@dataclass(frozen=True, slots=True)
class FailedContract:
    """A client whose contract fails to load: no figures, only what to fix and where."""

    client: str
    problems: tuple[Problem, ...]


def failed_contracts(failed_clients: Iterable[str], problems: Iterable[Problem]) -> list[FailedContract]:
    """The clients left out of every figure because their contract has errors, each with
    the problems of its file (a YAML named after the client id, as contracts are)."""
    by_stem: dict[str, list[Problem]] = {}
    for problem in problems:
        by_stem.setdefault(PurePath(problem.where.filename).stem, []).append(problem)
    failed = sorted(failed_clients)
    # The loader remembers a failed file's name and the client id inside it (and a guess):
    # one row per file with problems, so a contract whose file is not named after its
    # client is not counted twice.
    with_problems = [client for client in failed if client in by_stem]
    return [FailedContract(client, tuple(by_stem.get(client, ()))) for client in with_problems or failed]


def unbilled_hours(entries: Sequence[TimeEntry], last: Month, period: Period) -> Decimal:
    """Hours of the period dated after ``last``, the accrual horizon: worked, not billed yet
    (rule 0)."""
    total = ZERO
    for entry in reversed(entries):  # ledger (date) order: the unbilled ones are at the end
        month = month_of(entry.date)
        if month <= last:
            break
        if month in period:
            total += entry.hours
    return total


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
    # money[client][currency][month]
    money: dict[str, dict[str, dict[Month, Money]]] = {client: {} for client in contracts}
    # A client's postings in a month of the period (which also drops the summary entries
    # Fava's time filter dates just before it).
    for client, side, part, posting in client_postings(contracts, postings):
        day = posting.date
        month = month_of(day)
        if month not in period:
            continue
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
        for flag in (period_overage_flag(figures), renegotiate_flag(figures) if judge else None):
            if flag is not None:
                row.flags.append(flag)
        row.bank = bank_of(client_bills, today)
        if row.bank is not None and (contract.ends is None or contract.ends > row.bank.as_of):
            row.flags.extend(bank_flags(row.bank))  # no next block to sell once it has ended
        row.warnings = staff_warnings(client, total_hours, practice)
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




#: The portfolio table's columns, as ``retainer margin`` prints them and Fava's CSV download
#: gives them.
TABLE_COLUMNS = (
    "client", "currency", "retainer", "hourly", "travel", "prepaid", "revenue",
    "labor", "tools", "other costs", "margin", "margin %", "hours", "eff. rate", "flags",
)  # fmt: skip

_CENT = Decimal("0.01")


def _money_cells(amounts: Money) -> list[object]:
    ratio_value = amounts.margin_ratio
    return [
        amounts.retainer,
        amounts.hourly,
        amounts.travel,
        amounts.prepaid,
        amounts.revenue,
        amounts.labor,
        amounts.tools,
        amounts.other_costs,
        amounts.margin,
        f"{ratio_value:.1%}" if ratio_value is not None else None,
    ]


def table_rows(rows: Iterable[ClientRow]) -> list[list[object]]:
    """A line of ``TABLE_COLUMNS`` per row: plain values (Decimals, strings, None)."""
    table: list[list[object]] = []
    for row in rows:
        rate = row.effective_rate
        table.append(
            [
                row.contract.name,
                row.currency,
                *_money_cells(row.money),
                row.hours.total if row.hours is not None else None,
                rate.quantize(_CENT, ROUND_HALF_UP) if rate is not None else None,
                "; ".join(flag.label for flag in row.flags),
            ]
        )
    return table


def table_footer(portfolio: Portfolio) -> list[list[object]]:
    """The totals' lines, one per currency."""
    footer: list[list[object]] = []
    for currency, total in portfolio.totals.items():
        rate = portfolio.total_effective_rates.get(currency)
        footer.append(
            [
                "Total",
                currency,
                *_money_cells(total),
                portfolio.hours_in(currency).total,
                rate.quantize(_CENT, ROUND_HALF_UP) if rate is not None else None,
                "",
            ]
        )
    return footer
