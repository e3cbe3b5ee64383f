"""Statements with hour banks and fixed-price projects: the lines and the words behind them."""

from __future__ import annotations

import json

from click.testing import CliRunner
from support import WriteBooks

from scripts.cli import main

CONTRACT = """\
client: bank-co
name: Bank Co
terms:
  - from: 2026-01-01
    monthly_fee: 100
    included_hours: {remote: 1}
    rates: {remote: 90, onsite: 120}
    travel: {trip_fee: 30, travel_minutes: 30, travel_rate: 50}
blocks:
  - date: 2026-01-02
    hours: 5
    price: 400.00
    expires: 2026-06-30
projects:
  - id: move
    name: Office move
    price: 1000.00
    milestones: [{date: 2026-01-15, amount: 600.00}, {date: 2026-02-15, amount: 400.00}]
"""
TIME = """\
2026-01-06 custom "time" "bank-co" "remote" 3
  staff: "alice"
2026-01-07 custom "time" "bank-co" "onsite" 1
  staff: "alice"
2026-01-08 custom "time" "bank-co" "onsite" 2
  staff: "alice"
  project: "move"
"""


def markdown(write_books: WriteBooks) -> str:
    books = write_books(TIME, {"bank-co": CONTRACT}, "accrue_through: 2026-01\n")
    assert books.errors == []
    result = CliRunner().invoke(main, ["statement", "bank-co", "2026-01", "--ledger", str(books.path)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_block_bought_milestone_and_travel_time_in_words(write_books: WriteBooks) -> None:
    out = markdown(write_books)
    # The block's price is billed on the day it is bought.
    block = "$400 for a block of 5 h of remote and on site work, usable to 2026-06-30"
    assert f"| 2026-01 | Prepaid hours | {block} |" in out
    # Milestone 1 of 2 on 2026-01-15; the project's 2 h are not agreement time.
    assert "| $600 for Office move, milestone 1 of 2 (fixed price $1,000) | $600.00 |" in out
    # One visit (the 7th; the 8th is project work): 30 trip fee + 30/60 h × 50 = 55.00.
    assert "1 visit × ($30 trip fee + 30 min × $50/h drive) | $55.00 |" in out
    # Remote: 3 h, 1 included, the other 2 from the block; onsite 1 h, no allowance, from the
    # block too (it covers both kinds): 5 - 2 - 1 = 2 h left. Nothing is billed by the hour.
    assert "- 2026-01: 3.00 h from block of 2026-01-02, 2.00 h left" in out
    # Total: retainer 100 + block 400 + milestone 600 + travel 55 = 1,155.00
    assert "**$1,155.00**" in out


def test_no_hourly_line_when_the_block_covers_it(write_books: WriteBooks) -> None:
    out = markdown(write_books)
    lines = [line for line in out.splitlines() if line.startswith("| 2026-01 |")]
    kinds = [line.split("|")[2].strip() for line in lines]
    assert kinds == ["Retainer", "Travel", "Prepaid hours", "Project"]


DRIVE = """\
client: drive-co
terms:
  - from: 2026-01-01
    included_hours: {onsite: unlimited}
    travel: {travel_minutes: 25, travel_rate: 95}
"""


def test_visits_add_up_to_the_travel_line(write_books: WriteBooks) -> None:
    """Three visits of 25 min × 95/h = 39.5833 each; the month is rounded once: 118.75.
    Each visit shows the cents of its running total: 39.58, 79.17 - 39.58 = 39.59, 118.75 -
    79.17 = 39.58, which add up to the 118.75 posted."""
    time = "".join(f'2026-01-{day:02d} custom "time" "drive-co" "onsite" 1\n' for day in (5, 12, 19))
    books = write_books(time, {"drive-co": DRIVE}, "accrue_through: 2026-01\n")
    result = CliRunner().invoke(
        main, ["statement", "drive-co", "2026-01", "--ledger", str(books.path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [line["amount"] for line in document["lines"] if line["kind"] == "travel"] == ["118.75"]
    assert [visit["amount"] for visit in document["visits"]] == ["39.58", "39.59", "39.58"]
