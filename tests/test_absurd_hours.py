"""A time entry of absurd hours is the plugin's error, never a report's crash.

Its month is not billed (the plugin says why, at the entry's line); the reports that read
time directly still show the figure the entry makes, to the hundredth, as recorded.
"""

from __future__ import annotations

import json
from decimal import Decimal, localcontext
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
    def alice_july(books: Path) -> Decimal:
        code, out, err = _run("utilization", "--ledger", str(books), "--format", "json")
        assert code == 0, err
        rows = json.loads(out)["rows"]
        [july] = [row for row in rows if row["month"] == "2026-07" and row["staff"] == "alice"]
        return Decimal(july["hours"])

    # The same books without the entry: the figure is exactly the absurd hours more, every
    # digit kept (28 before the point; to the hundredth it takes 30 digits, beyond Decimal's
    # default precision, which is what crashed).
    demo = Path(__file__).resolve().parent.parent / "ledger" / "main.beancount"
    with localcontext() as wide:
        wide.prec = 40
        assert alice_july(ledger) - alice_july(demo) == Decimal(HOURS)


def test_the_statement_lists_the_entry_as_recorded(ledger: Path) -> None:
    code, out, err = _run("statement", "bayview-dental", "2026-07", "--ledger", str(ledger), "--format", "md")
    assert code == 0, err
    assert f"| {HOURS}.00 |" in out
