"""Properties of MRR and its movements over random contracts (hypothesis), on the pure module.

Whatever the terms: each month's MRR is the month before's plus its movements; a contract
in force on any day of a month, with a retainer on its last day, counts in full that month
(so proration never shows as churn or contraction); a client moves at most once a month.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.billing.model import Contract, Practice, Terms
from plugins.billing.rules import months, segments
from plugins.reports.figures import Period
from plugins.reports.mrr import CHURN, CONTRACTION, EXPANSION, NEW, build_recurring, contract_mrr

DAYS = (datetime.date(2026, 12, 31) - datetime.date(2026, 1, 1)).days
FEES = st.sampled_from([Decimal(0), Decimal(250), Decimal(500), Decimal("999.99")])


@st.composite
def contracts(draw: st.DrawFn, client: str) -> Contract:
    offsets = sorted(draw(st.sets(st.integers(0, DAYS), min_size=1, max_size=4)))
    starts = [datetime.date(2026, 1, 1) + datetime.timedelta(days=d) for d in offsets]
    terms = tuple(
        Terms(
            start=day,
            monthly_fee=draw(FEES),
            per_device={"pc": Decimal(40)},
            devices={"pc": draw(st.integers(0, 3))},
        )
        for day in starts
    )
    ends = None
    if draw(st.booleans()):
        ends = starts[0] + datetime.timedelta(days=draw(st.integers(0, 400)))
    return Contract(client, client, client.capitalize(), "USD", terms, ends=ends)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True).flatmap(
    lambda ids: st.tuples(*(contracts(client) for client in ids))
))  # fmt: skip
def test_movements_add_up_and_proration_never_churns(found: tuple[Contract, ...]) -> None:
    books = {contract.client: contract for contract in found}
    practice = Practice(accrue_through=(2027, 6))
    report = build_recurring(
        books, practice, [], Period((2025, 12), None), datetime.date(2027, 6, 1), forecast=6
    )
    recurring = report.of("USD")
    previous = Decimal(0)  # December 2025: nothing is in force yet
    for month in recurring.months:
        assert month.mrr == previous + month.new + month.expansion - month.contraction - month.churn
        assert len({move.client for move in month.movements}) == len(month.movements)
        for move in month.movements:
            contract = books[move.client]
            in_force = bool(segments(contract, month.month))
            if move.kind == CHURN:
                # lost only when nothing is in force, or the terms on its last day bill nothing
                assert not in_force or not contract_mrr(contract, month.month)
            if move.kind in (NEW, EXPANSION, CONTRACTION):
                assert in_force and move.after == contract_mrr(contract, month.month)
            if move.kind == CONTRACTION:
                assert 0 < move.after < move.before
        previous = month.mrr
    assert [m.month for m in recurring.months] == months((2025, 12), (2027, 12))
    assert [m.forecast for m in recurring.months].count(True) == 6
