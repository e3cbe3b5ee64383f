"""Clockify: the *detailed* report exported as CSV.

Quoted columns ``"Project","Client","Description","Task","User","Group","Email","Tags",
"Billable","Start Date","Start Time","End Date","End Time","Duration (h)",
"Duration (decimal)",...``; newer exports add ``"Type"``, ``"Invoiced"``, ``"Invoice ID"``
and ``"Date of creation"``. ``Duration (h)`` is exact (``H:MM:SS``) and preferred over
``Duration (decimal)``, which is rounded to two decimals. Rows of ``Type`` break, time off
or holiday are not client work and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .csvfile import Columns
from .sources import ID_COLUMNS, FieldMap

REQUIRED = (
    "Project",
    "Client",
    "Description",
    "User",
    "Billable",
    "Start Date",
    "Start Time",
    "Duration (h)",
)
NOT_WORK = frozenset({"break", "time off", "time_off", "holiday"})


@dataclass(frozen=True, slots=True)
class Clockify:
    name: str = "clockify"
    date_format: str | None = None
    title: str = "Clockify detailed report"

    def field_map(self, columns: Columns) -> FieldMap | None:
        date, user = columns.find("Start Date"), columns.find("User")
        if date is None or user is None or not columns.has_all(REQUIRED):
            return None
        return FieldMap(
            date=date,
            start=columns.find("Start Time"),
            end=columns.find("End Time"),
            duration=columns.find("Duration (h)"),
            hours=columns.find("Duration (decimal)"),
            client=columns.find("Client"),
            project=columns.find("Project"),
            task=columns.find("Task"),
            tags=columns.find("Tags"),
            description=columns.find("Description"),
            user=(user,),
            email=columns.find("Email"),
            billable=columns.find("Billable"),
            entry_id=columns.find(*ID_COLUMNS),
            skip_column=columns.find("Type"),
            skip_values=NOT_WORK,
        )


SOURCE = Clockify()
