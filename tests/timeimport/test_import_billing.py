"""Imported time is books the plugin bills: ``bean-check`` passes and the hours are charged."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from click.testing import CliRunner

from scripts.cli import main
from timeimport.support_books import Books

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


def posted(entries: list[data.Directive], account: str, month: str) -> Decimal:
    return sum(
        (
            posting.units.number
            for entry in entries
            if isinstance(entry, data.Transaction) and entry.date.strftime("%Y-%m") == month
            for posting in entry.postings
            if posting.account == account and posting.units.number is not None
        ),
        Decimal(0),
    )


def test_imported_books_pass_bean_check_and_are_billed(books: Books) -> None:
    for name in ("toggl_detailed.csv", "kimai_export.csv", "harvest_time_report.csv"):
        result = CliRunner().invoke(main, ["import", "--ledger", str(books.ledger), str(books.export(name))])
        assert result.exit_code == 0, result.output
    check = subprocess.run([str(BEAN_CHECK), str(books.ledger)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == "" and check.stderr == ""

    entries, errors, _ = loader.load_file(str(books.ledger))
    assert errors == []
    times = [e for e in entries if isinstance(e, data.Custom) and e.type == "time"]
    assert len(times) == 5 + 2 + 5

    # Beta Law, January (hourly: remote 100, onsite 150, after-hours x2, no rounding):
    #   toggl   2026-01-08 onsite 0.75             0.75 x 150     = 112.50
    #   toggl   2026-01-08 remote 0.5 after-hours  0.5 x 100 x 2  = 100.00
    #   kimai   2026-01-20 remote 0.25, not billable              =   0
    #   harvest 2026-01-16 remote 2 after-hours    2 x 100 x 2    = 400.00
    #   harvest 2026-01-16 remote 0.75, not billable              =   0
    #                                                              = 612.50
    assert posted(entries, "Income:Clients:BetaLaw:Hourly", "2026-01") == Decimal("-612.50")

    # Acme Dental, January: remote unlimited; 1 onsite hour included, then 120/h, x1.5
    # after hours. Onsite units in ledger order: 01-06 1.5 h after-hours (toggl), 01-15
    # 1.25 h (harvest), 01-19 1.5 h (kimai). The included hour covers the first hour of
    # 01-06; uncovered: 0.5 h after-hours + 1.25 h + 1.5 h.
    #   0.5 x 120 x 1.5 + (1.25 + 1.5) x 120 = 90.00 + 330.00 = 420.00
    assert posted(entries, "Income:Clients:AcmeDental:Hourly", "2026-01") == Decimal("-420.00")
