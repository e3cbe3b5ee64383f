"""The rate card as JSON, Markdown, HTML and PDF (HTML/PDF through the statements' machinery)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugins.billing.model import KINDS, ZERO, Allowance, is_unlimited
from plugins.reports.csvtext import half_up
from plugins.reports.documents import FORMATS as FORMATS  # the statements' four
from plugins.reports.documents import document_bytes
from plugins.reports.printing import print_pdf
from plugins.reports.rate_card import PlanColumn, RateCard
from plugins.reports.statement_format import amount, template_environment


def _fixed(value: Decimal) -> str:
    return str(half_up(value))


def _allowance(value: Allowance) -> str:
    return "unlimited" if is_unlimited(value) else _fixed(value)  # type: ignore[arg-type]


def to_json(card: RateCard) -> dict[str, Any]:
    example = card.example
    return {
        "currency": card.practice.currency,
        "list_rates": {kind: _fixed(rate) for kind, rate in card.list_rates.items()},
        "plans": [_plan_json(card, column) for column in card.plans],
        "example": None
        if example is None
        else {
            "devices": dict(example.devices),
            "hours": {kind: _fixed(hours) for kind, hours in example.hours.items()},
            "visits": example.visits,
            "hourly": _maybe(card.example_hourly),
            "plans": {column.name: _maybe(column.example) for column in card.plans},
            "savings": {column.name: _maybe(card.saving(column)) for column in card.plans},
        },
    }


def _maybe(value: Decimal | None) -> str | None:
    return None if value is None else _fixed(value)


def _plan_json(card: RateCard, column: PlanColumn) -> dict[str, Any]:
    terms = column.terms
    return {
        "name": column.name,
        "monthly": _fixed(column.monthly),
        "monthly_fee": _fixed(terms.monthly_fee),
        "per_device": {device: _fixed(price) for device, price in terms.per_device.items()},
        "included_hours": {kind: _allowance(value) for kind, value in column.included.items()},
        "rates": {kind: _fixed(rate) for kind, rate in terms.rates.items()},
        "after_hours_multiplier": float(terms.after_hours_multiplier),
        "rounding_minutes": terms.rounding_minutes,
        "onsite_minimum_hours": _fixed(terms.onsite_minimum_hours),
        "travel_per_visit": _fixed(column.travel_per_visit),
        "example": _maybe(column.example),
        "saving": _maybe(card.saving(column)),
        "note": column.note,
    }


# ---------------------------------------------------------------- the words of each cell


def monthly_words(card: RateCard, column: PlanColumn) -> list[str]:
    """``$250.00 a month`` / ``$55.00 per workstation``: how the plan is priced."""
    currency = card.practice.currency
    terms = column.terms
    words = []
    if terms.monthly_fee or not terms.per_device:
        words.append(f"{amount(terms.monthly_fee, currency)} a month")
    words += [f"{amount(price, currency)} per {device}" for device, price in terms.per_device.items()]
    if terms.per_device and card.example is not None and card.example.devices:
        words.append(f"({amount(column.monthly, currency)} a month for the example's devices)")
    return words


def included_words(column: PlanColumn) -> list[str]:
    found = []
    for kind, value in column.included.items():
        if is_unlimited(value):
            found.append(f"unlimited {kind} support")
        elif value:
            found.append(f"{_fixed(value)} h {kind} a month")  # type: ignore[arg-type]
    return found or ["no hours included"]


def beyond_words(card: RateCard, column: PlanColumn) -> list[str]:
    currency = card.practice.currency
    terms = column.terms
    found = []
    for kind in KINDS:
        if is_unlimited(column.included[kind]):
            continue
        rate = terms.rates.get(kind)
        found.append(f"{kind} {amount(rate, currency)}/h" if rate is not None else f"{kind}: ask")
    if terms.after_hours_multiplier != 1:
        found.append(f"after hours × {terms.after_hours_multiplier.normalize()}")
    return found or ["nothing: every hour is included"]


def travel_words(card: RateCard, column: PlanColumn) -> list[str]:
    currency = card.practice.currency
    terms = column.terms
    found = []
    if column.travel_per_visit:
        found.append(f"{amount(column.travel_per_visit, currency)} per visit")
    if terms.onsite_minimum_hours:
        found.append(f"{terms.onsite_minimum_hours.normalize()} h minimum per visit")
    if terms.rounding_minutes:
        found.append(f"billed in {terms.rounding_minutes}-minute steps")
    return found or ["no trip charge or minimum"]


def example_words(card: RateCard) -> str:
    example = card.example
    if example is None:
        return ""
    parts = [f"{count} {device}{'s' if count != 1 else ''}" for device, count in example.devices.items()]
    parts += [
        f"{_fixed(hours).rstrip('0').rstrip('.')} h {kind}" for kind, hours in example.hours.items() if hours
    ]
    if example.visits:
        parts.append(f"{example.visits} site visit{'s' if example.visits != 1 else ''}")
    return ", ".join(parts)


def _rows(card: RateCard) -> list[tuple[str, list[list[str]]]]:
    return [
        ("Monthly price", [monthly_words(card, c) for c in card.plans]),
        ("Included", [included_words(c) for c in card.plans]),
        ("Beyond the included hours", [beyond_words(card, c) for c in card.plans]),
        ("Travel and minimums", [travel_words(card, c) for c in card.plans]),
    ]


# ---------------------------------------------------------------- documents


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(card: RateCard) -> str:
    currency = card.practice.currency
    title = card.practice.name or "Rate card"
    out = [f"# {_md(title)}: rate card", ""]
    out += ["| | " + " | ".join(_md(c.name.title()) for c in card.plans) + " |"]
    out += ["|---|" + "---|" * len(card.plans)]
    for label, cells in _rows(card):
        out.append(f"| {label} | " + " | ".join(_md("; ".join(cell)) for cell in cells) + " |")
    out.append("")
    if card.list_rates:
        rates = ", ".join(f"{kind} {amount(rate, currency)}/h" for kind, rate in card.list_rates.items())
        out += [f"**Without an agreement (break/fix):** {rates}.", ""]
    if card.example is not None:
        out += [f"## A typical month: {_md(example_words(card))}", ""]
        out += ["| | Price | Saving |", "|---|---:|---:|"]
        if card.example_hourly is not None:
            out.append(f"| Break/fix at list rates | {amount(card.example_hourly, currency)} | |")
        for column in card.plans:
            price = amount(column.example, currency) if column.example is not None else "—"
            saving = card.saving(column)
            saved = amount(saving, currency) if saving is not None else ""
            out.append(f"| {_md(column.name.title())} | {price} | {saved} |")
        out.append("")
    return "\n".join(out)


def to_html(card: RateCard) -> str:
    template = template_environment().get_template("rate_card.html")
    return template.render(
        card=card,
        title=card.practice.name or "Rate card",
        rows=_rows(card),
        example=example_words(card),
        currency=card.practice.currency,
        zero=ZERO,
    )


def render(card: RateCard, fmt: str) -> bytes:
    return document_bytes(
        fmt,
        "rate card",
        pdf=lambda: print_pdf(to_html(card)),
        html=lambda: to_html(card),
        markdown=lambda: to_markdown(card),
        document=lambda: to_json(card),
    )
