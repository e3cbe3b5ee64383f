"""``retainer projects``: fixed-price projects, their hours against budget and their margin."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from plugins.reports.projects import ProjectFigures, build_projects
from scripts.ledger import error_line, load
from scripts.output import Report, emit, fail, format_option, hours, ledger_option, money, ratio


@click.command("projects")
@ledger_option
@click.option("--client", "client", metavar="ID", help="Only this client's projects (its contract id).")
@format_option("csv", "json")
def projects_command(ledger: Path | None, client: str | None, fmt: str) -> None:
    """Fixed-price projects: price, billed so far, hours against budget, labor, margin.

    A project is written under projects: in a client's contract and its time entries
    carry project: ID. Its price covers its hours, so what matters is the cost: margin =
    price - labor of its entries. Flags say which projects ran beyond their budget_hours
    and which earn under the practice's target_margin. Hours and labor count every entry
    recorded for the project; billed is the milestones receivable so far.

    \b
    Examples:
      retainer projects
      retainer projects --client bayview-dental
      retainer projects --format json
      retainer projects --format csv > projects.csv
    """
    loaded = load("projects", ledger)
    books = loaded.books
    if client is not None and client not in books.clients:
        known = ", ".join(sorted(books.clients)) or "none"
        fail("projects", f"no contract for client {client!r}: use one of {known}")
    found = build_projects(books.clients, books.practice, books.bills, books.time, client)
    notes = [f"problem: {error_line(error)}" for error in loaded.errors]
    for figures in found:
        if figures.uncosted_hours and figures.labor is not None:
            notes.append(
                f"warning: {figures.client} {figures.project.id}: {figures.uncosted_hours:.2f} h not costed"
                " (add a cost_rate in practice.yaml): its labor and margin leave them out"
            )
    if not books.practice.costs_labor:
        notes.append("warning: practice.yaml sets no cost rates: labor and margins are not known")
    if not found:
        notes.append("no fixed-price projects: add projects: to a contract (see README)")
    emit(_report(found, notes), fmt)


_COLUMNS = (
    "client", "project", "name", "price", "billed", "hours", "budget h",
    "labor", "margin", "margin %", "flags",
)  # fmt: skip


def _report(found: Sequence[ProjectFigures], notes: list[str]) -> Report:
    rows: list[Sequence[object]] = []
    for figures in found:
        ratio_value = figures.margin_ratio
        budget = figures.project.budget_hours
        rows.append(
            [
                figures.contract.name,
                figures.project.id,
                figures.project.name,
                figures.price,
                figures.billed,
                figures.hours,
                budget,
                figures.labor,
                figures.margin,
                f"{ratio_value:.1%}" if ratio_value is not None else None,
                "; ".join(flag.label for flag in figures.flags),
            ]
        )
    document = {"projects": [_json(figures) for figures in found]}
    return Report("Fixed-price projects", _COLUMNS, rows, [], notes, document)


def _json(figures: ProjectFigures) -> dict[str, Any]:
    budget = figures.project.budget_hours
    margin = figures.margin
    return {
        "client": figures.client,
        "project": figures.project.id,
        "name": figures.project.name,
        "currency": figures.contract.currency,
        "price": money(figures.price),
        "billed": money(figures.billed),
        "hours": hours(figures.hours),
        "budget_hours": hours(budget) if budget is not None else None,
        "labor": money(figures.labor) if figures.labor is not None else None,
        "margin": money(margin) if margin is not None else None,
        "margin_pct": ratio(figures.margin_ratio),
        "flags": [{"code": flag.code, "reason": flag.reason} for flag in figures.flags],
    }
