"""The break-even fee is exact: it reaches the target and one cent less does not (hypothesis)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.billing.model import Contract, Terms
from plugins.billing.rules import months, retainer_fee
from plugins.reports.reprice import Figures, break_even_fee

CENTS = st.integers(min_value=0, max_value=500_000).map(lambda n: D(n) / 100)


def _reaches(contract: Contract, period: list[tuple[int, int]], rest: D, cost: D, target: D, fee: D) -> bool:
    priced = replace(contract, terms=tuple(replace(t, monthly_fee=fee) for t in contract.terms))
    revenue = rest + sum((retainer_fee(priced, m) for m in period), D(0))
    return revenue > 0 and (revenue - cost) / revenue >= target


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 3, 28)),
    change=st.integers(min_value=1, max_value=200),
    per_device=CENTS,
    devices=st.integers(min_value=0, max_value=40),
    rest=CENTS,
    cost=CENTS,
    target=st.integers(min_value=-50, max_value=95).map(lambda n: D(n) / 100),
    length=st.integers(min_value=1, max_value=14),
    ends=st.booleans(),
)
def test_fee_found_is_the_smallest_cent_that_reaches_the_target(
    start: datetime.date, change: int, per_device: D, devices: int, rest: D, cost: D, target: D,
    length: int, ends: bool,
) -> None:  # fmt: skip
    second = start + datetime.timedelta(days=change)
    contract = Contract(
        client="x", name="x", account="X", currency="USD",
        terms=(
            Terms(start=start, per_device={"pc": per_device}, devices={"pc": devices}),
            Terms(start=second, per_device={"pc": per_device}, devices={"pc": devices + 1}),
        ),
        ends=second + datetime.timedelta(days=40) if ends else None,
    )  # fmt: skip
    first = (start.year, start.month)
    last_day = contract.ends or datetime.date(2027, 6, 30)
    period = [m for m in months(first, (last_day.year, last_day.month))][:length]
    retained = sum((retainer_fee(contract, m) for m in period), D(0))
    fee = break_even_fee(contract, period, Figures(retained + rest, cost, D(1)), target)
    assert fee is not None and fee >= 0 and fee == fee.quantize(D("0.01"))
    assert _reaches(contract, period, rest, cost, target, fee)
    if fee > 0:
        assert not _reaches(contract, period, rest, cost, target, fee - D("0.01"))
