"""The export layouts of every tracker, as data: which columns hold what, in each language.

A layout names, per field (``date``, ``duration``, ``client`` ...), the column headers that
hold it, per language. One matcher (:meth:`Layout.field_map`) finds those columns in a
header for every layout alike, so adding a tracker or a language is an entry in
:data:`LAYOUTS`, never code. A layout described under ``importers:`` in practice.yaml
(:mod:`importers.custom_layouts`) goes through the same matcher.

An export is recognised by the layout that knows the most of its columns, among those
whose columns give what a time entry needs: a date, a duration (or start and end) and a
client or project. Trackers let users pick the columns of a report, so no other column is
required.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .csvfile import Columns
from .sources import FieldMap

#: The fields a layout may name. ``duration`` is exact (``H:MM:SS``, decimal hours, or
#: seconds where the layout says so); ``hours`` a rounded decimal read only when
#: ``duration`` is empty; ``surname`` is joined to ``user`` (Harvest's first and last
#: name); ``type`` says whether a row is work at all (Clockify's break, time off,
#: holiday); ``other`` names columns read only to recognise the export.
FIELDS = (
    "date",
    "start",
    "end",
    "duration",
    "hours",
    "client",
    "project",
    "task",
    "activity",
    "tags",
    "description",
    "user",
    "surname",
    "email",
    "billable",
    "id",
    "type",
    "other",
)
Headers = Mapping[str, tuple[str, ...]]

#: Entry-id columns any tracker may add: an id from the tracker beats a hash of the row.
ID_COLUMNS = ("ID", "Time entry ID", "Entry ID")
#: Values of a ``type`` column for rows that are not work for a client.
NOT_WORK = frozenset(
    {"break", "time off", "time_off", "holiday", "pause", "abwesenheit", "urlaub", "feiertag"}
)


@dataclass(frozen=True, slots=True)
class Layout:
    """One export layout: its id prefix, a title for messages, and its columns per language.

    ``seconds``: a duration written as a bare whole number above 24 is seconds (Kimai up
    to 2.26; no entry lasts more than 24 hours).
    ``strict``: every named column must be in the header (a layout from practice.yaml,
    which names exactly the columns of one sheet).
    """

    name: str
    title: str
    headers: Mapping[str, Headers]  # language -> field -> column names
    seconds: bool = False
    date_format: str | None = None
    strict: bool = False
    not_work: frozenset[str] = NOT_WORK
    _names: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def names(self, what: str) -> tuple[str, ...]:
        """Every column name of a field, all languages together, first language first."""
        found = self._names.get(what)
        if found is None:
            merged: list[str] = []
            for headers in self.headers.values():
                merged.extend(name for name in headers.get(what, ()) if name not in merged)
            found = self._names[what] = tuple(merged)
        return found

    def positions(self, columns: Columns) -> dict[str, int | tuple[int, ...]]:
        """Where each field of this layout is in the header (``user``: every part)."""
        found: dict[str, int | tuple[int, ...]] = {}
        for what in FIELDS:
            names = self.names(what)
            if not names:
                continue
            if what == "other" or (what == "user" and self.strict):
                parts = tuple(p for p in (columns.find(n) for n in names) if p is not None)
                if parts:
                    found[what] = parts
                continue
            position = columns.find(*names)
            if position is not None:
                found[what] = position
        return found

    def field_map(self, columns: Columns) -> tuple[FieldMap, int] | None:
        """The columns of this layout in ``columns`` and how many it knows, else None."""
        if self.strict and not all(columns.has_all(self.names(what)) for what in FIELDS):
            return None
        found = self.positions(columns)
        if not _enough(found):
            return None
        known = {p for v in found.values() for p in (v if isinstance(v, tuple) else (v,))}

        def one(what: str) -> int | None:
            value = found.get(what)
            return value if isinstance(value, int) else None

        user = found.get("user", ())
        users = user if isinstance(user, tuple) else (user,)
        surname = one("surname")
        date = one("date")
        assert date is not None  # checked by _enough
        return (
            FieldMap(
                date=date,
                start=one("start"),
                end=one("end"),
                duration=one("duration"),
                hours=one("hours"),
                client=one("client"),
                project=one("project"),
                task=one("task"),
                activity=one("activity"),
                tags=one("tags"),
                description=one("description"),
                user=(*users, surname) if surname is not None else users,
                email=one("email"),
                billable=one("billable"),
                entry_id=one("id"),
                skip_column=one("type"),
                skip_values=self.not_work,
            ),
            len(known),
        )


def _enough(found: Mapping[str, object]) -> bool:
    """A date, a duration (or start and end), and a client or project."""
    return (
        "date" in found
        and ("duration" in found or "hours" in found or ("start" in found and "end" in found))
        and ("client" in found or "project" in found)
    )


def detect(columns: Columns, layouts: Sequence[Layout]) -> tuple[Layout, FieldMap] | None:
    """The layout that knows most of the header's columns (the first of equals)."""
    best: tuple[Layout, FieldMap] | None = None
    best_count = 0
    for layout in layouts:
        found = layout.field_map(columns)
        if found is None:
            continue
        if layout.strict:  # the user's own description of this sheet beats any guess
            return layout, found[0]
        if found[1] > best_count:
            best, best_count = (layout, found[0]), found[1]
    return best


TOGGL = Layout(
    "toggl",
    "Toggl Track detailed report",
    {
        "en": {
            "date": ("Start date",),
            "start": ("Start time",),
            "end": ("End time", "Stop time"),
            "duration": ("Duration",),
            "client": ("Client",),
            "project": ("Project",),
            "task": ("Task",),
            "tags": ("Tags",),
            "description": ("Description",),
            "user": ("User", "Member"),
            "email": ("Email",),
            "billable": ("Billable",),
            "id": ID_COLUMNS,
            "other": ("End date", "Amount (USD)", "Amount (EUR)", "Amount (GBP)", "Weekday"),
        },
    },
)

CLOCKIFY = Layout(
    "clockify",
    "Clockify detailed report",
    {
        "en": {
            "date": ("Start Date",),
            "start": ("Start Time",),
            "end": ("End Time",),
            "duration": ("Duration (h)",),
            "hours": ("Duration (decimal)",),
            "client": ("Client",),
            "project": ("Project",),
            "task": ("Task",),
            "activity": ("Activity",),
            "tags": ("Tags",),
            "description": ("Description",),
            "user": ("User",),
            "email": ("Email",),
            "billable": ("Billable",),
            "id": ID_COLUMNS,
            "type": ("Type",),
            "other": ("Group", "End Date", "Invoiced", "Invoice ID", "Date of creation"),
        },
        "de": {
            "date": ("Startdatum",),
            "start": ("Startzeit",),
            "end": ("Endzeit",),
            "duration": ("Dauer (h)",),
            "hours": ("Dauer (dezimal)",),
            "client": ("Kunde",),
            "project": ("Projekt",),
            "task": ("Aufgabe",),
            "activity": ("Aktivität",),
            "tags": ("Tags", "Schlagwörter"),
            "description": ("Beschreibung",),
            "user": ("Benutzer",),
            "email": ("E-Mail",),
            "billable": ("Abrechenbar",),
            "type": ("Typ",),
            "other": ("Gruppe", "Enddatum", "Abgerechnet"),
        },
    },
)

HARVEST = Layout(
    "harvest",
    "Harvest time report",
    {
        "en": {
            "date": ("Date",),
            "start": ("Started At", "Start Time"),
            "end": ("Ended At", "End Time"),
            "duration": ("Hours",),
            "hours": ("Hours Rounded",),
            "client": ("Client",),
            "project": ("Project",),
            "task": ("Task",),
            "description": ("Notes",),
            "user": ("First Name",),
            "surname": ("Last Name",),
            "billable": ("Billable?", "Billable"),
            "id": ID_COLUMNS,
            "other": ("Project Code", "Invoiced?", "Approved?", "Roles", "Employee?", "Currency"),
        },
    },
)

KIMAI = Layout(
    "kimai",
    "Kimai export",
    {
        "en": {
            "date": ("Date",),
            "start": ("From", "Begin"),
            "end": ("To", "End"),
            "duration": ("Duration",),
            "client": ("Customer",),
            "project": ("Project",),
            "activity": ("Activity",),
            "tags": ("Tags",),
            "description": ("Description",),
            "user": ("User", "Username"),
            "email": ("Email", "E-mail"),
            "billable": ("Billable",),
            "id": ID_COLUMNS,
            "other": ("Rate", "Internal rate", "Hourly rate", "Exported", "Type", "Category"),
        },
        "de": {
            "date": ("Datum",),
            "start": ("Von", "Beginn"),
            "end": ("Bis", "Ende"),
            "duration": ("Dauer",),
            "client": ("Kunde",),
            "project": ("Projekt",),
            "activity": ("Tätigkeit",),
            "tags": ("Schlagworte",),
            "description": ("Beschreibung",),
            "user": ("Benutzer", "Benutzername"),
            "email": ("E-Mail",),
            "billable": ("Abrechenbar",),
            "other": ("Preis", "Interner Preis", "Stundenpreis", "Exportiert", "Typ", "Kategorie"),
        },
    },
    seconds=True,
)

#: The trackers recognised by their header, in this order among equals.
LAYOUTS: tuple[Layout, ...] = (TOGGL, CLOCKIFY, HARVEST, KIMAI)
