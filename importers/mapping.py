"""Turn parsed export rows into time entries (see importers/README.md), or say why not.

Trackers know clients by display names ("Bayview Dental"), people by full names, and
on-site work by tags; the books know client ids, staff keys and a kind. Everything that
connects the two is data the user already keeps (contract aliases, practice staff), so a
row that cannot be placed gets a hint pointing at the YAML line to add, never a guess.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from plugins.billing.model import (
    BusinessHours,
    Contract,
    Kind,
    Location,
    Practice,
    Problem,
    TimeEntry,
)
from plugins.billing.rules import check_entry
from plugins.timeentry import format_hours, printable

from .rows import ExportRow

PROBLEM = "TimeImportError"

#: Built-in on-site and after-hours words, as :func:`_words` leaves them (``vor-ort`` is
#: ``vor ort``); the practice's ``onsite_words`` and ``after_hours_words`` are added.
ONSITE_WORDS = ("on site", "onsite", "site visit", "site visits", "vor ort")
AFTER_HOURS_WORDS = ("after hours", "afterhours", "after hour", "out of hours")
_WORDS = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """How names are compared: case-folded, runs of whitespace as one space."""
    return _SPACES.sub(" ", text).strip().casefold()


def _words(text: str) -> str:
    """``"On-Site Support"`` -> ``"on site support"``: punctuation is not meaning."""
    return _WORDS.sub(" ", text.casefold()).strip()


def slug(text: str) -> str:
    """``"José Álvarez"`` -> ``"jose-alvarez"``: a staff id for someone not in practice.yaml."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


@lru_cache(maxsize=4096)
def _reads_like(pattern: re.Pattern[str], labels: tuple[str, ...]) -> bool:
    return any(pattern.search(_words(label)) for label in labels if label)


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """Whole words or phrases, compared as :func:`_words` writes labels."""
    phrases = sorted({_words(word) for word in words if _words(word)}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", " ") for p in phrases) + r")\b")


_ONSITE = words_pattern(ONSITE_WORDS)
_AFTER_HOURS = words_pattern(AFTER_HOURS_WORDS)


def kind_of(row: ExportRow, onsite: re.Pattern[str] = _ONSITE) -> Kind:
    """``onsite`` when a tag, the task or the activity reads like on-site work."""
    return "onsite" if _reads_like(onsite, (*row.tags, row.task, row.activity)) else "remote"


def is_after_hours(
    row: ExportRow, hours: BusinessHours | None, after_hours: re.Pattern[str] = _AFTER_HOURS
) -> bool:
    """Tagged after-hours (or such a task/activity), or worked outside business hours.

    A day that is not a business weekday is after hours even for a row without a start
    time (Harvest exports have none); on a weekday, the start time decides.
    """
    if _reads_like(after_hours, (*row.tags, row.task, row.activity)):
        return True
    if hours is None:
        return False
    if row.date.weekday() not in hours.weekdays:
        return True
    return row.start is not None and not hours.start <= row.start < hours.end


def clean_note(text: str) -> str | None:
    """The description on one line (the ledger keeps one line per value), or None."""
    note = _SPACES.sub(" ", printable(text)).strip()
    return note or None


class ClientIndex:
    """Finds a contract by id, display name or alias, case-insensitively."""

    def __init__(self, contracts: Mapping[str, Contract]) -> None:
        self.contracts = contracts
        self.by_name: dict[str, list[Contract]] = {}
        for contract in contracts.values():
            for name in contract.names():
                found = self.by_name.setdefault(name_key(name), [])
                if contract not in found:
                    found.append(contract)

        self.cache: dict[str, list[Contract]] = {}

    def find(self, name: str) -> list[Contract]:
        found = self.cache.get(name)
        if found is None:
            found = self.cache[name] = self.by_name.get(name_key(name), [])
        return found

    def nearest(self, name: str) -> Contract | None:
        """The contract whose name looks most like ``name``, for the hint."""
        close = difflib.get_close_matches(name_key(name), list(self.by_name), n=1, cutoff=0.5)
        return self.by_name[close[0]][0] if close else None


class StaffIndex:
    """Finds a practice.yaml staff key by key, name or alias.

    Tried in turn: the full name, the e-mail address, the first name, and the e-mail's
    local part (``tech01@example.com`` -> ``tech01``); a name shared by two staff
    members matches neither.
    """

    def __init__(self, practice: Practice) -> None:
        self.by_name: dict[str, set[str]] = {}
        for member in practice.staff.values():
            for name in (member.key, member.name, *member.aliases):
                if name:
                    self.by_name.setdefault(name_key(name), set()).add(member.key)
        self.cache: dict[tuple[str, str], str | None] = {}
        #: Slugs given to tracker users not in practice.yaml, with the name they came from.
        self.unknown: dict[str, str] = {}

    def _unique(self, name: str) -> str | None:
        keys = self.by_name.get(name_key(name)) if name else None
        return next(iter(keys)) if keys is not None and len(keys) == 1 else None

    def find(self, user: str, email: str = "") -> str | None:
        """The staff key for a tracker user, else a slug of their name, else None."""
        cached = (user, email)
        if cached in self.cache:
            return self.cache[cached]
        first = user.split()[0] if user.split() else ""
        local = email.split("@")[0] if "@" in email else ""
        found = self._unique(user) or self._unique(email) or self._unique(first) or self._unique(local)
        if found is None:
            found = slug(user) or slug(email.split("@")[0]) or None
            if found is not None:
                self.unknown.setdefault(found, user or email)
        self.cache[cached] = found
        return found


def stable_ids(rows: Iterable[ExportRow]) -> list[str]:
    """An id per row: the tracker's own (``toggl:123``), else a hash of what the row says.

    The hash leaves out what changes between two exports of the same work (amounts,
    invoiced flags, row order) and the description, which is edited in the tracker
    after the fact, so an overlapping or corrected export gives the same ids. Rows that
    agree on everything else (two equal Harvest entries on one day) are told apart by
    their order of appearance, which an export of any date range keeps, as both share
    one day.
    """
    return _ids(rows, with_description=False)


def legacy_ids(rows: Iterable[ExportRow]) -> list[str | None]:
    """The ids earlier versions gave rows without a tracker id (their hash held the
    description), so books imported then are not imported a second time; None for
    rows with a tracker id, whose id never changed."""
    return [None if row.entry_id else found for row, found in zip(rows, _ids(rows, True), strict=True)]


def _ids(rows: Iterable[ExportRow], with_description: bool) -> list[str]:
    ids: list[str] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.entry_id:
            ids.append(f"{row.source}:{printable(row.entry_id)}")
            continue
        fields = [
            row.source,
            row.date.isoformat(),
            row.start.isoformat() if row.start else "",
            format_hours(row.hours),
            row.client,
            row.project,
            row.task,
            row.activity,
            ",".join(sorted(row.tags)),
            row.user,
            row.email,
            "1" if row.billable else "0",
        ]
        if with_description:
            fields.insert(9, row.description)
        content = "\x1f".join(fields)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
        count = seen.get(digest, 0) + 1
        seen[digest] = count
        ids.append(f"{row.source}:{digest}" if count == 1 else f"{row.source}:{digest}-{count}")
    return ids


@dataclass(slots=True)
class Imported:
    """A time entry made from an export row; ``start`` orders entries within a day."""

    entry: TimeEntry
    start: datetime.time | None
    #: The id an earlier version gave this row, when it differs (see :func:`legacy_ids`).
    legacy_id: str | None = None


class Mapper:
    """Maps rows to entries against one set of contracts and practice settings."""

    def __init__(self, contracts: Mapping[str, Contract], practice: Practice) -> None:
        self.clients = ClientIndex(contracts)
        self.staff = StaffIndex(practice)
        self.business_hours = practice.business_hours
        self.onsite = words_pattern((*ONSITE_WORDS, *practice.onsite_words))
        self.after_hours = words_pattern((*AFTER_HOURS_WORDS, *practice.after_hours_words))
        #: Each contract's first and last day with terms in force (docs/reference.md §3).
        self.span = {
            contract.client: (contract.starts, contract.ends or datetime.date.max)
            for contract in contracts.values()
        }

    def map_rows(self, rows: list[ExportRow]) -> tuple[list[Imported], list[Problem]]:
        """Every row as an entry, or the problems of the rows that cannot be placed."""
        placed: list[Imported] = []
        problems: list[Problem] = []
        legacy = legacy_ids(rows) if any(not row.entry_id for row in rows) else [None] * len(rows)
        for row, entry_id, old_id in zip(rows, stable_ids(rows), legacy, strict=True):
            contract = self._contract(row, problems)
            if contract is None:
                continue
            first, last = self.span[contract.client]
            entry = TimeEntry(
                date=row.date,
                client=contract.client,
                kind=kind_of(row, self.onsite),
                hours=row.hours,
                staff=self.staff.find(row.user, row.email),
                after_hours=is_after_hours(row, self.business_hours, self.after_hours),
                billable=row.billable,
                note=clean_note(row.description),
                id=entry_id,
                filename=row.filename,
                lineno=row.line,
                project=project_of(contract, row.project),
            )
            if not first <= row.date <= last:
                problems.append(_outside_terms(contract, entry, Location(row.filename, row.line)))
                continue
            placed.append(Imported(entry, row.start, old_id if old_id != entry_id else None))
        return placed, problems

    def _contract(self, row: ExportRow, problems: list[Problem]) -> Contract | None:
        """The one contract the row's client (else project) names, else a problem."""
        name = row.client or row.project
        found = self.clients.find(name) if name else []
        if len(found) == 1:
            return found[0]
        where = Location(row.filename, row.line)
        if not name:
            problems.append(
                Problem(PROBLEM, "no client or project: set the client on the entry in the tracker", where)
            )
            return None
        if len(found) > 1:
            files = ", ".join(_path(c) for c in found)
            problems.append(
                Problem(
                    PROBLEM,
                    f'client "{name}" matches {len(found)} contracts ({files}): keep the name in'
                    " one contract's aliases only",
                    where,
                )
            )
            return None
        what = "client" if row.client else "project"
        nearest = self.clients.nearest(name)
        target = _path(nearest) if nearest is not None else "contracts/<client>.yaml"
        problems.append(
            Problem(
                PROBLEM,
                f'unknown {what} "{name}" (hint: add "{name}" to aliases in {target})',
                where,
            )
        )
        return None


def project_of(contract: Contract, name: str) -> str | None:
    """The id of the client's fixed-price project that the tracker's project ``name`` is
    (its id, name or an alias, ignoring case), else None: the agreement's work (importers/README.md)."""
    if not name or not contract.projects:
        return None
    key = name_key(name)
    for project in contract.projects:
        if any(name_key(known) == key for known in project.names()):
            return project.id
    return None


def _outside_terms(contract: Contract, entry: TimeEntry, where: Location) -> Problem:
    """The billing core's message for a date outside the terms, and where an import fixes it."""
    message = check_entry(contract, entry) or f"{entry.date} is outside the terms of {contract.client}"
    return Problem(PROBLEM, f"{message} (hint: fix the date in the tracker and export again)", where)


def _path(contract: Contract) -> str:
    return contract.display_path or contract.filename or f"contracts/{contract.client}.yaml"
