"""``retainer check``: load the books like bean-check does, then summarise each client."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import click


@click.command("check", context_settings={"help_option_names": ["-h", "--help"]}, no_args_is_help=False)
@click.option(
    "--ledger",
    "ledger",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="ledger/main.beancount",
    show_default=True,
    help="The ledger file that enables plugins.retainer.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only problems, no per-client summary.")
def check_command(ledger: Path, quiet: bool) -> None:
    """Check the books: contracts, time entries and accruals.

    Prints every problem as FILE:LINE: message (the same errors bean-check shows) and,
    when there are none, each client's accrued revenue, hours and labor cost. Exits
    with status 1 when anything needs fixing.
    """
    from beancount import loader
    from beancount.core import data

    entries, errors, _ = loader.load_file(str(ledger))
    for error in errors:
        source = error.source or {}
        where = f"{source.get('filename', '?')}:{source.get('lineno', 0)}"
        click.echo(f"{where}: {type(error).__name__}: {error.message}", err=True)
    if errors:
        click.echo(f"{len(errors)} problem(s) in {ledger}", err=True)
        sys.exit(1)
    if quiet:
        return
    from plugins.billing.model import EXPENSE_ROOT, INCOME_ROOT
    from plugins.postings import TAG

    income_root, expense_root = INCOME_ROOT.split(":"), EXPENSE_ROOT.split(":")
    revenue: dict[str, Decimal] = {}
    labor: dict[str, Decimal] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or TAG not in entry.tags:
            continue
        for posting in entry.postings:
            parts = posting.account.split(":")
            number = posting.units.number if posting.units is not None else None
            if number is None:
                continue
            if parts[:2] == income_root:
                revenue[parts[2]] = revenue.get(parts[2], Decimal(0)) - number
            elif parts[:2] == expense_root:
                labor[parts[2]] = labor.get(parts[2], Decimal(0)) + number
    click.echo(f"{ledger}: no problems.")
    if revenue:
        click.echo(f"{'client account':<24}{'accrued revenue':>18}{'labor cost':>14}")
        for account in sorted(revenue):
            click.echo(f"{account:<24}{revenue[account]:>18,.2f}{labor.get(account, Decimal(0)):>14,.2f}")
