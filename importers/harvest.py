"""Harvest: the *time report* (Reports > Detailed time) exported as CSV.

Header: ``Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,Invoiced?,Approved?,
First Name,Last Name,Roles,Employee?,...``; some versions add ``Hours Rounded`` (the
account's rounding), which is used only when ``Hours`` is empty: rounding is the
contract's business, not the tracker's. Harvest has no tags, so its task says whether
work was on site or after hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from .csvfile import Columns
from .sources import ID_COLUMNS, FieldMap

REQUIRED = ("Date", "Client", "Project", "Task", "Notes", "Hours", "First Name", "Last Name")


@dataclass(frozen=True, slots=True)
class Harvest:
    name: str = "harvest"
    date_format: str | None = None
    title: str = "Harvest time report"

    def field_map(self, columns: Columns) -> FieldMap | None:
        date = columns.find("Date")
        first, last = columns.find("First Name"), columns.find("Last Name")
        if date is None or first is None or last is None or not columns.has_all(REQUIRED):
            return None
        return FieldMap(
            date=date,
            start=columns.find("Started At", "Start Time"),
            end=columns.find("Ended At", "End Time"),
            duration=columns.find("Hours"),
            hours=columns.find("Hours Rounded"),
            client=columns.find("Client"),
            project=columns.find("Project"),
            task=columns.find("Task"),
            description=columns.find("Notes"),
            user=(first, last),
            billable=columns.find("Billable?", "Billable"),
            entry_id=columns.find(*ID_COLUMNS),
        )


SOURCE = Harvest()
