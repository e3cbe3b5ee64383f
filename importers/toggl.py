"""Toggl Track: the *detailed* report exported as CSV.

Header: ``User,Email,Client,Project,Task,Description,Billable,Start date,Start time,
End date,End time,Duration,Tags[,Amount (USD)]``. ``Duration`` is exact (``H:MM:SS``);
tags are joined by ``, ``. Newer exports may say ``Member`` instead of ``User``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .csvfile import Columns
from .sources import ID_COLUMNS, FieldMap

REQUIRED = (
    "Email",
    "Client",
    "Project",
    "Description",
    "Billable",
    "Start date",
    "Start time",
    "Duration",
    "Tags",
)


@dataclass(frozen=True, slots=True)
class Toggl:
    name: str = "toggl"
    date_format: str | None = None
    title: str = "Toggl Track detailed report"

    def field_map(self, columns: Columns) -> FieldMap | None:
        user = columns.find("User", "Member")
        date = columns.find("Start date")
        if user is None or date is None or not columns.has_all(REQUIRED):
            return None
        return FieldMap(
            date=date,
            start=columns.find("Start time"),
            end=columns.find("End time", "Stop time"),
            duration=columns.find("Duration"),
            client=columns.find("Client"),
            project=columns.find("Project"),
            task=columns.find("Task"),
            tags=columns.find("Tags"),
            description=columns.find("Description"),
            user=(user,),
            email=columns.find("Email"),
            billable=columns.find("Billable"),
            entry_id=columns.find(*ID_COLUMNS),
        )


SOURCE = Toggl()
