"""The billing rules (docs/reference.md 2.2), by the table, on domain objects (no Beancount, no YAML).

Every expected amount is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from plugins.billing.model import Contract, Practice, StaffMember, Terms, TimeEntry, Travel
from plugins.billing.rules import (
    accrued_months,
    bill_month,
    billable_minutes,
    billable_units,
    cents,
    included_allowance,
    retainer_fee,
)

day = datetime.date


def contract(*terms: Terms, ends: datetime.date | None = None) -> Contract:
    return Contract("acme", "Acme", "Acme", "USD", tuple(terms), ends=ends, filename="acme.yaml")


def entry(
    date: datetime.date,
    kind: str,
    hours: str,
    *,
    after_hours: bool = False,
    billable: bool = True,
    staff: str | None = None,
) -> TimeEntry:
    return TimeEntry(date, "acme", kind, D(hours), staff, after_hours, billable)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),  # half-up, not banker's (which gives 0.00)
        ("2.675", "2.68"),  # exact Decimal: no float artefact (float gives 2.67)
        ("234.375", "234.38"),
        ("-0.005", "-0.01"),
        ("951.6129032", "951.61"),
    ],
)
def test_money_rounds_half_up_to_cents(amount: str, expected: str) -> None:
    assert cents(D(amount)) == D(expected)


@pytest.mark.parametrize(
    ("hours", "rounding", "minutes"),
    [
        ("0.5", 0, 30),
        ("0.258", 0, 15),  # 15.48 min -> 15
        ("0.025", 0, 2),  # 1.5 min -> 2: half-up at the whole minute
        ("0.0083", 0, 0),  # 0.498 min -> 0
        ("0.2", 15, 15),  # 12 min -> up to 15
        ("0.25", 15, 15),  # exactly 15 stays 15
        ("0.2583", 15, 15),  # 15.498 min -> 15, already a multiple of 15
        ("0.27", 15, 30),  # 16.2 min -> 16 -> up to 30
        ("3.2", 15, 195),  # 192 min -> 195
        ("1.01", 6, 66),  # 60.6 min -> 61 -> up to 66 (tenths of an hour)
    ],
)
def test_billable_minutes(hours: str, rounding: int, minutes: int) -> None:
    terms = Terms(start=day(2026, 1, 1), rounding_minutes=rounding)
    assert billable_minutes(D(hours), terms) == minutes


def test_retainer_per_device_and_flat() -> None:
    terms = Terms(
        start=day(2026, 1, 1),
        monthly_fee=D("900.00"),
        per_device={"workstation": D(45), "server": D(150)},
        devices={"workstation": 12, "server": 1},
    )
    # 900 + 12 * 45 + 1 * 150 = 900 + 540 + 150 = 1590.00
    assert retainer_fee(contract(terms), (2026, 2)) == D("1590.00")


def test_retainer_prorated_across_a_mid_month_price_rise() -> None:
    old = Terms(start=day(2025, 6, 1), monthly_fee=D(900))
    new = Terms(start=day(2026, 1, 16), monthly_fee=D(1000))
    # January has 31 days: 15 at 900, 16 at 1000 -> (13500 + 16000) / 31 = 951.6129 -> 951.61
    assert retainer_fee(contract(old, new), (2026, 1)) == D("951.61")
    assert retainer_fee(contract(old, new), (2026, 2)) == D("1000.00")


def test_retainer_prorated_first_and_last_month() -> None:
    terms = Terms(start=day(2026, 3, 10), monthly_fee=D(310))
    # March 10..31 = 22 of 31 days: 310 * 22 / 31 = 220.00
    assert retainer_fee(contract(terms), (2026, 3)) == D("220.00")
    ending = contract(Terms(start=day(2026, 1, 1), monthly_fee=D(620)), ends=day(2026, 8, 15))
    # August 1..15 = 15 of 31 days: 620 * 15 / 31 = 300.00
    assert retainer_fee(ending, (2026, 8)) == D("300.00")
    # Nothing after the contract ends.
    assert retainer_fee(ending, (2026, 9)) == D("0.00")


def test_included_hours_are_prorated_like_the_fee() -> None:
    terms = Terms(start=day(2026, 3, 10), included_hours={"onsite": D(4), "remote": "unlimited"})
    # 4 hours * 22 / 31 days
    assert included_allowance(contract(terms), (2026, 3), "onsite") == D(88) / D(31)
    assert included_allowance(contract(terms), (2026, 4), "onsite") == D(4)
    assert included_allowance(contract(terms), (2026, 4), "remote") == "unlimited"


def test_unlimited_days_add_nothing_to_the_pool() -> None:
    # Remote unlimited until June 15, then 10 hours a month. June has 30 days:
    # the pool is 10 * 15 / 30 = 5 hours, for units dated June 16 on.
    first = Terms(start=day(2026, 1, 1), included_hours={"remote": "unlimited"}, rates={"remote": D(100)})
    second = Terms(start=day(2026, 6, 16), included_hours={"remote": D(10)}, rates={"remote": D(100)})
    agreement = contract(first, second)
    assert included_allowance(agreement, (2026, 6), "remote") == D(5)
    bill = bill_month(
        agreement,
        Practice(),
        (2026, 6),
        [entry(day(2026, 6, 2), "remote", "20"), entry(day(2026, 6, 20), "remote", "7")],
    )
    # June 2: 20 h under unlimited terms, all covered. June 20: 7 h against a 5 h pool:
    # 2 h uncovered * 100 = 200.00
    assert bill.included_used["remote"] == D(25)
    assert bill.uncovered["remote"] == D(2)
    assert bill.hourly == D("200.00")


def test_included_hours_used_in_ledger_order_with_a_split_unit() -> None:
    terms = Terms(
        start=day(2026, 1, 1),
        included_hours={"onsite": D(4)},
        rates={"onsite": D(125), "remote": D(95)},
        after_hours_multiplier=D("1.5"),
    )
    entries = [
        entry(day(2026, 4, 2), "onsite", "3"),
        entry(day(2026, 4, 3), "onsite", "2", after_hours=True),  # 1 h covered, 1 h at 1.5x
        entry(day(2026, 4, 7), "onsite", "1.5"),
        entry(day(2026, 4, 8), "remote", "0.5"),  # no remote allowance
    ]
    bill = bill_month(contract(terms), Practice(), (2026, 4), entries)
    # onsite: 3 + 1 covered (pool of 4); then 1 h after-hours * 125 * 1.5 = 187.50
    # and 1.5 h * 125 = 187.50; remote 0.5 * 95 = 47.50. Total 422.50
    assert [(u.covered, u.uncovered) for u in bill.units] == [
        (D(3), D(0)),
        (D(1), D(1)),
        (D(0), D("1.5")),
        (D(0), D("0.5")),
    ]
    assert bill.hourly == D("422.50")


def test_onsite_minimum_adds_a_shortfall_unit_right_after_the_visit() -> None:
    terms = Terms(
        start=day(2026, 1, 1),
        included_hours={"onsite": D("0.5"), "remote": "unlimited"},
        rates={"onsite": D(120), "remote": D(90)},
        after_hours_multiplier=D(2),
        onsite_minimum_hours=D(1),
    )
    entries = [
        entry(day(2026, 5, 4), "onsite", "0.5", after_hours=True),
        entry(day(2026, 5, 4), "remote", "0.25"),
    ]
    units = billable_units(contract(terms), entries)
    # The visit has 0.5 h onsite < 1 h: a 0.5 h shortfall at normal hours, placed after the
    # onsite unit and before the remote one.
    assert [(u.kind, u.hours, u.after_hours, u.entry is None) for u in units] == [
        ("onsite", D("0.5"), True, False),
        ("onsite", D("0.5"), False, True),
        ("remote", D("0.25"), False, False),
    ]
    bill = bill_month(contract(terms), Practice(), (2026, 5), entries)
    # The 0.5 h pool covers the after-hours unit (first in order); the shortfall is charged
    # at the normal rate: 0.5 * 120 = 60.00 (not 0.5 * 120 * 2, had it come first).
    assert bill.hourly == D("60.00")


def test_visit_minimum_counts_rounded_units_and_ignores_non_billable() -> None:
    terms = Terms(
        start=day(2026, 1, 1),
        rates={"onsite": D(100)},
        rounding_minutes=15,
        onsite_minimum_hours=D(1),
        travel=Travel(trip_fee=D(45), per_km=D("0.55"), distance_km=D("33.3")),
    )
    entries = [
        entry(day(2026, 5, 4), "onsite", "0.6"),  # 36 min -> 45 min = 0.75 h, +0.25 shortfall
        entry(day(2026, 5, 5), "onsite", "2", billable=False),  # no visit: not billable
        entry(day(2026, 5, 6), "onsite", "1.1"),  # 66 min -> 75 min = 1.25 h, no shortfall
    ]
    bill = bill_month(contract(terms), Practice(), (2026, 5), entries)
    # hours billed: 0.75 + 0.25 + 1.25 = 2.25 * 100 = 225.00
    assert bill.hourly == D("225.00")
    # two visits * (45 + 0.55 * 33.3 = 63.315) = 126.63
    assert bill.visits == (day(2026, 5, 4), day(2026, 5, 6))
    assert bill.travel == D("126.63")


def test_labor_cost_by_staff_rate_default_and_uncosted() -> None:
    terms = Terms(start=day(2026, 1, 1), included_hours={"remote": "unlimited", "onsite": "unlimited"})
    entries = [
        entry(day(2026, 2, 2), "remote", "1.5", staff="alice"),
        entry(day(2026, 2, 3), "onsite", "2", staff="bob", billable=False),
        entry(day(2026, 2, 4), "remote", "0.1", staff="zoe"),
    ]
    staff = {"alice": StaffMember("alice", D(48)), "bob": StaffMember("bob", D(30))}
    with_default = Practice(default_cost_rate=D(35), staff=staff)
    # 1.5 * 48 + 2 * 30 + 0.1 * 35 = 72 + 60 + 3.5 = 135.50 (non-billable time still costs)
    assert bill_month(contract(terms), with_default, (2026, 2), entries).labor == D("135.50")
    without_default = Practice(staff=staff)
    bill = bill_month(contract(terms), without_default, (2026, 2), entries)
    # zoe has no rate and there is no default: 0.1 h uncosted, the rest 132.00
    assert bill.labor == D("132.00")
    assert bill.uncosted_hours == D("0.1")
    # No cost rates at all: no labor line.
    assert bill_month(contract(terms), Practice(), (2026, 2), entries).labor is None


def test_uncovered_hours_without_a_rate_are_an_error_not_a_gift() -> None:
    terms = Terms(start=day(2026, 1, 1), rates={"remote": D(95)})
    bill = bill_month(contract(terms), Practice(), (2026, 2), [entry(day(2026, 2, 2), "onsite", "1")])
    assert bill.hourly == D("0.00")
    assert [p.kind for p in bill.problems] == ["BillingError"]
    assert "no rate for onsite" in bill.problems[0].message
    given_away = Terms(start=day(2026, 1, 1), rates={"onsite": D(0)})
    bill = bill_month(contract(given_away), Practice(), (2026, 2), [entry(day(2026, 2, 2), "onsite", "1")])
    assert bill.problems == []


def test_horizon_months() -> None:
    terms = Terms(start=day(2025, 11, 20))
    practice = Practice(accrue_through=(2026, 2))
    # accrue_through wins over today
    assert accrued_months(contract(terms), practice, day(2027, 5, 1)) == [
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
    ]
    # without it, the current month is the last
    assert accrued_months(contract(terms), Practice(), day(2025, 12, 3)) == [(2025, 11), (2025, 12)]
    # ends earlier than the horizon
    ended = contract(terms, ends=day(2025, 12, 31))
    assert accrued_months(ended, practice, day(2027, 1, 1)) == [(2025, 11), (2025, 12)]
