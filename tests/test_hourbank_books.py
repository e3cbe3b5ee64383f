"""Hour banks on real ledgers: the contract keys, their errors, and what the plugin posts.

Loaded with Beancount's loader (the plugin runs for real), checked with bean-check, and
printed with Beancount's printer. Amounts are worked out by hand in the comments.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser import printer
from support import WriteBooks

from plugins.billing.contracts import load_contract
from plugins.billing.model import Costs, Practice, Rollover

PREPAID = """\
client: harbor-dental
terms:
  - from: 2026-01-01
    monthly_fee: 300
    per_device: {workstation: 40}
    devices: {workstation: 10}
    included_hours: {remote: 2}
    rates: {remote: 100, onsite: 120}
    travel: {trip_fee: 45, travel_minutes: 30, travel_rate: 60}
    costs: {monthly: 20, per_device: {workstation: 3.50}}
blocks:
  - date: 2026-01-05
    hours: 10
    price: 950.00
    expires: 2026-03-15
    kinds: [remote]
"""

ROLLING = """\
client: pine-law
terms:
  - from: 2026-01-01
    monthly_fee: 800
    included_hours: {remote: 4, onsite: unlimited}
    rates: {remote: 110}
    rollover: {months: 2, max_hours: 6}
"""

TIME = """\
2026-01-07 custom "time" "harbor-dental" "remote" 3
2026-01-08 custom "time" "harbor-dental" "onsite" 1
2026-02-10 custom "time" "harbor-dental" "remote" 5.5
2026-01-12 custom "time" "pine-law" "remote" 1
2026-02-12 custom "time" "pine-law" "remote" 6
2026-02-13 custom "time" "pine-law" "onsite" 2
"""

PRACTICE = "accrue_through: 2026-03\n"


def test_prepaid_block_tools_and_travel_postings(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"harbor-dental": PREPAID, "pine-law": ROLLING}, PRACTICE)
    assert books.errors == []
    # The block's price is receivable on its date and held as a liability.
    [bought] = [t for t in books.transactions() if t.narration == "Prepaid block 2026-01"]
    assert bought.date.isoformat() == "2026-01-05"
    assert [(p.account, p.units.number) for p in bought.postings] == [
        ("Assets:Receivable:HarborDental", D("950.00")),
        ("Liabilities:Prepaid:HarborDental", D("-950.00")),
    ]
    assert bought.meta["block-hours"] == D("10.00") and bought.meta["lineno"] == 12  # the block's date: line
    # January: 3 remote h, 2 included, 1 from the block: 1 x 950 / 10 = 95.00.
    assert books.posted("Income:Clients:HarborDental:Prepaid", "2026-01") == D("-95.00")
    # February: 5.5 h, 2 included, 3.5 from the block: 3.5 x 95 = 332.50; 5.5 h left.
    assert books.posted("Income:Clients:HarborDental:Prepaid", "2026-02") == D("-332.50")
    [feb] = [t for t in books.transactions() if t.narration == "Prepaid 2026-02"]
    assert (feb.meta["hours-drawn"], feb.meta["hours-left"]) == (D("3.50"), D("5.50"))
    # March 15: the block expires with 5.5 h unused: 950 - 95 - 332.50 = 522.50 recognised.
    [expired] = [t for t in books.transactions() if t.narration == "Prepaid expired 2026-03"]
    assert expired.date.isoformat() == "2026-03-15" and expired.meta["hours-expired"] == D("5.50")
    assert books.posted("Income:Clients:HarborDental:Prepaid", "2026-03") == D("-522.50")
    # The liability is back to zero: the whole price was recognised.
    assert books.posted("Liabilities:Prepaid:HarborDental") == D(0)
    assert books.posted("Income:Clients:HarborDental:Prepaid") == D("-950.00")
    # The only hourly charge is the onsite hour of January (the block covers remote only,
    # no onsite hours are included): 1 x 120 = 120.00; every remote hour beyond the
    # included ones came from the block.
    assert books.posted("Income:Clients:HarborDental:Hourly", "2026-01") == D("-120.00")
    assert books.posted("Income:Clients:HarborDental:Hourly") == D("-120.00")
    # Tools: 20 + 3.50 x 10 = 55.00 a month, against Expenses:Tools:Allocated.
    assert books.posted("Expenses:Clients:HarborDental:Tools", "2026-02") == D("55.00")
    assert books.posted("Expenses:Tools:Allocated") == D("-165.00")  # three months
    # Travel: one visit, 45 + 30 / 60 x 60 = 75.00.
    assert books.posted("Income:Clients:HarborDental:Travel", "2026-01") == D("-75.00")
    opened = {e.account for e in books.entries if isinstance(e, data.Open)}
    assert {"Liabilities:Prepaid:HarborDental", "Expenses:Tools:Allocated"} <= opened


def test_rollover_metadata_on_the_retainer(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"harbor-dental": PREPAID, "pine-law": ROLLING}, PRACTICE)
    pine = [t for t in books.transactions() if t.payee == "pine-law" and t.narration.startswith("Retainer")]
    jan, feb, mar = pine
    # January: 1 of 4 remote h used -> a 3 h lot; onsite is unlimited: no onsite lots.
    assert (jan.meta["remote-lots-used"], jan.meta["remote-lot-banked"], jan.meta["remote-lots-left"]) == (
        D("0.00"),
        D("3.00"),
        D("3.00"),
    )
    assert "onsite-lots-used" not in jan.meta
    # February: 6 h = 3 from January's lot + 3 own (1 own left -> a 1 h lot); nothing charged.
    assert (feb.meta["remote-lots-used"], feb.meta["remote-lot-banked"], feb.meta["remote-lots-left"]) == (
        D("3.00"),
        D("1.00"),
        D("1.00"),
    )
    assert books.posted("Income:Clients:PineLaw:Hourly") == D(0)
    # March: nothing worked; 4 h banked, 1 + 4 = 5 h left (under the 6 h cap).
    assert (mar.meta["remote-lot-banked"], mar.meta["remote-lots-left"]) == (D("4.00"), D("5.00"))


def test_generated_entries_print_reload_and_bean_check(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"harbor-dental": PREPAID, "pine-law": ROLLING}, PRACTICE)
    generated = [e for e in books.entries if e.meta["filename"].endswith(".yaml")]
    text = "\n".join(printer.format_entry(entry) for entry in generated)
    assert "Liabilities:Prepaid:HarborDental" in text and "block: 2026-01-05" in text
    entries, errors, _ = loader.load_string(text)
    assert errors == [] and len(entries) == len(generated)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(books.path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_rollover_and_costs_merge_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "client: acme\n"
        "terms:\n"
        "  - from: 2026-01-01\n"
        "    per_device: {workstation: 40, server: 100}\n"
        "    devices: {workstation: 5, server: 1}\n"
        "    rollover: {months: 2, max_hours: 8}\n"
        "    costs: {monthly: 25, per_device: {workstation: 3.50, server: 9}}\n"
        "  - from: 2026-06-01\n"
        "    rollover: {max_hours: 4}\n"
        "    costs: {per_device: {server: 12}}\n"
        "  - from: 2026-09-01\n"
        "    rollover: {months: 0}\n",
        encoding="utf-8",
    )
    contract, problems = load_contract(path, Practice())
    assert problems == [] and contract is not None
    first, second, third = contract.terms
    assert first.rollover == Rollover(2, D(8))
    assert second.rollover == Rollover(2, D(4))
    assert second.costs == Costs(D(25), {"workstation": D("3.50"), "server": D(12)})
    # 25 + 3.50 x 5 + 12 x 1 = 54.50
    assert second.tool_costs == D("54.50")
    assert third.rollover == Rollover(0, D(4)) and not third.rollover.months


BASE = "client: bad-co\nterms:\n  - from: 2026-01-01\n    rates: {remote: 100}\n"


@pytest.mark.parametrize(
    ("tail", "line", "says"),
    [
        ("ends: 2026-06-30\nblocks:\n  - {date: 2026-07-01, hours: 5, price: 500}\n", 7, "dated outside"),
        ("blocks:\n  - {date: 2025-12-31, hours: 5, price: 500}\n", 6, "dated outside the contract's terms"),
        ("blocks:\n  - date: 2026-02-01\n    hours: 5\n    price: 0\n", 8, "price must be more than 0"),
        ("blocks:\n  - date: 2026-02-01\n    hours: -5\n    price: 10\n", 7, "hours must not be negative"),
        ("blocks:\n  - date: 2026-02-01\n    hours: 0\n    price: 10\n", 7, "hours must be more than 0"),
        (
            "blocks:\n  - date: 2026-02-01\n    hours: 5\n    price: 10\n    kinds: [remote, onsit]\n",
            9,
            "unknown kind 'onsit'",
        ),
        (
            "blocks:\n  - date: 2026-02-01\n    hours: 5\n    price: 10\n    expires: 2026-01-31\n",
            9,
            "expires 2026-01-31, before it is bought",
        ),
        ("blocks:\n  - date: 2026-02-01\n    hours: 5\n    prices: 10\n", 8, "did you mean 'price'"),
        ("blocks:\n  - date: 2026-02-01\n    hours: 5\n", 6, "a block needs date, hours and price"),
    ],
)
def test_block_mistakes_are_located(write_books: WriteBooks, tail: str, line: int, says: str) -> None:
    books = write_books("", {"bad-co": BASE + tail})
    [error] = books.errors
    assert type(error).__name__ == "ContractError"
    assert error.source["filename"].endswith("contracts/bad-co.yaml")
    assert (error.source["lineno"], says in error.message) == (line, True), error.message
    assert books.posted("Liabilities:Prepaid:BadCo") == D(0)


@pytest.mark.parametrize(
    ("term", "line", "says"),
    [
        ("    rollover: {month: 2}\n", 5, "unknown key 'month' in rollover (did you mean 'months'?)"),
        ("    rollover: {months: 1.5}\n", 5, "rollover.months must be a whole number"),
        ("    costs: {monthly: -3}\n", 5, "costs.monthly must not be negative"),
        ("    costs: {per_device: {server: 9}}\n", 3, "costs.per_device.server has a cost but no count"),
        ("    travel: {travel_minute: 40}\n", 5, "did you mean 'travel_minutes'?"),
    ],
)
def test_term_key_mistakes_are_located(write_books: WriteBooks, term: str, line: int, says: str) -> None:
    books = write_books("", {"bad-co": BASE + term})
    [error] = books.errors
    assert error.source["lineno"] == line
    assert says in error.message, error.message


def test_margin_command_shows_prepaid_tools_and_the_bank(write_books: WriteBooks) -> None:
    import json

    from click.testing import CliRunner

    from scripts.cli import main

    books = write_books(TIME, {"harbor-dental": PREPAID, "pine-law": ROLLING}, PRACTICE)
    result = CliRunner().invoke(main, ["margin", "--ledger", str(books.path), "--format", "json"])
    assert result.exit_code == 0, result.output
    clients = {c["client"]: c for c in json.loads(result.output)["clients"]}
    harbor, pine = clients["harbor-dental"], clients["pine-law"]
    # 95.00 + 332.50 + 522.50 = 950.00 prepaid; tools 3 x 55.00 = 165.00
    assert (harbor["prepaid"], harbor["tools"]) == ("950.00", "165.00")
    # The block expired on 03-15: nothing left in it on 03-31, so no bank and no block flag.
    assert "bank" not in harbor and not [f for f in harbor["flags"] if f["code"] == "block"]
    # Pine Law: lots of 1 h (February) + 4 h (March) on 03-31 (see the rollover test above).
    assert pine["bank"] == {"as_of": "2026-03-31", "blocks": [], "lots": {"remote": "5.00"}}
