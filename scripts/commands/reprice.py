"""``retainer reprice``: a client's recorded months billed again under proposed terms."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from plugins.billing.model import Plan, TermKeys
from plugins.billing.whatif import WhatIfError, parse_settings
from plugins.books import Books, ledger_postings
from plugins.reports.reprice import Figures, Repricing, reprice_client
from scripts.ledger import Loaded, load
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

COMMAND = "reprice"


@click.command(COMMAND)
@ledger_option
@click.argument("client", required=False)
@click.option("--all", "every", is_flag=True, help="Rank every client by its margin gap to target.")
@click.option("--from", "first", metavar="YYYY-MM", help="First month (default: 12 billed months back).")
@click.option("--through", "last", metavar="YYYY-MM", help="Last month (default: the last billed).")
@click.option(
    "--months", "count", type=click.IntRange(1, 1200), help="How many months (instead of --through)."
)
@click.option("--plan", "plan_name", metavar="NAME", help="Propose a plan of practice.yaml over the terms.")
@click.option(
    "--set", "settings", metavar="KEY=VALUE", multiple=True,
    help="Propose one term key (dotted for maps: rates.onsite=140); repeat for more.",
)  # fmt: skip
@format_option("json")
def reprice_command(
    ledger: Path | None,
    client: str | None,
    every: bool,
    first: str | None,
    last: str | None,
    count: int | None,
    plan_name: str | None,
    settings: tuple[str, ...],
    fmt: str,
) -> None:
    """What if: re-bill a client's recorded time under proposed terms (writes nothing).

    Each month is billed by the same rules as the books, once under the client's terms
    and once with the proposed keys (a plan's, then each --set) over the terms in force
    each day. Revenue, cost (labor, tools and other direct costs), margin, hours worked
    and effective rate are shown side by side, with the break-even fee: the smallest
    monthly_fee at which the period's proposed margin reaches the practice's
    target_margin. --all ranks every client by how far its margin falls short of target,
    with the fee each would need.

    \b
    Examples:
      retainer reprice bayview-dental --set monthly_fee=1200
      retainer reprice bayview-dental --set rates.onsite=140 --set included_hours.onsite=2
      retainer reprice bayview-dental --plan business --from 2026-01 --months 6
      retainer reprice --all --format json
    """
    if every == (client is not None):
        fail(COMMAND, "name one CLIENT, or give --all (see retainer reprice --help)")
    if last is not None and count is not None:
        fail(COMMAND, "give --through or --months, not both")
    period = (parse_month(COMMAND, "--from", first), parse_month(COMMAND, "--through", last), count)
    loaded = load(COMMAND, ledger)
    books = loaded.books
    plan = _plan(books, plan_name)
    try:
        keys = parse_settings(settings)
    except WhatIfError as exc:
        fail(COMMAND, str(exc))
    if client is not None:
        if client not in books.clients:
            known = ", ".join(sorted(books.clients)) or "none"
            fail(COMMAND, f"no contract for client {client!r}: use one of {known}")
        found = _reprice(loaded, client, plan, keys, period)
        if isinstance(found, str):
            fail(COMMAND, f"{client}: {found}")
        emit(_client_report(found), fmt)
        return
    ranked = []
    skipped = []
    for name in sorted(books.clients):
        result = _reprice(loaded, name, plan, keys, period)
        if isinstance(result, str):
            skipped.append(f"{name}: {result}")
        else:
            ranked.append(result)
    ranked.sort(key=lambda r: (r.gap is None, -(r.gap or 0), r.contract.client))
    emit(_ranking_report(ranked, books, skipped), fmt)


def _plan(books: Books, name: str | None) -> Plan | None:
    if name is None:
        return None
    plans = books.practice.plans
    if name not in plans:
        offered = ", ".join(plans) or "none (add plans: to contracts/practice.yaml, docs/reference.md)"
        fail(COMMAND, f"--plan {name!r}: unknown plan; practice.yaml's plans: {offered}")
    return plans[name]


def _reprice(
    loaded: Loaded, client: str, plan: Plan | None, keys: TermKeys, period: tuple[Any, Any, int | None]
) -> Repricing | str:
    return reprice_client(loaded.books, client, ledger_postings(loaded.entries), plan, keys, *period)


def _fig(figures: Figures) -> dict[str, Any]:
    rate = figures.effective_rate
    return {
        "revenue": money(figures.revenue),
        "cost": money(figures.cost),
        "margin": money(figures.margin),
        "hours": hours(figures.hours),
        "effective_rate": money(rate) if rate is not None else None,
    }


def _cells(figures: Figures) -> list[object]:
    rate = figures.effective_rate
    ratio_value = figures.margin_ratio
    return [
        figures.revenue,
        figures.cost,
        figures.margin,
        f"{ratio_value:.1%}" if ratio_value is not None else None,
        figures.hours,
        rate.quantize(Decimal("0.01")) if rate is not None else None,
    ]


_SIDE = ("revenue", "cost", "margin", "margin %", "hours", "eff. rate")
_COLUMNS = ("month", *(f"now {c}" for c in _SIDE), *(f"new {c}" for c in _SIDE))


def _client_report(found: Repricing) -> Report:
    rows: list[Sequence[object]] = [
        [month(m.month), *_cells(m.current), *_cells(m.proposed)] for m in found.months
    ]
    footer: list[Sequence[object]] = [["Total", *_cells(found.current), *_cells(found.proposed)]]
    notes = []
    if found.break_even_fee is not None and found.target_margin is not None:
        notes.append(
            f"break-even fee: monthly_fee {found.break_even_fee:,.2f} reaches the target margin of"
            f" {found.target_margin:.0%} over these months (every other proposed key kept)"
        )
    elif found.target_margin is None:
        notes.append("no break-even fee: set target_margin in contracts/practice.yaml")
    document = {
        "client": found.contract.client,
        "from": month(found.first),
        "through": month(found.last),
        "months": [
            {"month": month(m.month), "current": _fig(m.current), "proposed": _fig(m.proposed)}
            for m in found.months
        ],
        "total": {"current": _fig(found.current), "proposed": _fig(found.proposed)},
        "break_even_fee": money(found.break_even_fee) if found.break_even_fee is not None else None,
    }
    title = (
        f"Repricing {found.contract.name}, {month(found.first)} – {month(found.last)} (current vs proposed)"
    )
    return Report(title, _COLUMNS, rows, footer, notes, document)


_RANK_COLUMNS = ("client", "from", "through", "revenue", "margin", "margin %", "gap", "fee now", "fee needed")


def _ranking_report(ranked: list[Repricing], books: Books, skipped: list[str]) -> Report:
    rows: list[Sequence[object]] = []
    clients = []
    for found in ranked:
        current = found.current
        gap = found.gap
        fee_now = found.contract.terms[-1].monthly_fee
        rows.append(
            [
                found.contract.name,
                month(found.first),
                month(found.last),
                current.revenue,
                current.margin,
                f"{current.margin_ratio:.1%}" if current.margin_ratio is not None else None,
                f"{gap:+.1%}" if gap is not None else None,
                fee_now,
                found.break_even_fee,
            ]
        )
        clients.append(
            {
                "client": found.contract.client,
                "name": found.contract.name,
                "from": month(found.first),
                "through": month(found.last),
                "current": _fig(found.current),
                "proposed": _fig(found.proposed),
                "margin_pct": ratio(current.margin_ratio),
                "gap": ratio(gap),
                "monthly_fee": money(fee_now),
                "break_even_fee": money(found.break_even_fee) if found.break_even_fee is not None else None,
            }
        )
    target = books.practice.target_margin
    document = {"target_margin": ratio(target), "clients": clients, "skipped": skipped}
    notes = [f"skipped {line}" for line in skipped]
    if target is None:
        notes.append("no target: set target_margin in contracts/practice.yaml")
    title = "Clients by margin gap to target" + (f" ({target:.0%})" if target is not None else "")
    return Report(title, _RANK_COLUMNS, rows, [], notes, document)
