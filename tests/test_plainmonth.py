"""The one-pass plain month (``plugins.billing.plainmonth``) bills exactly as the general path.

The plugin bills totals only (``detail=False``), which for a month under one set of terms
with no hour bank takes the one-pass path; ``detail=True`` always takes the general one
(``rules._bill_month``: units, then shortfalls, then charges). Every figure of the two
bills must be the same object value *and* the same ``Decimal`` digits: ``repr`` tells
``Decimal('0.50')`` from ``Decimal('0.5')`` and a 28-digit rounded sum from the exact one.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal as D

from billing_strategies import EXAMPLES, PRACTICE, TODAY, month_of_work, varied_contracts
from hypothesis import given
from hypothesis import strategies as st

from plugins.billing.model import Contract, Terms, TimeEntry
from plugins.billing.rules import MonthBill, bill_contract

day = datetime.date


def figures(bill: MonthBill) -> str:
    """Every field of a bill but its per-unit detail, with each Decimal's exact digits."""
    return repr([(f.name, getattr(bill, f.name)) for f in dataclasses.fields(bill) if f.name != "units"])


def both_paths(contract: Contract, entries: list[TimeEntry]) -> tuple[list[MonthBill], list[MonthBill]]:
    return (
        bill_contract(contract, PRACTICE, entries, TODAY, detail=False),
        bill_contract(contract, PRACTICE, entries, TODAY, detail=True),
    )


@EXAMPLES
@given(st.data())
def test_plain_months_bill_as_the_general_path(data: st.DataObject) -> None:
    contract = data.draw(varied_contracts())
    entries = data.draw(month_of_work(contract))
    plain, general = both_paths(contract, entries)
    assert [figures(b) for b in plain] == [figures(b) for b in general]


def test_a_shortfall_is_charged_before_the_remote_work_written_after_the_visit() -> None:
    # No rates at all, half an onsite hour included, a one-hour onsite minimum. On Jan 6
    # the onsite 0.5 h is covered; the visit's shortfall unit (1 - 0.5 = 0.5 h) comes right
    # after it, before the remote hour written later. So the onsite overage has no rate
    # first, the remote one second: the errors are in that order (a one-pass bill that
    # charged the remote hour as it met it would list remote first).
    terms = Terms(
        start=day(2026, 1, 1),
        included_hours={"onsite": D("0.5")},
        onsite_minimum_hours=D(1),
    )
    contract = Contract("acme", "Acme", "Acme", "USD", (terms,), filename="acme.yaml")
    entries = [
        TimeEntry(day(2026, 1, 6), "acme", "onsite", D("0.5"), filename="t.beancount", lineno=1),
        TimeEntry(day(2026, 1, 6), "acme", "remote", D(1), filename="t.beancount", lineno=2),
    ]
    plain, general = both_paths(contract, entries[:])
    january = plain[0]
    assert [p.message.split(" hours")[0] for p in january.problems] == ["acme: 0.5 onsite", "acme: 1 remote"]
    # Both point at the visit's line and the remote entry's line.
    assert [p.where.lineno for p in january.problems] == [1, 2]
    assert figures(january) == figures(general[0])


def test_uneven_minutes_sum_as_the_general_path_does() -> None:
    # Whole-minute rounding: 0.17 h is 10.2 min -> 10 min = 1/6 h, which Decimal holds as
    # 0.1666666666666666666666666667 (28 digits). Three of them add up, rounding at each
    # step, to 0.5000000000000000000000000001, not 0.5. At 100/h with nothing included
    # each unit costs 16.66666666666666666666666667; the month's 50.00000000000000000000000001
    # is rounded once, to 50.00. The hours figures keep those digits in both paths.
    terms = Terms(start=day(2026, 1, 1), rates={"remote": D(100)})
    contract = Contract("acme", "Acme", "Acme", "USD", (terms,), filename="acme.yaml")
    entries = [TimeEntry(day(2026, 1, 6), "acme", "remote", D("0.17")) for _ in range(3)]
    plain, general = both_paths(contract, entries)
    assert plain[0].hours_billable["remote"] == D("0.5000000000000000000000000001")
    assert plain[0].hourly == D("50.00")
    assert figures(plain[0]) == figures(general[0])
