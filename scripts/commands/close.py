"""``retainer close MONTH`` / ``retainer reopen MONTH``: issued bills stay as issued."""

from __future__ import annotations

import os
from pathlib import Path

import click

from scripts.closebooks import (
    Changes,
    Refused,
    month_argument,
    plan_close,
    plan_reopen,
)
from scripts.ledger import load
from scripts.output import fail, find_ledger, ledger_option
from scripts.writing import locked, write_changes


@click.command("close")
@click.argument("month")
@ledger_option
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
def close_command(month: str, ledger: Path | None, dry_run: bool) -> None:
    """Close MONTH (YYYY-MM): keep its bills exactly as issued.

    Writes closed/MONTH.beancount next to the ledger: a retainer-closed marker, then
    every transaction the plugin generated dated in MONTH, as Beancount prints them.
    From then on the plugin posts nothing for MONTH; if the month, billed again, comes
    out different (a contract edited, a late time entry), bean-check and retainer check
    report a ClosedMonthError saying how to go on. Adds include "closed/*.beancount" to
    the ledger when missing.

    Refused, with nothing written, while the books have errors, for a month after the
    horizon, for a month already closed, and while an earlier month is still open.

    \b
    Examples:
      retainer close 2026-01
      retainer close 2026-02 --dry-run
      retainer close 2026-02 --ledger ~/books/ledger/main.beancount
    """
    path = find_ledger(ledger)
    with locked("close", path):
        try:
            wanted = month_argument(month)
            loaded = load("close", path)
            changes = plan_close(loaded, wanted)
        except Refused as exc:
            fail("close", f"refused, nothing written: {exc}")
        if dry_run:
            _report(changes, f"would close {month}; dry run, nothing written", "would write")
            return
        write_changes(changes, loaded.path)
    _report(changes, f"closed {month}")


@click.command("reopen")
@click.argument("month")
@ledger_option
def reopen_command(month: str, ledger: Path | None) -> None:
    """Reopen MONTH, the latest closed month: delete its closed file.

    The plugin then bills the month again as the books stand. Only the latest closed
    month can be reopened; closing it again without changing the books writes the same
    file byte for byte.

    \b
    Examples:
      retainer reopen 2026-02
    """
    path = find_ledger(ledger)
    if not path.is_file():
        fail("reopen", f"no ledger at {path}: give --ledger PATH or set RETAINER_LEDGER")
    with locked("reopen", path):
        try:
            changes = plan_reopen(path, month_argument(month))
        except Refused as exc:
            fail("reopen", f"refused, nothing written: {exc}")
        write_changes(changes, path)
    _report(changes, f"reopened {month}")


def _report(changes: Changes, done: str, verb: str = "wrote") -> None:
    for path, text in changes.items():
        click.echo(f"  {'deleted' if text is None else verb} {os.path.relpath(path)}")
    click.echo(f"retainer: {done}.")
