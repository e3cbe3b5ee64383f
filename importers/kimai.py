"""Kimai: the timesheet CSV export.

Header: ``Date,From,To,Duration,...,User,...,Customer,Project,Activity,Description,
Billable,Tags,...`` (the columns in between vary with the version and its plugins).
``Duration`` is ``H:MM`` or decimal hours depending on the user's settings; both are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from .csvfile import Columns
from .sources import ID_COLUMNS, FieldMap

REQUIRED = ("Date", "From", "To", "Duration", "User", "Customer", "Project", "Activity", "Description")


@dataclass(frozen=True, slots=True)
class Kimai:
    name: str = "kimai"
    date_format: str | None = None
    title: str = "Kimai export"

    def field_map(self, columns: Columns) -> FieldMap | None:
        date = columns.find("Date")
        user = columns.find("User")
        if date is None or user is None or not columns.has_all(REQUIRED):
            return None
        return FieldMap(
            date=date,
            start=columns.find("From"),
            end=columns.find("To"),
            duration=columns.find("Duration"),
            client=columns.find("Customer"),
            project=columns.find("Project"),
            activity=columns.find("Activity"),
            tags=columns.find("Tags"),
            description=columns.find("Description"),
            user=(user,),
            email=columns.find("Email", "E-mail"),
            billable=columns.find("Billable"),
            entry_id=columns.find(*ID_COLUMNS),
        )


SOURCE = Kimai()
