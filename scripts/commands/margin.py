"""``retainer margin``: the Client Margin table at the terminal, from the report's own module."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from plugins.reports.figures import Money, Period
from plugins.reports.margin import TABLE_COLUMNS, ClientRow, Portfolio, table_footer, table_rows
from scripts.ledger import error_line, load
from scripts.output import (
    Report,
    emit,
    fail,
    format_option,
    hours,
    ledger_option,
    money,
    month,
    parse_month,
    ratio,
)


@click.command("margin")
@ledger_option
@click.option("--from", "first", metavar="YYYY-MM", help="First month (default: the books' first).")
@click.option("--through", "last", metavar="YYYY-MM", help="Last month (default: the latest).")
@click.option("--client", "client", metavar="ID", help="Only this client (its contract id).")
@format_option("csv", "json")
def margin_command(
    ledger: Path | None, first: str | None, last: str | None, client: str | None, fmt: str
) -> None:
    """Client margin: revenue, costs, hours, margin and effective rate per client.

    The same figures as Fava's Client Margin page for the same months: revenue is
    everything booked under Income:Clients:<Acct>, costs everything under
    Expenses:Clients:<Acct>, hours come from the month bills. Flags say which clients
    earn under the practice's target rate or margin, and which go over their included
    hours.

    \b
    Examples:
      retainer margin
      retainer margin --from 2026-01 --through 2026-06
      retainer margin --client bayview-dental --format json
      retainer margin --format csv > margin.csv
    """
    period = Period(parse_month("margin", "--from", first), parse_month("margin", "--through", last))
    loaded = load("margin", ledger)
    books = loaded.books
    if client is not None and client not in books.clients:
        known = ", ".join(sorted(books.clients)) or "none"
        fail("margin", f"no contract for client {client!r}: use one of {known}")
    portfolio = loaded.portfolio(period, client)
    rows = portfolio.rows
    notes = [f"problem: {error_line(error)}" for error in loaded.errors]
    notes += [f"warning: {warning.message}" for warning in portfolio.warnings]
    emit(_report(portfolio, rows, notes), fmt)


def _report(portfolio: Portfolio, rows: list[ClientRow], notes: list[str]) -> Report:
    table: list[Sequence[object]] = list(table_rows(rows))
    footer: list[Sequence[object]] = list(table_footer(portfolio))
    document = {
        "from": month(portfolio.period.first) if portfolio.period.first else None,
        "through": month(portfolio.period.last) if portfolio.period.last else None,
        "clients": [_client_json(row) for row in rows],
        "totals": {
            currency: _money_json(
                total, portfolio.hours_in(currency).total, portfolio.total_effective_rates.get(currency)
            )
            for currency, total in portfolio.totals.items()
        },
    }
    title = f"Client margin, {portfolio.period.label()}"
    return Report(title, TABLE_COLUMNS, table, footer, notes, document)


def _money_json(amounts: Money, worked: Decimal | None, rate: Decimal | None) -> dict[str, Any]:
    return {
        "retainer": money(amounts.retainer),
        "hourly": money(amounts.hourly),
        "travel": money(amounts.travel),
        "prepaid": money(amounts.prepaid),
        "projects": money(amounts.projects),
        "other_income": money(amounts.other_income),
        "revenue": money(amounts.revenue),
        "labor": money(amounts.labor),
        "tools": money(amounts.tools),
        "other_costs": money(amounts.other_costs),
        "margin": money(amounts.margin),
        "margin_pct": ratio(amounts.margin_ratio),
        "hours": hours(worked) if worked is not None else None,
        "effective_rate": money(rate) if rate is not None else None,
    }


def _client_json(row: ClientRow) -> dict[str, Any]:
    return {
        "client": row.client,
        "name": row.contract.name,
        "currency": row.currency,
        **_money_json(row.money, row.hours.total if row.hours is not None else None, row.effective_rate),
        "flags": [{"code": flag.code, "reason": flag.reason} for flag in row.flags],
        "warnings": [warning.message for warning in row.warnings],
        **_bank_json(row),
    }


def _bank_json(row: ClientRow) -> dict[str, Any]:
    """Hours left in prepaid blocks and rolled-over lots at the period's end (if any)."""
    if row.bank is None:
        return {}
    blocks = [
        {
            "date": left.block.date.isoformat(),
            "hours": hours(left.block.hours),
            "price": money(left.block.price),
            "expires": left.block.expires.isoformat() if left.block.expires else None,
            "hours_left": hours(left.hours_left),
        }
        for left in row.bank.blocks
    ]
    lots = {kind: hours(left) for kind, left in row.bank.lots.items()}
    return {"bank": {"as_of": row.bank.as_of.isoformat(), "blocks": blocks, "lots": lots}}
