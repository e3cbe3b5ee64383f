"""Read one export file: recognise its tracker, settle its dates, parse every row.

This is the layer between text and meaning. It knows nothing of contracts: it only turns
a CSV or XLSX export into :class:`~importers.rows.ExportRow` values, counts the rows that
are not work (zero, running, breaks, totals), and lists every problem found, each with
the file and line, so a bad export is reported whole in one run instead of one error at
a time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from plugins.billing.model import Location, Problem
from plugins.timeentry import format_hours

from .csvfile import Columns, Table, parse_table
from .dates import DateOrder, Settled, parse_date, parse_time, settle_order, split_datetime
from .durations import MAX_HOURS, hours_from_seconds, is_seconds, parse_duration, parse_seconds
from .layouts import LAYOUTS, Layout
from .layouts import detect as detect_layout
from .rows import ExportRow, RawRow
from .sources import FieldMap
from .xlsxfile import is_xlsx, parse_xlsx

PROBLEM = "TimeImportError"
#: How many rows pass between two calls of the progress callback.
PROGRESS_STEP = 2000

_YES = frozenset({"yes", "y", "true", "1", "billable", "x", "ja", "oui", "sí", "si"})
_NO = frozenset({"no", "n", "false", "0", "non-billable", "not billable", "nein", "non"})
#: The common spellings, looked up before any case-folding (this runs once per row).
_BILLABLE = {"": True, "Yes": True, "No": False, "yes": True, "no": False, "1": True, "0": False}


#: Why rows are skipped, as the summary names them.
ZERO, RUNNING, TOTALS = "zero duration", "running timer", "totals row"
_TOTAL_WORDS = ("total", "totals", "sum", "summe", "gesamt", "gesamtsumme")


@dataclass
class ExportFile:
    """What one export holds: parsed rows, rows skipped as not work, and its problems."""

    filename: str
    source: Layout | None = None
    rows: list[ExportRow] = field(default_factory=list)
    rows_read: int = 0
    #: Rows that are not work, by why (``zero duration``, ``break`` ...).
    skipped_by: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    order: DateOrder | None = None

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by.values())

    def skip(self, why: str) -> None:
        self.skipped_by[why] = self.skipped_by.get(why, 0) + 1

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(PROBLEM, message, Location(self.filename, line)))


def detect(table: Table, sources: Sequence[Layout]) -> tuple[Layout, FieldMap] | None:
    """The layout of the table's header, if any (see :func:`importers.layouts.detect`)."""
    return detect_layout(table.columns(), sources)


def load_table(data: bytes, filename: str, sources: Sequence[Layout] = LAYOUTS) -> Table:
    """A CSV or XLSX export as a table (told apart by the file's first bytes).

    In a workbook, the header is the first top row that one of ``sources`` recognises.

    Raises:
        ValueError: the file cannot be read as either.
    """
    if is_xlsx(data):
        return parse_xlsx(data, filename, lambda cells: detect_layout(Columns(cells), sources) is not None)
    return parse_table(data, filename)


def identify(path: Path | str, sources: Sequence[Layout] = LAYOUTS) -> Layout | None:
    """The layout of an export file, from its header alone; None if it is none of ours."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(64 * 1024)
            if is_xlsx(head):
                head += handle.read()
    except OSError:
        return None
    if not is_xlsx(head):
        head = head.split(b"\n", 1)[0]  # the header, as long as no column name holds a newline
    try:
        table = load_table(head, str(path), sources)
    except ValueError:
        return None
    found = detect(table, sources)
    return found[0] if found else None


def read_export(
    path: Path | str,
    sources: Sequence[Layout] = LAYOUTS,
    order: DateOrder | None = None,
    progress: Callable[[int], None] | None = None,
    standing: DateOrder | None = None,
) -> ExportFile:
    """Read and parse an export.

    ``order`` forces day/month order (``--day-first`` ...); ``standing`` is the
    practice's ``date_order``, used when the file's dates do not settle it.
    """
    result = ExportFile(str(path))
    try:
        table = load_table(Path(path).read_bytes(), str(path), sources)
    except (OSError, ValueError) as exc:
        result.problem(0, f"cannot read the export: {exc}")
        return result
    for line, message in table.malformed:
        result.problem(line, message)
    found = detect(table, sources)
    if found is None:
        header = ", ".join(table.header[:8]) + (", ..." if len(table.header) > 8 else "")
        result.problem(
            table.header_line,
            f"not a recognised export (header: {header}); export Toggl Track's detailed report,"
            " Clockify's detailed report, Harvest's time report or Kimai's CSV or XLSX, or"
            " describe the columns under importers: generic: in contracts/practice.yaml"
            " (see importers/README.md)",
        )
        return result
    layout, fields = found
    result.source = layout
    raws = list(fields.rows(layout.name, table))
    result.rows_read = len(raws) + len(table.malformed)
    dated: list[RawRow] = []
    for raw in raws:
        if _is_totals(raw):
            result.skip(TOTALS)
        else:
            dated.append(raw)
    if layout.date_format is None:
        # Every dated row counts as evidence, work or not: a break's 14/01 settles it too.
        settled = _settle(dated, order, standing)
        if settled.problem is not None:
            result.problem(settled.line, settled.problem)
            return result
        result.order = settled.order
    work = []
    for raw in dated:
        if raw.skip is not None:
            result.skip(raw.skip.casefold().replace("_", " "))
        else:
            work.append(raw)
    for done, raw in enumerate(work, 1):
        row = _parse(raw, layout, result.order, result)
        if row is not None:
            result.rows.append(row)
        if progress is not None and done % PROGRESS_STEP == 0:
            progress(PROGRESS_STEP)
    if progress is not None:
        progress(len(work) % PROGRESS_STEP)
    return result


def _is_totals(raw: RawRow) -> bool:
    """A totals row some exports end with: no date, and "Total" or nothing of an entry.

    A row with a date is never one, whatever its client is called.
    """
    date = raw.date.strip()
    if date and date.casefold().rstrip(":") not in _TOTAL_WORDS:
        return False
    texts = (raw.client, raw.project, raw.user, raw.description)
    return not any(texts) or any(text.casefold().rstrip(":") in _TOTAL_WORDS for text in texts if text)


def _settle(rows: Iterable[RawRow], override: DateOrder | None, standing: DateOrder | None) -> Settled:
    if override is not None:
        return Settled(override)
    dates: dict[str, int] = {}
    for raw in rows:
        date_text, _ = split_datetime(raw.date)
        dates.setdefault(date_text, raw.line)
    return settle_order(((line, text) for text, line in dates.items()), None, standing)


def _parse(raw: RawRow, layout: Layout, order: DateOrder | None, out: ExportFile) -> ExportRow | None:
    """One raw row parsed, or None: skipped as not work, or with its problems in ``out``."""
    ok = True
    date_format = layout.date_format
    date_text, time_text = split_datetime(raw.date)
    day: datetime.date | None = None
    try:
        if date_format is not None:
            day = datetime.datetime.strptime(raw.date.strip(), date_format).date()
        elif not date_text:
            raise ValueError("the date is empty")
        else:
            day = parse_date(date_text, order)
    except ValueError as exc:
        out.problem(raw.line, f"bad date: {_reason(exc, raw.date, date_format)}")
        ok = False
    start = None
    try:
        start = parse_time(raw.start or time_text)
    except ValueError as exc:
        out.problem(raw.line, f"bad time: {exc}")
        ok = False
    hours = _hours(raw, start, out, layout.seconds)
    if hours is None or isinstance(hours, str):
        if isinstance(hours, str) and ok:
            out.skip(hours)
        return None
    billable = _billable(raw, out)
    if not ok or day is None or billable is None:
        return None
    return ExportRow(
        source=raw.source,
        filename=raw.filename,
        line=raw.line,
        date=day,
        start=start,
        hours=hours,
        client=raw.client,
        project=raw.project,
        task=raw.task,
        activity=raw.activity,
        tags=raw.tags,
        description=raw.description,
        user=raw.user,
        email=raw.email,
        billable=billable,
        entry_id=raw.entry_id,
    )


def _reason(exc: ValueError, text: str, date_format: str | None) -> str:
    if date_format is not None:
        return f"'{text}' does not match date_format '{date_format}' in practice.yaml"
    return str(exc)


def _hours(raw: RawRow, start: datetime.time | None, out: ExportFile, seconds: bool) -> Decimal | str | None:
    """Hours from the exact duration, else the decimal column, else end minus start.

    Returns why the row is not work (``zero duration``, ``running timer``) instead of
    hours when it is not, and None after adding a problem to ``out``. The end time is
    read only when there is no duration: a row with one never needs it.
    """
    text = raw.duration or raw.hours
    end = None
    if not text and start is not None:
        if not raw.end.strip():
            return RUNNING  # started, neither stopped nor timed
        try:
            end = parse_time(raw.end)
        except ValueError as exc:
            out.problem(raw.line, f"bad time: {exc}")
            return None
    try:
        if text:
            hours = parse_seconds(text) if seconds and is_seconds(text) else parse_duration(text)
        elif start is not None and end is not None:
            elapsed = _seconds(end) - _seconds(start)
            hours = hours_from_seconds(elapsed if elapsed >= 0 else elapsed + 86400)
        else:
            out.problem(raw.line, "no duration: the row has neither a duration nor start and end times")
            return None
    except ValueError as exc:
        out.problem(raw.line, f"bad duration: {exc}")
        return None
    if hours <= 0:
        return RUNNING if start is not None and not raw.end.strip() else ZERO
    if hours > MAX_HOURS:
        out.problem(
            raw.line,
            f"duration of {format_hours(hours)} hours is more than a day: a timer left running?"
            " fix the entry in the tracker and export again",
        )
        return None
    return hours


def _seconds(moment: datetime.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _billable(raw: RawRow, out: ExportFile) -> bool | None:
    found = _BILLABLE.get(raw.billable)
    if found is not None:
        return found
    text = raw.billable.strip().casefold()
    if not text or text in _YES:
        return True
    if text in _NO:
        return False
    out.problem(raw.line, f"billable reads '{raw.billable}': expected Yes or No")
    return None
