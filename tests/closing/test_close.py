"""Closing a month: ``retainer close|reopen|adjust`` on real books loaded by Beancount.

The books: one client, Acme, from 2026-01-01 at 500/month, 2 remote hours included,
remote 100/h, onsite 120/h, a 40 trip fee per visit; accrued through 2026-03.
January: 3 h remote (1 h over: 100) and a 1 h visit (onsite 120, travel 40), so
Retainer 500, Hourly 220, Travel 40. February: 1 h remote (included), Retainer 500.
March: Retainer 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser import printer
from click.testing import CliRunner, Result
from support import Books, WriteBooks, books_snapshot

from scripts.cli import main

CONTRACT = """\
client: acme
name: Acme Co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    included_hours: {remote: 2}
    rates: {remote: 100, onsite: 120}
    travel: {trip_fee: 40}
"""

TIME = """\
2026-01-06 custom "time" "acme" "remote" 3
2026-01-08 custom "time" "acme" "onsite" 1
2026-02-03 custom "time" "acme" "remote" 1
"""

RETAINER = "Income:Clients:Acme:Retainer"
HOURLY = "Income:Clients:Acme:Hourly"
TRAVEL = "Income:Clients:Acme:Travel"
RECEIVABLE = "Assets:Receivable:Acme"


def run(books: Books, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--ledger", str(books.path)])


def reload(books: Books) -> Books:
    entries, errors, options = loader.load_file(str(books.path))
    return Books(books.path, entries, errors, options)


snapshot = books_snapshot


def acme(write_books: WriteBooks, time: str = TIME) -> Books:
    return write_books(time, {"acme": CONTRACT})


def messages(books: Books, name: str = "ClosedMonthError") -> list[str]:
    return [error.message for error in books.errors_named(name)]


def test_close_writes_the_marker_and_the_month_as_printed(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert books.errors == []
    generated = [t for t in books.transactions() if t.date.month == 1]
    result = run(books, "close", "2026-01")
    assert result.exit_code == 0, result.output
    closed = books.path.parent / "closed" / "2026-01.beancount"
    text = closed.read_text(encoding="utf-8")
    body = text[text.index('2026-01-31 custom "retainer-closed" "2026-01"\n') :]
    # The marker, then each January transaction exactly as Beancount prints it (metadata too).
    expected = '2026-01-31 custom "retainer-closed" "2026-01"\n' + "".join(
        "\n" + printer.format_entry(t) for t in generated
    )
    assert body == expected
    assert 'month: "2026-01"' in text and "contract:" in text
    assert books.path.read_text(encoding="utf-8").rstrip().endswith('include "closed/*.beancount"')
    after = reload(books)
    assert after.errors == []
    check = run(after, "check")
    assert check.exit_code == 0 and "Closed: 2026-01 (retainer reopen 2026-01" in check.output
    # January is posted once, from the closed file: 500 + 220 + 40 = 760 receivable.
    assert after.posted(RECEIVABLE, "2026-01") == Decimal("760")
    januaries = [t for t in after.transactions() if t.date.month == 1]
    assert {t.meta["filename"] for t in januaries} == {str(closed)}


def test_a_closed_month_survives_a_contract_edit(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert run(books, "close", "2026-01").exit_code == 0
    contract = books.path.parent.parent / "contracts" / "acme.yaml"
    contract.write_text(CONTRACT.replace("monthly_fee: 500", "monthly_fee: 600"), encoding="utf-8")
    after = reload(books)
    found = messages(after)
    assert len(found) == 1, after.errors
    assert found[0].startswith("acme 2026-01 is closed")
    assert f"{RETAINER} closed 500.00 USD, now 600.00 USD" in found[0]
    for way in ("- from: 2026-02-01", "retainer adjust 2026-01", "retainer reopen 2026-01"):
        assert way in found[0]
    # The closed figures stand; the next open month moves to the new fee.
    assert after.posted(RETAINER, "2026-01") == Decimal("-500")
    assert after.posted(RETAINER, "2026-02") == Decimal("-600")
    assert after.errors_named("ClosedMonthError")[0].source["filename"].endswith("closed/2026-01.beancount")
    # `retainer check` is the gate: it fails and names the error.
    check = run(after, "check")
    assert check.exit_code == 1
    assert "ClosedMonthError: acme 2026-01 is closed" in check.output


def test_a_late_entry_in_a_closed_month_is_caught(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert run(books, "close", "2026-01").exit_code == 0
    time = books.path.parent / "time.beancount"
    # 2 more remote hours: January's remote is 5 h for 2 included, so 3 h * 100 + onsite 120 = 420.
    time.write_text('2026-01-20 custom "time" "acme" "remote" 2\n', encoding="utf-8")
    with books.path.open("a", encoding="utf-8") as ledger:
        ledger.write('include "time.beancount"\n')
    after = reload(books)
    found = messages(after)
    assert len(found) == 1
    assert f"{HOURLY} closed 220.00 USD, now 420.00 USD" in found[0]
    assert after.posted(HOURLY, "2026-01") == Decimal("-220")  # not re-billed


def test_a_late_entry_that_changes_nothing_is_no_error(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert run(books, "close", "2026-02").exit_code == 1  # January first
    assert run(books, "close", "2026-01").exit_code == 0
    assert run(books, "close", "2026-02").exit_code == 0
    # February has 1 of its 2 included remote hours used; another half hour is still included.
    with books.path.open("a", encoding="utf-8") as ledger:
        ledger.write('2026-02-10 custom "time" "acme" "remote" 0.5\n')
    assert reload(books).errors == []


def test_out_of_order_double_past_horizon_and_broken_closes_write_nothing(write_books: WriteBooks) -> None:
    books = acme(write_books)
    folder = books.path.parent.parent
    before = snapshot(folder)
    out_of_order = run(books, "close", "2026-02")
    assert out_of_order.exit_code == 1
    assert "2026-01 is still open" in out_of_order.output
    assert snapshot(folder) == before
    past = run(books, "close", "2026-04")
    assert past.exit_code == 1 and "after the horizon (2026-03)" in past.output
    assert snapshot(folder) == before

    assert run(books, "close", "2026-01").exit_code == 0
    closed_once = snapshot(folder)
    twice = run(books, "close", "2026-01")
    assert twice.exit_code == 1 and "already closed" in twice.output
    assert snapshot(folder) == closed_once

    with books.path.open("a", encoding="utf-8") as ledger:
        ledger.write('2026-02-04 custom "time" "nobody" "remote" 1\n')
    broken = snapshot(folder)
    refused = run(books, "close", "2026-02")
    assert refused.exit_code == 1
    assert "unknown client 'nobody'" in refused.output and "fix them before closing" in refused.output
    assert snapshot(folder) == broken


def test_close_reopen_close_is_byte_for_byte(write_books: WriteBooks) -> None:
    books = acme(write_books)
    folder = books.path.parent.parent
    original = snapshot(folder)
    assert run(books, "close", "2026-01").exit_code == 0
    assert run(books, "close", "2026-02").exit_code == 0
    both = snapshot(folder)
    not_latest = run(books, "reopen", "2026-01")
    assert not_latest.exit_code == 1 and "reopen 2026-02 first" in not_latest.output
    assert snapshot(folder) == both
    assert run(books, "reopen", "2026-02").exit_code == 0
    assert run(books, "close", "2026-02").exit_code == 0
    assert snapshot(folder) == both
    # Reopening everything gives back the books as they were, include line and all.
    assert run(books, "reopen", "2026-02").exit_code == 0
    assert run(books, "reopen", "2026-01").exit_code == 0
    assert {k: v for k, v in snapshot(folder).items()} == original
    assert reload(books).errors == []
    never = run(books, "reopen", "2026-01")
    assert never.exit_code == 1 and "is not closed" in never.output


def test_open_months_and_opens_are_unchanged_by_closing(write_books: WriteBooks) -> None:
    """The plugin's output for open months is byte-identical, and the Opens too: Travel is
    used only in January, which is closed, and must still be opened on its first use."""
    books = acme(write_books)

    def printed(loaded: Books) -> tuple[list[str], list[str]]:
        generated = [
            printer.format_entry(t) for t in loaded.transactions() if t.date.month > 1 and t.date.year == 2026
        ]
        opens = [printer.format_entry(e) for e in loaded.entries if isinstance(e, data.Open)]
        return generated, opens

    before = printed(books)
    assert any(TRAVEL in line for line in before[1])
    assert run(books, "close", "2026-01").exit_code == 0
    after = reload(books)
    assert after.errors == []
    assert printed(after) == before


def test_adjust_books_the_difference_in_an_open_month(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert run(books, "close", "2026-01").exit_code == 0
    closed = books.path.parent / "closed" / "2026-01.beancount"
    closed_bytes = closed.read_bytes()
    contract = books.path.parent.parent / "contracts" / "acme.yaml"
    contract.write_text(CONTRACT.replace("onsite: 120", "onsite: 150"), encoding="utf-8")
    dry = run(books, "adjust", "--dry-run")
    assert dry.exit_code == 0 and "Dry run" in dry.output
    assert not (books.path.parent / "adjustments.beancount").exists()
    result = run(books, "adjust", "2026-01", "--client", "acme")
    assert result.exit_code == 0, result.output
    after = reload(books)
    assert after.errors == [], after.errors
    assert closed.read_bytes() == closed_bytes
    # January's onsite hour now bills 150 instead of 120: +30, booked on 2026-02-01.
    (adjustment,) = after.transactions("retainer-adjustment")
    assert adjustment.date.isoformat() == "2026-02-01"
    assert adjustment.meta["adjusts"] == "2026-01"
    assert after.posted(HOURLY, "2026-02") == Decimal("-30")
    assert after.posted(RECEIVABLE, "2026-02") == Decimal("530")  # retainer 500 + 30
    # Running it again adds nothing.
    folder = books.path.parent.parent
    settled = snapshot(folder)
    again = run(books, "adjust")
    assert again.exit_code == 0 and "nothing to adjust" in again.output
    assert snapshot(folder) == settled
    # A date inside a closed month is refused.
    contract.write_text(CONTRACT.replace("onsite: 120", "onsite: 160"), encoding="utf-8")
    inside = run(books, "adjust", "--date", "2026-01-31")
    assert inside.exit_code == 1 and "closed month" in inside.output
    assert snapshot(folder)["ledger/adjustments.beancount"] == settled["ledger/adjustments.beancount"]


def test_an_adjustment_for_a_reopened_month_is_an_error(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert run(books, "close", "2026-01").exit_code == 0
    contract = books.path.parent.parent / "contracts" / "acme.yaml"
    contract.write_text(CONTRACT.replace("monthly_fee: 500", "monthly_fee: 510"), encoding="utf-8")
    assert run(books, "adjust").exit_code == 0
    assert run(books, "reopen", "2026-01").exit_code == 0
    after = reload(books)
    found = messages(after)
    assert len(found) == 1 and "2026-01, which is not closed" in found[0]


def test_a_hand_edited_closed_file_is_caught(write_books: WriteBooks) -> None:
    books = acme(write_books)
    assert run(books, "close", "2026-01").exit_code == 0
    closed = books.path.parent / "closed" / "2026-01.beancount"
    closed.write_text(closed.read_text(encoding="utf-8").replace("40.00 USD", "45.00 USD"), encoding="utf-8")
    found = messages(reload(books))
    assert len(found) == 1
    assert f"{TRAVEL} closed 45.00 USD, now 40.00 USD" in found[0]


def test_markers_are_checked(write_books: WriteBooks) -> None:
    books = acme(
        write_books,
        TIME + '2026-01-30 custom "retainer-closed" "2026-01"\n2026-02-28 custom "retainer-closed" "Feb"\n',
    )
    found = messages(books)
    assert any("must be dated 2026-01-31" in m for m in found)
    assert any("write the marker as" in m for m in found)


def test_a_gap_in_the_closed_months_and_a_closed_file_not_loaded_are_errors(write_books: WriteBooks) -> None:
    books = acme(write_books)
    for month in ("2026-01", "2026-02", "2026-03"):
        assert run(books, "close", month).exit_code == 0
    (books.path.parent / "closed" / "2026-02.beancount").unlink()
    found = messages(reload(books))
    assert found == [
        "2026-03 is closed but 2026-02 is not: months close in order;"
        " restore closed/2026-02.beancount from git, or reopen the later months"
    ]
    text = books.path.read_text(encoding="utf-8")
    books.path.write_text(text.replace('include "closed/*.beancount"', ""), encoding="utf-8")
    check = run(books, "check")
    assert check.exit_code == 1
    assert "closed/2026-01.beancount:1: ClosedMonthError: this closed month is not loaded" in check.output


@pytest.fixture
def always_cached(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Beancount's pickle cache for every load (it normally caches loads over a second)."""
    monkeypatch.setattr(loader, "PICKLE_CACHE_THRESHOLD", 0)
    loader.initialize(use_cache=True)
    yield
    monkeypatch.undo()
    loader.initialize(use_cache=True)


def test_an_edit_of_a_newly_closed_file_is_seen_through_beancounts_cache(
    write_books: WriteBooks, always_cached: None
) -> None:
    """The second close adds a file to the include glob without changing the ledger's text;
    Beancount's cache must not keep serving the books from before it."""
    books = acme(write_books)
    assert (books.path.parent / ".main.beancount.picklecache").exists()
    assert run(books, "close", "2026-01").exit_code == 0
    assert run(books, "close", "2026-02").exit_code == 0  # loads (and caches) the books first
    closed = books.path.parent / "closed" / "2026-02.beancount"
    edited = closed.read_text(encoding="utf-8").replace("500.00 USD", "450.00 USD")
    closed.write_text(edited, encoding="utf-8")
    found = messages(reload(books))
    assert len(found) == 1 and f"{RETAINER} closed 450.00 USD, now 500.00 USD" in found[0]


def test_close_dry_run_adjust_json_and_check_json(write_books: WriteBooks) -> None:
    books = acme(write_books)
    folder = books.path.parent.parent
    before = snapshot(folder)
    dry = run(books, "close", "2026-01", "--dry-run")
    assert dry.exit_code == 0 and "would write" in dry.output
    assert snapshot(folder) == before
    assert run(books, "close", "2026-01").exit_code == 0
    contract = folder / "contracts" / "acme.yaml"
    # Remote 100 -> 110: January's 1 remote hour over bills 110, so Hourly 220 -> 230.
    contract.write_text(CONTRACT.replace("remote: 100", "remote: 110"), encoding="utf-8")
    result = run(books, "adjust", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["written"] == []
    assert document["adjustments"] == [
        {
            "client": "acme",
            "month": "2026-01",
            "date": "2026-02-01",
            "lines": [
                {
                    "account": HOURLY,
                    "currency": "USD",
                    "closed": "220.00",
                    "new": "230.00",
                    "difference": "10.00",
                }
            ],
        }
    ]
    check = run(reload(books), "check", "--format", "json")
    assert check.exit_code == 1
    checked = json.loads(check.stdout)
    assert checked["closed"] == ["2026-01"]
    assert any("ClosedMonthError" in line for line in checked["errors"])
