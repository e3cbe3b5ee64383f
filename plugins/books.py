"""The billing pass: the books' entries in; contracts, time, bills and errors out.

Every adapter starts here: the Beancount plugin (``plugins.retainer``) asks for the
transactions, the Fava report (``plugins.margin``) and the ``retainer`` commands ask for
bills and time. A caller that needs less asks for less: nothing is billed until ``bills``
or a posting method is first read, and nothing is posted unless asked.

Only Beancount's core and the billing package are imported here, because this module is
on the path of every ``bean-check`` and Fava reload.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from beancount.core import data

from plugins.billing.contracts import DEFAULT_FOLDER, ContractSet, load_contracts, resolve_folder
from plugins.billing.gcpause import gc_paused
from plugins.billing.model import Contract, Location, Practice, Problem, TimeEntry
from plugins.billing.rules import Month, MonthBill, bill_contract, check_entry, check_project
from plugins.closing import ADJUSTMENT_TAG, CLOSED, ClosedBooks, Scan
from plugins.memo import BillMemo
from plugins.postings import month_transactions, opens
from plugins.reports.figures import Posting
from plugins.timeentry import parse_time_entry

#: ``plugins.writes.JOURNAL_NAME``, spelt here so that a bean-check with nothing pending
#: pays one ``stat`` and never imports the write path (a test keeps the two equal).
JOURNAL_NAME = ".retainer-journal.json"

#: The plugin's module name, as a ledger's ``plugin`` line names it.
PLUGIN = "plugins.retainer"
TODAY_VARIABLE = "RETAINER_TODAY"

ContractError = namedtuple("ContractError", "source message entry")
PracticeError = namedtuple("PracticeError", "source message entry")
TimeEntryError = namedtuple("TimeEntryError", "source message entry")
BillingError = namedtuple("BillingError", "source message entry")
UnfinishedWriteError = namedtuple("UnfinishedWriteError", "source message entry")
_ERRORS = {cls.__name__: cls for cls in (ContractError, PracticeError, TimeEntryError, BillingError)}


def today() -> datetime.date:
    """The one clock read: ``RETAINER_TODAY=YYYY-MM-DD`` pins it for reproducible runs."""
    pinned = os.environ.get(TODAY_VARIABLE)
    if pinned:
        try:
            return datetime.date.fromisoformat(pinned)
        except ValueError:
            pass
    return datetime.date.today()


def plugin_config(options_map: Mapping[str, Any]) -> str | None:
    """The config string of the ledger's ``plugin "plugins.retainer"`` line, if any."""
    for name, config in options_map.get("plugin", ()):
        if name == PLUGIN:
            return config
    return None


def enables_plugin(options_map: Mapping[str, Any]) -> bool:
    """Whether the ledger has a ``plugin "plugins.retainer"`` line."""
    return any(name == PLUGIN for name, _ in options_map.get("plugin", ()))


def contracts_folder(options_map: Mapping[str, Any], config: str | None = None) -> Path:
    """The contracts folder: the plugin config (default ``../contracts``), relative to the
    top-level ledger file."""
    if config is None:
        config = plugin_config(options_map)
    ledger = options_map.get("filename")
    base = Path(ledger).parent if ledger and not str(ledger).startswith("<") else Path.cwd()
    return resolve_folder(config or DEFAULT_FOLDER, base)


def unfinished_write(options_map: Mapping[str, Any]) -> Any | None:
    """An error when a ``retainer`` command's write of these books was interrupted (or is
    under way): the books may then hold part of its change. One ``stat`` otherwise."""
    ledger = options_map.get("filename")
    if not ledger or str(ledger).startswith("<"):
        return None
    folder = Path(ledger).parent
    if not os.path.exists(folder / JOURNAL_NAME):
        return None
    from plugins.writes import pending

    message = pending(folder)
    if message is None:
        return None
    return UnfinishedWriteError(data.new_metadata(str(ledger), 0), message, None)


#: The last passes the plugin made in this process, for readers of the same load (a Fava
#: page), keyed by the load's options map: (that options map, the pass). One: a pass holds a
#: ledger's time and bills, and an older one would be memory no page reads again (a second
#: ledger in the same Fava then bills its own pages, as it did before).
_PASSES: dict[int, tuple[Mapping[str, Any], Books]] = {}
_KEPT_PASSES = 1


#: Fava is known by its module: it loads the books before it imports its extensions.
_READERS = "fava.core"
_asked_to_keep: list[bool] = []


def keep_passes() -> None:
    """Have the plugin keep its pass in this process: for a caller that reads the books
    right after loading them (a ``retainer`` command), which then bills nothing again."""
    _asked_to_keep.append(True)


def keeps_passes() -> bool:
    """Whether the plugin's pass is read again in this process (Fava, or ``keep_passes``);
    else the plugin lets each client's time and bills go as soon as they are posted."""
    return bool(_asked_to_keep) or _READERS in sys.modules


def remember(options_map: Mapping[str, Any], books: Books) -> None:
    """Keep the plugin's pass of this load, so a page of the same load need not bill again."""
    while len(_PASSES) >= _KEPT_PASSES:
        del _PASSES[next(iter(_PASSES))]
    _PASSES[id(options_map)] = (options_map, books)


def remembered(options_map: Mapping[str, Any], on: datetime.date) -> Books | None:
    """The pass the plugin made for the load whose options map this is, billed for ``on``."""
    found = _PASSES.get(id(options_map))
    if found is None or found[0] is not options_map or found[1].today != on:
        return None
    return found[1]


def error(problem: Problem, entry: Any = None) -> Any:
    """A core ``Problem`` as a Beancount error of its kind, at its file and line."""
    cls = _ERRORS.get(problem.kind, ContractError)
    return cls(data.new_metadata(problem.where.filename, problem.where.lineno), problem.message, entry)


@dataclass
class Books:
    """One billing pass over a ledger's entries.

    ``time`` holds each client's valid time entries in ledger order; ``errors`` every
    problem found, as Beancount errors: contracts, time entries, and bills.
    """

    contracts: ContractSet
    time: dict[str, list[TimeEntry]]
    today: datetime.date
    found: list[Any] = field(default_factory=list)  # errors so far (bills add theirs)
    _billed: bool = field(default=False, repr=False)
    #: The closed-month markers and adjustments ``collect_time`` met, and in which entries.
    _scanned: tuple[Sequence[data.Directive], Scan] | None = field(default=None, repr=False)
    #: The last load's bills, for a process that loads these books again (``plugins.memo``).
    memo: BillMemo | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls,
        entries: Sequence[data.Directive],
        folder: Path,
        on: datetime.date | None = None,
        memo: BillMemo | None = None,
    ) -> Books:
        """Load the contracts of ``folder`` and collect the time in ``entries`` (no billing
        yet); with ``memo``, bill only the clients whose inputs changed since its last load."""
        scan = Scan()
        with gc_paused():
            contracts = load_contracts(folder)
            time, errors = collect_time(entries, contracts, scan)
        found = [error(p) for p in contracts.problems] + errors
        return cls(contracts, time, on or today(), found, _scanned=(entries, scan), memo=memo)

    @classmethod
    def of_ledger(
        cls,
        entries: Sequence[data.Directive],
        options_map: Mapping[str, Any],
        on: datetime.date | None = None,
    ) -> Books:
        """The pass for a loaded ledger: its contracts folder comes from its plugin line."""
        return cls.of(entries, contracts_folder(options_map), on)

    @property
    def errors(self) -> list[Any]:
        """Every problem, in the order bean-check prints them; bills the books if not yet."""
        if not self._billed:
            self.bills  # noqa: B018 (billing adds the bills' problems)
        return self.found

    @property
    def practice(self) -> Practice:
        return self.contracts.practice

    @property
    def clients(self) -> dict[str, Contract]:
        """The contracts that loaded, by client id."""
        return self.contracts.contracts

    @cached_property
    def bills(self) -> dict[str, list[MonthBill]]:
        """Every accrued month bill of every client that loaded, by client id."""
        found: dict[str, list[MonthBill]] = {}
        with gc_paused(), self.memo.lock if self.memo is not None else contextlib.nullcontext():
            if self.memo is not None:
                self.memo.start()
            for client in sorted(self.clients):
                bills = self._bill(client, self.time.get(client, []))
                if bills is not None:
                    found[client] = bills
            if self.memo is not None:
                self.memo.keep_only(self.clients)
        self._billed = True
        return found

    def bills_in_detail(self, client: str, period: tuple[Month, Month] | None = None) -> list[MonthBill]:
        """One client's bills with the charged unit of every entry (what a statement lists):
        all months, or those of ``period`` (first, last; see ``bill_contract``).

        Billed again for this one client: the other callers need only the totals, and a
        unit record per entry was a tenth of the plugin's time.
        """
        contract = self.clients[client]
        entries = self.time.get(client, [])
        return bill_contract(contract, self.practice, entries, self.today, detail=True, period=period)

    def transactions(self, existing: Sequence[data.Directive] = ()) -> list[data.Directive]:
        """The generated transactions, and an ``Open`` for each account they use that
        ``existing`` does not open; sorted as Beancount sorts entries. Months closed in
        ``existing`` (``plugins.closing``) are left out: their closed files stand."""
        with gc_paused():  # many small objects and no cycles, as in the billing itself
            return self._settle(self.generated(), existing)

    def generated(self) -> list[data.Directive]:
        """Every month's transactions as billed now, closed months included (no Opens)."""
        found: list[data.Directive] = []
        memo = self.memo
        if memo is None:
            for client, bills in self.bills.items():
                found.extend(self._post(client, bills))
            return found
        billed = self.bills
        with memo.lock:
            for client, bills in billed.items():
                found.extend(memo.transactions(client, bills, self._post))
        return found

    def _post(self, client: str, bills: list[MonthBill]) -> list[data.Transaction]:
        contract = self.clients[client]
        return [transaction for bill in bills for transaction in month_transactions(contract, bill)]

    def drain(self, existing: Sequence[data.Directive] = ()) -> list[data.Directive]:
        """``transactions()`` for a caller that wants nothing else (the plugin on every
        ``bean-check``): each client's time and bills are let go as soon as its
        transactions are made, which keeps a few hundred MB out of the peak memory on
        500k entries. ``time`` is empty afterwards and ``bills`` is not kept."""
        found: list[data.Directive] = []
        with gc_paused():
            for client in sorted(self.clients):
                bills = self._bill(client, self.time.pop(client, []))
                for bill in bills or ():
                    found.extend(month_transactions(self.clients[client], bill))
            self._billed = True
            return self._settle(found, existing)

    def _settle(
        self, found: list[data.Directive], existing: Sequence[data.Directive]
    ) -> list[data.Directive]:
        """Closed months keep their closed files' figures (``plugins.closing``): their
        transactions are not posted again, a difference is an error; then the Opens."""
        scanned = self._scanned
        scan = scanned[1] if scanned is not None and scanned[0] is existing else None
        settled = ClosedBooks.of(existing, scan).settle(found, self.clients)
        self.found.extend([p for p in settled.problems if p not in self.found])  # once per pass
        kept = settled.kept
        kept.extend(opens([*found, *settled.closed] if settled.closed else found, existing))
        kept.sort(key=data.entry_sortkey)
        return kept

    def _bill(self, client: str, entries: list[TimeEntry]) -> list[MonthBill] | None:
        """A client's bills, their problems added to ``errors``; None if billing failed."""
        contract = self.clients[client]
        try:
            if self.memo is None:
                bills = bill_contract(contract, self.practice, entries, self.today, detail=False)
            else:
                bills = self.memo.bills(
                    contract,
                    self.practice,
                    entries,
                    self.today,
                    lambda: bill_contract(contract, self.practice, entries, self.today, detail=False),
                )
        except Exception as exc:  # a bug must not take the other clients' books down
            where = Location(contract.filename, 1)
            self.found.append(error(Problem("BillingError", f"could not bill {client}: {exc!r}", where)))
            return None
        if not self._billed:
            for bill in bills:
                self.found.extend(error(problem) for problem in bill.problems)
        return bills


def collect_time(
    entries: Sequence[data.Directive], books: ContractSet, scan: Scan | None = None
) -> tuple[dict[str, list[TimeEntry]], list[Any]]:
    """The valid ``custom "time"`` entries by client, in ledger order, and errors for the rest.

    Entries of a client whose contract failed to load are passed over quietly: that
    contract's own error already says what to fix. ``scan`` collects the closed-month
    markers and adjustments on the way (``plugins.closing``), saving a loop over the books.
    """
    by_client: dict[str, list[TimeEntry]] = {client: [] for client in books.contracts}
    # One lookup per entry: the contract, the days it is in force (``Contract.span``: one
    # range check, and ``check_entry`` only for the few that fail it, to say why) and
    # where the client's entries go.
    known = {
        client: (contract, *contract.span, by_client[client]) for client, contract in books.contracts.items()
    }
    errors: list[Any] = []
    custom = data.Custom
    # A repeated id is the same tracker row imported twice: it would be billed twice. An
    # entry is dated by its row, so repeats share a date; the books are in date order, so
    # remembering one day's ids at a time finds them without a set of every id.
    day: datetime.date | None = None
    ids_of_day: dict[str, data.Meta] = {}
    extra_keys = frozenset(books.practice.time_metadata)
    transaction = data.Transaction
    markers = scan.markers if scan is not None else None
    adjustments = scan.adjustments if scan is not None else None
    for entry in entries:
        if type(entry) is not custom:
            if adjustments is not None and type(entry) is transaction:
                tags = entry.tags
                if tags and ADJUSTMENT_TAG in tags:
                    adjustments.append(entry)
            continue
        if entry.type != "time":
            if markers is not None and entry.type == CLOSED:
                markers.append(entry)
            continue
        parsed = parse_time_entry(entry, extra_keys)
        if isinstance(parsed, str):
            # An entry without values cannot be printed by Beancount: leave it out.
            errors.append(TimeEntryError(entry.meta, parsed, entry if entry.values else None))
            continue
        date, entry_id = parsed.date, parsed.id
        if entry_id is not None:
            if date != day:
                day, ids_of_day = date, {}
            meta = entry.meta
            seen = ids_of_day.setdefault(entry_id, meta)
            if seen is not meta:
                errors.append(
                    TimeEntryError(
                        meta,
                        f"id {entry_id!r} is also at {seen.get('filename')}:{seen.get('lineno')}:"
                        " the same time would be billed twice; delete one of them",
                        entry,
                    )
                )
                continue
        found = known.get(parsed.client)
        if found is None:
            if parsed.client not in books.failed_clients:
                clients = ", ".join(sorted(books.contracts)) or "none"
                errors.append(
                    TimeEntryError(
                        entry.meta,
                        f"unknown client '{parsed.client}': add contracts/{parsed.client}.yaml or"
                        f" use a known client id ({clients})",
                        entry,
                    )
                )
            continue
        contract, first, last, kept = found
        if not first <= date <= last:
            problem = check_entry(contract, parsed)
            if problem is not None:
                errors.append(TimeEntryError(entry.meta, problem, entry))
                continue
        if parsed.project is not None:
            problem = check_project(contract, parsed)
            if problem is not None:
                errors.append(TimeEntryError(entry.meta, problem, entry))
                continue
        kept.append(parsed)
    return by_client, errors


def ledger_postings(entries: Iterable[data.Directive]) -> Iterator[Posting]:
    """The postings of the transactions in ``entries`` that carry a number, as ``Posting``.

    No picking here: a report keeps the clients' accounts and the period's months
    (Fava's filters, or a command's options, have already cut ``entries``).
    """
    transaction = data.Transaction
    for entry in entries:
        if type(entry) is not transaction:
            continue
        day = entry.date
        for posting in entry.postings:
            units = posting.units
            if units is not None and isinstance(units.number, Decimal):
                yield Posting(day, posting.account, units.number, units.currency)
