"""The one output layer of the ``retainer`` commands: options, tables, CSV and JSON.

Every command that reports figures builds a ``Report`` (a title, columns, rows of plain
values, and for JSON the document scripts read) and hands it to ``emit``; nothing else
prints figures. JSON follows one convention for every command: money and hours are
strings holding the exact decimal (money to the cent, hours to the hundredth), ratios are
numbers, months ``YYYY-MM``, dates ISO.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from plugins.billing.rules import parse_month_label
from plugins.reports.csvtext import csv_text, half_up, json_text

LEDGER_VARIABLE = "RETAINER_LEDGER"
DEFAULT_LEDGER = Path("ledger") / "main.beancount"
CENT = Decimal("0.01")

F = TypeVar("F", bound=Callable[..., Any])


def _hundredths(amount: Decimal) -> str:
    return str(half_up(amount))


def money(amount: Decimal) -> str:
    """``1222.5`` -> ``"1222.50"``: exact, to the cent (half-up), for JSON."""
    return _hundredths(amount)


def hours(amount: Decimal) -> str:
    """Hours to the hundredth, as a string, for JSON."""
    return _hundredths(amount)


def ratio(value: Decimal | None) -> float | None:
    """A ratio (margin %, utilization) as a JSON number, to four places."""
    return None if value is None else float(half_up(value, Decimal("0.0001")))


def month(value: tuple[int, int]) -> str:
    return f"{value[0]:04d}-{value[1]:02d}"


def parse_month(command: str, option: str, text: str | None) -> tuple[int, int] | None:
    """``YYYY-MM`` as a month, or a one-line refusal naming the option."""
    if text is None:
        return None
    found = parse_month_label(text)
    if found is None:
        fail(command, f"{option} {text!r} is not a month: write it as YYYY-MM, e.g. 2026-03")
    return found


def find_ledger(given: Path | None) -> Path:
    """The books to work on: ``--ledger``, else ``$RETAINER_LEDGER``, else
    ``ledger/main.beancount`` here or in the nearest folder above that has one."""
    if given is not None:
        return given
    variable = os.environ.get(LEDGER_VARIABLE, "").strip()
    if variable:
        return Path(variable).expanduser()
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_LEDGER
        if candidate.is_file():
            return candidate
    return DEFAULT_LEDGER


def ledger_option(function: F) -> F:
    """``--ledger``: the same option, default and help on every command."""
    return click.option(
        "--ledger",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=(
            "The books (a ledger with the plugins.retainer line). Default: $RETAINER_LEDGER,"
            " else ledger/main.beancount here or in a folder above."
        ),
    )(function)


def format_option(*choices: str) -> Callable[[F], F]:
    """``--format``: ``table`` (the default, for people) and the machine formats given."""

    def decorate(function: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(["table", *choices]),
            default="table",
            show_default=True,
            help="table for people, " + ", ".join(choices) + " for scripts and spreadsheets.",
        )(function)

    return decorate


def fail(command: str, message: str) -> NoReturn:
    """Exit non-zero with a one-line reason (and where to look, in ``message``)."""
    click.echo(f"retainer {command}: {message}", err=True)
    sys.exit(1)


@dataclass
class Report:
    """What a command shows: a table for people and CSV, a document for JSON."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[object]] = field(default_factory=list)
    footer: list[Sequence[object]] = field(default_factory=list)  # totals, under a rule
    notes: list[str] = field(default_factory=list)  # warnings printed under the table
    document: dict[str, Any] = field(default_factory=dict)  # the JSON


def cell(value: object) -> str:
    """How a value reads in a table or CSV cell."""
    if value is None:
        return ""
    if isinstance(value, Decimal):  # half-up to the cent, as JSON has it (format() rounds half-even)
        return f"{half_up(value):,.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def render(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` (``table``, ``csv`` or ``json``)."""
    if fmt == "json":
        return json_text(report.document)
    if fmt == "csv":  # the one CSV writer, shared with the Fava pages' downloads
        return csv_text(report.columns, [*report.rows, *report.footer])
    return _table(report)


def _table(report: Report) -> str:
    shown = [[cell(value) for value in row] for row in [*report.rows, *report.footer]]
    widths = [len(name) for name in report.columns]
    for row in shown:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    numeric = [
        all(isinstance(row[i], Decimal | int | float) or row[i] in (None, "") for row in report.rows)
        and bool(report.rows)
        for i in range(len(report.columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i]) for i, value in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    lines = [report.title, "", line(report.columns), line(["-" * w for w in widths])]
    lines.extend(line(row) for row in shown[: len(report.rows)])
    if report.footer:
        lines.append(line(["-" * w for w in widths]))
        lines.extend(line(row) for row in shown[len(report.rows) :])
    if not report.rows:
        lines.append("(nothing in this period)")
    lines.extend(["", *report.notes] if report.notes else [])
    return "\n".join(lines) + "\n"


def emit(report: Report, fmt: str) -> None:
    click.echo(render(report, fmt), nl=False)
