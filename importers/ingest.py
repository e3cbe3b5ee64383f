"""beangulp importers over the same pipeline as ``retainer import``.

For users who already run beangulp (``python importers/config.py extract ...``) or
Fava's import page. They extract ``custom "time"`` entries exactly as the command would
and de-duplicate by entry ``id``: beangulp's default compares amounts within two days,
which would merge two different one-hour entries on the same day.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import beangulp
import beangulp.exceptions
from beancount.core import data
from beangulp.extract import DUPLICATE

from plugins.billing.contracts import ContractSet
from plugins.timeentry import to_custom
from plugins.writes import WriteError, pending, recover

from .dates import DateOrder
from .layouts import LAYOUTS, Layout
from .pipeline import BooksError, load_books, read_exports, sources_for
from .reader import identify

#: Where the books are when neither the importer nor ``RETAINER_LEDGER`` says.
DEFAULT_LEDGER = Path(__file__).resolve().parent.parent / "ledger" / "main.beancount"
GENERIC = "generic"


class ImportRefused(beangulp.exceptions.Error):
    """Some rows of the export cannot be placed; the message lists every one.

    A beangulp ``Error``: beangulp's command line prints its message, not a traceback.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)


class TimeImporter(beangulp.Importer):
    """One tracker's exports (``toggl``, ``clockify``, ``harvest``, ``kimai``, ``generic``).

    Args:
        source: which tracker; ``generic`` covers the layouts of practice.yaml.
        ledger: the books whose contracts place the rows; default ``RETAINER_LEDGER``,
            else ``ledger/main.beancount`` of this repository.
        date_order: ``"day-first"`` or ``"month-first"`` for exports whose dates do
            not settle it (the ``--day-first``/``--month-first`` of the command).
        account: the account beangulp files the export documents under.
    """

    def __init__(
        self,
        source: str,
        ledger: Path | str | None = None,
        date_order: DateOrder | None = None,
        account: str = "Income:Clients",
    ) -> None:
        known = [s.name for s in LAYOUTS]
        if source not in (*known, GENERIC):
            raise ValueError(f"unknown source {source!r}; use one of {', '.join((*known, GENERIC))}")
        self.source = source
        self.ledger = Path(ledger or os.environ.get("RETAINER_LEDGER") or DEFAULT_LEDGER)
        self.date_order = date_order
        self._account = account
        #: Entry id -> the id an earlier version gave the row, from the last extract.
        self._legacy_ids: dict[str, str] = {}

    @property
    def name(self) -> str:
        return f"retainer.{self.source}"

    def _books(self) -> ContractSet:
        return load_books(self.ledger)

    def _recover(self) -> None:
        """Complete or roll back a write of ``retainer import`` that was interrupted.

        beangulp writes no books itself, but its entries are de-duplicated against them, so
        they must not be half-written. Costs one ``stat`` when nothing is pending.
        """
        folder = self.ledger.parent
        if pending(folder) is None:
            return
        try:
            said = recover(folder)
        except WriteError as exc:
            raise ImportRefused(str(exc)) from None
        for sentence in said:
            print(f"retainer: {sentence}", file=sys.stderr)

    def _sources(self) -> Sequence[Layout]:
        """The layouts ``retainer import`` would try, so both agree on every file."""
        try:
            sources, problems = sources_for(self._books())
        except BooksError:
            return LAYOUTS
        return sources if not problems else LAYOUTS

    def identify(self, filepath: str) -> bool:
        """True when the file's header is this tracker's (a practice.yaml layout's, for generic)."""
        found = identify(filepath, self._sources())
        if found is None:
            return False
        if self.source == GENERIC:
            return found.strict
        return not found.strict and found.name == self.source

    def account(self, filepath: str) -> data.Account:
        return self._account

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """Every row as a ``custom "time"`` entry, or :class:`ImportRefused` listing all problems."""
        self._recover()
        try:
            books = self._books()
        except BooksError as exc:
            raise ImportRefused(str(exc)) from None
        run = read_exports([Path(filepath)], books, self.date_order)
        if run.problems:
            # The lines ``retainer import`` prints: each problem, then why nothing is taken.
            lines = "\n".join(str(problem) for problem in run.problems)
            count = len(run.problems)
            raise ImportRefused(
                f"{lines}\n{filepath}: refused: {run.refusal} ({count} problem{'s' if count != 1 else ''});"
                " nothing extracted"
            )
        self._legacy_ids = run.legacy_ids()
        return [to_custom(placed.entry) for placed in run.entries]

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark entries whose ``id`` is already in the books (never by amount and date)."""
        known: dict[str, data.Directive] = {}
        for entry in existing:
            if isinstance(entry, data.Custom) and entry.type == "time":
                found = entry.meta.get("id")
                if isinstance(found, str):
                    known.setdefault(found, entry)
        for entry in entries:
            found = entry.meta.get("id")
            if isinstance(found, str) and found not in known:
                found = self._legacy_ids.get(found, found)
            if isinstance(found, str) and found in known:
                entry.meta[DUPLICATE] = _where(known[found])

    def sort(self, entries: data.Entries, reverse: bool = False) -> None:
        """Keep ledger order (date, then start time, then row): it decides included hours."""
        entries.sort(key=lambda entry: entry.date, reverse=reverse)


def _where(entry: data.Directive) -> data.Custom:
    """A stand-in for the entry a duplicate repeats: where it is, and nothing else.

    beangulp prints its ``filename:lineno``; Fava sends the marker to the browser as
    JSON, which the entry itself (its values carry Python types) cannot be.
    """
    meta = data.new_metadata(entry.meta.get("filename", "<books>"), entry.meta.get("lineno", 0))
    return data.Custom(meta, entry.date, "time", [])


def importers(ledger: Path | str | None = None, date_order: DateOrder | None = None) -> list[TimeImporter]:
    """One importer per tracker, plus the generic one, all on the same books."""
    return [TimeImporter(name, ledger, date_order) for name in (*(s.name for s in LAYOUTS), GENERIC)]
