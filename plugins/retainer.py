"""Beancount plugin: accrue each client's retainer, hourly overage, travel and labor cost.

Enable it in the ledger with the contracts folder, relative to the ledger file::

    plugin "plugins.retainer" "../contracts"

It reads ``contracts/*.yaml``, collects ``custom "time"`` entries, bills them with the rules
of ``plugins.billing.rules`` and adds the transactions of SPEC section 4. It never raises:
every problem becomes a Beancount error at the YAML or ledger line to fix.

Only Beancount's core and the billing package are imported here, because this module is
on the path of every ``bean-check`` and Fava reload.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections import namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from plugins.billing.contracts import DEFAULT_FOLDER, ContractSet, load_contracts, resolve_folder
from plugins.billing.gcpause import gc_paused
from plugins.billing.model import KINDS, LABOR_ALLOCATED, UNLIMITED, Contract, Location, Problem, TimeEntry
from plugins.billing.rules import MonthBill, bill_contract, check_entry, month_label

__plugins__ = ("retainer",)

TAG = "retainer"
_TAGS = frozenset((TAG,))
TODAY_VARIABLE = "RETAINER_TODAY"
_HUNDREDTH = Decimal("0.01")

ContractError = namedtuple("ContractError", "source message entry")
PracticeError = namedtuple("PracticeError", "source message entry")
TimeEntryError = namedtuple("TimeEntryError", "source message entry")
BillingError = namedtuple("BillingError", "source message entry")
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


@dataclass
class Accruals:
    """One billing pass over the books: what the plugin posts and the reports read."""

    books: ContractSet
    time: dict[str, list[TimeEntry]]
    bills: dict[str, list[MonthBill]]
    entries: list[data.Directive]  # generated transactions and Opens, sorted
    errors: list[Any]


def contracts_folder(options_map: dict[str, Any], config: str | None) -> Path:
    """The contracts folder: the plugin config, relative to the top-level ledger file."""
    ledger = options_map.get("filename")
    base = Path(ledger).parent if ledger and not str(ledger).startswith("<") else Path.cwd()
    return resolve_folder(config or DEFAULT_FOLDER, base)


def plugin_config(options_map: dict[str, Any]) -> str | None:
    """The config string of the ledger's ``plugin "plugins.retainer"`` line, if any."""
    for name, config in options_map.get("plugin", ()):
        if name == __name__:
            return config
    return None


def compute(
    entries: Sequence[data.Directive],
    folder: Path,
    on: datetime.date | None = None,
    *,
    keep: bool = True,
    detail: bool = False,
    post: bool = True,
) -> Accruals:
    """Load the contracts in ``folder`` and bill the time in ``entries`` through ``on``.

    ``keep=False`` is the plugin's lean pass: it needs only the transactions and errors,
    so each client's time entries and bills are let go as soon as its transactions are
    made (the result's ``time`` and ``bills`` are then empty). On 500k entries that keeps
    a few hundred MB out of the peak memory of every ``bean-check``. ``detail`` keeps the
    per-unit ``ChargedUnit`` records in the bills; ``post=False`` skips making the
    transactions (a report that reads the bills and the ledger needs neither).
    """
    with gc_paused():
        books = load_contracts(folder)
        errors: list[Any] = [_error(problem) for problem in books.problems]
        time, time_errors = collect_time(entries, books)
        errors.extend(time_errors)
        bills, new_entries, bill_errors = accrue(
            books, time, on or today(), entries, keep=keep, detail=detail, post=post
        )
        errors.extend(bill_errors)
        return Accruals(books, time, bills, new_entries, errors)


def retainer(
    entries: data.Directives, options_map: dict[str, Any], config: str | None = None
) -> tuple[data.Directives, list[Any]]:
    """The plugin entry point (``__plugins__``)."""
    folder = contracts_folder(options_map, config)
    try:
        result = compute(entries, folder, keep=False)
    except Exception as exc:  # never crash bean-check: a bug is still one clear error
        error = ContractError(
            data.new_metadata(str(folder), 0), f"could not bill the contracts: {exc!r}", None
        )
        return entries, [error]
    _watch(options_map, result.books.files)
    return entries + result.entries, result.errors


def _watch(options_map: dict[str, Any], files: Iterable[str]) -> None:
    """List the YAML files, and the folder holding them, as includes.

    Beancount's cache (its input hash stats every include) and Fava's watcher key on this
    list, so edits to a contract are noticed. A *new* contract file is not one of the
    files, but it changes its folder's mtime: with the folder listed, the cache is
    refreshed and Fava's polling watcher (``fava --poll-watcher``) reloads. Fava's default
    watcher keeps events of listed files only; ``plugins.margin.watch`` has it watch the
    listed folders too.
    """
    includes = options_map.setdefault("include", [])
    for name in files:
        path = Path(name).resolve()
        # The folder with a final "/": Fava's editor then lists it as the folder it is,
        # not as one more file to open.
        for watched in (str(path), os.path.join(path.parent, "")):
            if watched not in includes:
                includes.append(watched)


def _error(problem: Problem, entry: Any = None) -> Any:
    cls = _ERRORS.get(problem.kind, ContractError)
    return cls(data.new_metadata(problem.where.filename, problem.where.lineno), problem.message, entry)


def collect_time(
    entries: Sequence[data.Directive], books: ContractSet
) -> tuple[dict[str, list[TimeEntry]], list[Any]]:
    """The valid ``custom "time"`` entries by client, in ledger order, and errors for the rest.

    Entries of a client whose contract failed to load are passed over quietly: that
    contract's own error already says what to fix.
    """
    by_client: dict[str, list[TimeEntry]] = {client: [] for client in books.contracts}
    # A contract is in force from its first term through ``ends``: one range check per
    # entry, and ``check_entry`` only for the few that fail it (to say why).
    span = {
        client: (contract.starts, contract.ends or datetime.date.max)
        for client, contract in books.contracts.items()
    }
    errors: list[Any] = []
    custom = data.Custom
    # A repeated id is the same tracker row imported twice: it would be billed twice. An
    # entry is dated by its row, so repeats share a date; the books are in date order, so
    # remembering one day's ids at a time finds them without a set of every id.
    day: datetime.date | None = None
    ids_of_day: dict[str, data.Meta] = {}
    for entry in entries:
        if type(entry) is not custom or entry.type != "time":
            continue
        parsed = parse_time_entry(entry)
        if isinstance(parsed, str):
            errors.append(TimeEntryError(entry.meta, parsed, entry))
            continue
        if parsed.id is not None:
            if parsed.date != day:
                day, ids_of_day = parsed.date, {}
            seen = ids_of_day.setdefault(parsed.id, entry.meta)
            if seen is not entry.meta:
                errors.append(
                    TimeEntryError(
                        entry.meta,
                        f"id {parsed.id!r} is also at {seen.get('filename')}:{seen.get('lineno')}:"
                        " the same time would be billed twice; delete one of them",
                        entry,
                    )
                )
                continue
        contract = books.contracts.get(parsed.client)
        if contract is None:
            if parsed.client not in books.failed_clients:
                known = ", ".join(sorted(books.contracts)) or "none"
                errors.append(
                    TimeEntryError(
                        entry.meta,
                        f"unknown client '{parsed.client}': add contracts/{parsed.client}.yaml or"
                        f" use a known client id ({known})",
                        entry,
                    )
                )
            continue
        first, last = span[parsed.client]
        if not first <= parsed.date <= last:
            problem = check_entry(contract, parsed)
            if problem is not None:
                errors.append(TimeEntryError(entry.meta, problem, entry))
                continue
        by_client[parsed.client].append(parsed)
    return by_client, errors


_USAGE = 'write it as: 2026-01-06 custom "time" "client-id" "remote" 1.5'


def parse_time_entry(entry: data.Custom) -> TimeEntry | str:
    """A ``TimeEntry`` from a ``custom "time"`` directive, or the reason it is not one."""
    values = entry.values or []
    if len(values) != 3:
        return f"a time entry needs 3 values (client, kind, hours), got {len(values)}: {_USAGE}"
    client, kind, hours = values[0].value, values[1].value, values[2].value
    if not isinstance(client, str):
        return f"the client must be a quoted id, got {client!r}: {_USAGE}"
    if kind not in KINDS:
        return f'unknown kind {kind!r}: use "remote" or "onsite"'
    if not isinstance(hours, Decimal):
        return f"hours must be a plain number like 1.5, got {hours!r}: {_USAGE}"
    if hours <= 0:
        return f"hours must be more than 0, got {hours}"
    # This runs once per time entry (hundreds of thousands): no loops, no keyword
    # arguments, and ``is True``/``is False`` (the only two bools) instead of isinstance.
    meta = entry.meta
    after_hours = meta.get("after-hours", False)
    if after_hours is not False and after_hours is not True:
        return f"after-hours must be TRUE or FALSE (no quotes), got {after_hours!r}"
    billable = meta.get("billable", True)
    if billable is not True and billable is not False:
        return f"billable must be TRUE or FALSE (no quotes), got {billable!r}"
    staff = meta.get("staff")
    if staff is not None and not isinstance(staff, str):
        return f'staff must be a quoted name like "alice", got {staff!r}'
    return TimeEntry(  # positional, in field order: date client kind hours staff ...
        entry.date,
        client,
        kind,
        hours,
        staff,
        after_hours,
        billable,
        meta.get("note"),
        meta.get("id"),
        meta.get("filename", "<unknown>"),
        meta.get("lineno", 0),
    )


def accrue(
    books: ContractSet,
    time: dict[str, list[TimeEntry]],
    on: datetime.date,
    existing: Sequence[data.Directive] = (),
    *,
    keep: bool = True,
    detail: bool = False,
    post: bool = True,
) -> tuple[dict[str, list[MonthBill]], list[data.Directive], list[Any]]:
    """The bills, transactions (and missing ``Open``s) of every accrued month of every contract.

    With ``keep=False`` each client's list is taken out of ``time`` and its bills are not
    returned, so both are freed client by client (see ``compute``).
    """
    errors: list[Any] = []
    transactions: list[data.Directive] = []
    all_bills: dict[str, list[MonthBill]] = {}
    for client in sorted(books.contracts):
        contract = books.contracts[client]
        try:
            client_time = time.get(client, []) if keep else time.pop(client, [])
            bills = bill_contract(contract, books.practice, client_time, on, detail=detail)
        except Exception as exc:  # a bug must not take the other clients' books down
            where = Location(contract.filename, 1)
            errors.append(_error(Problem("BillingError", f"could not bill {client}: {exc!r}", where)))
            continue
        if keep:
            all_bills[client] = bills
        for bill in bills:
            if post:
                transactions.extend(month_transactions(contract, bill))
            errors.extend(_error(problem) for problem in bill.problems)
    if post:
        transactions.extend(_opens(transactions, existing))
    transactions.sort(key=data.entry_sortkey)
    return all_bills, transactions, errors


def _opens(new: Sequence[data.Directive], existing: Sequence[data.Directive]) -> list[data.Open]:
    """``Open``s for accounts we post to that the ledger leaves closed, on first use."""
    opened = {entry.account for entry in existing if isinstance(entry, data.Open)}
    first_use: dict[str, tuple[datetime.date, data.Meta]] = {}
    for entry in new:
        for posting in entry.postings:  # type: ignore[union-attr]
            if posting.account not in opened and posting.account not in first_use:
                first_use[posting.account] = (entry.date, entry.meta)
    return [
        data.Open(data.new_metadata(meta["filename"], meta["lineno"]), day, account, None, None)  # type: ignore[arg-type]
        for account, (day, meta) in sorted(first_use.items())
    ]


#: One object per distinct metadata number: the books hold tens of thousands of them
#: (0.00, 4.00, 31 ...), and equal Decimals need not each take ~100 bytes. Keyed by the
#: digits and exponent, not the value: 20 == 20.00, but they print differently.
_SHARED: dict[tuple[object, ...], Decimal] = {}


def _shared(value: Decimal) -> Decimal:
    if len(_SHARED) > 100_000:  # bounded in a long-running Fava
        _SHARED.clear()
    return _SHARED.setdefault(value.as_tuple(), value)


def _hours(value: Decimal) -> Decimal:
    return _shared(value.quantize(_HUNDREDTH))


def month_transactions(contract: Contract, bill: MonthBill) -> list[data.Transaction]:
    """The SPEC section 4 transactions of one month; zero amounts are not posted."""
    accounts = contract.accounts
    receivable = accounts.receivable
    # Interned: a hundred clients share "2026-03" and "Hourly 2026-03"; with one tag set
    # for all, that keeps ~15 MB of duplicate strings and sets out of a 500k-entry check.
    month = sys.intern(month_label(bill.month))
    terms = bill.terms[0] if bill.terms else contract.terms[0]
    line = terms.where.lineno if terms.where else 1

    def meta(**extra: object) -> data.Meta:
        found = data.new_metadata(contract.filename, line)
        found["contract"] = contract.display_path
        found["month"] = month
        found.update(extra)
        return found

    def post(
        day: datetime.date, what: str, amount: Decimal, debit: str, credit: str, info: data.Meta
    ) -> data.Transaction:
        units = Amount(amount, contract.currency)
        return data.Transaction(
            info,
            day,
            "*",
            contract.name,
            sys.intern(f"{what} {month}"),
            _TAGS,
            data.EMPTY_SET,
            [
                data.Posting(debit, units, None, None, None, None),
                data.Posting(credit, -units, None, None, None, None),
            ],
        )

    found = []
    if bill.retainer:
        info = meta(
            **{
                "days-billed": _shared(Decimal(bill.days_billed)),
                "terms-from": ", ".join(str(t.start) for t in bill.terms),
            }
        )
        found.append(post(bill.first_day, "Retainer", bill.retainer, receivable, accounts.retainer, info))
    if bill.hourly:
        hours: dict[str, object] = {}
        for kind in KINDS:
            allowance = bill.included[kind]
            hours[f"{kind}-hours"] = _hours(bill.hours_billable[kind])
            hours[f"{kind}-included"] = _hours(allowance) if isinstance(allowance, Decimal) else UNLIMITED
            hours[f"{kind}-included-used"] = _hours(bill.included_used[kind])
            hours[f"{kind}-billed"] = _hours(bill.uncovered[kind])
        found.append(
            post(
                bill.last_day,
                "Hourly",
                bill.hourly,
                receivable,
                accounts.hourly,
                meta(**hours),
            )
        )
    if bill.travel:
        info = meta(
            visits=_shared(Decimal(len(bill.visits))),
            **{"visit-dates": ", ".join(str(day) for day in bill.visits)},
        )
        found.append(post(bill.last_day, "Travel", bill.travel, receivable, accounts.travel, info))
    if bill.labor:
        info = meta(hours=_hours(bill.total_hours))
        if bill.uncosted_hours:
            info["uncosted-hours"] = _hours(bill.uncosted_hours)
        found.append(
            post(
                bill.last_day,
                "Labor",
                bill.labor,
                accounts.labor,
                LABOR_ALLOCATED,
                info,
            )
        )
    return found
