"""``retainer mrr``: monthly recurring revenue, its movements and the revenue mix, by month."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from plugins.billing.model import Contract
from plugins.books import ledger_postings
from plugins.reports.figures import Period
from plugins.reports.mrr import (
    MOVEMENTS,
    MRRMonth,
    Recurring,
    RecurringReport,
    build_recurring,
    look_ahead_from,
)
from scripts.ledger import error_line, load
from scripts.output import Report, emit, fail, format_option, ledger_option, money, month, parse_month, ratio


@click.command("mrr")
@ledger_option
@click.option("--from", "first", metavar="YYYY-MM", help="First month (default: the first contract's).")
@click.option("--through", "last", metavar="YYYY-MM", help="Last month (default: the accrual horizon).")
@click.option(
    "--forecast",
    type=click.IntRange(0, 120),
    default=0,
    metavar="N",
    help="Add the N months after the horizon, from the terms on file (marked forecast).",
)
@format_option("csv", "json")
def mrr_command(ledger: Path | None, first: str | None, last: str | None, forecast: int, fmt: str) -> None:
    """Monthly recurring revenue (MRR) and where it moved, month by month.

    A contract's MRR in a month is its full monthly retainer (fee plus devices, not
    prorated) under the terms in force on its last day in force that month. Each month
    shows the MRR, its movements client by client (new: from nothing; expansion: up;
    contraction: down; churn: to nothing; each as a positive amount, so MRR = last
    month's + new + expansion - contraction - churn), and the revenue actually posted
    that month by kind: recurring (retainers), hourly, travel and prepaid. ARR is 12 x
    the last month's MRR. --forecast N continues past the accrual horizon from the terms
    on file: scheduled term changes and contract ends are respected; hourly work is not
    known ahead, so a forecast month has only its contracted retainer. The notes list
    the contracts that end or renew in the next 90 days. Amounts are kept per currency.

    \b
    Examples:
      retainer mrr
      retainer mrr --from 2026-01 --through 2026-06
      retainer mrr --forecast 12 --format json
      retainer mrr --format csv > mrr.csv
    """
    period = Period(parse_month("mrr", "--from", first), parse_month("mrr", "--through", last))
    loaded = load("mrr", ledger)
    books = loaded.books
    report = build_recurring(
        books.clients,
        books.practice,
        ledger_postings(loaded.entries),
        period,
        books.today,
        forecast=forecast,
        as_of=look_ahead_from(period, books.today),
    )
    if forecast and period.last is not None and period.last < report.horizon:
        fail(
            "mrr",
            f"--forecast continues from the accrual horizon ({month(report.horizon)}), after"
            f" --through {last}: leave --through out, or give {month(report.horizon)} or later",
        )
    notes = [f"problem: {error_line(error)}" for error in loaded.errors]
    left_out = sorted(books.contracts.failed_clients)
    if left_out:
        notes.append(f"not counted: {', '.join(left_out)} (the contract has errors: see the problems above)")
    shown = _report(report, books.clients, books.practice.currency, notes)
    shown.document["not_counted"] = left_out
    emit(shown, fmt)


_COLUMNS = (
    "month", "currency", "mrr", "new", "expansion", "contraction", "churn",
    "recurring", "hourly", "travel", "prepaid", "projects", "recurring %",
)  # fmt: skip


def _report(
    report: RecurringReport, contracts: Mapping[str, Contract], home: str, notes: list[str]
) -> Report:
    rows: list[Sequence[object]] = []
    for currency, recurring in report.currencies.items():
        for found in recurring.months:
            revenue = found.revenue
            share = revenue.recurring_share
            rows.append(
                [
                    month(found.month) + (" forecast" if found.forecast else ""),
                    currency,
                    found.mrr,
                    *(found.moved(kind) for kind in MOVEMENTS),
                    revenue.recurring,
                    *(
                        (None,) * 4
                        if found.forecast
                        else (revenue.hourly, revenue.travel, revenue.prepaid, revenue.projects)
                    ),
                    f"{share:.1%}" if share is not None and not found.forecast else None,
                ]
            )
    for currency, recurring in report.currencies.items():
        if recurring.actual:
            last = month(recurring.actual[-1].month)
            notes.append(f"ARR {currency}: {recurring.arr:,.2f} (12 × the MRR of {last})")
    for event in report.events:
        name = contracts[event.client].name
        if event.kind == "ends":
            notes.append(f"ends {event.date}: {name}, MRR {event.before:,.2f} {event.currency}")
        else:
            notes.append(
                f"renews {event.date}: {name}, MRR {event.before:,.2f} -> {event.after:,.2f} {event.currency}"
            )
    primary = report.of(home)
    document: dict[str, Any] = {
        "from": month(report.period.first) if report.period.first else None,
        "through": month(report.period.last) if report.period.last else None,
        "horizon": month(report.horizon),
        "currency": home,
        **_currency_json(primary),
        "ends": [
            {
                "client": event.client,
                "name": contracts[event.client].name,
                "date": event.date.isoformat(),
                "kind": event.kind,
                "currency": event.currency,
                "mrr": money(event.before),
                "mrr_after": money(event.after),
            }
            for event in report.events
        ],
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "currencies": {
            currency: _currency_json(recurring)
            for currency, recurring in report.currencies.items()
            if currency != home
        },
    }
    title = f"Monthly recurring revenue, {report.period.label()}"
    return Report(title, _COLUMNS, rows, [], notes, document)


def _currency_json(recurring: Recurring) -> dict[str, Any]:
    return {"months": [_month_json(found) for found in recurring.months], "arr": money(recurring.arr)}


def _month_json(found: MRRMonth) -> dict[str, Any]:
    revenue = found.revenue
    known = not found.forecast  # hourly work is not known ahead
    return {
        "month": month(found.month),
        "mrr": money(found.mrr),
        **{kind: money(found.moved(kind)) for kind in MOVEMENTS},
        "recurring": money(revenue.recurring),
        "hourly": money(revenue.hourly) if known else None,
        "travel": money(revenue.travel) if known else None,
        "prepaid": money(revenue.prepaid) if known else None,
        "projects": money(revenue.projects) if known else None,
        "other_income": money(revenue.other) if known else None,
        "revenue": money(revenue.total) if known else None,
        "recurring_share": ratio(revenue.recurring_share) if known else None,
        "forecast": found.forecast,
        "movements": [
            {
                "client": move.client,
                "kind": move.kind,
                "from": money(move.before),
                "to": money(move.after),
                "amount": money(move.amount),
            }
            for move in found.movements
        ],
    }
