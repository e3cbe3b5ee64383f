"""A time entry of absurd hours is the plugin's error, never a report's crash.

Its month is not billed (the plugin says why, at the entry's line); the reports that read
time directly still show the figure the entry makes, to the hundredth, as recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from beancount import loader
from click.testing import CliRunner
from support import copy_demo

from scripts.cli import main

HOURS = "1234567890123456789012345678"  # 28 digits: to the hundredth it needs 30


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_demo(tmp_path_factory.mktemp("absurd"))
    time_file = path.parent / "time" / "2026-07.beancount"
    with time_file.open("a", encoding="utf-8") as out:
        out.write(f'\n2026-07-09 custom "time" "bayview-dental" "remote" {HOURS}\n  staff: "alice"\n')
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_plugin_reports_the_entry_and_bills_the_other_months(ledger: Path) -> None:
    entries, errors, _ = loader.load_file(str(ledger))
    messages = [error.message for error in errors]
    assert any("2026-07 is not billed" in m and f"{HOURS} hours" in m for m in messages), messages
    months = {e.meta.get("month") for e in entries if "retainer" in getattr(e, "tags", ()) and
              e.narration.startswith("Retainer") and e.payee == "Bayview Family Dental"}
    assert "2026-06" in months and "2026-08" in months and "2026-07" not in months


@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_utilization_shows_the_figure_instead_of_crashing(ledger: Path, fmt: str) -> None:
    code, out, err = _run("utilization", "--ledger", str(ledger), "--format", fmt)
    assert code == 0, err
    # Alice's July: the absurd hours plus her other July hours, exactly, to the hundredth.
    assert HOURS[:20] in out.replace(",", "")


def test_utilization_json_keeps_every_digit(ledger: Path) -> None:
    code, out, err = _run("utilization", "--ledger", str(ledger), "--format", "json")
    assert code == 0, err
    july = [row for row in json.loads(out)["rows"] if row["month"] == "2026-07" and row["staff"] == "alice"]
    assert len(july) == 1
    worked = july[0]["hours"]
    # 28 digits before the point, two after: Alice's other July hours add to the last digits.
    whole, _, hundredths = worked.partition(".")
    assert len(whole) == 28 and whole.startswith(HOURS[:24]) and len(hundredths) == 2


def test_the_statement_lists_the_entry_as_recorded(ledger: Path) -> None:
    code, out, err = _run("statement", "bayview-dental", "2026-07", "--ledger", str(ledger), "--format", "md")
    assert code == 0, err
    assert f"| {HOURS}.00 |" in out
