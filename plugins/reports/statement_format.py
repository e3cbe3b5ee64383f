"""A ``Statement`` as the documents a client gets: JSON, Markdown, HTML, and PDF.

The HTML is one Jinja2 template (``templates/statement.html``, autoescaped: a note or a
name with markup in it prints as text); the PDF is that page printed by WeasyPrint, so
what Fava shows and what the client gets are the same page. No command or Fava code
here: both adapters call these.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import jinja2

from plugins.billing.model import KINDS
from plugins.billing.rules import Month, month_label
from plugins.reports.csvtext import half_up, json_text
from plugins.reports.statement import Statement, TimeLine
from plugins.reports.statement_words import KIND_WORDS, money_words

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

FORMATS = ("html", "pdf", "md", "json")
#: The file name ending of each format.
SUFFIXES = {"html": ".html", "pdf": ".pdf", "md": ".md", "json": ".json"}
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


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot print here: the system libraries it needs are missing."""


def to_pdf(statement: Statement) -> bytes:
    """The HTML page, printed by WeasyPrint (needs Debian's pango: ``make`` installs it)."""
    return pdf_from_html(to_html(statement))


def template_environment() -> jinja2.Environment:
    """The statements' Jinja environment (templates/, autoescaped, money filters): other
    printable pages (the rate card) use it too, so they read and print alike."""
    return _environment()


def pdf_from_html(html: str) -> bytes:
    """A page printed by WeasyPrint, or ``PdfUnavailable`` saying how to get its libraries."""
    try:
        import weasyprint  # here: it takes a few hundred ms to import, and only PDFs need it
    except OSError as exc:  # WeasyPrint loads pango with dlopen on import
        raise PdfUnavailable(
            f"printing a PDF needs the pango libraries WeasyPrint uses ({exc}): run `make pdf-libs`"
            " (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0), or use --format html"
        ) from None
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def _start_printing() -> None:
    """The printing process's start: import WeasyPrint and print one line in the
    statements' font, so the libraries and fonts are loaded before the first statement."""
    try:
        import weasyprint
    except OSError:
        return  # to_pdf says what is missing, in the error it sends back
    weasyprint.HTML(string='<p style="font-family: DejaVu Sans">0 <b>0</b></p>').write_pdf()


class PdfPrinter:
    """Prints statements to PDF on every core.

    WeasyPrint takes about 0.4 s of a core to import and a few hundred milliseconds per
    statement. So a command that prints many starts the printer before it reads the
    books: a printing process imports WeasyPrint on the other core meanwhile, then forks
    one worker per core, which start with WeasyPrint loaded. Use it as a context manager;
    on one core it prints in this process.
    """

    def __init__(self) -> None:
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        if (os.cpu_count() or 1) < 2:
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")  # it starts with our code imported
        self._conn, theirs = context.Pipe()
        self._process = context.Process(
            target=_printing_house, args=(theirs, self._conn), name="retainer-pdf"
        )
        self._process.start()
        theirs.close()  # only the printing process holds its end: a close is the other's EOF

    def print_all(self, statements: Sequence[Statement]) -> list[bytes]:
        """Each statement's PDF, in order."""
        if self._conn is None or len(statements) < 2:
            return [to_pdf(statement) for statement in statements]
        self._conn.send(list(statements))
        try:
            printed = self._conn.recv()
        except EOFError:
            raise RuntimeError("the PDF printing process ended without an answer") from None
        if isinstance(printed, BaseException):
            raise printed
        return cast("list[bytes]", printed)

    def close(self) -> None:
        if self._conn is not None and self._process is not None:
            self._conn.close()  # the printing process, waiting for statements, ends on this
            self._process.join(5)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._conn = self._process = None

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _printing_house(conn: Connection, commands: Connection) -> None:
    """The printing process: WeasyPrint loaded once, then every statement it is sent printed
    on every core, the longest first so the cores finish together. ``commands`` is the
    command's end of the pipe, which the fork copied here: closed, so the command's close
    ends the wait."""
    commands.close()
    _start_printing()
    try:
        statements: list[Statement] = conn.recv()
    except EOFError:  # closed before anything was sent: nothing to print
        return
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        workers = min(os.cpu_count() or 1, len(statements))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            longest_first = sorted(range(len(statements)), key=lambda i: -len(statements[i].time))
            futures = {i: pool.submit(to_pdf, statements[i]) for i in longest_first}
            conn.send([futures[i].result() for i in range(len(statements))])
    except Exception as exc:  # PdfUnavailable, or a bug: the command says it
        conn.send(exc)


def render_all(statements: Sequence[Statement], fmt: str, printer: PdfPrinter | None = None) -> list[bytes]:
    """Each statement in ``fmt``; PDFs by ``printer`` (or one started here), as WeasyPrint
    takes a few hundred milliseconds per statement (the other formats a few milliseconds)."""
    if fmt != "pdf":
        return [render(statement, fmt) for statement in statements]
    if printer is not None:
        return printer.print_all(statements)
    if len(statements) < 2:
        return [to_pdf(statement) for statement in statements]
    with PdfPrinter() as started:
        return started.print_all(statements)


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


def document_bytes(
    fmt: str,
    what: str,
    *,
    pdf: Callable[[], bytes],
    html: Callable[[], str],
    markdown: Callable[[], str],
    document: Callable[[], object],
) -> bytes:
    """A printable document (a statement, the rate card) in ``fmt``, as its file's bytes:
    only the asked format is made."""
    if fmt == "pdf":
        return pdf()
    if fmt == "html":
        return html().encode("utf-8")
    if fmt == "md":
        return markdown().encode("utf-8")
    if fmt == "json":
        return json_text(document()).encode("utf-8")
    raise ValueError(f"unknown {what} format {fmt!r}: use one of {', '.join(FORMATS)}")
