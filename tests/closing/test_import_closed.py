"""``retainer import`` of late time into a closed month: imported, warned about, caught."""

from __future__ import annotations

from pathlib import Path

from beancount import loader
from click.testing import CliRunner
from timeimport.support_books import write_books

from scripts.cli import main


def test_late_time_imported_into_a_closed_month_is_warned_about_and_caught(tmp_path: Path) -> None:
    books = write_books(tmp_path / "practice")
    ledger = str(books.ledger)
    closed = CliRunner().invoke(main, ["close", "2026-01", "--ledger", ledger])
    assert closed.exit_code == 0, closed.output
    result = CliRunner().invoke(main, ["import", "--ledger", ledger, str(books.export("toggl_detailed.csv"))])
    assert result.exit_code == 0, result.output
    # toggl_detailed.csv holds five January entries, all in the closed month.
    assert "warning: 5 entries are dated in closed months (2026-01)" in result.stderr
    _, errors, _ = loader.load_file(ledger)
    assert errors and {type(error).__name__ for error in errors} == {"ClosedMonthError"}
