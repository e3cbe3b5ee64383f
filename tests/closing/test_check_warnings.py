"""``retainer check`` as the gate: errors fail it, data-quality warnings are listed.

The books (accrued through 2026-04, today pinned to 2026-04-15):
- busy: 300/month, 1 remote hour included, 100/h; 2 h in each of Feb, Mar, Apr (over three
  months running: an upsell), none in January (a retainer month with no time).
- leaving: ends 2026-05-31, 46 days after today (ending soon); its time is by "dave", who
  has no cost rate (default rate). (A term after ``ends`` could never apply: the contract
  loader refuses it, at its line, so it is an error, not a warning.)
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support import WriteBooks

from scripts.cli import main

BUSY = """\
client: busy
terms:
  - from: 2026-01-01
    monthly_fee: 300
    included_hours: {remote: 1}
    rates: {remote: 100}
"""

LEAVING = """\
client: leaving
ends: 2026-05-31
terms:
  - from: 2026-01-01
    monthly_fee: 200
    rates: {remote: 90}
"""

PRACTICE = """\
accrue_through: 2026-04
default_cost_rate: 30
staff: {alice: {cost_rate: 50}}
"""

TIME = "".join(
    f'2026-{month:02d}-10 custom "time" "busy" "remote" 2\n  staff: "alice"\n' for month in (2, 3, 4)
) + "".join(
    f'2026-{month:02d}-12 custom "time" "leaving" "remote" 1\n  staff: "dave"\n' for month in (1, 2, 3, 4)
)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAINER_TODAY", "2026-04-15")


def test_check_lists_each_warning_and_passes(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"busy": BUSY, "leaving": LEAVING}, PRACTICE)
    assert books.errors == []
    result = CliRunner().invoke(main, ["check", "--format", "json", "--ledger", str(books.path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["errors"] == []
    found = {(w["code"], w["client"]): w["message"] for w in document["warnings"]}
    assert "2026-01" in found["no-time", "busy"]
    assert "3 months running (2026-02 – 2026-04)" in found["upsell", "busy"]
    assert "2026-05-31, in 46 days" in found["ending-soon", "leaving"]
    assert "dave 4.00 h" in found["default-rate", "leaving"]
    assert ("no-time", "leaving") not in found and ("upsell", "leaving") not in found


def test_check_fails_on_errors_and_still_warns(write_books: WriteBooks) -> None:
    books = write_books(TIME + '2026-02-01 custom "time" "busy" "remote" 0\n', {"busy": BUSY}, PRACTICE)
    result = CliRunner().invoke(main, ["check", "--ledger", str(books.path)])
    assert result.exit_code == 1
    assert "TimeEntryError: hours must be more than 0" in result.output
    assert "warning: busy: over the included hours 3 months running" in result.output


def test_check_warns_of_a_contract_without_a_contact(write_books: WriteBooks) -> None:
    with_contact = BUSY.replace("client: busy\n", "client: busy\ncontact: {name: Pat Doe}\n")
    books = write_books(TIME, {"busy": with_contact, "leaving": LEAVING}, PRACTICE)
    result = CliRunner().invoke(main, ["check", "--format", "json", "--ledger", str(books.path)])
    assert result.exit_code == 0, result.output
    codes = {(w["code"], w["client"]) for w in json.loads(result.stdout)["warnings"]}
    # leaving has no contact; busy names Pat Doe
    assert ("no-contact", "leaving") in codes
    assert ("no-contact", "busy") not in codes
