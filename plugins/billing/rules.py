"""The billing rules (docs/reference.md §2.2), as pure functions over the domain objects.

No Beancount, no files, no clock: the caller passes "today" and the time entries of a
client in ledger order, and gets back one ``MonthBill`` per accrued month. The plugin posts
these, the Fava report and the CLI read them; nobody else re-derives a rule.
"""

from __future__ import annotations

import calendar
import datetime
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from .model import (
    KINDS,
    UNLIMITED,
    ZERO,
    Allowance,
    Contract,
    Location,
    Milestone,
    Practice,
    Problem,
    Project,
    Terms,
    TimeEntry,
    hours_of,
    is_unlimited,
)

if TYPE_CHECKING:  # pragma: no cover
    from .hourbank import Bank, BlockDraw, BlockMonth, Lot

CENT = Decimal("0.01")
ONE = Decimal(1)
SIXTY = Decimal(60)
Month = tuple[int, int]  # (year, month)
_DATE = attrgetter("date")
_HOURS = attrgetter("hours")

#: The arithmetic every bill is computed in, whatever the calling process set: Python's
#: default (28 digits), with the traps that turn a figure too large for it into an error
#: instead of a silently rounded amount.
BILLING_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


def cents(amount: Decimal) -> Decimal:
    """Round money half-up to cents: the one rounding every bill line gets, once."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


#: (year, month) -> its number of days: ``calendar.monthrange`` is Python-level and each
#: month bill asks several times (its fee, allowances, last day), for a few hundred months.
_DAYS_IN: dict[Month, int] = {}


def days_in(month: Month) -> int:
    found = _DAYS_IN.get(month)
    if found is None:
        found = _DAYS_IN[month] = calendar.monthrange(*month)[1]
    return found


def month_label(month: Month) -> str:
    """``(2026, 3)`` -> ``"2026-03"``: how a month is written in metadata and messages."""
    return f"{month[0]}-{month[1]:02d}"


_MONTH_LABEL = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month_label(text: str) -> Month | None:
    """``"2026-03"`` -> ``(2026, 3)``, the inverse of ``month_label``; None for anything else."""
    found = _MONTH_LABEL.match(text.strip())
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def month_of(day: datetime.date) -> Month:
    return day.year, day.month


def next_month(month: Month) -> Month:
    year, number = month
    return (year + 1, 1) if number == 12 else (year, number + 1)


def months(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` through ``last``, inclusive (empty when last < first)."""
    found = []
    month = first
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def horizon(contract: Contract, practice: Practice, today: datetime.date) -> Month:
    """The last month accrued (rule 0): the earlier of ``ends`` and the current month.

    ``accrue_through`` in practice.yaml replaces the current month, so books rebuilt later
    give the same result.
    """
    last = books_horizon(practice, today)
    if contract.ends is not None:
        last = min(last, month_of(contract.ends))
    return last


def books_horizon(practice: Practice, today: datetime.date) -> Month:
    """The last month the books accrue, before any contract's ``ends`` (rule 0):
    ``accrue_through``, else the current month."""
    return practice.accrue_through or month_of(today)


def accrued_months(contract: Contract, practice: Practice, today: datetime.date) -> list[Month]:
    return months(month_of(contract.starts), horizon(contract, practice, today))


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of days of one month under one set of terms."""

    terms: Terms
    first: datetime.date
    days: int


def segments(contract: Contract, month: Month) -> list[Segment]:
    """The days of ``month`` on which the contract is in force, split by the terms in force."""
    first_day = datetime.date(month[0], month[1], 1)
    last_day = datetime.date(month[0], month[1], days_in(month))
    if contract.ends is not None:
        last_day = min(last_day, contract.ends)
    found = []
    for index, terms in enumerate(contract.terms):
        until = (
            contract.terms[index + 1].start - datetime.timedelta(days=1)
            if index + 1 < len(contract.terms)
            else last_day
        )
        start, stop = max(terms.start, first_day), min(until, last_day)
        if start <= stop:
            found.append(Segment(terms, start, (stop - start).days + 1))
    return found


def retainer_fee(contract: Contract, month: Month) -> Decimal:
    """Rule 1: each day billed under the terms in force that day, rounded once."""
    return _fee(segments(contract, month), month)


def _fee(parts: Sequence[Segment], month: Month) -> Decimal:
    total = sum((s.terms.monthly_retainer * s.days for s in parts), ZERO)
    return cents(total / days_in(month))


def included_allowance(contract: Contract, month: Month, kind: str) -> Allowance:
    """Rule 4: the month's included hours of ``kind``, prorated like the fee.

    Days whose terms say ``unlimited`` add nothing to the pool (their units are covered
    outright); a month that is unlimited on every billed day is reported as unlimited.
    """
    return _allowance(segments(contract, month), month, kind)


def _allowance(parts: Sequence[Segment], month: Month, kind: str) -> Allowance:
    total = ZERO
    numeric = False
    for part in parts:
        included = part.terms.included(kind)
        if not is_unlimited(included):
            total += hours_of(included) * part.days
            numeric = True
    if parts and not numeric:
        return UNLIMITED
    return total / days_in(month) if total else ZERO


class _TermsByDay(dict[datetime.date, Terms | None]):
    """``contract.terms_on`` remembered per day.

    A month has at most 31 days but may have thousands of entries, and the terms of each
    are looked up several times (in force? rounding? minimum? included? rate?); a dict hit
    is several times cheaper than the scan of the contract's terms.
    """

    __slots__ = ("contract",)

    def __init__(self, contract: Contract) -> None:
        super().__init__()
        self.contract = contract

    def __missing__(self, day: datetime.date) -> Terms | None:
        terms = self[day] = self.contract.terms_on(day)
        return terms


#: rounding_minutes -> {hours: billable hours}. Time trackers give a handful of distinct
#: durations (0.25, 1.5 ...), so each is rounded once instead of once per entry.
_UNIT_HOURS: dict[int, dict[Decimal, Decimal]] = {}


def _rounded_hours(terms: Terms) -> dict[Decimal, Decimal]:
    """The memo of billable hours for the rounding step of ``terms`` (bounded for Fava)."""
    memo = _UNIT_HOURS.get(terms.rounding_minutes)
    if memo is None or len(memo) > 4096:
        memo = _UNIT_HOURS[terms.rounding_minutes] = {}
    return memo


def billable_minutes(hours: Decimal, terms: Terms) -> int:
    """Rule 3: the whole minute (half-up), then up to the terms' rounding increment."""
    minutes = int((hours * SIXTY).quantize(ONE, rounding=ROUND_HALF_UP))
    step = terms.rounding_minutes
    if step > 1:
        minutes = -(-minutes // step) * step
    return minutes


class Unit(NamedTuple):
    """Billable time: one entry's rounded hours, or a visit's minimum-hours shortfall."""

    date: datetime.date
    kind: str
    hours: Decimal
    after_hours: bool
    entry: TimeEntry | None  # None for a shortfall unit
    visit: TimeEntry  # the entry itself, or for a shortfall the visit's last onsite entry

    @property
    def where(self) -> Location | None:
        """Where to point an error about this unit (made only when one is reported)."""
        return self.visit.where


def billable_units(
    contract: Contract, entries: Iterable[TimeEntry], terms_of: _TermsByDay | None = None
) -> list[Unit]:
    """The units of billable ``entries`` (ledger order), with onsite-minimum shortfalls.

    A visit whose onsite units fall short of ``onsite_minimum_hours`` gets one more unit,
    at normal hours, right after the visit's last onsite unit (rule 3).
    """
    if terms_of is None:
        terms_of = _TermsByDay(contract)
    units: list[Unit] = []
    day: datetime.date | None = None
    day_start = 0
    memo_terms: Terms | None = None
    memo: dict[Decimal, Decimal] = {}
    for entry in entries:
        if not entry.billable:
            continue
        terms = terms_of[entry.date]
        if terms is None:
            continue
        if entry.date != day:
            _add_shortfall(terms_of, units, day_start)
            day, day_start = entry.date, len(units)
        if terms is not memo_terms:
            memo_terms, memo = terms, _rounded_hours(terms)
        hours = memo.get(entry.hours)
        if hours is None:
            hours = memo[entry.hours] = Decimal(billable_minutes(entry.hours, terms)) / SIXTY
        units.append(Unit(entry.date, entry.kind, hours, entry.after_hours, entry, entry))
    _add_shortfall(terms_of, units, day_start)
    return units


def _add_shortfall(terms_of: _TermsByDay, units: list[Unit], day_start: int) -> None:
    """Insert the shortfall unit of the visit among ``units[day_start:]`` (one day's units)."""
    last_onsite = -1
    onsite = ZERO
    for index in range(day_start, len(units)):
        if units[index].kind == "onsite":
            last_onsite = index
            onsite += units[index].hours
    if last_onsite < 0:
        return
    visit = units[last_onsite]
    terms = terms_of[visit.date]
    minimum = terms.onsite_minimum_hours if terms is not None else ZERO
    if onsite < minimum:
        units.insert(
            last_onsite + 1,
            Unit(visit.date, "onsite", minimum - onsite, False, None, visit.visit),
        )


class ChargedUnit(NamedTuple):
    """A unit after included hours: how much was covered, and what the rest costs."""

    unit: Unit
    covered: Decimal  # by included hours, lots and blocks together
    uncovered: Decimal
    charge: Decimal  # unrounded: the month is rounded once
    lots: Decimal = ZERO  # of ``covered``: rolled-over hours used
    blocks: tuple[BlockDraw, ...] = ()  # of ``covered``: hours drawn on prepaid blocks


@dataclass
class MonthBill:
    """What one client owes for one month, and the figures behind it."""

    client: str
    month: Month
    first_day: datetime.date  # first billed day: the retainer's posting date
    last_day: datetime.date  # last day of the calendar month: other postings' date
    days_billed: int
    retainer: Decimal = ZERO
    hourly: Decimal = ZERO
    travel: Decimal = ZERO
    labor: Decimal | None = None  # None: the practice sets no cost rates
    terms: tuple[Terms, ...] = ()
    visits: tuple[datetime.date, ...] = ()
    units: tuple[ChargedUnit, ...] = ()
    hours_worked: dict[str, Decimal] = field(default_factory=dict)  # actual, billable or not
    hours_nonbillable: dict[str, Decimal] = field(default_factory=dict)
    hours_billable: dict[str, Decimal] = field(default_factory=dict)  # rounded, with shortfalls
    included: dict[str, Allowance] = field(default_factory=dict)
    included_used: dict[str, Decimal] = field(default_factory=dict)
    uncovered: dict[str, Decimal] = field(default_factory=dict)
    staff_hours: dict[str, Decimal] = field(default_factory=dict)
    uncosted_hours: Decimal = ZERO
    problems: list[Problem] = field(default_factory=list)
    tools: Decimal = ZERO  # rule 6a: the month's tool costs, a cost like labor
    # Hour banks (``hourbank``), filled only for contracts with rollover or blocks:
    prepaid: Decimal = ZERO  # income recognised from blocks (draws and expiries)
    blocks: tuple[BlockMonth, ...] = ()  # each block in use in the month
    block_hours: dict[str, Decimal] = field(default_factory=dict)  # drawn on blocks, by kind
    lots_used: dict[str, Decimal] = field(default_factory=dict)  # rolled-over hours used
    lots_banked: dict[str, Decimal] = field(default_factory=dict)  # the month's new lot
    lots_cut: dict[str, Decimal] = field(default_factory=dict)  # cut to max_hours
    lots_expired: dict[str, Decimal] = field(default_factory=dict)  # expired at the start
    lots_left: dict[str, Decimal] = field(default_factory=dict)  # banked after the month
    lots: tuple[Lot, ...] = ()  # banked after the month, oldest first
    #: rule 8: each project's hours this month (in ``hours_worked`` and labor too, but
    #: in no unit, visit or charge), and the milestones receivable this month, by date.
    project_hours: dict[str, Decimal] = field(default_factory=dict)
    milestones: tuple[tuple[Project, Milestone], ...] = ()
    #: Hours billed beyond the included ones at an after-hours multiplier other than 1, by
    #: kind, and that multiplier (the last used, if terms changed mid-month): the arithmetic
    #: behind the hourly charge, for its line and its metadata. Empty in most months.
    after_hours: dict[str, Decimal] = field(default_factory=dict)
    after_hours_multiplier: Decimal = ONE

    @property
    def revenue(self) -> Decimal:
        return self.retainer + self.hourly + self.travel + self.prepaid

    @property
    def total_hours(self) -> Decimal:
        return sum(self.hours_worked.values(), ZERO)


def bill_month(
    contract: Contract,
    practice: Practice,
    month: Month,
    entries: Sequence[TimeEntry],
    *,
    detail: bool = True,
    bank: Bank | None = None,
) -> MonthBill:
    """Rules 1-6 for one month; ``entries`` are the client's entries of that month.

    ``detail=False`` leaves ``units`` empty (every figure is the same): the plugin posts
    the totals only, and one ``ChargedUnit`` per entry was a tenth of its time.
    ``bank`` holds the lots and blocks the months before left (``bill_contract`` passes
    it); without one, a contract with rollover or blocks starts from a fresh bank.
    """
    if bank is None and contract.banks_hours:
        from .hourbank import Bank

        bank = Bank.of(contract)
    return _bill_month(contract, practice, month, entries, detail, bank)


def _bill_month(
    contract: Contract,
    practice: Practice,
    month: Month,
    entries: Sequence[TimeEntry],
    detail: bool,
    bank: Bank | None,
) -> MonthBill:
    """One month's bill by rules 2-6. Most months take ``plainmonth``'s one pass, which
    does the same operations in the same order: a change to these rules is made in both,
    and ``tests/test_plainmonth.py`` fails until the two agree field by field."""
    parts = segments(contract, month)
    if bank is None and not detail and len(parts) == 1:  # most months: one pass (plainmonth)
        from .plainmonth import bill_plain_month

        try:
            return bill_plain_month(contract, practice, _new_bill(contract, month, parts), parts[0], entries)
        except DecimalException:
            pass  # the general path below fails too, with the error its message names
    bill = _new_bill(contract, month, parts)
    first_day = bill.first_day
    if bank is not None:
        bank.open_month(month)
    terms_of = _TermsByDay(contract)
    # The contract is in force on one run of days of the month (from its start through
    # ``ends``), so "has terms on its date" is a range check.
    if parts:
        first, last = first_day, parts[-1].first + datetime.timedelta(days=parts[-1].days - 1)
        in_force = [e for e in entries if first <= e.date <= last]
    else:
        in_force = []
    _hours(bill, practice, in_force)
    if contract.projects:  # project time counts for labor (above), for nothing below
        in_force = _agreement_work(bill, contract, in_force)
    units = billable_units(contract, in_force, terms_of)
    bill.visits = _visits(units)
    bill.travel = cents(sum((_terms(terms_of, day).travel.per_visit for day in bill.visits), ZERO))
    charged, charges = _apply_included(contract, parts, units, bill, terms_of, detail, bank)
    bill.units = tuple(charged)
    bill.hourly = cents(charges)
    return bill


def _new_bill(contract: Contract, month: Month, parts: Sequence[Segment]) -> MonthBill:
    """A month's bill with its rule 1 fee (and rule 6a tools) set, and no time yet."""
    bill = MonthBill(
        client=contract.client,
        month=month,
        first_day=parts[0].first if parts else datetime.date(month[0], month[1], 1),
        last_day=datetime.date(month[0], month[1], days_in(month)),
        days_billed=sum(s.days for s in parts),
        retainer=_fee(parts, month),
        terms=tuple(s.terms for s in parts),
    )
    for part in parts:  # a loop, not any(): this runs for every month of every client
        if part.terms.costs is not None:
            bill.tools = cents(sum((s.terms.tool_costs * s.days for s in parts), ZERO) / days_in(month))
            break
    return bill


def _agreement_work(bill: MonthBill, contract: Contract, entries: Sequence[TimeEntry]) -> list[TimeEntry]:
    """rule 8: set aside the month's project time and milestones; the rest is the
    agreement's work, billed by rules 2-5."""
    agreement = []
    for entry in entries:
        if entry.project is None:
            agreement.append(entry)
        else:
            bill.project_hours[entry.project] = bill.project_hours.get(entry.project, ZERO) + entry.hours
    _milestones(bill, contract)
    return agreement


def _milestones(bill: MonthBill, contract: Contract) -> None:
    """rule 8: the milestones receivable in the bill's month, by date."""
    due = [(p, m) for p in contract.projects for m in p.milestones if month_of(m.date) == bill.month]
    bill.milestones = tuple(sorted(due, key=lambda due: due[1].date))


def check_project(contract: Contract, entry: TimeEntry) -> str | None:
    """Why ``entry``'s ``project:`` is not one of its client's projects, or None (rule 8)."""
    if entry.project is None or contract.project(entry.project) is not None:
        return None
    import difflib

    ids = [project.id for project in contract.projects]
    if not ids:
        return (
            f"unknown project '{entry.project}': {contract.display_path} has no projects; add it under"
            " projects:, or leave project: out for the agreement's work"
        )
    named = [p.id for p in contract.projects if entry.project.casefold() in map(str.casefold, p.names())]
    near = named or difflib.get_close_matches(entry.project, ids, n=1, cutoff=0.6)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    return (
        f"unknown project '{entry.project}' for '{contract.client}'{hint}: use a project id of"
        f" {contract.display_path} ({', '.join(ids)}), or leave project: out for the agreement's work"
    )


def _terms(terms_of: _TermsByDay, day: datetime.date) -> Terms:
    terms = terms_of[day]
    assert terms is not None, "units are made only on days with terms in force"
    return terms


def _hours(bill: MonthBill, practice: Practice, entries: Sequence[TimeEntry]) -> None:
    """Hours worked by kind and staff, and rule 6's labor cost."""
    worked = dict.fromkeys(KINDS, ZERO)
    idle = dict.fromkeys(KINDS, ZERO)
    staff: dict[str, Decimal] = {}
    for entry in entries:
        kind, hours = entry.kind, entry.hours
        worked[kind] += hours
        if not entry.billable:
            idle[kind] += hours
        key = entry.staff or ""
        staff[key] = staff.get(key, ZERO) + hours
    bill.hours_worked, bill.hours_nonbillable, bill.staff_hours = worked, idle, staff
    bill.labor, bill.uncosted_hours = labor_cost(practice, staff)


def labor_cost(practice: Practice, staff_hours: Mapping[str, Decimal]) -> tuple[Decimal | None, Decimal]:
    """rule 6: (cost, uncosted hours) of hours by staff key ("" for none), rounded once.

    The cost is None when the practice sets no cost rates (every hour is then uncosted).
    """
    if not practice.costs_labor:
        return None, sum(staff_hours.values(), ZERO)
    cost = uncosted = ZERO
    for key, hours in sorted(staff_hours.items()):
        rate = practice.cost_rate(key or None)
        if rate is None:
            uncosted += hours
        else:
            cost += hours * rate
    return cents(cost), uncosted


def _visits(units: Sequence[Unit]) -> tuple[datetime.date, ...]:
    """Rule 2: a visit is a date with at least one billable onsite entry."""
    return tuple(sorted({u.date for u in units if u.kind == "onsite" and u.entry is not None}))


def _apply_included(
    contract: Contract,
    parts: Sequence[Segment],
    units: Sequence[Unit],
    bill: MonthBill,
    terms_of: _TermsByDay,
    detail: bool = True,
    bank: Bank | None = None,
) -> tuple[list[ChargedUnit], Decimal]:
    """Rules 4-5: use up included hours in ledger order, charge the rest at the rate.

    Returns the charged units (none unless ``detail``) and the unrounded sum of their
    charges, added up in unit order exactly as ``sum(charges, ZERO)`` would.
    """
    left: dict[str, Decimal] = {}
    for kind in KINDS:
        allowance = _allowance(parts, bill.month, kind)
        bill.included[kind] = allowance
        left[kind] = hours_of(allowance)
    billable = dict.fromkeys(KINDS, ZERO)
    used = dict.fromkeys(KINDS, ZERO)
    uncovered_by_kind = dict.fromkeys(KINDS, ZERO)
    missing_rate: dict[str, Unit] = {}
    charged = []
    charges = ZERO
    # Once per unit: locals instead of repeated attribute loads, and plain comparisons
    # instead of min() and Decimal == str (each several times slower, same result).
    for unit in units:
        kind, hours = unit.kind, unit.hours
        terms = terms_of[unit.date]
        assert terms is not None, "units are made only on days with terms in force"
        billable[kind] += hours
        if is_unlimited(terms.included(kind)):  # unlimited: covered outright, the pool untouched
            used[kind] += hours
            if detail:
                charged.append(ChargedUnit(unit, hours, ZERO, ZERO))
            continue
        remaining = left[kind]
        if bank is not None:  # rollover lots first, then the month's own, then blocks
            lots = bank.use_lots(kind, hours) if bank.has_lots(kind) else ZERO
            rest = hours - lots
            own = rest if rest < remaining else remaining
            left[kind] = remaining - own
            used[kind] += own
            rest -= own
            draws = bank.draw(unit.date, kind, rest) if rest and bank.held else []
            uncovered = rest - sum((d.hours for d in draws), ZERO)
            covered = hours - uncovered
        else:
            covered = hours if hours < remaining else remaining  # min(remaining, hours)
            left[kind] = remaining - covered
            used[kind] += covered
            uncovered = hours - covered
        charge = ZERO
        if uncovered:
            uncovered_by_kind[kind] += uncovered
            rate = terms.rates.get(kind)
            if rate is None:
                missing_rate.setdefault(kind, unit)
            else:
                multiplier = terms.after_hours_multiplier if unit.after_hours else ONE
                charge = uncovered * rate * multiplier
                if multiplier != ONE:  # rare: the hot path stays a comparison
                    bill.after_hours[kind] = bill.after_hours.get(kind, ZERO) + uncovered
                    bill.after_hours_multiplier = multiplier
        charges += charge
        if detail:
            if bank is not None:
                charged.append(ChargedUnit(unit, covered, uncovered, charge, lots, tuple(draws)))
            else:
                charged.append(ChargedUnit(unit, covered, uncovered, charge))
    bill.hours_billable, bill.included_used, bill.uncovered = billable, used, uncovered_by_kind
    if bank is not None:
        bank.close_month(bill, list(parts), left)
    for kind, unit in missing_rate.items():
        bill.problems.append(missing_rate_problem(contract, bill, kind, unit.where))
    return charged, charges


def missing_rate_problem(contract: Contract, bill: MonthBill, kind: str, where: Location | None) -> Problem:
    """Rule 5's error: the month's uncovered hours of ``kind`` have no rate to charge."""
    return Problem(
        "BillingError",
        f"{contract.client}: {bill.uncovered[kind].normalize():f} {kind} hours in "
        f"{month_label(bill.month)} are beyond the included hours but {contract.display_path}"
        f" has no rate for {kind}: add rates: {{{kind}: N}} (0 to give it away on purpose)",
        where or Location(contract.filename, 1),
    )


def check_entry(contract: Contract, entry: TimeEntry) -> str | None:
    """Why ``entry`` cannot be billed under ``contract`` (docs/reference.md §3), or None if it can."""
    if contract.terms_on(entry.date) is not None:
        return None
    if entry.date < contract.starts:
        return (
            f"time for '{contract.client}' on {entry.date} is before its contract starts "
            f"({contract.starts}): fix the date, or add an earlier term in {contract.display_path}"
        )
    return (
        f"time for '{contract.client}' on {entry.date} is after its contract ends "
        f"({contract.ends}): fix the date, or move 'ends' in {contract.display_path}"
    )


def bill_contract(
    contract: Contract,
    practice: Practice,
    entries: Sequence[TimeEntry],
    today: datetime.date,
    *,
    detail: bool = True,
    period: tuple[Month, Month] | None = None,
) -> list[MonthBill]:
    """Every accrued month of a contract; ``entries`` are its client's, in ledger order.

    Entries after the horizon wait, unbilled; entries outside the terms are skipped here
    (``check_entry`` says why, and the adapters report it). ``period`` (first, last): only
    the accrued months from first through last, exactly as billed among all. A month's bill
    depends on no other month's, except through hour banks: with one, the months before
    are billed too (their lots and blocks carry over), in totals only, and also returned.
    """
    # Ledger order is date order, then file order: a stable sort by date keeps it, and on
    # entries already sorted (as Beancount gives them) it is one cheap pass. Each month is
    # then a slice found by bisection, with no per-entry grouping.
    ordered = sorted(entries, key=_DATE)
    bills = []
    bank = None
    if contract.banks_hours:  # lots and blocks carry from month to month
        from .hourbank import Bank

        bank = Bank.of(contract)
    for month in accrued_months(contract, practice, today):
        if period is not None and month > period[1]:
            break
        in_period = period is None or month >= period[0]
        if not in_period and bank is None:  # nothing carries into the period
            continue
        start = bisect_left(ordered, datetime.date(month[0], month[1], 1), key=_DATE)
        following = next_month(month)
        stop = bisect_left(ordered, datetime.date(following[0], following[1], 1), start, key=_DATE)
        bills.append(
            _checked_month(contract, practice, month, ordered[start:stop], detail and in_period, bank)
        )
    return bills


def _checked_month(
    contract: Contract,
    practice: Practice,
    month: Month,
    entries: Sequence[TimeEntry],
    detail: bool,
    bank: Bank | None,
) -> MonthBill:
    """``bill_month``, or for a month whose figures ``Decimal`` cannot hold, a located error.

    The contract loader bounds every amount, so only time entries with absurd hours get
    here; the month then posts nothing (one error at its largest entry), and the client's
    other months and every other client are billed as usual.
    """
    try:
        with localcontext(BILLING_CONTEXT):
            bill = _bill_month(contract, practice, month, entries, detail, bank)
            _check_fits(bill)
            return bill
    except DecimalException as exc:
        return _unbillable(contract, month, entries, exc)


def _check_fits(bill: MonthBill) -> None:
    """Raise now, if an hours figure the plugin posts (to the hundredth) would not fit."""
    figures = (bill.hours_billable, bill.included_used, bill.uncovered, bill.hours_worked)
    for by_kind in figures:
        for value in by_kind.values():
            value.quantize(CENT)
    for allowance in bill.included.values():
        if isinstance(allowance, Decimal):
            allowance.quantize(CENT)
    bill.total_hours.quantize(CENT)
    bill.uncosted_hours.quantize(CENT)


def _unbillable(
    contract: Contract, month: Month, entries: Sequence[TimeEntry], exc: DecimalException
) -> MonthBill:
    zeros = dict.fromkeys(KINDS, ZERO)
    bill = MonthBill(
        client=contract.client,
        month=month,
        first_day=datetime.date(month[0], month[1], 1),
        last_day=datetime.date(month[0], month[1], days_in(month)),
        days_billed=0,
        hours_worked=dict(zeros),
        hours_nonbillable=dict(zeros),
        hours_billable=dict(zeros),
        included=dict(zeros),
        included_used=dict(zeros),
        uncovered=dict(zeros),
    )
    biggest = max(entries, key=_HOURS, default=None)
    where = biggest.where if biggest is not None else None
    terms = contract.terms_on(bill.first_day) or contract.terms[0]
    if where is None or biggest is None:
        where = terms.where or Location(contract.filename, 1)
        cause = f"check the amounts in {contract.display_path}"
    else:
        hours = str(biggest.hours) if len(str(biggest.hours)) <= 30 else f"{biggest.hours:.3E}"
        cause = f"the largest time entry of the month is here, with {hours} hours: fix its hours"
    bill.problems.append(
        Problem(
            "BillingError",
            f"{contract.client}: {month_label(month)} is not billed, its figures are too large to"
            f" compute exactly ({type(exc).__name__}); {cause}",
            where,
        )
    )
    return bill
