"""plugins.retainer on real ledgers: what it posts (docs/reference.md §4), per account and month."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import printer
from support import WriteBooks

ACME = """\
client: acme-dental
name: Acme Dental LLC
aliases: [Acme Dental, ACME]
terms:
  - from: 2026-01-01
    monthly_fee: 900.00
    per_device: {workstation: 45, server: 150}
    devices: {workstation: 12, server: 1}
    included_hours: {remote: unlimited, onsite: 4}
    rates: {remote: 95, onsite: 125}
    after_hours_multiplier: 1.5
    rounding_minutes: 15
    onsite_minimum_hours: 1
    travel: {trip_fee: 45, per_km: 0.55, distance_km: 30}
  - from: 2026-03-01
    monthly_fee: 1000
    devices: {workstation: 14}
"""

PRACTICE = """\
currency: USD
default_cost_rate: 35
staff: {alice: {cost_rate: 48}, bob: {cost_rate: 30}}
accrue_through: 2026-03
"""

TIME = """\
2026-01-06 custom "time" "acme-dental" "onsite" 1.5
  staff: "alice"
  note: "Replaced switch in server room"
  id: "toggl:1"
2026-01-07 custom "time" "acme-dental" "onsite" 3.2
  staff: "bob"
2026-01-08 custom "time" "acme-dental" "onsite" 0.25
  staff: "bob"
  after-hours: TRUE
2026-01-09 custom "time" "acme-dental" "remote" 7
  staff: "carol"
2026-01-12 custom "time" "acme-dental" "onsite" 2
  staff: "alice"
  billable: FALSE
2026-04-02 custom "time" "acme-dental" "remote" 1
  staff: "alice"
"""


def _printed(entries: list[data.Directive]) -> str:
    return "\n".join(printer.format_entry(entry) for entry in entries)


def test_a_month_of_retainer_overage_travel_and_labor(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    assert books.errors == []
    # Retainer, posted on the 1st: 900 + 12 * 45 + 150 = 1590.00
    assert books.posted("Income:Clients:AcmeDental:Retainer", "2026-01") == D("-1590.00")
    # Onsite units (15-minute rounding): 1.5; 3.2 h = 192 min -> 195 = 3.25; 0.25 after-hours
    # plus a 0.75 shortfall to the 1 h visit minimum. 4 h included: 1.5 + 2.5 of 3.25.
    # Charged: 0.75 * 125 + 0.25 * 125 * 1.5 + 0.75 * 125 = 93.75 + 46.875 + 93.75 = 234.375
    assert books.posted("Income:Clients:AcmeDental:Hourly", "2026-01") == D("-234.38")
    # Three visits (Jan 12 is not billable): 3 * (45 + 0.55 * 30) = 3 * 61.50 = 184.50
    assert books.posted("Income:Clients:AcmeDental:Travel", "2026-01") == D("-184.50")
    # Labor: alice 3.5 h * 48 = 168, bob 3.45 h * 30 = 103.50, carol 7 h * 35 (default) = 245
    assert books.posted("Expenses:Clients:AcmeDental:Labor", "2026-01") == D("516.50")
    assert books.posted("Expenses:Labor:Allocated", "2026-01") == D("-516.50")
    # Receivable = retainer + hourly + travel = 1590 + 234.38 + 184.50 = 2008.88
    assert books.posted("Assets:Receivable:AcmeDental", "2026-01") == D("2008.88")


def test_inherited_terms_and_the_horizon(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    # February: no time, so only the retainer; nothing zero is posted.
    february = [t for t in books.transactions() if t.date.month == 2]
    assert [t.narration for t in february] == ["Retainer 2026-02"]
    # March: fee 1000, 14 workstations inherited price 45, server count inherited:
    # 1000 + 14 * 45 + 150 = 1780.00
    assert books.posted("Income:Clients:AcmeDental:Retainer", "2026-03") == D("-1780.00")
    # April is past accrue_through: its time waits unbilled, without an error.
    assert [t for t in books.transactions() if t.date.month == 4] == []


def test_postings_carry_where_they_came_from(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    hourly = next(t for t in books.transactions() if t.narration == "Hourly 2026-01")
    assert hourly.flag == "*"
    assert hourly.tags == frozenset({"retainer"})
    assert hourly.meta["contract"] == "contracts/acme-dental.yaml"
    assert hourly.meta["month"] == "2026-01"
    assert hourly.meta["filename"].endswith("acme-dental.yaml")
    assert hourly.meta["lineno"] == 5  # the '- from: 2026-01-01' line
    # 1.5 + 3.25 + 0.25 + 0.75 onsite units; 4 of them included; 1.75 billed
    assert hourly.meta["onsite-hours"] == D("5.75")
    assert hourly.meta["onsite-included"] == D("4.00")
    assert hourly.meta["onsite-billed"] == D("1.75")
    assert hourly.meta["remote-included"] == "unlimited"
    assert hourly.date == datetime.date(2026, 1, 31)


def test_contract_files_are_watched(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    includes = books.options["include"]
    assert any(name.endswith("contracts/acme-dental.yaml") for name in includes)
    assert any(name.endswith("contracts/practice.yaml") for name in includes)


def test_opens_only_what_the_ledger_did_not(write_books: WriteBooks) -> None:
    ledger = "2025-12-01 open Assets:Receivable:AcmeDental USD\n" + TIME
    books = write_books(ledger, {"acme-dental": ACME}, PRACTICE)
    assert books.errors == []
    opens = [e.account for e in books.entries if isinstance(e, data.Open)]
    assert opens.count("Assets:Receivable:AcmeDental") == 1
    assert "Income:Clients:AcmeDental:Hourly" in opens
    assert "Expenses:Labor:Allocated" in opens


def test_generated_entries_print_and_reload_identically(write_books: WriteBooks, tmp_path: Path) -> None:
    books = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    generated = [e for e in books.entries if e.meta["filename"].endswith(".yaml")]
    text = _printed(generated)
    assert "#retainer" in text
    # Printed as text, the accruals load as a plain ledger: same balances, no errors.
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    assert len(entries) == len(generated)
    # Same input, same bytes.
    again = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    regenerated = [e for e in again.entries if e.meta["filename"].endswith(".yaml")]
    assert _printed(regenerated) == text


def test_bean_check_passes_on_good_books(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"acme-dental": ACME}, PRACTICE)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(books.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout + run.stderr == ""


def test_break_fix_client_is_billed_only_for_work(write_books: WriteBooks) -> None:
    break_fix = """\
    client: corner-bakery
    terms:
      - from: 2026-01-15
        rates: {remote: 110, onsite: 130}
        onsite_minimum_hours: 1
        rounding_minutes: 15
        travel: {trip_fee: 35}
    """
    ledger = """\
    2026-02-03 custom "time" "corner-bakery" "onsite" 0.4
      staff: "alice"
    2026-02-10 custom "time" "corner-bakery" "remote" 0.1
      staff: "alice"
    """
    books = write_books(ledger, {"corner-bakery": break_fix})
    assert books.errors == []
    # No fee, no included hours: January has nothing to post.
    assert [t for t in books.transactions() if t.date.month == 1] == []
    # Feb 3: 0.4 h = 24 min -> 30 min, short of the 1 h minimum by 0.5: 1 h * 130 = 130
    # Feb 10: 6 min -> 15 min = 0.25 * 110 = 27.50. Hourly 157.50; travel one trip 35.00
    assert books.posted("Income:Clients:CornerBakery:Hourly", "2026-02") == D("-157.50")
    assert books.posted("Income:Clients:CornerBakery:Travel", "2026-02") == D("-35.00")
    # The practice sets no cost rates: no labor allocation at all.
    assert books.posted("Expenses:Clients:CornerBakery:Labor") == D(0)


def test_contract_ending_mid_month_is_prorated_and_later_time_is_an_error(
    write_books: WriteBooks,
) -> None:
    leaving = """\
    client: harbor-law
    account: HarborLaw
    ends: 2026-02-14
    terms:
      - from: 2026-01-01
        monthly_fee: 280
    """
    ledger = """\
    2026-02-20 custom "time" "harbor-law" "remote" 1
    """
    books = write_books(ledger, {"harbor-law": leaving})
    # February 1..14 of 28 days: 280 * 14 / 28 = 140.00; nothing in March.
    assert books.posted("Income:Clients:HarborLaw:Retainer", "2026-02") == D("-140.00")
    assert books.posted("Income:Clients:HarborLaw:Retainer", "2026-03") == D(0)
    [error] = books.errors_named("TimeEntryError")
    assert "after its contract ends (2026-02-14)" in error.message
    assert error.source["lineno"] == 2


def test_shared_metadata_numbers_keep_their_printed_form() -> None:
    from plugins.postings import _shared

    # 20 == 20.00 as values, but metadata prints as written: sharing must not swap them.
    assert str(_shared(D("20.00"))) == "20.00"
    assert str(_shared(D("20"))) == "20"
    assert _shared(D("20.00")) is _shared(D("20.00"))
