"""``retainer adjust``: book what a closed month now bills differently, in an open month."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import click

from plugins.billing.rules import month_label
from scripts.closebooks import Adjustment, Refused, month_argument, plan_adjust
from scripts.ledger import load
from scripts.output import Report, emit, fail, find_ledger, format_option, ledger_option, money
from scripts.writing import locked, write_changes


@click.command("adjust")
@click.argument("month", required=False)
@click.option("--client", help="Only this client (its contract id).")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the adjustments (an open month). Default: the first day after the latest closed month.",
)
@click.option("--dry-run", is_flag=True, help="Print the adjustments; write nothing.")
@ledger_option
@format_option("json")
def adjust_command(
    month: str | None,
    client: str | None,
    day: datetime.datetime | None,
    dry_run: bool,
    ledger: Path | None,
    fmt: str,
) -> None:
    """Adjust closed months whose bills, billed again, come out different.

    For each client and closed MONTH (default: every closed month) that a ClosedMonthError
    reports, writes one transaction tagged #retainer-adjustment with adjusts: "MONTH"
    into adjustments.beancount next to the ledger, dated in an open month, that posts the
    difference to each account. The closed file is not touched; the error goes away
    because the closed figures plus the adjustment now equal the new ones. Running it
    again adds nothing.

    \b
    Examples:
      retainer adjust --dry-run
      retainer adjust 2026-01 --client acme-dental
      retainer adjust 2026-01 --date 2026-03-01
      retainer adjust --dry-run --format json
    """
    path = find_ledger(ledger)
    with locked("adjust", path):
        try:
            wanted = month_argument(month) if month else None
            loaded = load("adjust", path)
            changes, adjustments = plan_adjust(loaded, wanted, client, day.date() if day else None)
        except Refused as exc:
            fail("adjust", f"refused, nothing written: {exc}")
        if not dry_run and adjustments:
            write_changes(changes, loaded.path)
    if fmt == "json":
        document = {
            "adjustments": [_document(a) for a in adjustments],
            "written": [] if dry_run else [str(path) for path in changes],
        }
        emit(Report("", [], document=document), fmt)
        return
    if not adjustments:
        click.echo("retainer adjust: every closed month agrees with the books; nothing to adjust.")
        return
    for adjustment in adjustments:
        difference = adjustment.difference
        click.echo(f"{difference.client} {month_label(difference.month)}:")
        for line in difference.shown:
            click.echo(f"  {line}")
        click.echo("")
        click.echo(adjustment.text)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    for path in changes:
        click.echo(f"  wrote {os.path.relpath(path)}")


def _document(adjustment: Adjustment) -> dict[str, Any]:
    """One adjustment for scripts: amounts as the accounts show them (income positive)."""
    difference = adjustment.difference
    return {
        "client": difference.client,
        "month": month_label(difference.month),
        "date": adjustment.entry.date.isoformat(),
        "lines": [
            {
                "account": line.account,
                "currency": line.currency,
                "closed": money(line.shown(line.closed)),
                "new": money(line.shown(line.new)),
                "difference": money(line.shown(line.new - line.closed)),
            }
            for line in difference.shown
        ],
    }
