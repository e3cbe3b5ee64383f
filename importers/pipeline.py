"""From export files to ordered time entries, shared by ``retainer import`` and beangulp.

Both front ends need the same steps: find the contracts through the ledger, read every
file, map every row, and refuse the lot if anything cannot be placed. Keeping them here
means the command line, beangulp and Fava's Import time page can never disagree about a
file.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plugins.billing.contracts import ContractSet, contracts_folder_of, load_contracts
from plugins.billing.gcpause import gc_paused
from plugins.billing.model import Problem, TimeEntry

from .custom_layouts import generic_sources
from .dates import DateOrder
from .layouts import LAYOUTS, Layout
from .mapping import Imported, Mapper
from .reader import ExportFile, read_export


class BooksError(Exception):
    """The ledger or its contracts cannot be used; the message says what to fix."""


def load_books(ledger: Path) -> ContractSet:
    """The contracts named by the ledger's ``plugin "plugins.retainer"`` line.

    Raises:
        BooksError: no such ledger, or it does not enable the plugin.
    """
    if not ledger.is_file():
        raise BooksError(f"{ledger}: no such ledger file (give the books with --ledger PATH)")
    folder = contracts_folder_of(ledger)
    if folder is None:
        raise BooksError(
            f'{ledger}:1: the ledger has no plugin "plugins.retainer" line, so its contracts'
            ' cannot be found: add plugin "plugins.retainer" "../contracts"'
        )
    return load_contracts(folder)


def sources_for(books: ContractSet) -> tuple[list[Layout], list[Problem]]:
    """The layouts of practice.yaml, then the built-in trackers."""
    generic, problems = generic_sources(books.practice)
    return [*generic, *LAYOUTS], problems


@dataclass
class ImportRun:
    """Everything read in one run: per-file results, entries in ledger order, problems."""

    files: list[ExportFile] = field(default_factory=list)
    entries: list[Imported] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: What the problems are about, for the one-line refusal.
    refusal: str = "some rows cannot be placed"
    #: Tracker users not in practice.yaml: the staff id given to each, and their name.
    unknown_staff: dict[str, str] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return sum(found.rows_read for found in self.files)

    @property
    def skipped(self) -> int:
        return sum(found.skipped for found in self.files)

    def time_entries(self) -> list[TimeEntry]:
        return [placed.entry for placed in self.entries]

    def legacy_ids(self) -> dict[str, str]:
        """Entry id -> the id an earlier version gave the same row, where they differ."""
        return {p.entry.id: p.legacy_id for p in self.entries if p.entry.id and p.legacy_id}


def read_exports(
    paths: Sequence[Path],
    books: ContractSet,
    order: DateOrder | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportRun:
    """Read and map every export; ``problems`` lists every row that cannot be placed.

    Entries come out in ledger order: by date, then start time (entries without one
    last), then file and row order, which is also the order the billing rules use up
    included hours in.
    """
    run = ImportRun()
    sources, problems = sources_for(books)
    run.problems.extend(books.problems)
    run.problems.extend(problems)
    if books.problems:
        run.refusal = "the contracts have problems"
    elif problems:
        run.refusal = "the importers: settings in contracts/practice.yaml have problems"
    if run.problems:
        return run
    mapper = Mapper(books.contracts, books.practice)
    placed: list[Imported] = []
    with gc_paused():
        for path in paths:
            found = read_export(path, sources, order, progress, books.practice.date_order)
            run.files.append(found)
            run.problems.extend(found.problems)
            entries, problems = mapper.map_rows(found.rows)
            run.problems.extend(problems)
            placed.extend(entries)
            found.rows = []  # parsed rows are not needed once mapped: free them early
    run.problems.sort(key=lambda p: (_file_order(paths, p.where.filename), p.where.lineno))
    run.entries = sorted(placed, key=_ledger_order)
    run.unknown_staff = dict(mapper.staff.unknown)
    return run


def _file_order(paths: Sequence[Path], filename: str) -> int:
    names = [str(path) for path in paths]
    return names.index(filename) if filename in names else -1


def _ledger_order(placed: Imported) -> tuple[datetime.date, bool, datetime.time]:
    return (placed.entry.date, placed.start is None, placed.start or datetime.time.min)
