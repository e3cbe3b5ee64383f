"""Any other tracker's export, described by a column map in ``contracts/practice.yaml``.

Each map becomes one more :class:`~importers.layouts.Layout`, read by the same matcher
as the built-in trackers; it is *strict* (every column it names must be in the header),
and it is preferred to the built-in layouts whenever it matches: it is the user's own
description of that sheet.

::

    importers:
      generic:
        name: timesheet             # id prefix of imported entries; default "generic"
        columns:                    # the export's column names (any case)
          date: Day                 # required
          client: Customer          # client and/or project: at least one
          project: Job
          hours: Time               # decimal hours or H:MM; or give start and end
          start: Begin
          end: Finish
          task: Task
          activity: Activity
          tags: Labels
          description: Notes
          user: [First, Last]       # one column, or several joined by a space
          email: Email
          billable: Billable
          id: Entry ID
        date_format: "%d/%m/%Y"     # optional strptime format; else as for other trackers

``generic`` may also be a list of such maps, each with its own ``name``. Mistakes are
reported against practice.yaml, like every other setting there, before anything is read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from plugins.billing.contracts import CLIENT_ID
from plugins.billing.model import Location, Practice, Problem

from .layouts import FIELDS, Layout

#: The fields a column map may name: the layout fields, with ``hours`` for the duration
#: (the rounded-hours, surname, type and recognition-only columns are built-in only).
COLUMN_KEYS = tuple(
    "hours" if what == "duration" else what
    for what in FIELDS
    if what not in ("hours", "surname", "type", "other")
)
CONFIG_KEYS = ("name", "columns", "date_format")
SECTION_KEYS = ("generic",)


#: practice.yaml's names for the layout fields where they differ.
_FIELD_OF = {"hours": "duration"}


def custom_layout(
    name: str, columns: Sequence[tuple[str, tuple[str, ...]]], date_format: str | None
) -> Layout:
    """A layout with exactly the columns of a practice.yaml column map."""
    headers = {_FIELD_OF.get(key, key): names for key, names in columns}
    return Layout(
        name,
        f"generic CSV '{name}' (practice.yaml)",
        {"practice.yaml": headers},
        date_format=date_format,
        strict=True,
    )


def generic_sources(practice: Practice) -> tuple[list[Layout], list[Problem]]:
    """The generic layouts configured in practice.yaml, or the problems in that config."""
    raw = practice.importers
    where = Location(practice.filename or "contracts/practice.yaml", _importers_line(practice))
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem("PracticeError", f"importers: {message}", where))

    for key in raw:
        if key not in SECTION_KEYS:
            problem(f"unknown key '{key}'; allowed: {', '.join(SECTION_KEYS)}")
    config = raw.get("generic")
    if config is None:
        return [], problems
    items = config if isinstance(config, list) else [config]
    found: list[Layout] = []
    for number, item in enumerate(items, 1):
        label = "generic" if len(items) == 1 else f"generic item {number}"
        source = _one(item, label, problem)
        if source is not None:
            if any(other.name == source.name for other in found):
                problem(f"{label}: name '{source.name}' is used twice; give each layout its own name")
            found.append(source)
    return (found, problems) if not problems else ([], problems)


def _one(item: object, label: str, problem: Callable[[str], None]) -> Layout | None:
    if not isinstance(item, Mapping):
        problem(f"{label} must be a mapping with 'columns:' (see importers/README.md)")
        return None
    ok = True
    for key in item:
        if key not in CONFIG_KEYS:
            problem(f"{label}: unknown key '{key}'; allowed: {', '.join(CONFIG_KEYS)}")
            ok = False
    name = item.get("name", "generic")
    if not isinstance(name, str) or not CLIENT_ID.match(name):
        problem(f"{label}: name must be lowercase letters, digits and dashes, got {name!r}")
        ok = False
    date_format = item.get("date_format")
    if date_format is not None and not _valid_format(date_format):
        problem(f"{label}: date_format must be a strptime format like '%d/%m/%Y', got {date_format!r}")
        ok = False
    columns = item.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        problem(f"{label}: 'columns:' must map fields ({', '.join(COLUMN_KEYS)}) to column names")
        return None
    picked: list[tuple[str, tuple[str, ...]]] = []
    for key, value in columns.items():
        if key not in COLUMN_KEYS:
            problem(f"{label}: unknown column field '{key}'; allowed: {', '.join(COLUMN_KEYS)}")
            ok = False
            continue
        names = (value,) if isinstance(value, str) else value
        if (
            not isinstance(names, list | tuple)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
            or (key != "user" and len(names) != 1)
        ):
            problem(f"{label}: columns.{key} must be a column name" + (" or a list" if key == "user" else ""))
            ok = False
            continue
        picked.append((key, tuple(names)))
    fields = {key for key, _ in picked}
    if "date" not in fields:
        problem(f"{label}: columns.date is required")
        ok = False
    if not fields & {"client", "project"}:
        problem(f"{label}: give columns.client or columns.project (or both)")
        ok = False
    if "hours" not in fields and not {"start", "end"} <= fields:
        problem(f"{label}: give columns.hours, or columns.start and columns.end")
        ok = False
    if not ok:
        return None
    return custom_layout(name, picked, date_format if isinstance(date_format, str) else None)


def _valid_format(value: object) -> bool:
    if not isinstance(value, str) or "%" not in value:
        return False
    sample = datetime.date(2026, 1, 31)
    try:
        return datetime.datetime.strptime(sample.strftime(value), value).date() == sample
    except ValueError:
        return False


def _importers_line(practice: Practice) -> int:
    """The line of ``importers:`` in practice.yaml, so the message points at it."""
    if not practice.filename:
        return 1
    try:
        text = Path(practice.filename).read_text(encoding="utf-8")
    except OSError:
        return 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("importers:"):
            return number
    return 1
