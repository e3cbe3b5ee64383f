"""``retainer statement``: a client's statement (or every client's) as HTML, PDF, Markdown, JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from plugins.billing.rules import Month, month_label
from plugins.reports.documents import FORMATS, SUFFIXES, format_of
from plugins.reports.printing import PdfPrinter, PdfUnavailable
from scripts.output import fail, ledger_option, parse_month

# The books' parts (Beancount, the statements' templates) are imported where they are used:
# `--all` starts the PDF printer first, so WeasyPrint loads on another core meanwhile.
if TYPE_CHECKING:
    from plugins.books import Books
    from plugins.reports.statement import Postings, Statement
    from scripts.ledger import Loaded

DEFAULT_FOLDER = Path("statements")


@click.command("statement")
@ledger_option
@click.argument("words", nargs=-1, metavar="CLIENT MONTH")
@click.option("--all", "every", is_flag=True, help="One statement per client billed in MONTH.")
@click.option("--through", "last", metavar="YYYY-MM", help="Last month, for a statement of several months.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Default: from the -o file's ending; else md on the terminal, pdf for --all.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (a folder with --all, default statements/). Default: the terminal.",
)
def statement_command(
    ledger: Path | None,
    words: tuple[str, ...],
    every: bool,
    last: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """A client's statement: what they are billed for MONTH and what was done for them.

    Each charge is what the books hold on Assets:Receivable:<Acct>, with the arithmetic
    behind it; then the account (balance before, charges, payments received, balance
    due), included hours used, visits, and every time entry of the period, billable or
    not. Addressed to the contract's contact:, with the practice's name, address and
    payment_terms from contracts/practice.yaml. A PDF whose page has not changed since it
    was printed is read back from the cache, not printed again ($RETAINER_CACHE_DIR).

    \b
    Examples:
      retainer statement bayview-dental 2026-06                 # Markdown, for an e-mail
      retainer statement bayview-dental 2026-06 -o june.pdf     # the PDF to send
      retainer statement bayview-dental 2026-04 --through 2026-06 --format html -o q2.html
      retainer statement bayview-dental 2026-06 --format json
      retainer statement --all 2026-06                          # statements/<client>-2026-06.pdf
      retainer statement --all 2026-06 --format md -o drafts/
    """
    client, month = _words(words, every)
    first = parse_month("statement", "MONTH", month)
    through = parse_month("statement", "--through", last) or first
    assert first is not None and through is not None
    if every and (fmt or "pdf") == "pdf":
        with PdfPrinter() as printer:  # it loads WeasyPrint on another core while the books load
            _every(ledger, first, through, fmt, output, printer)
        return
    if every:
        _every(ledger, first, through, fmt, output, None)
        return
    loaded, postings, title = _read(ledger)
    books = loaded.books
    assert client is not None
    if client not in books.clients and client in books.contracts.failed_clients:
        fail("statement", f"the contract of {client!r} does not load: fix the problem above, then retry")
    statement = _statement(books, postings, client, first, through, title)
    kind = fmt or format_of(output)
    if output is None:
        if kind == "pdf" and sys.stdout.isatty():
            fail("statement", "a PDF is not for the terminal: give -o FILE.pdf")
        sys.stdout.buffer.write(_render([statement], kind)[0])
        sys.stdout.flush()
        return
    from scripts.writing import write_files

    write_files({output: _render([statement], kind)[0]}, loaded.path, "statement")
    click.echo(str(output))


def _read(ledger: Path | None) -> tuple[Loaded, Postings, str | None]:
    """The books, their receivable postings and title; their problems said on stderr."""
    from plugins.books import ledger_postings
    from plugins.reports.statement import by_account
    from scripts.ledger import error_line, load

    loaded = load("statement", ledger)
    for error in loaded.errors:
        click.echo(f"retainer statement: problem: {error_line(error)}", err=True)
    return loaded, by_account(ledger_postings(loaded.entries)), loaded.options.get("title")


def _every(
    ledger: Path | None,
    first: Month,
    through: Month,
    fmt: str | None,
    output: Path | None,
    printer: PdfPrinter | None,
) -> None:
    """``--all``: one statement per client billed in the period, written to a folder."""
    from plugins.reports.statement import StatementError, billed_clients, check_period
    from scripts.writing import write_files

    loaded, postings, title = _read(ledger)
    books = loaded.books
    try:
        check_period(books.practice, books.today, first, through)
    except StatementError as exc:
        fail("statement", str(exc))
    clients = billed_clients(books, first, through)
    folder = output or DEFAULT_FOLDER
    kind = fmt or "pdf"
    statements = [_statement(books, postings, name, first, through, title) for name in clients]
    names = [folder / f"{name}-{_months(first, through)}{SUFFIXES[kind]}" for name in clients]
    files = dict(zip(names, _render(statements, kind, printer), strict=True))
    skipped = sorted(set(books.clients) - set(clients))
    if skipped:
        months = month_label(first) + (f" – {month_label(through)}" if through != first else "")
        click.echo(f"retainer statement: no agreement in {months}: {', '.join(skipped)}", err=True)
    write_files(files, loaded.path, "statement")
    for path in files:
        click.echo(str(path))


def _render(statements: list[Statement], kind: str, printer: PdfPrinter | None = None) -> list[bytes]:
    from plugins.reports.statement_format import render_all

    try:
        return render_all(statements, kind, printer)
    except PdfUnavailable as exc:
        fail("statement", str(exc))


def _words(words: tuple[str, ...], every: bool) -> tuple[str | None, str]:
    if every:
        if len(words) != 1:
            fail("statement", "with --all give just the month: retainer statement --all 2026-06")
        return None, words[0]
    if len(words) != 2:
        fail(
            "statement",
            "give a client and a month, e.g. retainer statement acme-dental 2026-06 (or --all MONTH)",
        )
    return words[0], words[1]


def _statement(
    books: Books, postings: Postings, client: str, first: Month, last: Month, title: str | None
) -> Statement:
    """The statement, its notes (where books and contract disagree) said on stderr."""
    from plugins.reports.statement import StatementError, for_client

    try:
        statement = for_client(books, postings, client, first, last, title=title)
    except StatementError as exc:
        fail("statement", str(exc))
    for note in statement.notes:
        click.echo(f"retainer statement: {client}: {note}", err=True)
    return statement


def _months(first: Month, last: Month) -> str:
    return month_label(first) if first == last else f"{month_label(first)}-{month_label(last)}"
