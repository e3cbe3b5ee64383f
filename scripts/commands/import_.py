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
@click.option("--dry-run", is_flag=True, help="Show the entries that would be added; write nothing.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "beancount"]),
    default="table",
    show_default=True,
    help="How --dry-run shows the entries: a table, or the exact ledger text.",
)
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
    files: tuple[Path, ...],
    ledger: Path | None,
    dry_run: bool,
    output_format: str,
    day_first: bool,
    month_first: bool,
) -> None:
    """Import time-tracker exports (CSV or XLSX) into the books.

    Reads Toggl Track (detailed report), Clockify (detailed report), Harvest (time
    report) and Kimai exports, in English or German, recognised by their header, plus
    any layout described under importers: generic: in contracts/practice.yaml (see
    importers/README.md). Each row becomes a
    `custom "time"` entry in time/YYYY-MM.beancount next to the ledger; clients are
    matched to contracts by id, name or alias, found through the ledger's
    plugin "plugins.retainer" line.

    Importing the same or an overlapping export again adds nothing: entries already in
    the books (by id) are skipped and no existing line is changed. If any row cannot be
    placed (unknown client, bad date or duration, a date outside the client's terms),
    every problem is listed with its file and row and nothing is written. Rows that are
    not work (zero durations, running timers, breaks, time off, totals) are skipped and
    counted. Dates like 03/04/2026 that the file does not settle need --day-first or
    --month-first, or date_order: in contracts/practice.yaml.

    All month files (and the ledger's include line) are written together or not at all,
    under a lock on the books: a second import waits for the first, then adds to what it
    wrote. A write interrupted by a crash is completed or rolled back first (see
    `retainer recover`).

    \b
    Examples:
      retainer import ~/Downloads/Toggl_time_entries_2026-01-01_to_2026-01-31.csv
      retainer import --dry-run --day-first harvest_time_report.csv
      retainer import --dry-run --format beancount kimai-export.xlsx
    """
    from importers.pipeline import BooksError, load_books, read_exports
    from importers.timefile import apply, plan
    from plugins.billing.gcpause import gc_paused
    from plugins.writes import WriteError, books_lock, pending

    ledger = find_ledger(ledger)
    if day_first and month_first:
        raise click.UsageError("give --day-first or --month-first, not both")
    date_order: DateOrder | None = "day-first" if day_first else "month-first" if month_first else None

    if not ledger.is_file():  # no books to lock: say why, as loading them would
        try:
            load_books(ledger)
        except BooksError as exc:
            _fail(str(exc))
    try:
        # The lock comes first: a second import waits, then reads the books (and ids)
        # as this one left them, so both land.
        with books_lock(ledger.parent, on_wait=_say) as books:
            if dry_run:
                if (unfinished := pending(ledger.parent)) is not None:
                    _say(unfinished)
            else:
                for sentence in books.recover():
                    _say(sentence)
            try:
                contracts = load_books(ledger)
            except BooksError as exc:
                _fail(str(exc))
            except (OSError, UnicodeDecodeError) as exc:
                _fail(_unreadable(exc, ledger))
            with _progress(files) as progress:
                run = read_exports(list(files), contracts, date_order, progress)
            if run.problems:
                for problem in run.problems:
                    click.echo(str(problem), err=True)
                count = len(run.problems)
                plural = "s" if count != 1 else ""
                _fail(f"refused: {run.refusal} ({count} problem{plural}); nothing was written")
            try:
                with gc_paused():
                    result = plan(ledger, run.time_entries(), legacy_ids=run.legacy_ids())
                if not dry_run:
                    apply(result, books)
            except (OSError, UnicodeDecodeError) as exc:
                _fail(_unreadable(exc, ledger))
    except WriteError as exc:
        _fail(str(exc))
    except OSError as exc:  # the lock file cannot be made (a read-only folder)
        _fail(_unreadable(exc, ledger))
    _summary(run, result, ledger, dry_run)
    _warnings(run, result)
    if dry_run and result.added:
        _show_entries(result, output_format)


def _say(sentence: str) -> None:
    click.echo(f"retainer import: {sentence}", err=True)


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
    from plugins.timeentry import format_hours

    for found in run.files:
        title = found.source.title if found.source is not None else "unknown"
        skipped = ""
        if found.skipped:
            why = ", ".join(f"{count} {reason}" for reason, count in sorted(found.skipped_by.items()))
            skipped = f", {found.skipped} not work (skipped: {why})"
        click.echo(f"{found.filename}: {title}, {found.rows_read} rows{skipped}")
    would = "Would add" if dry_run else "Added"
    duplicates = result.duplicates + result.repeated
    where = "already in the books"
    if result.repeated:
        where = f"{result.duplicates} already in the books, {result.repeated} repeated in these exports"
    click.echo(
        f"Rows read: {run.rows_read}. {would} {len(result.added)} entries;"
        f" skipped {duplicates} duplicate{'s' if duplicates != 1 else ''}"
        + (f" ({where})." if result.repeated else f" {where}.")
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


def _warnings(run: ImportRun, result: Plan) -> None:
    """What was imported but deserves a look: unknown staff, entries that look like others."""
    if run.unknown_staff:
        click.echo(
            "warning: staff not in contracts/practice.yaml, imported under these ids (costed at"
            " default_cost_rate); add them under staff: to give them their own rate and names:",
            err=True,
        )
        for key, name in sorted(run.unknown_staff.items()):
            click.echo(f"  {key}: {{name: {_yaml_text(name)}}}", err=True)
    for entry, where in result.look_alikes:
        click.echo(
            f"warning: {entry.where}: {entry.date} {entry.client} {entry.hours} h {entry.staff or ''}"
            f" looks like the entry at {where} (another id): imported; if it is the same work"
            " edited in the tracker, delete one of them",
            err=True,
        )


def _closed_warning(result: Plan, ledger: Path) -> None:
    """Late time in a closed month is not billed again: say so, and how to bill it."""
    from plugins.closing import late_time_warning

    warning = late_time_warning([entry.date for entry in result.added], ledger)
    if warning is not None:
        click.echo(f"warning: {warning}", err=True)


def _yaml_text(text: str) -> str:
    """A name as a YAML flow scalar: quoted when plain YAML would misread it."""
    import json

    plain = text and text[0].isalnum() and all(ch.isalnum() or ch in " .'-" for ch in text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def _show_entries(result: Plan, output_format: str) -> None:
    """The entries a dry run would add: the ledger text, or one table line each."""
    from plugins.timeentry import format_hours, printable, render

    if output_format == "beancount":
        click.echo("")
        click.echo("\n".join(render(entry) for entry in result.added), nl=False)
        return
    rows = [
        (
            str(entry.date),
            entry.client,
            entry.kind,
            format_hours(entry.hours),
            entry.staff or "",
            ("after-hours " if entry.after_hours else "") + ("" if entry.billable else "non-billable"),
            printable(entry.note or "")[:60],
        )
        for entry in result.added
    ]
    heads = ("date", "client", "kind", "hours", "staff", "flags", "note")
    widths = [max(len(head), *(len(row[i]) for row in rows)) for i, head in enumerate(heads)]
    click.echo("")
    for row in (heads, *rows):
        cells = [
            cell.rjust(w) if i == 3 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
