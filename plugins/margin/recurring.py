"""Fava page **Recurring Revenue**: MRR, its movements, the revenue mix, contracts ending.

A thin adapter over ``plugins.reports.mrr`` (the figures ``retainer mrr`` prints): per
request it hands the filtered ledger's postings and Fava's time filter to the report and
turns its months into Fava-native bar charts, each with a legend of its stacks. The
forecast continues the chart after the accrual horizon: through the end of Fava's time
filter when that reaches past the horizon, else ``?forecast=N`` months (default 12).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from fava.context import g
from flask import request

from plugins.billing.model import ZERO
from plugins.billing.rules import Month, books_horizon
from plugins.books import Books, ledger_postings
from plugins.margin.ledger_view import period_of
from plugins.margin.legend import Chart, bar_group, with_legend
from plugins.margin.loaded import BooksPage
from plugins.reports.figures import Period
from plugins.reports.mrr import (
    MOVEMENTS,
    Recurring,
    RecurringReport,
    build_recurring,
    look_ahead_from,
    months_after,
)

if TYPE_CHECKING:  # pragma: no cover
    from beancount.core.data import Directive

    from plugins.billing.model import Contract

DEFAULT_FORECAST = 12
MAX_FORECAST = 60


@dataclass
class CurrencySection:
    recurring: Recurring
    charts: list[Chart]

    @property
    def currency(self) -> str:
        return self.recurring.currency


@dataclass
class RecurringPage:
    report: RecurringReport | None = None
    sections: list[CurrencySection] = field(default_factory=list)
    forecast: int = 0
    error: str | None = None


def _nonzero(stacks: dict[str, Decimal], currency: str) -> dict[str, dict[str, Decimal]]:
    return {key: {currency: amount} for key, amount in stacks.items() if amount}


def mrr_chart(recurring: Recurring) -> Chart:
    """MRR by month: what was kept, won (new, expansion) above zero, what was lost
    (contraction, churn) below it; forecast months as one "Forecast" stack."""
    currency = recurring.currency
    groups = []
    for found in recurring.months:
        if found.forecast:
            stacks = {"Forecast": found.mrr}
        else:
            stacks = {"Retained": found.retained, "New": found.new, "Expansion": found.expansion}
        stacks["Contraction"] = -found.contraction
        stacks["Churn"] = -found.churn
        groups.append(bar_group(found.month, {currency: found.mrr}, _nonzero(stacks, currency)))
    return with_legend(f"MRR and its movements ({currency})", groups)


def revenue_chart(recurring: Recurring) -> Chart:
    """The revenue posted each month, by kind: how much of it is recurring."""
    currency = recurring.currency
    groups = []
    for found in recurring.actual:
        revenue = found.revenue
        stacks = {
            "Recurring": revenue.recurring,
            "Hourly": revenue.hourly,
            "Travel": revenue.travel,
            "Prepaid": revenue.prepaid,
            "Projects": revenue.projects,
            "Other income": revenue.other,
        }
        groups.append(bar_group(found.month, {currency: revenue.total}, _nonzero(stacks, currency)))
    return with_legend(f"Revenue by kind ({currency})", groups)


class RecurringRevenue(BooksPage):
    """Monthly recurring revenue and its movements under Fava's time filter."""

    report_title = "Recurring Revenue"
    movements = MOVEMENTS

    def page(self) -> RecurringPage:
        """The page's data for this request; a bug shows as a message, not a broken page."""
        return self.guarded(self._page, lambda why: RecurringPage(error=why))

    def _page(self, books: Books) -> RecurringPage:
        filtered = g.filtered
        period = period_of(filtered)
        forecast = self.forecast_months(period, books_horizon(books.practice, self.today))
        report = build_recurring(
            books.clients,
            books.practice,
            ledger_postings(cast("Sequence[Directive]", filtered.entries)),
            period,
            self.today,
            forecast=forecast,
            as_of=look_ahead_from(period, self.today),
        )
        sections = [
            CurrencySection(recurring, [mrr_chart(recurring), revenue_chart(recurring)])
            for recurring in report.currencies.values()
        ]
        return RecurringPage(report, sections, forecast)

    @staticmethod
    def forecast_months(period: Period, horizon: Month) -> int:
        """How far the forecast goes: through the time filter's end when it has one (so a
        filter of next year shows next year), else ``?forecast=N`` months (default 12)."""
        if period.last is not None:
            return min(MAX_FORECAST, months_after(horizon, period.last))
        try:
            return max(0, min(MAX_FORECAST, int(request.args.get("forecast", DEFAULT_FORECAST))))
        except ValueError:
            return DEFAULT_FORECAST

    def contract(self, client: str) -> Contract:
        assert self.books is not None
        return self.books.clients[client]

    @staticmethod
    def total_share(recurring: Recurring) -> Decimal | None:
        return recurring.revenue.recurring_share

    @staticmethod
    def mrr_change(recurring: Recurring) -> Decimal:
        """MRR of the last actual month against the month before the first one shown."""
        actual = recurring.actual
        if not actual:
            return ZERO
        first = actual[0]
        before = first.mrr - first.new - first.expansion + first.contraction + first.churn
        return actual[-1].mrr - before
