"""Fava page **Utilization**: billable hours against available ones, per staff member.

A thin adapter over ``plugins.reports.utilization`` (the figures ``retainer utilization``
prints), cut to Fava's time filter: an overview chart of everyone's utilization, and per
staff member a chart of billable, non-billable and unused available hours, with a legend
of its stacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fava.context import g
from fava.internal_api import BarChart

from plugins.billing.model import ZERO
from plugins.books import Books
from plugins.margin.ledger_view import period_of
from plugins.margin.legend import Chart, bar_group, with_legend
from plugins.margin.loaded import BooksPage
from plugins.reports.utilization import HourTotals, StaffRow, build_utilization, hour_totals
from plugins.reports.utilization import Utilization as Figures

HUNDRED = Decimal(100)


@dataclass
class UtilizationPage:
    figures: Figures | None = None
    overview: Chart | None = None
    staff_charts: list[tuple[StaffRow, Chart]] = field(default_factory=list)
    error: str | None = None


def overview_chart(figures: Figures) -> Chart:
    """Everyone's utilization (%) side by side, month by month; Fava's own legend names
    the bars (one "currency" per staff member)."""
    groups = []
    for index, month in enumerate(figures.months):
        balance = {}
        for row in figures.staff:
            utilization = row.months[index].utilization
            balance[row.name] = (utilization or ZERO) * HUNDRED
        groups.append(bar_group(month, balance, {}))
    return Chart(BarChart("Utilization by staff member (% of available hours)", groups), [])


def staff_chart(row: StaffRow) -> Chart:
    """One staff member's hours: billable, non-billable, and what was left of the
    available hours (the bar's full height is the available hours, or more)."""
    groups = []
    for found in row.months:
        worked = found.worked
        stacks = {
            "Billable": worked.billable,
            "Non-billable": worked.nonbillable,
            "Unused available": max(ZERO, found.available - worked.hours),
        }
        # every key in every month, zeros too: the colours then stay the same from one
        # staff member's chart to the next (Fava colours the stacks by their number)
        every = {key: {"hours": hours} for key, hours in stacks.items()}
        groups.append(bar_group(found.month, {"hours": worked.hours}, every, {"hours": found.available}))
    return with_legend(f"{row.name}: hours by month", groups)


class Utilization(BooksPage):
    """Per staff member and month: hours, billable share of available hours, unbilled cost."""

    report_title = "Utilization"
    _totals: HourTotals | None = None
    _totals_of: Books | None = None

    def page(self) -> UtilizationPage:
        """The page's data for this request; a bug shows as a message, not a broken page."""
        return self.guarded(self._page, lambda why: UtilizationPage(error=why))

    def _page(self, books: Books) -> UtilizationPage:
        if self._totals_of is not books:  # summed once per load, cut per request
            self._totals, self._totals_of = hour_totals(books.time), books
        figures = build_utilization(books.time, books.practice, period_of(g.filtered), self._totals)
        charts = [(row, staff_chart(row)) for row in figures.staff]
        return UtilizationPage(figures, overview_chart(figures), charts)

    def client_name(self, client: str) -> str:
        contract = self.books.clients.get(client) if self.books is not None else None
        return contract.name if contract is not None else client

    @property
    def per_week(self) -> Decimal:
        return self.books.practice.available_hours_per_week if self.books is not None else Decimal(40)
