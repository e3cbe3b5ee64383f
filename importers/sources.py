"""Cutting export records into raw rows, the same way for every layout.

A layout (:mod:`importers.layouts`) only says which columns hold the date, the client,
the duration and so on; :class:`FieldMap` holds their positions in one header and cuts
every record into a :class:`~importers.rows.RawRow`, so the parsing and mapping rules
live once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from .csvfile import Table
from .rows import RawRow


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Column positions of one export layout; None where the export has no such column.

    ``user`` may name several columns that are joined by a space (Harvest's first and
    last name). Rows whose ``skip_column`` holds one of ``skip_values`` (case-folded)
    are not time worked for a client and are counted as skipped.
    """

    date: int
    start: int | None = None
    end: int | None = None
    duration: int | None = None
    hours: int | None = None
    client: int | None = None
    project: int | None = None
    task: int | None = None
    activity: int | None = None
    tags: int | None = None
    description: int | None = None
    user: tuple[int, ...] = ()
    email: int | None = None
    billable: int | None = None
    entry_id: int | None = None
    skip_column: int | None = None
    skip_values: frozenset[str] = frozenset()

    def rows(self, source: str, table: Table) -> Iterator[RawRow]:
        """Every record of ``table`` as a raw row of ``source``."""
        filename = table.filename
        empty = len(table.header)  # records get one extra "" here, for absent columns
        single = [
            self.date,
            self.start,
            self.end,
            self.duration,
            self.hours,
            self.client,
            self.project,
            self.task,
            self.activity,
            self.tags,
            self.description,
        ]
        tail = [self.email, self.billable, self.entry_id]
        pick = itemgetter(*(empty if p is None else p for p in (*single, *tail)))
        users = self.user
        skip_column, skip_values = self.skip_column, self.skip_values
        for record in table.records:
            fields = record.fields
            fields.append("")
            (
                date,
                start,
                end,
                duration,
                hours,
                client,
                project,
                task,
                activity,
                tags,
                description,
                email,
                billable,
                entry_id,
            ) = map(str.strip, pick(fields))
            if len(users) == 1:
                user = fields[users[0]].strip()
            else:
                user = " ".join(part for part in (fields[i].strip() for i in users) if part)
            skip = None
            if skip_column is not None:
                marker = fields[skip_column].strip()
                if marker.casefold() in skip_values:
                    skip = marker
            del fields[-1]
            yield RawRow(
                source,
                filename,
                record.line,
                date,
                start,
                end,
                duration,
                hours,
                client,
                project,
                task,
                activity,
                split_tags(tags) if tags else (),
                description,
                user,
                email,
                billable,
                entry_id,
                skip,
            )


def split_tags(text: str) -> tuple[str, ...]:
    """``"onsite, after-hours"`` -> ``("onsite", "after-hours")``."""
    if not text:
        return ()
    return tuple(tag for tag in (part.strip() for part in text.split(",")) if tag)
