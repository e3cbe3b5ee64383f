"""``retainer check``: load the books like bean-check does, then summarise each client."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import click

from plugins.closing import ClosedBooks
from plugins.reports.checks import data_warnings
from plugins.reports.figures import Period
from plugins.reports.flags import DataWarning
from scripts.ledger import Loaded, error_line, load
from scripts.output import Report, emit, format_option, ledger_option, money, month


@click.command("check")
@ledger_option
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only problems and a count of warnings, no per-client summary."
)
@format_option("json")
def check_command(ledger: Path | None, quiet: bool, fmt: str) -> None:
    """Check the books: contracts, time entries, accruals and closed months.

    Prints every problem as FILE:LINE: Kind: message (the same errors bean-check
    shows, a closed month billed differently included) and, when there are none, each
    client's revenue (everything booked under Income:Clients:<Acct>) and direct costs
    (under Expenses:Clients:<Acct>). Exits with status 1 when anything needs fixing.

    Then warnings, which do not fail the check: staff costed at the default rate or
    not at all, months with a retainer but no time recorded, agreements ending within
    60 days, clients over their included hours three months running (an upsell to
    discuss), contracts without a contact, time after the horizon not billed yet.
    `retainer install-hook` runs this check before every git commit.

    \b
    Examples:
      retainer check
      retainer check --ledger ~/books/ledger/main.beancount --format json
    """
    loaded = load("check", ledger)
    problems = [error_line(error) for error in loaded.errors] + not_included(loaded)
    warnings = _warnings(loaded)
    if fmt == "json":
        document = {
            "ledger": str(loaded.path),
            "errors": problems,
            "warnings": [{"code": w.code, "client": w.client, "message": w.message} for w in warnings],
            "closed": [month(m) for m in sorted(ClosedBooks.of(loaded.entries).months)],
            **_totals(loaded),
        }
        emit(Report("", [], document=document), fmt)
        if problems:
            sys.exit(1)
        return
    for line in problems:
        click.echo(line, err=True)
    if quiet and warnings:
        click.echo(f"{len(warnings)} warning(s): `retainer check` lists them", err=True)
    for warning in [] if quiet else warnings:
        click.echo(f"warning: {warning.client + ': ' if warning.client else ''}{warning.message}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {loaded.path}", err=True)
        sys.exit(1)
    click.echo(f"{loaded.path}: no problems.")
    if quiet:
        return
    closed = sorted(ClosedBooks.of(loaded.entries).months)
    if closed:
        span = month(closed[0]) if len(closed) == 1 else f"{month(closed[0])} to {month(closed[-1])}"
        click.echo(f"Closed: {span} (retainer reopen {month(closed[-1])} to reopen the latest).")
    clients = _totals(loaded)["clients"]
    if clients:
        report = Report(
            "Booked per client (all months)",
            ["client", "account", "currency", "revenue", "costs"],
            [
                [c["client"], c["account"], c["currency"], Decimal(c["revenue"]), Decimal(c["costs"])]
                for c in clients
            ],
        )
        emit(report, "table")


def not_included(loaded: Loaded) -> list[str]:
    """Closed files the ledger does not load: their months would be billed as they stand."""
    from scripts.closebooks import CLOSED_GLOB, closed_file, closed_on_disk

    loaded_months = ClosedBooks.of(loaded.entries).months
    return [
        f"{closed_file(loaded.path, month)}:1: ClosedMonthError: this closed month is not loaded:"
        f' add include "{CLOSED_GLOB}" to {loaded.path.name}'
        for month in closed_on_disk(loaded.path)
        if month not in loaded_months
    ]


def _warnings(loaded: Loaded) -> list[DataWarning]:
    """The data-quality warnings, from the report modules' rules (over all months)."""
    books = loaded.books
    portfolio = loaded.portfolio(Period(None, None))
    return data_warnings(portfolio, books.clients, books.today)


def _totals(loaded: Loaded) -> dict[str, list[dict[str, str]]]:
    """Revenue and direct costs per client and currency, over all months: the Client
    Margin portfolio's own money (everything under ``Income:Clients:<Acct>`` and
    ``Expenses:Clients:<Acct>``), so ``check``, ``margin`` and Fava agree."""
    portfolio = loaded.portfolio(Period(None, None))
    rows = [
        {
            "client": row.client,
            "account": row.contract.account,
            "currency": row.currency,
            "revenue": money(row.money.revenue),
            "costs": money(row.money.costs),
        }
        for row in sorted(portfolio.rows, key=lambda r: (r.client, r.currency))
        if row.money.revenue or row.money.costs or row.primary
    ]
    return {"clients": rows}
