"""The rate card: the practice's plans side by side with its break/fix rates, and one
example month (``rate_card_example``) priced both ways by the billing core.

Pure: the practice goes in, a ``RateCard`` comes out. The example month is a synthetic
client's time entries billed by ``rules.bill_month``, once on a break/fix contract at
``list_rates`` and once on each plan, so the card's prices are exactly what the books
would bill.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from plugins.billing.model import (
    KINDS,
    ZERO,
    Allowance,
    Contract,
    Plan,
    Practice,
    RateCardExample,
    Terms,
    TimeEntry,
)
from plugins.billing.rules import Month, bill_month, cents

#: The example's month: June 2026 has 30 days, and its Tuesdays leave room for visits.
EXAMPLE_MONTH: Month = (2026, 6)
_FIRST = datetime.date(2026, 6, 1)
_CLIENT = "rate-card-example"


@dataclass(frozen=True, slots=True)
class PlanColumn:
    """One plan as the card shows it, with the example month priced on it."""

    name: str
    terms: Terms  # the plan over an empty term
    monthly: Decimal  # the example's devices at the plan's prices, plus its flat fee
    example: Decimal | None  # the example month on this plan (None: not priced, see note)
    note: str | None = None

    @property
    def included(self) -> dict[str, Allowance]:
        return {kind: self.terms.included(kind) for kind in KINDS}

    @property
    def travel_per_visit(self) -> Decimal:
        return cents(self.terms.travel.per_visit)


@dataclass(frozen=True, slots=True)
class RateCard:
    practice: Practice
    list_rates: dict[str, Decimal]
    plans: tuple[PlanColumn, ...]
    example: RateCardExample | None
    example_hourly: Decimal | None  # the example month at list rates

    def saving(self, column: PlanColumn) -> Decimal | None:
        """What the example month saves on ``column`` against list rates (negative: costs more)."""
        if self.example_hourly is None or column.example is None:
            return None
        return self.example_hourly - column.example


def example_entries(example: RateCardExample) -> list[TimeEntry]:
    """The example's time: remote hours in one entry on the 2nd, onsite hours shared out
    among the visits (to the hundredth, the last visit taking the remainder), one visit a
    week from the 9th. Every entry is in business hours."""
    entries = []
    remote = example.hours.get("remote", ZERO)
    if remote:
        entries.append(TimeEntry(_FIRST + datetime.timedelta(days=1), _CLIENT, "remote", remote))
    onsite = example.hours.get("onsite", ZERO)
    visits = max(example.visits, 1) if onsite else 0
    each = (onsite / visits).quantize(Decimal("0.01")) if visits else ZERO
    for visit in range(visits):
        hours = each if visit < visits - 1 else onsite - each * (visits - 1)
        day = _FIRST + datetime.timedelta(days=8 + 7 * visit)
        entries.append(TimeEntry(day, _CLIENT, "onsite", hours))
    return entries


def _contract(terms: Terms, practice: Practice) -> Contract:
    return Contract(
        client=_CLIENT,
        name="Rate card example",
        account="RateCardExample",
        currency=practice.currency,
        terms=(replace(terms, start=_FIRST, where=None),),
    )


def _price(terms: Terms, practice: Practice, entries: list[TimeEntry]) -> tuple[Decimal | None, str | None]:
    bill = bill_month(_contract(terms, practice), practice, EXAMPLE_MONTH, entries, detail=False)
    if bill.problems:
        kinds = [kind for kind in KINDS if bill.uncovered.get(kind) and kind not in terms.rates]
        what = " and ".join(kinds) or "some"
        return None, f"{what} hours beyond the included ones have no rate: quoted on request"
    return bill.revenue, None


def _with_devices(plan: Plan, example: RateCardExample | None) -> Terms:
    """The plan with the example's device counts (a priced type the example lacks: 0)."""
    terms = plan.terms
    counts = {device: 0 for device in terms.per_device}
    counts.update(example.devices if example is not None else {})
    return replace(terms, devices={**counts, **terms.devices} if terms.devices else counts)


def build_rate_card(practice: Practice) -> RateCard:
    example = practice.rate_card_example
    entries = example_entries(example) if example is not None else []
    hourly = None
    if example is not None and practice.list_rates:
        break_fix = Terms(start=_FIRST, rates=dict(practice.list_rates))
        hourly, _ = _price(break_fix, practice, entries)
    columns = []
    for plan in practice.plans.values():
        terms = _with_devices(plan, example)
        price, note = _price(terms, practice, entries) if example is not None else (None, None)
        columns.append(PlanColumn(plan.name, plan.terms, terms.monthly_retainer, price, note))
    return RateCard(practice, dict(practice.list_rates), tuple(columns), example, hourly)
