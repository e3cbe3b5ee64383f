"""``retainer import``: time-tracker exports into the books, all or nothing.

A thin adapter over :mod:`importers.pipeline` and :mod:`importers.timefile`: it reads
the options, shows progress and a summary, and refuses the whole command when any row
cannot be placed, so the books never hold half an export. The importers are loaded when
the command runs, so ``retainer --help`` does not pay for them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from scripts.output import find_ledger, ledger_option

if TYPE_CHECKING:
    from importers.dates import DateOrder
    from importers.pipeline import ImportRun
    from importers.timefile import Plan

#: Exports at least this big get a progress bar even when stderr is not a terminal.
BIG_EXPORT_BYTES = 1_000_000


@click.command("import")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@ledger_option
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
@click.option(
    "--day-first",
    is_flag=True,
    help="Read dates like 03/04/2026 as 3 April (when the file cannot tell).",
)
@click.option(
    "--month-first",
    is_flag=True,
    help="Read dates like 03/04/2026 as March 4 (when the file cannot tell).",
)
def import_command(
    files: tuple[Path, ...], ledger: Path | None, dry_run: bool, day_first: bool, month_first: bool
) -> None:
    """Import time-tracker CSV exports into the books.

    Reads Toggl Track (detailed report), Clockify (detailed report), Harvest (time
    report) and Kimai CSV exports, recognised by their header, plus any layout described
    under importers: generic: in contracts/practice.yaml. Each row becomes a
    `custom "time"` entry in time/YYYY-MM.beancount next to the ledger; clients are
    matched to contracts by id, name or alias, found through the ledger's
    plugin "plugins.retainer" line.

    Importing the same or an overlapping export again adds nothing: entries already in
    the books (by id) are skipped and no existing line is changed. If any row cannot be
    placed (unknown client, bad date or duration, a date outside the client's terms),
    every problem is listed with its file and row and nothing is written.

    \b
    Examples:
      retainer import ~/Downloads/Toggl_time_entries_2026-01-01_to_2026-01-31.csv
      retainer import --dry-run --day-first harvest_time_report.csv
    """
    from importers.pipeline import BooksError, load_books, read_exports
    from importers.timefile import apply, plan
    from plugins.billing.gcpause import gc_paused

    ledger = find_ledger(ledger)
    if day_first and month_first:
        raise click.UsageError("give --day-first or --month-first, not both")
    date_order: DateOrder | None = "day-first" if day_first else "month-first" if month_first else None

    try:
        books = load_books(ledger)
    except BooksError as exc:
        _fail(str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(_unreadable(exc, ledger))
    with _progress(files) as progress:
        run = read_exports(list(files), books, date_order, progress)
    if run.problems:
        for problem in run.problems:
            click.echo(str(problem), err=True)
        count = len(run.problems)
        what = "the contracts have problems" if books.problems else "some rows cannot be placed"
        _fail(f"refused: {what} ({count} problem{'s' if count != 1 else ''}); nothing was written")
    try:
        with gc_paused():
            result = plan(ledger, run.time_entries())
        if not dry_run:
            apply(result)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(_unreadable(exc, ledger))
    _summary(run, result, ledger, dry_run)


def _fail(message: str) -> NoReturn:
    click.echo(f"retainer import: {message}", err=True)
    sys.exit(1)


def _unreadable(exc: OSError | UnicodeDecodeError, ledger: Path) -> str:
    """One line naming the file (and line) that cannot be read or written, and why.

    A decoding error names its file in a note (``timefile.read_text``), else it is the ledger.
    """
    if isinstance(exc, UnicodeDecodeError):
        notes = getattr(exc, "__notes__", None) or [str(ledger)]
        line = bytes(exc.object[: exc.start]).count(b"\n") + 1
        byte = bytes(exc.object[exc.start : exc.start + 1]).hex()
        return f"{notes[-1]}:{line}: not UTF-8 text (byte 0x{byte}); save the file as UTF-8"
    where = exc.filename if exc.filename is not None else ledger
    return f"{where}: {exc.strerror or exc}"


@contextmanager
def _progress(files: Sequence[Path]) -> Iterator[Callable[[int], None] | None]:
    """A click progress bar over the rows of all files, for terminals and big exports."""
    sizes = [path.stat().st_size for path in files]
    if not (sys.stderr.isatty() or sum(sizes) >= BIG_EXPORT_BYTES):
        yield None
        return
    rows = sum(_count_lines(path) for path in files)
    with click.progressbar(length=rows, label="Reading exports", file=sys.stderr) as bar:
        yield bar.update


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _summary(run: ImportRun, result: Plan, ledger: Path, dry_run: bool) -> None:
    from importers.durations import format_hours

    for found in run.files:
        title = found.source.title if found.source is not None else "unknown"
        skipped = f", {found.skipped} not client work (skipped)" if found.skipped else ""
        click.echo(f"{found.filename}: {title}, {found.rows_read} rows{skipped}")
    would = "Would add" if dry_run else "Added"
    click.echo(
        f"Rows read: {run.rows_read}. {would} {len(result.added)} entries;"
        f" skipped {result.duplicates} duplicate{'s' if result.duplicates != 1 else ''}"
        " already in the books."
    )
    for path in result.files:
        verb = "would write" if dry_run else "wrote"
        click.echo(f"  {verb} {_shown(path)}")
    if result.include_added:
        click.echo(f'  {"would add" if dry_run else "added"} include "time/*.beancount" to {_shown(ledger)}')
    if result.added:
        click.echo("Hours added per client:")
        totals: dict[str, Decimal] = {}
        for entry in result.added:
            totals[entry.client] = totals.get(entry.client, Decimal(0)) + entry.hours
        width = max(len(client) for client in totals)
        for client, hours in sorted(totals.items()):
            shown = format_hours(hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            click.echo(f"  {client:<{width}}  {shown:>10}")
    _closed_warning(result, ledger)
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _closed_warning(result: Plan, ledger: Path) -> None:
    """Late time in a closed month is not billed again: say so, and how to bill it."""
    from plugins.billing.rules import month_label, month_of
    from scripts.closebooks import closed_on_disk

    closed = set(closed_on_disk(ledger))
    late = sorted({month_of(entry.date) for entry in result.added} & closed)
    if late:
        count = sum(1 for entry in result.added if month_of(entry.date) in closed)
        months = ", ".join(month_label(m) for m in late)
        click.echo(
            f"warning: {count} entr{'y is' if count == 1 else 'ies are'} dated in closed months ({months}):"
            " where they change a bill, bean-check reports a ClosedMonthError;"
            " `retainer adjust` books the difference in an open month",
            err=True,
        )


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
