"""Utilization: how busy each staff member is, and what their unbilled time costs.

Agreements should pay for fewer hours; utilization shows whether the hours are there
to give. Per staff member and month: hours worked, billable and non-billable hours (the
actual hours of the time entries, before any rounding of a bill), available hours
(``available_hours_per_week`` ÷ 5 × the month's Monday–Friday days) and utilization =
billable ÷ available; and the labor cost of the non-billable time at the staff member's
cost rate. Pure functions over the billing pass's time entries, so the ``retainer
utilization`` command and the Fava page show the same figures.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from plugins.billing.model import ZERO, Practice, TimeEntry
from plugins.billing.rules import Month, cents, months
from plugins.reports.figures import Period

WORKDAYS_PER_WEEK = 5


@functools.cache
def weekdays(month: Month) -> int:
    """Monday–Friday days of ``month`` (public holidays are not known here)."""
    return sum(1 for week in calendar.monthcalendar(*month) for day in week[:WORKDAYS_PER_WEEK] if day)


def available_hours(practice: Practice, month: Month) -> Decimal:
    """A staff member's working hours in ``month``: the week's hours ÷ 5 × the weekdays."""
    return practice.available_hours_per_week / WORKDAYS_PER_WEEK * weekdays(month)


@dataclass(slots=True)
class Hours:
    """Hours of a staff member (over a month, a period, or on one client)."""

    hours: Decimal = ZERO
    billable: Decimal = ZERO
    nonbillable: Decimal = ZERO

    def add(self, hours: Decimal, billable: bool) -> None:
        self.hours += hours
        if billable:
            self.billable += hours
        else:
            self.nonbillable += hours


@dataclass(slots=True)
class StaffMonth:
    """One staff member in one month."""

    staff: str | None  # None: entries without ``staff:``
    month: Month
    worked: Hours
    available: Decimal
    #: Labor cost of the non-billable hours, to the cent; None when the staff member has
    #: no cost rate (and the practice no default): the hours are uncosted.
    cost: Decimal | None

    @property
    def utilization(self) -> Decimal | None:
        """Billable ÷ available hours (None when nothing is available)."""
        return self.worked.billable / self.available if self.available else None


@dataclass(slots=True)
class StaffRow:
    """A staff member over the period: their months, totals, and the clients worked for."""

    staff: str | None
    name: str
    months: list[StaffMonth]
    clients: dict[str, Hours] = field(default_factory=dict)  # client id -> hours, most first

    @property
    def worked(self) -> Hours:
        total = Hours()
        for month in self.months:
            total.hours += month.worked.hours
            total.billable += month.worked.billable
            total.nonbillable += month.worked.nonbillable
        return total

    @property
    def available(self) -> Decimal:
        return sum((m.available for m in self.months), ZERO)

    @property
    def utilization(self) -> Decimal | None:
        available = self.available
        return self.worked.billable / available if available else None

    @property
    def cost(self) -> Decimal | None:
        """The months' non-billable labor cost, summed (each month rounded once)."""
        costs = [m.cost for m in self.months if m.cost is not None]
        return sum(costs, ZERO) if costs else None


@dataclass(slots=True)
class Utilization:
    period: Period
    months: list[Month]
    staff: list[StaffRow]

    @property
    def rows(self) -> list[StaffMonth]:
        """Every staff member's months, staff by staff."""
        return [month for row in self.staff for month in row.months]


#: Hours by (staff, client, month, billable).
HourTotals = dict[tuple[str | None, str, Month, bool], Decimal]


def hour_totals(time: Mapping[str, Sequence[TimeEntry]]) -> HourTotals:
    """Hours by staff, client, month and billable: one dict update per entry.

    Books hold hundreds of thousands of entries, so they are summed once (the Fava page
    keeps the sums until the next load) and the far fewer sums are cut to each period.
    """
    totals: HourTotals = {}
    get = totals.get
    for client, entries in time.items():
        for entry in entries:
            day = entry.date
            key = (entry.staff, client, (day.year, day.month), entry.billable)
            totals[key] = get(key, ZERO) + entry.hours
    return totals


def build_utilization(
    time: Mapping[str, Sequence[TimeEntry]],
    practice: Practice,
    period: Period,
    totals: HourTotals | None = None,
) -> Utilization:
    """Every staff member's months over ``period`` (open ends: the months with time).

    Staff are those listed in practice.yaml and anyone with time in the period; a listed
    member with no time shows at 0 %, which is worth seeing. ``totals`` are
    ``hour_totals(time)`` if the caller has them already.
    """
    hours: dict[tuple[str | None, Month], Hours] = {}
    by_client: dict[str | None, dict[str, Hours]] = {}
    seen: set[Month] = set()
    if totals is None:
        totals = hour_totals(time)
    for (staff, client, month, billable), total in totals.items():
        if month not in period:
            continue
        seen.add(month)
        hours.setdefault((staff, month), Hours()).add(total, billable)
        by_client.setdefault(staff, {}).setdefault(client, Hours()).add(total, billable)
    first = period.first or (min(seen) if seen else None)
    last = period.last or (max(seen) if seen else None)
    span = months(first, last) if first is not None and last is not None else []
    names = {key: member.name or key for key, member in practice.staff.items()}
    people: list[str | None] = [*sorted(set(names) | {s for s in by_client if s is not None})]
    if None in by_client:
        people.append(None)
    rows = []
    for staff in people:
        rate = practice.cost_rate(staff)
        found = []
        for month in span:
            worked = hours.get((staff, month)) or Hours()
            cost = cents(worked.nonbillable * rate) if rate is not None else None
            found.append(StaffMonth(staff, month, worked, available_hours(practice, month), cost))
        clients = by_client.get(staff, {})
        ordered = dict(sorted(clients.items(), key=lambda item: (-item[1].hours, item[0])))
        rows.append(StaffRow(staff, names.get(staff, staff) if staff else "(no staff)", found, ordered))
    return Utilization(period, span, rows)
