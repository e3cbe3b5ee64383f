"""Each client's bills of the books' last load, reused by the next load in the same process.

Fava loads the books again on every save, and most clients' time and terms have not
changed since the last load: billing them again gives the same bills, and that billing
(and posting) is most of the plugin's work in a reload. The billing core is pure: a
client's bills depend on nothing but what ``bill_contract`` is given (the contract, the
practice, the client's time entries, the day billed to; billing runs in a fixed decimal
context of its own) and, for posting, the thread's decimal context. So the memo keeps
exactly those, and a client whose inputs are all the same gets the bills, and the
transactions posted from them, of the last load.

"The same" is exact, never merely equal: ``Decimal("1.5") == Decimal("1.50")``, but sums
of them print differently. The key therefore holds the ``repr`` of the contract and of the
practice (which spells each ``Decimal`` with its digits, every date, name and the file
and line each was read from) and each time entry's hours as written, beside the entries
themselves (every field: date, kind, staff, flags, note, id, project, file, line).
Anything that differs bills the client again. What is not billing runs on every load:
reading and checking the time, closed months (``plugins.closing``), the Opens and the sort.

Only processes that read the plugin's pass again keep a memo (Fava, whose reloads it is
for, and the commands); a ``bean-check`` keeps nothing. The kept transactions are handed
out again as they are: Beancount's own plugins and Fava make new entries and never change
one in place, and a plugin listed after this one must not either. Two reloads of one
ledger at once (Fava reloads from request threads) take turns on its memo.
"""

from __future__ import annotations

import datetime
import decimal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from beancount.core import data

from plugins.billing.model import Contract, Practice, TimeEntry
from plugins.billing.rules import MonthBill

#: Ledgers whose memo a process keeps (a Fava serving several files holds one each).
KEPT_LEDGERS = 8

_HOURS = TimeEntry._fields.index("hours")  # a NamedTuple's field, read by position


def _context() -> tuple[object, ...]:
    """What of the thread's decimal context can change a posting (its flags cannot):
    posting quantizes and negates there, and a trap turns a result into an error."""
    context = decimal.getcontext()
    traps = tuple(sorted(signal.__name__ for signal, on in context.traps.items() if on))
    return (
        context.prec,
        context.rounding,
        context.Emin,
        context.Emax,
        context.clamp,
        context.capitals,
        traps,
    )


@dataclass(frozen=True, slots=True)
class _Billed:
    """One client's bills and everything they were billed from (see the module's doc)."""

    contract: str  # repr
    practice: str  # repr
    today: datetime.date
    context: tuple[object, ...]
    entries: list[TimeEntry]
    digits: str  # each entry's hours as written, one per line: what ``==`` does not see
    bills: list[MonthBill]
    transactions: list[data.Transaction] | None = None


@dataclass
class BillMemo:
    """The memo of one ledger: each client's last bills, and which clients the current
    load has reused (``reused``) or billed again (``billed``). A load holds ``lock`` while
    it bills and while it posts, so two loads at once never interleave their steps."""

    _clients: dict[str, _Billed] = field(default_factory=dict)
    _practice: tuple[Practice, str] | None = None
    reused: list[str] = field(default_factory=list)
    billed: list[str] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def start(self) -> None:
        """A new load begins: nothing reused or billed in it yet."""
        self.reused, self.billed = [], []

    def bills(
        self,
        contract: Contract,
        practice: Practice,
        entries: list[TimeEntry],
        today: datetime.date,
        bill: Callable[[], list[MonthBill]],
    ) -> list[MonthBill]:
        """The client's bills: the last load's if billed from exactly these inputs, else
        ``bill()``, kept for the next load (if it raises, nothing is kept)."""
        client = contract.client
        key = (repr(contract), self._practice_repr(practice), today, _context())
        digits = "\n".join([str(entry[_HOURS]) for entry in entries])  # one string: small to keep
        last = self._clients.get(client)
        if (
            last is not None
            and (last.contract, last.practice, last.today, last.context) == key
            and last.entries == entries
            and last.digits == digits
        ):
            self.reused.append(client)
            # This load's entries from now on: the last load's equal ones can then be freed.
            self._clients[client] = replace(last, entries=list(entries))
            return last.bills
        self.billed.append(client)
        self._clients.pop(client, None)
        bills = bill()
        self._clients[client] = _Billed(*key, list(entries), digits, bills)
        return bills

    def transactions(
        self,
        client: str,
        bills: list[MonthBill],
        post: Callable[[str, list[MonthBill]], list[data.Transaction]],
    ) -> list[data.Transaction]:
        """``post(client, bills)``: the last load's if these are its bills, posted then."""
        last = self._clients.get(client)
        if last is None or last.bills is not bills:
            return post(client, bills)
        if last.transactions is None:
            posted = post(client, bills)
            self._clients[client] = replace(last, transactions=posted)
            return posted
        return last.transactions

    def keep_only(self, clients: Sequence[str] | Mapping[str, Any]) -> None:
        """Forget the clients this load no longer has (a deleted contract)."""
        for client in list(self._clients):
            if client not in clients:
                self._clients.pop(client, None)

    def _practice_repr(self, practice: Practice) -> str:
        held = self._practice
        if held is None or held[0] is not practice:  # once per load, not per client
            held = self._practice = (practice, repr(practice))
        return held[1]


_MEMOS: dict[str, BillMemo] = {}
_LOCK = threading.Lock()


def memo_for(options_map: Mapping[str, Any]) -> BillMemo | None:
    """The memo of the ledger these options are of (by its file); None for books read
    from a string, which have no file to be the same ledger as."""
    ledger = options_map.get("filename")
    if not ledger or str(ledger).startswith("<"):
        return None
    with _LOCK:
        memo = _MEMOS.pop(str(ledger), None) or BillMemo()
        _MEMOS[str(ledger)] = memo  # the newest last: the oldest goes first
        while len(_MEMOS) > KEPT_LEDGERS:
            del _MEMOS[next(iter(_MEMOS))]
    return memo


def forget() -> None:
    """Drop every ledger's memo (``tests/test_memo.py`` starts each test from none)."""
    with _LOCK:
        _MEMOS.clear()
