"""``retainer utilization``: per staff member and month, billable hours against available ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from plugins.billing.model import Contract
from plugins.reports.figures import Period
from plugins.reports.utilization import Hours, StaffMonth, StaffRow, Utilization, build_utilization
from scripts.ledger import error_line, load
from scripts.output import Report, emit, format_option, hours, ledger_option, money, month, parse_month, ratio


@click.command("utilization")
@ledger_option
@click.option("--from", "first", metavar="YYYY-MM", help="First month (default: the first with time).")
@click.option("--through", "last", metavar="YYYY-MM", help="Last month (default: the last with time).")
@format_option("csv", "json")
def utilization_command(ledger: Path | None, first: str | None, last: str | None, fmt: str) -> None:
    """Utilization per staff member and month, and the cost of non-billable time.

    Hours are the time entries' own hours (before a bill's rounding), billable or not.
    Available hours are available_hours_per_week in contracts/practice.yaml (default 40)
    ÷ 5 × the month's Monday-Friday days; utilization = billable ÷ available hours. The
    cost is the non-billable hours at the staff member's cost rate (else
    default_cost_rate; empty when neither is set). The notes say which clients each
    staff member spent their time on.

    \b
    Examples:
      retainer utilization
      retainer utilization --from 2026-01 --through 2026-03
      retainer utilization --format json
      retainer utilization --format csv > utilization.csv
    """
    name = "utilization"
    period = Period(parse_month(name, "--from", first), parse_month(name, "--through", last))
    loaded = load("utilization", ledger)
    books = loaded.books
    found = build_utilization(books.time, books.practice, period)
    notes = [f"problem: {error_line(error)}" for error in loaded.errors]
    left_out = sorted(books.contracts.failed_clients)
    if left_out:
        notes.append(f"not counted: {', '.join(left_out)} (the contract has errors: see the problems above)")
    shown = _report(found, books.clients, books.practice.available_hours_per_week, notes)
    shown.document["not_counted"] = left_out  # their time is not collected either
    emit(shown, fmt)


_COLUMNS = (
    "staff", "month", "hours", "billable", "non-billable", "available", "utilization", "non-billable cost",
)  # fmt: skip


def _percent(value: Decimal | None) -> str | None:
    return f"{value:.1%}" if value is not None else None


def _report(
    found: Utilization, contracts: Mapping[str, Contract], per_week: Decimal, notes: list[str]
) -> Report:
    rows: list[Sequence[object]] = []
    for row in found.staff:
        for staff_month in row.months:
            worked = staff_month.worked
            rows.append(
                [
                    row.name,
                    month(staff_month.month),
                    worked.hours,
                    worked.billable,
                    worked.nonbillable,
                    staff_month.available,
                    _percent(staff_month.utilization),
                    staff_month.cost,
                ]
            )
    footer: list[Sequence[object]] = []
    for row in found.staff:
        worked = row.worked
        footer.append(
            [
                row.name,
                "all",
                worked.hours,
                worked.billable,
                worked.nonbillable,
                row.available,
                _percent(row.utilization),
                row.cost,
            ]
        )
        if row.clients:
            spent = ", ".join(
                f"{_name(client, contracts)} {time.hours:.2f} h" for client, time in row.clients.items()
            )
            notes.append(f"{row.name} worked for: {spent}")
    document = {
        "from": month(found.period.first) if found.period.first else None,
        "through": month(found.period.last) if found.period.last else None,
        "available_hours_per_week": hours(per_week),
        "rows": [_month_json(row, staff_month) for row in found.staff for staff_month in row.months],
        "staff": [_staff_json(row, contracts) for row in found.staff],
    }
    return Report(f"Utilization, {found.period.label()}", _COLUMNS, rows, footer, notes, document)


def _name(client: str, contracts: Mapping[str, Contract]) -> str:
    contract = contracts.get(client)
    return contract.name if contract is not None else client


def _hours_json(worked: Hours) -> dict[str, str]:
    return {
        "hours": hours(worked.hours),
        "billable": hours(worked.billable),
        "nonbillable": hours(worked.nonbillable),
    }


def _month_json(row: StaffRow, staff_month: StaffMonth) -> dict[str, Any]:
    return {
        "staff": row.staff,
        "name": row.name,
        "month": month(staff_month.month),
        **_hours_json(staff_month.worked),
        "available": hours(staff_month.available),
        "utilization": ratio(staff_month.utilization),
        "cost": money(staff_month.cost) if staff_month.cost is not None else None,
    }


def _staff_json(row: StaffRow, contracts: Mapping[str, Contract]) -> dict[str, Any]:
    return {
        "staff": row.staff,
        "name": row.name,
        **_hours_json(row.worked),
        "available": hours(row.available),
        "utilization": ratio(row.utilization),
        "cost": money(row.cost) if row.cost is not None else None,
        "clients": [
            {"client": client, "name": _name(client, contracts), **_hours_json(time)}
            for client, time in row.clients.items()
        ],
    }
