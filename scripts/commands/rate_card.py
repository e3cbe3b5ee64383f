"""``retainer rate-card``: the plans side by side with the break/fix rates, one page."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from plugins.books import contracts_folder
from plugins.reports.documents import format_of
from plugins.reports.printing import PdfUnavailable
from plugins.reports.rate_card import build_rate_card
from plugins.reports.rate_card_format import FORMATS, render
from scripts.ledger import load
from scripts.output import fail, ledger_option
from scripts.writing import write_files

COMMAND = "rate-card"


@click.command(COMMAND)
@ledger_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from -o's suffix, else md.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
def rate_card_command(ledger: Path | None, fmt: str | None, output: Path | None) -> None:
    """The rate card: each plan of practice.yaml beside the list (break/fix) rates.

    Shows each plan's monthly price, what it includes, the rates beyond, travel and
    minimums, and prices the rate_card_example month at list rates and on each plan,
    billed by the same rules as the books, with the saving.

    \b
    Examples:
      retainer rate-card
      retainer rate-card -o rate-card.pdf
      retainer rate-card --format html -o rate-card.html
      retainer rate-card --format json
    """
    loaded = load(COMMAND, ledger)
    folder = contracts_folder(loaded.options)
    practice = loaded.books.practice
    if not practice.plans:
        fail(COMMAND, f"no plans: in {folder / 'practice.yaml'}: add some (docs/reference.md, practice.yaml)")
    kind = fmt or format_of(output)
    try:
        content = render(build_rate_card(practice), kind)
    except PdfUnavailable as exc:
        fail(COMMAND, str(exc))
    if output is None:
        if kind == "pdf" and sys.stdout.isatty():
            fail(COMMAND, "a PDF is not for the terminal: give -o FILE.pdf")
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    write_files({output: content}, loaded.path, COMMAND)
    click.echo(str(output))
