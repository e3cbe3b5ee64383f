"""Fava-native chart data for the report (``<svelte-component type="charts">``).

Fava's bar chart takes one bar group per date: ``balance`` (one bar per currency),
``budgets`` (in single-bars mode, a shaded bar over the bar; not drawn when stacked) and
``account_balances`` (the stacks of the stacked mode, one per key). Each chart carries a
legend of its stacks in stable colours (``legend.stable_legend``), which the page's script
paints the stacks with. Months are grouped by Fava's interval selector, so each
date appears once (the frontend keys bar groups by date). Keys other than currencies
(client names, "remote", "onsite") are fine: the frontend shows the operating
currencies first and then the most used other keys.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from fava.core.charts import DateAndBalanceWithBudget
from fava.internal_api import BarChart

from plugins.billing.model import KINDS, ZERO, hours_of, is_unlimited
from plugins.billing.rules import Month
from plugins.margin.legend import Chart, stable_legend
from plugins.reports.figures import Money
from plugins.reports.margin import MonthFigures, Portfolio

Stacks = dict[str, dict[str, Decimal]]


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


class _Groups:
    """Bar groups by date, filled month by month."""

    def __init__(self, interval: str) -> None:
        self.interval = interval
        self.balance: dict[datetime.date, dict[str, Decimal]] = {}
        self.budgets: dict[datetime.date, dict[str, Decimal]] = {}
        self.stacks: dict[datetime.date, Stacks] = {}

    def _day(self, month: tuple[int, int]) -> datetime.date:
        day = bucket(month, self.interval)
        if day not in self.balance:
            self.balance[day], self.budgets[day], self.stacks[day] = {}, {}, {}
        return day

    def add(self, month: tuple[int, int], key: str, amount: Decimal, stack: str | None = None) -> None:
        day = self._day(month)
        self.balance[day][key] = self.balance[day].get(key, ZERO) + amount
        if stack is not None:
            self.add_stack(month, stack, key, amount)

    def add_stack(self, month: tuple[int, int], stack: str, key: str, amount: Decimal) -> None:
        by_key = self.stacks[self._day(month)].setdefault(stack, {})
        by_key[key] = by_key.get(key, ZERO) + amount

    def add_budget(self, month: tuple[int, int], key: str, amount: Decimal) -> None:
        day = self._day(month)
        self.budgets[day][key] = self.budgets[day].get(key, ZERO) + amount

    def with_legend(self, label: str, colors: Mapping[str, str] | None = None) -> Chart:
        """The chart and the legend of its stacks, in stable colours."""
        chart = self.chart(label)
        return Chart(chart, stable_legend(chart, colors))

    def chart(self, label: str) -> BarChart:
        return BarChart(
            label,
            [
                DateAndBalanceWithBudget(
                    day,
                    self.balance[day],  # type: ignore[arg-type]
                    self.stacks[day],  # type: ignore[arg-type]
                    self.budgets[day],
                )
                for day in sorted(self.balance)
            ],
        )


def portfolio_charts(
    portfolio: Portfolio, interval: str, colors: Mapping[str, str] | None = None
) -> list[Chart]:
    """Margin and revenue per client over time, stacked by client, one bar per currency.

    ``colors`` maps client ids to their colours (``legend.assign_colors``); the stacks are
    keyed by client name, as the legend and Fava's tooltip show them.
    """
    margin, revenue = _Groups(interval), _Groups(interval)
    for row in portfolio.rows:
        if not row.primary:
            continue  # its months are in the primary row's ``foreign``
        name = row.contract.name
        for figures in row.months:
            amounts = [(row.currency, figures.money), *figures.foreign.items()]
            for currency, money in amounts:
                margin.add(figures.month, currency, money.margin, name)
                revenue.add(figures.month, currency, money.revenue, name)
                revenue.add_budget(figures.month, currency, money.costs)
    by_name = {row.contract.name: (colors or {}).get(row.client, "") for row in portfolio.rows}
    return [
        margin.with_legend("Margin per client", by_name),
        revenue.with_legend("Revenue per client", by_name),
    ]


def client_charts(months: Iterable[MonthFigures], currency: str, interval: str) -> list[Chart]:
    """For one client: revenue against cost, and hours worked against included hours."""
    money, hours = _Groups(interval), _Groups(interval)
    for figures in months:
        month, amounts = figures.month, figures.money
        money.add(month, currency, amounts.revenue)
        money.add_budget(month, currency, amounts.costs)
        for stack, amount in _money_stacks(amounts).items():
            money.add_stack(month, stack, currency, amount)
        for kind in KINDS:
            hours.add(month, kind, figures.hours.worked[kind])
            allowance = figures.hours.included[kind]
            if not is_unlimited(allowance) and allowance:
                hours.add_budget(month, kind, hours_of(allowance))
    return [
        money.with_legend("Revenue and costs by kind"),
        hours.with_legend("Hours worked and included"),
    ]


def _money_stacks(money: Money) -> Mapping[str, Decimal]:
    """Revenue lines up, costs down: the stacked view shows where the margin goes."""
    stacks = {
        "Retainer": money.retainer,
        "Hourly": money.hourly,
        "Travel": money.travel,
        "Prepaid": money.prepaid,
        "Other income": money.other_income_beside(True),
        "Labor": -money.labor,
        "Tools": -money.tools,
        "Other costs": -money.other_costs_beside(True),
    }
    return {key: amount for key, amount in stacks.items() if amount}
