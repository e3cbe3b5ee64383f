"""A ``Statement`` as the documents a client gets: JSON, Markdown, HTML, and PDF.

The HTML is one Jinja2 template (``templates/statement.html``, autoescaped: a note or a
name with markup in it prints as text); the PDF is that page printed by WeasyPrint, so
what Fava shows and what the client gets are the same page. No command or Fava code
here: both adapters call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from plugins.billing.model import KINDS
from plugins.billing.rules import Month, month_label
from plugins.reports.csvtext import half_up
from plugins.reports.documents import document_bytes
from plugins.reports.printing import PdfPrinter, print_pdf
from plugins.reports.statement import Statement, TimeLine
from plugins.reports.statement_words import KIND_WORDS, money_words

LINE_NAMES = {
    "retainer": "Retainer",
    "hourly": "Hourly",
    "travel": "Travel",
    "prepaid": "Prepaid hours",
    "project": "Project",
    "other": "Other",
}
#: Paper for the printed page: Letter where the currency says North America, else A4.
LETTER_CURRENCIES = frozenset({"USD", "CAD"})


def _fixed(value: Decimal) -> str:
    return str(half_up(value))


def to_json(statement: Statement) -> dict[str, Any]:
    """The document ``retainer statement --format json`` prints: the documented keys, no more
    (scripts rely on them); money to the cent and hours to the hundredth, as strings."""
    return {
        "client": statement.client,
        "name": statement.name,
        "currency": statement.currency,
        "from": month_label(statement.first),
        "through": month_label(statement.last),
        "lines": [
            {
                "kind": line.kind,
                "month": month_label(line.month),
                "amount": _fixed(line.amount),
                "description": line.description,
            }
            for line in statement.lines
        ],
        "total": _fixed(statement.total),
        "hours": {
            kind: {
                "worked": _fixed(h.worked),
                "billable": _fixed(h.billable),
                "included": h.included if isinstance(h.included, str) else _fixed(h.included),
                "included_used": _fixed(h.included_used),
                "billed": _fixed(h.billed),
            }
            for kind, h in statement.hours.items()
        },
        "visits": [
            {"date": visit.date.isoformat(), "amount": _fixed(visit.amount)} for visit in statement.visits
        ],
        "time": [
            {
                "date": entry.date.isoformat(),
                "staff": entry.staff,
                "kind": entry.kind,
                "hours": _fixed(entry.hours),
                "billable_hours": _fixed(entry.billable_hours),
                "after_hours": entry.after_hours,
                "billable": entry.billable,
                "note": entry.note,
            }
            for entry in statement.time
        ],
        "account": {
            "opening": _fixed(statement.account.opening),
            "charges": _fixed(statement.account.charges),
            "payments": _fixed(statement.account.payments),
            "closing": _fixed(statement.account.closing),
        },
    }


# ---------------------------------------------------------------- shared wording


def amount(value: Decimal, currency: str) -> str:
    """``$1,222.50``; negative ``−$900.00``: a column of money, always to the cent."""
    text = money_words(half_up(abs(value)), currency)
    if "." not in text.rsplit(" ", 1)[-1]:
        text += ".00"
    return f"−{text}" if value < 0 else text


def month_name(month: Month) -> str:
    return datetime.date(month[0], month[1], 1).strftime("%B %Y")


def period_name(statement: Statement) -> str:
    """``June 2026``, or ``June – August 2026`` for a run of months."""
    first, last = month_name(statement.first), month_name(statement.last)
    return first if first == last else f"{first} – {last}"


def hours_text(value: Decimal) -> str:
    return str(half_up(value))


def included_text(value: Decimal | str) -> str:
    return "unlimited" if isinstance(value, str) else hours_text(value)


def _staff_name(statement: Statement) -> Callable[[str | None], str]:
    def name(key: str | None) -> str:
        if key is None:
            return ""
        return statement.staff_names.get(key, key)

    return name


def billable_text(entry: TimeLine) -> str:
    """The time list's billable cell: rounded hours, or why nothing is billed."""
    if not entry.billable:
        return "not billed"
    text = hours_text(entry.billable_hours)
    if entry.visit_minimum:
        text += f" + {hours_text(entry.visit_minimum)} visit minimum"
    return text


def paper(statement: Statement) -> str:
    return "Letter" if statement.currency in LETTER_CURRENCIES else "A4"


# ---------------------------------------------------------------- Markdown


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def _md(text: str | None) -> str:
    """User text (notes, names) as literal Markdown: no markup, no table breaks."""
    return (text or "").translate(_MARKDOWN_SPECIAL).replace("\n", " ")


def to_markdown(statement: Statement) -> str:
    """The statement as Markdown, for pasting into an e-mail."""
    cur = statement.currency
    sender = statement.sender
    out = [f"# Statement {_md(statement.number)}", ""]
    if sender.name or sender.address:
        out += [" · ".join(_md(part) for part in (sender.name, *sender.address) if part), ""]
    contact = statement.contact
    to = [contact.name, statement.name] if contact is not None else [statement.name]
    out.append(
        f"**To:** {_md(', '.join(to))}" + (f" ({_md(contact.email)})" if contact and contact.email else "")
    )
    out.append(f"**Period:** {period_name(statement)} · **Date:** {statement.date.isoformat()}")
    if sender.payment_terms:
        out.append(f"**Payment terms:** {_md(sender.payment_terms)}")
    out += ["", "| Month | Charge | How it adds up | Amount |", "|---|---|---|---:|"]
    for line in statement.lines:
        out.append(
            f"| {month_label(line.month)} | {LINE_NAMES[line.kind]} | {_md(line.description)} |"
            f" {amount(line.amount, cur)} |"
        )
    if not statement.lines:
        out.append("| | Nothing billed | | |")
    out += [f"| | **Total** | | **{amount(statement.total, cur)}** |", ""]
    account = statement.account
    out += [
        "## Your account",
        "",
        "| | |",
        "|---|---:|",
        f"| Balance before {month_name(statement.first)} | {amount(account.opening, cur)} |",
        f"| Charges this period | {amount(account.charges, cur)} |",
    ]
    out += [
        f"| Payment received {p.date.isoformat()} | {amount(-p.amount, cur)} |" for p in statement.payments
    ]
    out += [f"| **Balance due** | **{amount(account.closing, cur)}** |", ""]
    out += [
        "## Hours",
        "",
        "| Kind | Worked | Billable | Included | Included used | Billed at a rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        h = statement.hours[kind]
        out.append(
            f"| {KIND_WORDS[kind]} | {hours_text(h.worked)} | {hours_text(h.billable)} |"
            f" {included_text(h.included)} | {hours_text(h.included_used)} | {hours_text(h.billed)} |"
        )
    if statement.bank:
        out += ["", "## Prepaid and rolled-over hours", ""]
        out += [f"- {month_label(month)}: {line}" for month, line in statement.bank]
    if statement.visits:
        out += ["", "## Visits", ""]
        out += [f"- {visit.date.isoformat()}: {amount(visit.amount, cur)}" for visit in statement.visits]
    out += ["", "## Time", ""]
    if statement.time:
        name = _staff_name(statement)
        out += ["| Date | Who | Kind | Hours | Billable | Note |", "|---|---|---|---:|---:|---|"]
        for entry in statement.time:
            kind = KIND_WORDS[entry.kind] + (", after hours" if entry.after_hours else "")
            out.append(
                f"| {entry.date.isoformat()} | {_md(name(entry.staff))} | {kind} |"
                f" {hours_text(entry.hours)} | {billable_text(entry)} | {_md(entry.note)} |"
            )
    else:
        out.append("No time was logged in this period.")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- HTML and PDF


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # notes and names are the user's text: shown, never run
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["amount"] = amount
    environment.filters["hours"] = hours_text
    environment.filters["included"] = included_text
    environment.filters["month"] = month_label
    return environment


def to_html(statement: Statement, *, notes: bool = False) -> str:
    """The printable page. ``notes``: show the consultant's notes (on screen, never printed)."""
    template = _environment().get_template("statement.html")
    return template.render(
        s=statement,
        kinds=KINDS,
        kind_words=KIND_WORDS,
        line_names=LINE_NAMES,
        period=period_name(statement),
        first_month=month_name(statement.first),
        staff=_staff_name(statement),
        billable=billable_text,
        paper=paper(statement),
        show_notes=notes,
    )


def to_pdf(statement: Statement) -> bytes:
    """The HTML page, printed by WeasyPrint (needs Debian's pango: ``make`` installs it)."""
    return print_pdf(to_html(statement))


def template_environment() -> jinja2.Environment:
    """The statements' Jinja environment (templates/, autoescaped, money filters): other
    printable pages (the rate card) use it too, so they read and print alike."""
    return _environment()


def render_all(statements: Sequence[Statement], fmt: str, printer: PdfPrinter | None = None) -> list[bytes]:
    """Each statement in ``fmt``; PDFs by ``printer`` (or one started here), as WeasyPrint
    takes a few hundred milliseconds per statement (the other formats a few milliseconds)."""
    if fmt != "pdf":
        return [render(statement, fmt) for statement in statements]
    pages = [to_html(statement) for statement in statements]
    if printer is not None:
        return printer.print_all(pages)
    if len(statements) < 2:
        return [print_pdf(html) for html in pages]
    with PdfPrinter() as started:
        return started.print_all(pages)


def render(statement: Statement, fmt: str) -> bytes:
    """The statement in ``fmt`` (one of ``FORMATS``), as the bytes of its file."""
    return document_bytes(
        fmt,
        "statement",
        pdf=lambda: to_pdf(statement),
        html=lambda: to_html(statement),
        markdown=lambda: to_markdown(statement),
        document=lambda: to_json(statement),
    )
