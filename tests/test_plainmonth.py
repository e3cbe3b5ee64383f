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

from billing_strategies import LAST, PRACTICE, TODAY, contracts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.billing.model import Contract, Milestone, Project, Terms, TimeEntry
from plugins.billing.rules import MonthBill, bill_contract

EXAMPLES = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
day = datetime.date


def figures(bill: MonthBill) -> str:
    """Every field of a bill but its per-unit detail, with each Decimal's exact digits."""
    return repr([(f.name, getattr(bill, f.name)) for f in dataclasses.fields(bill) if f.name != "units"])


def both_paths(contract: Contract, entries: list[TimeEntry]) -> tuple[list[MonthBill], list[MonthBill]]:
    return (
        bill_contract(contract, PRACTICE, entries, TODAY, detail=False),
        bill_contract(contract, PRACTICE, entries, TODAY, detail=True),
    )


#: Durations as a tracker or a person writes them: 0.25, 1.5, but also 0.333333 or
#: 0.0083 (half a minute: the whole-minute rounding edge), so that unit hours like 10/60
#: have no exact decimal and every sum is rounded at 28 digits.
hours = st.builds(
    lambda digits, places: D(digits).scaleb(-places), st.integers(1, 900), st.integers(0, 6)
).filter(lambda h: h <= 12)


@st.composite
def month_of_work(draw: st.DrawFn, contract: Contract) -> list[TimeEntry]:
    """Entries on a few days the contract is in force (so days mix kinds), in ledger order."""
    days = draw(st.lists(st.dates(contract.starts, contract.ends or LAST), min_size=1, max_size=5))
    projects = [p.id for p in contract.projects]
    found = []
    for index in range(draw(st.integers(1, 40))):
        found.append(
            TimeEntry(
                draw(st.sampled_from(days)),
                contract.client,
                draw(st.sampled_from(["remote", "onsite"])),
                draw(hours),
                draw(st.sampled_from(["alice", "bob", None])),
                draw(st.booleans()),  # after hours
                draw(st.sampled_from([True, True, True, False])),  # billable
                None,
                None,
                draw(st.sampled_from(["time.beancount", None])),  # None: no place to point at
                index + 1,
                None,
                draw(st.sampled_from([None, None, None, *projects])),
            )
        )
    return sorted(found, key=lambda entry: entry.date)  # stable: each day keeps its order


@st.composite
def varied_contracts(draw: st.DrawFn) -> Contract:
    """The property contracts, some with a rate dropped (its overage is then an error) and
    some with a fixed-price project (its time is labor only)."""
    contract = draw(contracts())
    drop = draw(st.sampled_from([(), ("remote",), ("onsite",), ("remote", "onsite")]))
    terms = tuple(
        dataclasses.replace(t, rates={k: v for k, v in t.rates.items() if k not in drop})
        for t in contract.terms
    )
    projects: tuple[Project, ...] = ()
    if draw(st.booleans()):
        projects = (Project("site", "Site", D(900), (Milestone(day(2026, 2, 10), D(900)),)),)
    return dataclasses.replace(contract, terms=terms, projects=projects)


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
