"""``retainer recover``: finish or undo a write that a crash or kill interrupted.

Every command that writes the books does this first anyway; this command is what the
message of an unfinished write points at, for when nothing else is to be run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scripts.output import find_ledger, ledger_option


@click.command("recover")
@ledger_option
def recover_command(ledger: Path | None) -> None:
    """Complete or roll back an interrupted write of the books.

    A command that writes several files (an import's month files) first lists them in a
    journal next to the ledger, so a crash in the middle is repaired here: if every new
    file was fully written, the ones not yet in place are put there; if not, and none was
    in place yet, the books stay as they were. It says what it did, removes every
    leftover temporary file, and never overwrites a file edited since. Waits for a
    command still writing the books. Every command that writes does this first.

    \b
    Examples:
      retainer recover
      retainer recover --ledger ~/books/ledger/main.beancount
    """
    from plugins.writes import WriteError, recover

    ledger = find_ledger(ledger)
    if not ledger.parent.is_dir():
        click.echo(f"retainer recover: {ledger.parent}: no such folder for the books", err=True)
        sys.exit(1)
    try:
        said = recover(ledger.parent)
    except WriteError as exc:
        click.echo(f"retainer recover: {exc}", err=True)
        sys.exit(1)
    for sentence in said:
        click.echo(sentence)
    if not said:
        click.echo(f"{ledger.parent}: no interrupted write; nothing to do.")
