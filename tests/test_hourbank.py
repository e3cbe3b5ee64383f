"""Hour banks by the table: rollover lots, prepaid blocks, tool costs and travel time.

Pure rules on domain objects (no Beancount, no YAML); every expected amount is worked out
by hand in the comment beside it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.billing.model import Block, Contract, Costs, Practice, Rollover, Terms, TimeEntry, Travel
from plugins.billing.rules import MonthBill, bill_contract

day = datetime.date
PRACTICE = Practice(accrue_through=(2026, 12))


def contract(*terms: Terms, blocks: tuple[Block, ...] = (), ends: datetime.date | None = None) -> Contract:
    return Contract("acme", "Acme", "Acme", "USD", terms, ends=ends, filename="acme.yaml", blocks=blocks)


def entry(date: datetime.date, kind: str, hours: str, *, after_hours: bool = False) -> TimeEntry:
    return TimeEntry(date, "acme", kind, D(hours), None, after_hours)


def bills(c: Contract, *entries: TimeEntry, through: tuple[int, int] = (2026, 12)) -> dict[str, MonthBill]:
    found = bill_contract(c, Practice(accrue_through=through), list(entries), day(2027, 1, 1))
    return {f"{b.month[0]}-{b.month[1]:02d}": b for b in found}


def block(date: datetime.date, hours: str, price: str, index: int = 0, **extra: object) -> Block:
    return Block(date, D(hours), D(price), index=index, **extra)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- blocks


def test_block_runs_out_mid_unit() -> None:
    # 2 onsite h included; a block of 3 h for 200.00 (66.666.../h); onsite rate 100.
    terms = Terms(day(2026, 1, 1), included_hours={"onsite": D(2)}, rates={"onsite": D(100)})
    c = contract(terms, blocks=(block(day(2026, 1, 5), "3", "200.00"),))
    found = bills(
        c,
        entry(day(2026, 1, 6), "onsite", "3.25"),  # 2 included + 1.25 from the block
        entry(day(2026, 2, 6), "onsite", "4"),  # 2 included + 1.75 (the rest of the block) + 0.25 over
        through=(2026, 3),
    )
    jan, feb, mar = found["2026-01"], found["2026-02"], found["2026-03"]
    # January: 1.25 h x 200 / 3 = 83.3333 -> 83.33; 1.75 h left; nothing charged.
    assert (jan.prepaid, jan.hourly) == (D("83.33"), D(0))
    assert jan.blocks[0].bought and jan.blocks[0].hours_left == D("1.75")
    # February: the draw that uses the block up takes what is left: 200.00 - 83.33 = 116.67;
    # the unit is split: 1.75 h from the block, 0.25 h x 100 = 25.00 charged.
    assert (feb.prepaid, feb.hourly) == (D("116.67"), D("25.00"))
    assert feb.uncovered["onsite"] == D("0.25") and feb.block_hours["onsite"] == D("1.75")
    assert (feb.blocks[0].hours_left, feb.blocks[0].price_left) == (D(0), D(0))
    # March: a used-up block is no longer in use.
    assert mar.blocks == () and mar.prepaid == 0


def test_block_draws_in_detail_say_what_is_left() -> None:
    # What a statement says: "3.00 h from block of 2026-01-05, 6.50 h left" (9.5 h block).
    c = contract(
        Terms(day(2026, 1, 1), rates={"remote": D(100)}), blocks=(block(day(2026, 1, 5), "9.5", "950"),)
    )
    found = bill_contract(
        c, Practice(accrue_through=(2026, 1)), [entry(day(2026, 1, 7), "remote", "3")], day(2026, 2, 1)
    )
    (charged,) = found[0].units
    (draw,) = charged.blocks
    assert (draw.block.label, draw.hours, draw.hours_left) == ("block of 2026-01-05", D(3), D("6.5"))
    assert (charged.covered, charged.uncovered) == (D(3), D(0))
    # 3 h x 950 / 9.5 = 300.00
    assert found[0].prepaid == D("300.00")


def test_two_blocks_different_expiries() -> None:
    # No included hours; remote rate 120. B expires first (02-28), so it is drawn before A
    # (expires 12-31), whatever their sizes.
    a = block(day(2026, 1, 2), "10", "1000", 0, expires=day(2026, 12, 31))  # 100.00/h
    b = block(day(2026, 1, 1), "5", "450", 1, expires=day(2026, 2, 28))  # 90.00/h
    c = contract(Terms(day(2026, 1, 1), rates={"remote": D(120)}), blocks=(a, b))
    found = bills(
        c,
        entry(day(2026, 1, 10), "remote", "3"),  # B: 3 h -> 270.00, 2 h left
        entry(day(2026, 2, 10), "remote", "1"),  # B: 1 h -> 90.00, 1 h left
        entry(day(2026, 3, 1), "remote", "2"),  # B expired on 02-28: A: 2 h -> 200.00
        through=(2026, 3),
    )
    jan, feb, mar = found["2026-01"], found["2026-02"], found["2026-03"]
    assert [(m.block.date, m.drawn, m.recognised) for m in jan.blocks if m.drawn] == [
        (day(2026, 1, 1), D(3), D("270.00"))
    ]
    # February: B's draw 90.00, then on 02-28 what is left of it: 450 - 270 - 90 = 90.00.
    (b_feb,) = [m for m in feb.blocks if m.block is b]
    assert (b_feb.recognised, b_feb.expired, b_feb.hours_expired) == (D("90.00"), D("90.00"), D(1))
    assert feb.prepaid == D("180.00")  # 90.00 drawn + 90.00 expired
    # March: only A is in use; 2 h x 100 = 200.00; 8 h left.
    assert [(m.block is a, m.recognised, m.hours_left) for m in mar.blocks] == [(True, D("200.00"), D(8))]
    assert mar.hourly == 0
    # B's recognised total equals its price: 270 + 90 + 90 = 450.
    assert sum((m.income for bill in found.values() for m in bill.blocks if m.block is b), D(0)) == D(450)


def test_blocks_order_never_expiring_last_then_date_then_file_order() -> None:
    never = block(day(2026, 1, 1), "1", "100", 0)
    late = block(day(2026, 1, 3), "1", "100", 1, expires=day(2026, 6, 30))
    early_b = block(day(2026, 1, 2), "1", "100", 2, expires=day(2026, 6, 30))
    early_a = block(day(2026, 1, 2), "1", "100", 3, expires=day(2026, 6, 30))
    c = contract(Terms(day(2026, 1, 1), rates={"remote": D(1)}), blocks=(never, late, early_b, early_a))
    found = bill_contract(
        c, Practice(accrue_through=(2026, 1)), [entry(day(2026, 1, 20), "remote", "4")], day(2026, 2, 1)
    )
    order = [draw.block.index for draw in found[0].units[0].blocks]
    # same expiry: earlier date first (2, 3 share 01-02: file order), then 01-03, never last
    assert order == [2, 3, 1, 0]


def test_block_not_yet_bought_or_wrong_kind_is_not_drawn() -> None:
    onsite_only = block(day(2026, 1, 10), "5", "500", kinds=("onsite",))
    c = contract(Terms(day(2026, 1, 1), rates={"remote": D(100), "onsite": D(100)}), blocks=(onsite_only,))
    found = bills(
        c,
        entry(day(2026, 1, 5), "onsite", "1"),  # before the block is bought: 100.00 charged
        entry(day(2026, 1, 12), "remote", "1"),  # remote: not covered by an onsite block: 100.00
        entry(day(2026, 1, 13), "onsite", "2"),  # drawn: 2 x 100 = 200.00
        through=(2026, 1),
    )
    jan = found["2026-01"]
    assert (jan.hourly, jan.prepaid) == (D("200.00"), D("200.00"))


def test_after_hours_units_draw_hour_for_hour() -> None:
    # A 2 h block for 180 (90/h); onsite rate 100, after-hours x1.5; a 3 h after-hours unit:
    # 2 h from the block (used up: 180.00), 1 h x 100 x 1.5 = 150.00 charged.
    terms = Terms(day(2026, 1, 1), rates={"onsite": D(100)}, after_hours_multiplier=D("1.5"))
    c = contract(terms, blocks=(block(day(2026, 1, 1), "2", "180"),))
    jan = bills(c, entry(day(2026, 1, 5), "onsite", "3", after_hours=True), through=(2026, 1))["2026-01"]
    assert (jan.prepaid, jan.hourly, jan.block_hours["onsite"]) == (D("180"), D("150.00"), D(2))


def test_unlimited_days_draw_on_no_block_and_bank_no_lot() -> None:
    terms = Terms(
        day(2026, 1, 1),
        included_hours={"remote": "unlimited"},
        rates={"remote": D(100)},
        rollover=Rollover(2),
    )
    c = contract(terms, blocks=(block(day(2026, 1, 1), "5", "500"),))
    jan = bills(c, entry(day(2026, 1, 5), "remote", "3"), through=(2026, 1))["2026-01"]
    assert (jan.prepaid, jan.hourly, jan.lots_left["remote"], jan.lots_banked["remote"]) == (0, 0, 0, 0)
    assert jan.blocks[0].hours_left == D(5)


def test_block_expiring_unused_recognises_its_price_on_expiry() -> None:
    b = block(day(2026, 1, 15), "10", "1234.56", expires=day(2026, 3, 15))
    found = bills(contract(Terms(day(2026, 1, 1), rates={"remote": D(1)}), blocks=(b,)), through=(2026, 4))
    assert [found[m].prepaid for m in ("2026-01", "2026-02", "2026-03", "2026-04")] == [0, 0, D("1234.56"), 0]
    assert found["2026-03"].blocks[0].hours_expired == D(10)


# ---------------------------------------------------------------------------- rollover


def test_rollover_lots_oldest_first_capped_and_switched_off_by_a_term_change() -> None:
    # 4 remote h a month, rollover 2 months, at most 5 h banked; from 03-16 rollover is off
    # (the terms on March's last billed day decide March).
    first = Terms(
        day(2026, 1, 1),
        included_hours={"remote": D(4)},
        rates={"remote": D(100)},
        rollover=Rollover(2, D(5)),
    )
    off = Terms(
        day(2026, 3, 16), included_hours={"remote": D(4)}, rates={"remote": D(100)}, rollover=Rollover(0)
    )
    c = contract(first, off)
    found = bills(
        c,
        entry(day(2026, 1, 10), "remote", "1"),  # own 1 of 4 -> January lot 3 h
        entry(day(2026, 2, 10), "remote", "1"),  # Jan lot 1 (2 left); Feb lot 4: 6 > 5, cut 1 from Jan
        entry(day(2026, 3, 10), "remote", "7"),  # lots 1 + 4, own 2 of 4; no March lot (off)
        entry(day(2026, 4, 10), "remote", "5"),  # no lots left: own 4, 1 h x 100 charged
        through=(2026, 4),
    )
    jan, feb, mar, apr = (found[m] for m in ("2026-01", "2026-02", "2026-03", "2026-04"))
    assert (jan.lots_used["remote"], jan.lots_banked["remote"], jan.lots_left["remote"]) == (0, 3, 3)
    assert (feb.lots_used["remote"], feb.included_used["remote"]) == (1, 0)
    assert (feb.lots_banked["remote"], feb.lots_cut["remote"], feb.lots_left["remote"]) == (4, 1, 5)
    assert [(lot.banked, lot.hours) for lot in feb.lots] == [((2026, 1), 1), ((2026, 2), 4)]
    assert (mar.lots_used["remote"], mar.included_used["remote"], mar.hourly) == (5, 2, 0)
    assert (mar.lots_banked["remote"], mar.lots_left["remote"]) == (0, 0)
    assert (apr.lots_used["remote"], apr.hourly) == (0, D("100.00"))


def test_lots_expire_after_n_months() -> None:
    terms = Terms(
        day(2026, 1, 1), included_hours={"onsite": D(2)}, rates={"onsite": D(100)}, rollover=Rollover(1)
    )
    found = bills(
        contract(terms),
        entry(day(2026, 2, 3), "onsite", "2"),  # Jan lot 2 h used: Feb's own 2 h banked
        entry(day(2026, 4, 3), "onsite", "3"),  # Feb lot ended after March; March lot 2: 2 + own 1
        through=(2026, 4),
    )
    feb, mar, apr = found["2026-02"], found["2026-03"], found["2026-04"]
    assert (feb.lots_used["onsite"], feb.lots_banked["onsite"]) == (2, 2)
    assert mar.lots_expired["onsite"] == 0  # January's lot was used up in February
    # April: February's lot (usable in March only, unused) expires; March's 2 h lot is used.
    assert (apr.lots_expired["onsite"], apr.lots_used["onsite"], apr.included_used["onsite"]) == (2, 2, 1)
    assert apr.hourly == 0


def test_lots_prorated_allowance_and_end_with_the_contract() -> None:
    # Starts 01-16: January's allowance is 4 x 16 / 31 = 64/31 h, all unused -> the lot.
    terms = Terms(day(2026, 1, 16), included_hours={"remote": D(4)}, rollover=Rollover(3))
    found = bills(contract(terms, ends=day(2026, 2, 14)), through=(2026, 6))
    assert found["2026-01"].lots_left["remote"] == D(64) / D(31)
    assert list(found) == ["2026-01", "2026-02"]
    assert found["2026-02"].lots_left["remote"] == 0 and found["2026-02"].lots == ()


def test_lots_then_blocks_then_overage() -> None:
    # rule 4a before 4b: Jan lot 1 h; February 5 h: lot 1, own 2, block 1, 1 h over at 100.
    terms = Terms(
        day(2026, 1, 1), included_hours={"remote": D(2)}, rates={"remote": D(100)}, rollover=Rollover(1)
    )
    c = contract(terms, blocks=(block(day(2026, 1, 1), "1", "80"),))
    found = bills(
        c, entry(day(2026, 1, 5), "remote", "1"), entry(day(2026, 2, 5), "remote", "5"), through=(2026, 2)
    )
    feb = found["2026-02"]
    assert (feb.lots_used["remote"], feb.included_used["remote"], feb.block_hours["remote"]) == (1, 2, 1)
    assert (feb.prepaid, feb.hourly) == (D(80), D("100.00"))


# ---------------------------------------------------------------------------- costs, travel


def test_tool_costs_prorated_like_the_fee() -> None:
    # 25 + 3.50 x 12 + 9 x 1 = 76.00 a month; from 01-16: 76 x 16 / 31 = 39.2258 -> 39.23.
    terms = Terms(
        day(2026, 1, 16),
        per_device={"workstation": D(45), "server": D(150)},
        devices={"workstation": 12, "server": 1},
        costs=Costs(D(25), {"workstation": D("3.50"), "server": D(9)}),
    )
    found = bills(contract(terms), through=(2026, 2))
    assert (found["2026-01"].tools, found["2026-02"].tools) == (D("39.23"), D("76.00"))


def test_no_costs_no_tools() -> None:
    assert bills(contract(Terms(day(2026, 1, 1))), through=(2026, 1))["2026-01"].tools == 0


def test_travel_time_per_visit() -> None:
    # 45 + 0.55 x 30 + 40 / 60 x 60 = 45 + 16.50 + 40.00 = 101.50 a visit; two visits 203.00.
    travel = Travel(D(45), D("0.55"), D(30), D(40), D(60))
    terms = Terms(day(2026, 1, 1), included_hours={"onsite": D(10)}, travel=travel)
    jan = bills(
        contract(terms),
        entry(day(2026, 1, 5), "onsite", "1"),
        entry(day(2026, 1, 6), "onsite", "1"),
        through=(2026, 1),
    )["2026-01"]
    assert jan.travel == D("203.00")
    # 50 minutes at 95/h: 79.1666... per visit, one visit -> 79.17 (rounded once a month)
    alone = Terms(
        day(2026, 1, 1),
        included_hours={"onsite": D(10)},
        travel=Travel(travel_minutes=D(50), travel_rate=D(95)),
    )
    assert bills(contract(alone), entry(day(2026, 1, 5), "onsite", "1"), through=(2026, 1))[
        "2026-01"
    ].travel == D("79.17")


# ---------------------------------------------------------------------------- property


@settings(max_examples=150, deadline=None)
@given(
    hours_quarters=st.integers(1, 160),
    price_cents=st.integers(1, 1_000_000),
    usage=st.lists(st.integers(0, 40), min_size=1, max_size=10),
    expires_after=st.one_of(st.none(), st.integers(0, 9)),
)
def test_block_recognised_total_equals_its_price(
    hours_quarters: int, price_cents: int, usage: list[int], expires_after: int | None
) -> None:
    """Over random monthly usage (quarter hours), a block used up or expired has recognised
    exactly its price; before that, never more than its price, and never a negative month."""
    hours, price = D(hours_quarters) / 4, D(price_cents) / 100
    expires = None
    if expires_after is not None:
        month = 1 + expires_after
        expires = day(2026, month, 28)
    b = block(day(2026, 1, 1), str(hours), str(price), expires=expires)
    c = contract(Terms(day(2026, 1, 1), rates={"remote": D(100)}), blocks=(b,))
    entries = [entry(day(2026, 1 + i, 2), "remote", str(D(q) / 4)) for i, q in enumerate(usage) if q]
    found = bill_contract(c, Practice(accrue_through=(2026, 10)), entries, day(2027, 1, 1))
    income = [m.income for bill in found for m in bill.blocks]
    assert all(amount >= 0 for amount in income)
    total = sum(income, D(0))
    drawn = sum((m.drawn for bill in found for m in bill.blocks), D(0))
    assert drawn == min(
        hours,
        sum((D(q) / 4 for q in usage[: (expires_after + 1) if expires_after is not None else 10]), D(0)),
    )
    if drawn == hours or expires is not None:
        assert total == price
    else:
        assert total <= price


def test_what_a_statement_says_of_the_bank() -> None:
    from plugins.reports.banks import bank_lines
    from plugins.reports.figures import bill_lines

    # Rollover 1 month, 2 remote h included; a 9.5 h block of 2026-01-05 for 950.00.
    terms = Terms(
        day(2026, 1, 1), included_hours={"remote": D(2)}, rates={"remote": D(100)}, rollover=Rollover(1)
    )
    b = block(day(2026, 1, 5), "9.5", "950", expires=day(2026, 2, 20))
    found = bills(contract(terms, blocks=(b,)), entry(day(2026, 2, 10), "remote", "7"), through=(2026, 2))
    # January: nothing worked, 2 h banked; the block is bought (950.00 billed that day).
    assert [(line.what, line.detail, line.amount) for line in bill_lines(found["2026-01"])] == [
        ("Prepaid block", "9.50 h block of 2026-01-05, expires 2026-02-20", D(950))
    ]
    # February: 7 h = 2 from January's lot + 2 own + 3 from the block (6.5 h left, which
    # expire on 02-20).
    assert bank_lines(found["2026-02"]) == [
        "2.00 remote h from hours rolled over",
        "3.00 h from block of 2026-01-05, 6.50 h left",
        "block of 2026-01-05 expired on 2026-02-20 with 6.50 h unused",
    ]


@settings(max_examples=100, deadline=None)
@given(
    hours_quarters=st.integers(1, 80),
    price_cents=st.integers(1, 500_000),
    minutes=st.lists(st.integers(1, 600), min_size=1, max_size=12),
)
def test_block_used_up_in_odd_minutes_recognises_its_price(
    hours_quarters: int, price_cents: int, minutes: list[int]
) -> None:
    """Minutes ÷ 60 has no exact decimal (25 min = 0.41666... h): a block drawn down by such
    units is still used up exactly, and then has recognised exactly its price."""
    hours, price = D(hours_quarters) / 4, D(price_cents) / 100
    c = contract(
        Terms(day(2026, 1, 1), rates={"remote": D(100)}),
        blocks=(block(day(2026, 1, 1), str(hours), str(price)),),
    )
    entries = [entry(day(2026, 1 + i, 3), "remote", str(D(m) / 60)) for i, m in enumerate(minutes)]
    found = bill_contract(c, Practice(accrue_through=(2026, 12)), entries, day(2027, 1, 1))
    months = [m for bill in found for m in bill.blocks]
    total = sum((m.income for m in months), D(0))
    if sum(minutes) >= hours * 60:
        assert months[-1].hours_left == 0 and total == price
    else:
        assert months[-1].hours_left > 0 and total <= price


def test_nothing_after_the_horizon_is_recognised_or_bought() -> None:
    # Accrued through March: the block of 02-01 expiring 06-30 is still held (no expiry
    # posted); the block of 05-01 is not bought yet.
    held = block(day(2026, 2, 1), "5", "500", 0, expires=day(2026, 6, 30))
    later = block(day(2026, 5, 1), "5", "500", 1)
    found = bills(
        contract(Terms(day(2026, 1, 1), rates={"remote": D(1)}), blocks=(held, later)), through=(2026, 3)
    )
    assert [(m.block.index, m.bought) for bill in found.values() for m in bill.blocks] == [
        (0, True),
        (0, False),
    ]
    assert sum((bill.prepaid for bill in found.values()), D(0)) == 0
