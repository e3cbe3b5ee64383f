"""docs/reference.md §5: every bad input is one clear, located error; the rest of the books still load."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from support import WriteBooks

GOOD = """\
client: good-co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    included_hours: {remote: unlimited}
"""

GOOD_TIME = """\
2026-01-05 custom "time" "good-co" "remote" 1
"""


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (
            "client: bad-co\nterms:\n  - from: 2026-01-01\n    monthy_fee: 900\n",
            4,
            "unknown key 'monthy_fee' in a term (did you mean 'monthly_fee'?)",
        ),
        (
            "client: bad-co\nterms:\n  - from: 2026-01-01\n    monthly_fee: -10\n",
            4,
            "monthly_fee must not be negative",
        ),
        (
            "client: bad-co\nterms:\n  - from: 2026-01-01\n    monthly_fee: lots\n",
            4,
            "monthly_fee must be a number, got 'lots'",
        ),
        (
            "client: bad-co\nterms:\n  - from: 2026-02-01\n  - from: 2026-01-01\n",
            4,
            "term from 2026-01-01 comes before the term before it (2026-02-01)",
        ),
        (
            "client: bad-co\nterms:\n  - from: 2026-02-01\n  - from: 2026-02-01\n",
            4,
            "term from 2026-02-01 repeats the term before it",
        ),
        (
            "client: bad-co\nterms:\n  - from: 2026-01-01\n    per_device: {workstation: 45}\n",
            3,
            "per_device.workstation has a price but no count",
        ),
        ("client: Bad Co\nterms:\n  - from: 2026-01-01\n", 1, "client id 'Bad Co' must be lowercase"),
        ("client: bad-co\nterms:\n  - from: 2026-01-01\n   monthly_fee: 1\n", 4, "YAML syntax error"),
        ("client: bad-co\nterms:\n  - monthly_fee: 100\n", 3, "a term needs 'from: YYYY-MM-DD'"),
        (
            "client: bad-co\nterms:\n  - from: 2026-01-01\n    included_hours: {onsite: lots}\n",
            4,
            "included_hours.onsite must be a number of hours or 'unlimited'",
        ),
        (
            "client: bad-co\nterms:\n  - from: 2026-01-01\n    rates: {remot: 95}\n",
            4,
            "rates: unknown kind 'remot'; use remote or onsite",
        ),
        ("client: bad-co\n", 1, "missing 'terms:'"),
        ("client: bad-co\nterms:\n  - from: 2026-13-01\n", 3, "from must be a date like 2026-01-31"),
    ],
)
def test_contract_mistakes(write_books: WriteBooks, text: str, line: int, says: str) -> None:
    ledger = GOOD_TIME + '2026-01-06 custom "time" "bad-co" "remote" 2\n'
    books = write_books(ledger, {"good-co": GOOD, "bad-co": text})
    [error] = books.errors  # one typo, one error: bad-co's time is not reported again
    assert type(error).__name__ == "ContractError"
    assert error.source["filename"].endswith("contracts/bad-co.yaml")
    assert error.source["lineno"] == line
    assert says in error.message
    assert "/../" not in error.source["filename"]
    # The broken contract is not billed; the good one still is (500 for January).
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")
    assert books.posted("Income:Clients:BadCo:Retainer") == D(0)


def test_two_contracts_with_one_id(write_books: WriteBooks) -> None:
    books = write_books(GOOD_TIME, {"good-co": GOOD, "zz-copy": GOOD})
    [error] = books.errors_named("ContractError")
    assert error.source["filename"].endswith("zz-copy.yaml")
    assert "client id 'good-co' is already used by" in error.message
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")


def test_practice_mistake_is_reported_and_the_other_settings_stand(write_books: WriteBooks) -> None:
    books = write_books(GOOD_TIME, {"good-co": GOOD}, "accrue_through: 2026-01\nstaf: {}\n")
    [error] = books.errors
    assert type(error).__name__ == "PracticeError"
    assert error.source["lineno"] == 2
    assert "unknown key 'staf' in practice.yaml (did you mean 'staff'?)" in error.message
    # accrue_through on the line before still holds: January only, 500.00.
    assert books.posted("Income:Clients:GoodCo:Retainer") == D("-500.00")


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('2026-01-06 custom "time" "nobody" "remote" 1', "unknown client 'nobody'"),
        ('2026-01-06 custom "time" "good-co" "phone" 1', "unknown kind 'phone'"),
        ('2026-01-06 custom "time" "good-co" "remote" 0', "hours must be more than 0"),
        ('2026-01-06 custom "time" "good-co" "remote" -1', "hours must be more than 0"),
        ('2026-01-06 custom "time" "good-co" "remote"', "needs 3 values"),
        ('2026-01-06 custom "time" "good-co" "remote" "1.5"', "hours must be a plain number"),
        ('2025-12-31 custom "time" "good-co" "remote" 1', "before its contract starts (2026-01-01)"),
        ('2026-01-06 custom "time" "good-co" "remote" 1\n  billable: "no"', "billable must be TRUE or FALSE"),
    ],
)
def test_time_entry_mistakes(write_books: WriteBooks, line: str, says: str) -> None:
    books = write_books(GOOD_TIME + line + "\n", {"good-co": GOOD})
    [error] = books.errors
    assert type(error).__name__ == "TimeEntryError"
    assert error.source["filename"].endswith("main.beancount")
    assert error.source["lineno"] == 3  # plugin line, the good entry, then this one
    assert says in error.message
    assert books.posted("Income:Clients:GoodCo:Retainer", "2026-01") == D("-500.00")


def test_uncovered_work_without_a_rate(write_books: WriteBooks) -> None:
    ledger = '2026-01-06 custom "time" "good-co" "onsite" 2\n'
    books = write_books(ledger, {"good-co": GOOD})
    [error] = books.errors
    assert type(error).__name__ == "BillingError"
    assert error.source["lineno"] == 2
    assert "has no rate for onsite: add rates: {onsite: N}" in error.message


def test_missing_contracts_folder(tmp_path: Path) -> None:
    from beancount import loader

    path = tmp_path / "main.beancount"
    path.write_text('plugin "plugins.retainer" "nowhere"\n2026-01-01 open Assets:Cash\n')
    entries, errors, _ = loader.load_file(str(path))
    [error] = errors
    assert type(error).__name__ == "ContractError"
    assert "contracts folder" in error.message and "not found" in error.message
    assert len(entries) == 1


def test_bean_check_on_a_broken_contract_shows_file_and_line(write_books: WriteBooks) -> None:
    broken = "client: bad-co\nterms:\n  - from: 2026-01-01\n    monthy_fee: 900\n"
    books = write_books(GOOD_TIME, {"good-co": GOOD, "bad-co": broken})
    run = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(books.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1
    assert "contracts/bad-co.yaml:4:" in output
    assert "did you mean 'monthly_fee'?" in output
    assert "Traceback" not in output


def test_a_time_entry_imported_twice_is_reported_and_billed_once(write_books: WriteBooks) -> None:
    contract = GOOD.replace("included_hours: {remote: unlimited}", "rates: {remote: 100}")
    entry = '2026-01-06 custom "time" "good-co" "remote" 2\n  id: "toggl:7"\n'
    books = write_books(entry + entry, {"good-co": contract})
    [error] = books.errors
    assert type(error).__name__ == "TimeEntryError"
    assert error.source["lineno"] == 4  # plugin line, first entry (2 lines), then the repeat
    assert "id 'toggl:7' is also at" in error.message and "main.beancount:2" in error.message
    # Billed once: 2 h * 100 = 200.00, not 400.00
    assert books.posted("Income:Clients:GoodCo:Hourly", "2026-01") == D("-200.00")
