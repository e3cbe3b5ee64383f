"""The plain month: rules 2-6 in one pass, for the month most bills are.

A plain month is billed under one set of terms (no term change inside it), with no hour
bank (no rollover lots, no prepaid blocks) and for its totals only (``detail=False``: the
plugin and the reports that read totals). ``rules._bill_month`` bills every month the
general way: a list of hours by kind, then a list of units with their shortfalls, then the
units charged one by one, each day's terms looked up again for every unit. Here one loop
over the month's entries does it all, with the terms' figures read once for the month.

The result is the general path's, byte for byte: the same ``Decimal`` operations on the
same operands in the same order, so every sum rounds (where 1/60 h has no exact decimal)
exactly as there. The one reordering is harmless by construction: units are charged in
the general path's unit order (a remote unit written after a visit's last onsite unit
waits until that visit's shortfall unit is charged), and the hours-worked figures, which
no unit reads, are added up on the way. ``tests/test_plainmonth.py`` checks this on drawn
contracts and time against the general path.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from .model import KINDS, ZERO, Contract, Practice, TimeEntry, hours_of, is_unlimited
from .rules import (
    ONE,
    SIXTY,
    MonthBill,
    Segment,
    _allowance,
    _milestones,
    _rounded_hours,
    billable_minutes,
    cents,
    labor_cost,
    missing_rate_problem,
)


class _Month:
    """What the month's units cost in all, beyond their kinds' included hours (rule 5)."""

    __slots__ = ("after_hours", "charges", "last_multiplier", "missing")

    def __init__(self, bill: MonthBill) -> None:
        self.after_hours = bill.after_hours  # surcharged hours by kind, in first-use order
        self.last_multiplier: Decimal | None = None  # the multiplier of a surcharged unit
        self.charges = ZERO  # unrounded; ``x + 0`` is ``x``, so covered units add nothing
        #: kind -> the visit of its first unit with no rate, in the order they came
        self.missing: dict[str, TimeEntry] = {}


class _Pool:
    """One kind's included hours for the month, and its units beyond them (rules 4-5).

    ``charge`` is ``rules._apply_included``'s loop body for one unit, with the terms'
    figures (unlimited or not, the rate, the multiplier) looked up once per month.
    """

    __slots__ = ("billable", "kind", "left", "month", "multiplier", "rate", "uncovered", "unlimited", "used")

    def __init__(self, kind: str, bill: MonthBill, part: Segment, month: _Month) -> None:
        terms = part.terms
        allowance = _allowance((part,), bill.month, kind)
        bill.included[kind] = allowance
        self.kind = kind
        self.left = hours_of(allowance)
        self.unlimited = is_unlimited(terms.included(kind))
        self.rate = terms.rates.get(kind)
        self.multiplier = terms.after_hours_multiplier
        self.billable = self.used = self.uncovered = ZERO
        self.month = month

    def charge(self, hours: Decimal, after_hours: bool, visit: TimeEntry) -> None:
        """Use the pool for one unit; charge what it leaves uncovered."""
        self.billable += hours
        if self.unlimited:  # covered outright, the pool untouched
            self.used += hours
            return
        remaining = self.left
        covered = hours if hours < remaining else remaining  # min(remaining, hours)
        self.left = remaining - covered
        self.used += covered
        uncovered = hours - covered
        if uncovered:
            self.uncovered += uncovered
            rate = self.rate
            month = self.month
            if rate is None:
                month.missing.setdefault(self.kind, visit)
                return
            multiplier = self.multiplier if after_hours else ONE
            month.charges += uncovered * rate * multiplier
            if multiplier != ONE:
                month.after_hours[self.kind] = month.after_hours.get(self.kind, ZERO) + uncovered
                month.last_multiplier = multiplier


def bill_plain_month(
    contract: Contract,
    practice: Practice,
    bill: MonthBill,
    part: Segment,
    entries: Sequence[TimeEntry],
) -> MonthBill:
    """Fill ``bill`` (its fee and tools already set) from the month's ``entries``, in ledger
    order, under the one segment ``part`` of terms in force this month."""
    terms = part.terms
    first = part.first
    last = first + datetime.timedelta(days=part.days - 1)
    # In force on every day of the month (the usual case): no entry needs its date checked.
    whole = first.day == 1 and last == bill.last_day
    projects = bool(contract.projects)
    project_hours = bill.project_hours
    worked = dict.fromkeys(KINDS, ZERO)
    idle = dict.fromkeys(KINDS, ZERO)
    staff: dict[str, Decimal] = {}
    month = _Month(bill)
    pools = {kind: _Pool(kind, bill, part, month) for kind in KINDS}
    remote, onsite_pool = pools["remote"], pools["onsite"]
    memo = _rounded_hours(terms)
    minimum = terms.onsite_minimum_hours
    visits: list[datetime.date] = []
    day: datetime.date | None = None
    onsite = ZERO  # the day's onsite unit hours so far
    visit: TimeEntry | None = None  # the day's last onsite entry: its shortfall follows it
    later: list[tuple[Decimal, TimeEntry]] = []  # remote units after it, charged after that
    for entry in entries:
        date = entry.date
        if not whole and not first <= date <= last:
            continue
        kind, hours = entry.kind, entry.hours
        worked[kind] += hours
        key = entry.staff or ""
        staff[key] = staff.get(key, ZERO) + hours
        billable = entry.billable
        if not billable:
            idle[kind] += hours
        if projects and entry.project is not None:  # rule 8: labor only, no unit
            project_hours[entry.project] = project_hours.get(entry.project, ZERO) + hours
            continue
        if not billable:
            continue
        unit = memo.get(hours)
        if unit is None:
            unit = memo[hours] = Decimal(billable_minutes(hours, terms)) / SIXTY
        if date != day:
            if visit is not None:
                _end_visit(onsite_pool, remote, onsite, minimum, visit, later)
            day, onsite, visit = date, ZERO, None
        if kind == "onsite":
            if later:  # remote units written before this one: charged before it
                _charge_later(remote, later)
            onsite += unit
            visit = entry
            if not visits or visits[-1] != date:
                visits.append(date)
            onsite_pool.charge(unit, entry.after_hours, entry)
        elif visit is not None:
            later.append((unit, entry))
        else:  # remote: ``worked[kind]`` has already refused any other kind
            remote.charge(unit, entry.after_hours, entry)
    if visit is not None:
        _end_visit(onsite_pool, remote, onsite, minimum, visit, later)
    bill.hours_worked, bill.hours_nonbillable, bill.staff_hours = worked, idle, staff
    bill.labor, bill.uncosted_hours = labor_cost(practice, staff)
    if projects:
        _milestones(bill, contract)
    bill.visits = tuple(visits)
    per_visit = terms.travel.per_visit
    travel = ZERO
    for _ in visits:  # added one by one, as ``sum`` does in the general path
        travel += per_visit
    bill.travel = cents(travel)
    bill.hours_billable = {kind: pool.billable for kind, pool in pools.items()}
    bill.included_used = {kind: pool.used for kind, pool in pools.items()}
    bill.uncovered = {kind: pool.uncovered for kind, pool in pools.items()}
    if month.last_multiplier is not None:
        bill.after_hours_multiplier = month.last_multiplier
    for kind, visit_of_unit in month.missing.items():
        bill.problems.append(missing_rate_problem(contract, bill, kind, visit_of_unit.where))
    bill.hourly = cents(month.charges)
    return bill


def _end_visit(
    onsite_pool: _Pool,
    remote: _Pool,
    onsite: Decimal,
    minimum: Decimal,
    visit: TimeEntry,
    later: list[tuple[Decimal, TimeEntry]],
) -> None:
    """A day's end: its visit's shortfall unit (rule 3), then the remote units after it."""
    if onsite < minimum:
        onsite_pool.charge(minimum - onsite, False, visit)
    _charge_later(remote, later)


def _charge_later(remote: _Pool, later: list[tuple[Decimal, TimeEntry]]) -> None:
    """Charge the remote units held back behind a visit, in the order they were written."""
    for hours, entry in later:
        remote.charge(hours, entry.after_hours, entry)
    later.clear()
