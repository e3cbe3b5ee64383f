"""Closed months: once a month's bills are issued, the books keep them as issued.

``retainer close MONTH`` writes the month's generated transactions as text into
``closed/MONTH.beancount`` after a ``custom "retainer-closed" "MONTH"`` marker. From then
on the billing pass posts nothing dated in that month: the closed file's transactions are
the books for it. The month is still billed again, and where the result differs from the
closed figures (a contract edited, a late time entry) a ``ClosedMonthError`` names the
client, month, account and both amounts, and says how to go on.

An adjustment (a transaction tagged ``#retainer-adjustment`` with ``adjusts: "MONTH"``,
dated in an open month, as ``retainer adjust`` writes it) counts towards the closed
month it adjusts: once the closed figures plus the adjustments equal the new ones, the
error is gone and the closed file is untouched.

Only Beancount's core and the billing model are imported: this runs on every bean-check.
"""

from __future__ import annotations

import datetime
from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from beancount.core import data

from plugins.billing.model import (
    CLIENT_PREFIXES,
    EXPENSE_ROOT,
    INCOME_ROOT,
    PREPAID_ROOT,
    RECEIVABLE_ROOT,
    ZERO,
    Contract,
)
from plugins.billing.rules import Month, days_in, month_label, month_of, next_month, parse_month_label

#: The marker entry's type: ``YYYY-MM-DD custom "retainer-closed" "YYYY-MM"``.
CLOSED = "retainer-closed"
#: The tag and metadata key of an adjustment booked for a closed month.
ADJUSTMENT_TAG = "retainer-adjustment"
ADJUSTS = "adjusts"

ClosedMonthError = namedtuple("ClosedMonthError", "source message entry")

#: Roots whose third component is a client's account component (docs/reference.md §4).
_CLIENT_ROOTS = tuple(f"{root}:" for root in (RECEIVABLE_ROOT, INCOME_ROOT, EXPENSE_ROOT, PREPAID_ROOT))

#: (account, currency) -> amount: what a client's transactions of one month add up to.
Figures = dict[tuple[str, str], Decimal]


def parse_month(text: object) -> Month | None:
    """``"2026-03"`` -> ``(2026, 3)``; None for anything else (nor padded: a marker is exact)."""
    return parse_month_label(text) if isinstance(text, str) and text == text.strip() else None


def last_day(month: Month) -> datetime.date:
    return datetime.date(month[0], month[1], days_in(month))


def marker_text(month: Month) -> str:
    """The marker line a closed file starts with (the exact form of docs/reference.md, closing a month)."""
    return f'{last_day(month)} custom "{CLOSED}" "{month_label(month)}"\n'


@dataclass(frozen=True, slots=True)
class Line:
    """One account whose closed figure differs from the month billed again."""

    account: str
    currency: str
    closed: Decimal
    new: Decimal

    def shown(self, amount: Decimal) -> Decimal:
        # Income and liabilities are credits: a bill of 250 reads 250, not -250.
        return -amount if self.account.startswith(("Income:", "Liabilities:")) else amount

    def __str__(self) -> str:
        return (
            f"{self.account} closed {self.shown(self.closed):.2f} {self.currency},"
            f" now {self.shown(self.new):.2f} {self.currency}"
        )


@dataclass(frozen=True, slots=True)
class Difference:
    """A closed month of one client whose bill, billed again, comes out different."""

    client: str
    month: Month
    lines: tuple[Line, ...]  # every account that differs, counter-accounts included
    where: data.Meta

    @property
    def shown(self) -> tuple[Line, ...]:
        """The client's own income and expense lines (the receivable only moves with them)."""
        own = tuple(line for line in self.lines if line.account.startswith(CLIENT_PREFIXES))
        return own or self.lines


@dataclass
class Settled:
    """What the billing pass keeps once the closed months are taken out."""

    kept: list[data.Directive]  # generated transactions of open months, as before
    closed: list[data.Transaction]  # the closed files' transactions (for the Opens)
    differences: list[Difference] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)  # ClosedMonthErrors


@dataclass
class Scan:
    """The markers and adjustments among a ledger's entries, in ledger order.

    The billing pass already loops over every entry for the time entries, and picks these
    up on the way (``plugins.books.collect_time``): one loop over the books instead of two.
    """

    markers: list[data.Custom] = field(default_factory=list)
    adjustments: list[data.Transaction] = field(default_factory=list)

    @classmethod
    def of(cls, entries: Sequence[data.Directive]) -> Scan:
        custom, transaction = data.Custom, data.Transaction
        found = cls()
        for entry in entries:
            kind = type(entry)
            if kind is custom:
                if entry.type == CLOSED:  # type: ignore[union-attr]
                    found.markers.append(entry)  # type: ignore[arg-type]
            elif kind is transaction and ADJUSTMENT_TAG in (entry.tags or ()):  # type: ignore[union-attr]
                found.adjustments.append(entry)  # type: ignore[arg-type]
        return found


@dataclass
class ClosedBooks:
    """The closed months found in a ledger's entries, and the adjustments made to them."""

    months: dict[Month, data.Custom]  # month -> its marker
    transactions: dict[Month, list[data.Transaction]]  # month -> its closed file's transactions
    adjustments: list[data.Transaction]
    problems: list[Any]

    @classmethod
    def of(cls, entries: Sequence[data.Directive], scan: Scan | None = None) -> ClosedBooks:
        """One pass for the markers and adjustments (none if ``scan`` has them already,
        from a pass over these same ``entries``); a second, only when a month is closed,
        for the transactions of the markers' files."""
        transaction = data.Transaction
        if scan is None:
            scan = Scan.of(entries)
        markers: dict[Month, data.Custom] = {}
        adjustments = scan.adjustments
        problems: list[Any] = []
        for marker in scan.markers:
            _marker(marker, markers, problems)
        _in_order(markers, problems)
        found: dict[Month, list[data.Transaction]] = {month: [] for month in markers}
        if markers:
            files = {marker.meta.get("filename"): month for month, marker in markers.items()}
            for entry in entries:
                if type(entry) is not transaction:
                    continue
                month = files.get(entry.meta.get("filename"))
                if month is None:
                    continue
                if month_of(entry.date) != month:
                    problems.append(
                        ClosedMonthError(
                            entry.meta,
                            f"this transaction is dated {entry.date}, outside {month_label(month)},"
                            f" the month this file closes: move it to an open month's file",
                            entry,
                        )
                    )
                    continue
                found[month].append(entry)
        return cls(markers, found, adjustments, problems)

    @property
    def last(self) -> Month | None:
        return max(self.months) if self.months else None

    def first_open_day(self) -> datetime.date | None:
        """The first day after the latest closed month: where adjustments and new terms go."""
        last = self.last
        return None if last is None else datetime.date(*next_month(last), 1)

    def settle(self, generated: list[data.Directive], clients: Mapping[str, Contract]) -> Settled:
        """Take the generated transactions dated in closed months out, and compare them,
        per client and month, with the closed files plus their adjustments."""
        if not self.months and not self.adjustments:
            return Settled(generated, [], [], list(self.problems))  # the same list: nothing closed
        accounts = Owners(clients)
        closed_months = self.months
        kept = []
        new: dict[tuple[str, Month], Figures] = {}
        for entry in generated:
            month = month_of(entry.date)
            if month in closed_months and isinstance(entry, data.Transaction):
                client = client_of(entry, accounts)
                if client is not None:
                    _add(new.setdefault((client, month), {}), entry)
                continue
            kept.append(entry)
        old: dict[tuple[str, Month], Figures] = {}
        where: dict[tuple[str, Month], data.Meta] = {}
        closed: list[data.Transaction] = []
        for month, entries in self.transactions.items():
            for entry in entries:
                closed.append(entry)
                client = client_of(entry, accounts)
                if client is not None:
                    _add(old.setdefault((client, month), {}), entry)
                    where.setdefault((client, month), entry.meta)
        problems = list(self.problems)
        for entry in self.adjustments:
            key = self._adjusted(entry, accounts, problems)
            if key is not None:
                _add(old.setdefault(key, {}), entry)
        settled = Settled(kept, closed, [], problems)
        for key in sorted(new.keys() | old.keys()):
            client, month = key
            lines = _differing(old.get(key, {}), new.get(key, {}))
            if lines:
                meta = where.get(key) or closed_months[month].meta
                settled.differences.append(Difference(client, month, lines, meta))
        first_open = self.first_open_day()
        for difference in settled.differences:
            problems.append(_error(difference, clients[difference.client], first_open, self.last))
        return settled

    def _adjusted(
        self, entry: data.Transaction, accounts: Owners, problems: list[Any]
    ) -> tuple[str, Month] | None:
        """The (client, closed month) an adjustment counts towards, or None with an error."""
        month = parse_month(entry.meta.get(ADJUSTS))
        client = client_of(entry, accounts)
        if month is None:
            problems.append(
                ClosedMonthError(
                    entry.meta,
                    f"an adjustment (#{ADJUSTMENT_TAG}) needs the closed month it adjusts:"
                    f' add the line  {ADJUSTS}: "YYYY-MM"',
                    entry,
                )
            )
            return None
        if month not in self.months:
            problems.append(
                ClosedMonthError(
                    entry.meta,
                    f"this adjustment is for {month_label(month)}, which is not closed: the month is"
                    " billed as it stands now, so delete the adjustment (or close the month again)",
                    entry,
                )
            )
            return None
        if month_of(entry.date) in self.months:
            problems.append(
                ClosedMonthError(
                    entry.meta,
                    f"this adjustment is dated {entry.date}, in a closed month: date it in an open"
                    f" month (from {self.first_open_day()})",
                    entry,
                )
            )
            return None
        if client is None:
            return None  # no contract loaded for its accounts: that contract's error says so
        return client, month


class Owners(dict[str, str | None]):
    """Account name -> the client whose account it is (or None), worked out once per name."""

    def __init__(self, clients: Mapping[str, Contract]) -> None:
        super().__init__()
        self.by_component = {contract.account: client for client, contract in clients.items()}

    def __missing__(self, account: str) -> str | None:
        found = None
        if account.startswith(_CLIENT_ROOTS):
            found = self.by_component.get(account.split(":", 3)[2])
        self[account] = found
        return found


def client_of(entry: data.Transaction, owners: Owners) -> str | None:
    """The client whose accounts a transaction posts to (the first one found)."""
    for posting in entry.postings:
        client = owners[posting.account]
        if client is not None:
            return client
    return None


def _marker(entry: data.Custom, markers: dict[Month, data.Custom], problems: list[Any]) -> None:
    values = entry.values or []
    month = parse_month(values[0].value) if len(values) == 1 else None
    if month is None:
        problems.append(
            ClosedMonthError(entry.meta, f"write the marker as: {marker_text((2026, 1)).strip()}", entry)
        )
    elif entry.date != last_day(month):
        problems.append(
            ClosedMonthError(
                entry.meta,
                f"the marker of {month_label(month)} must be dated {last_day(month)}, its last day",
                entry,
            )
        )
    elif month in markers:
        seen = markers[month].meta
        problems.append(
            ClosedMonthError(
                entry.meta,
                f"{month_label(month)} is closed twice (also at {seen.get('filename')}:{seen.get('lineno')}):"
                " delete one of the two files",
                entry,
            )
        )
    else:
        markers[month] = entry


def _in_order(markers: Mapping[Month, data.Custom], problems: list[Any]) -> None:
    """Closed months run without a gap: a month between two closed ones would be billed as
    it stands while the months around it are not."""
    closed = sorted(markers)
    for before, after in pairwise(closed):
        if next_month(before) != after:
            gap = month_label(next_month(before))
            problems.append(
                ClosedMonthError(
                    markers[after].meta,
                    f"{month_label(after)} is closed but {gap} is not: months close in order;"
                    f" restore closed/{gap}.beancount from git, or reopen the later months",
                    markers[after],
                )
            )


def _add(figures: Figures, entry: data.Transaction) -> None:
    for posting in entry.postings:
        units = posting.units
        if units is not None and isinstance(units.number, Decimal):
            key = (posting.account, units.currency)
            figures[key] = figures.get(key, ZERO) + units.number


def _differing(old: Figures, new: Figures) -> tuple[Line, ...]:
    return tuple(
        Line(account, currency, old.get((account, currency), ZERO), new.get((account, currency), ZERO))
        for account, currency in sorted(old.keys() | new.keys())
        if old.get((account, currency), ZERO) != new.get((account, currency), ZERO)
    )


def _error(
    difference: Difference, contract: Contract, first_open: datetime.date | None, last: Month | None
) -> Any:
    label = month_label(difference.month)
    if last is None or last == difference.month:
        reopen = f"retainer reopen {label}"
    else:  # months reopen latest first
        reopen = f"retainer reopen {month_label(last)}, and each month back to {label}"
    lines = "; ".join(str(line) for line in difference.shown)
    term = f"a term '- from: {first_open}' in {contract.display_path}" if first_open else "a new term"
    message = (
        f"{difference.client} {label} is closed, but billing it again gives different figures: {lines}."
        f" The closed figures stand (if the closed file was edited by hand, restore it from git)."
        f" To go on: make the change in {term} (an open month);"
        f" or book an adjustment in an open month: retainer adjust {label} --client {difference.client};"
        f" or reopen the month: {reopen}"
    )
    return ClosedMonthError(difference.where, message, None)


#: The folder beside the ledger that holds closed months, one file each.
CLOSED_FOLDER = "closed"


def closed_file(ledger: Path, month: Month) -> Path:
    return ledger.parent / CLOSED_FOLDER / f"{month_label(month)}.beancount"


def closed_on_disk(ledger: Path) -> list[Month]:
    """The months with a file in ``closed/``, in order."""
    folder = ledger.parent / CLOSED_FOLDER
    found = [parse_month(p.stem) for p in folder.glob("*.beancount")] if folder.is_dir() else []
    return sorted(m for m in found if m is not None)


def late_time_warning(dates: Sequence[datetime.date], ledger: Path) -> str | None:
    """What to say when an import adds time dated in closed months: it is not billed again
    (where it changes a bill, the billing pass reports a ClosedMonthError)."""
    closed = set(closed_on_disk(ledger))
    late = [day for day in dates if month_of(day) in closed]
    if not late:
        return None
    months = ", ".join(month_label(m) for m in sorted({month_of(day) for day in late}))
    count = len(late)
    return (
        f"{count} entr{'y is' if count == 1 else 'ies are'} dated in closed months ({months}):"
        " where they change a bill, bean-check reports a ClosedMonthError;"
        " `retainer adjust` books the difference in an open month"
    )
