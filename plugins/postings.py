"""A month bill as Beancount transactions: the postings users see in their books.

The billing core (``plugins.billing``) knows nothing of Beancount; this module turns its
``MonthBill``s into the transactions listed in docs/reference.md ("What the plugin posts"),
and opens the accounts they use. It is the one place that spells a generated entry's
narration, tag and metadata, so the plugin and every command print the same bytes.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from plugins.billing.model import KINDS, LABOR_ALLOCATED, UNLIMITED, Contract
from plugins.billing.rules import MonthBill, month_label

TAG = "retainer"
_TAGS = frozenset((TAG,))
_HUNDREDTH = Decimal("0.01")

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
    """The transactions of one month of one contract; zero amounts are not posted."""
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
        found.append(post(bill.last_day, "Hourly", bill.hourly, receivable, accounts.hourly, meta(**hours)))
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
        found.append(post(bill.last_day, "Labor", bill.labor, accounts.labor, LABOR_ALLOCATED, info))
    return found


def opens(new: Sequence[data.Directive], existing: Sequence[data.Directive]) -> list[data.Open]:
    """``Open``s for accounts we post to that the ledger leaves closed, on first use."""
    opened = {entry.account for entry in existing if isinstance(entry, data.Open)}
    first_use: dict[str, tuple[datetime.date, data.Meta]] = {}
    for entry in new:
        for posting in entry.postings:  # type: ignore[union-attr]
            account = posting.account
            # The earliest use, not the first seen: clients share Expenses:Labor:Allocated,
            # and a later client's earlier month must not post before it is opened.
            if account not in opened and (account not in first_use or entry.date < first_use[account][0]):
                first_use[account] = (entry.date, entry.meta)
    return [
        data.Open(data.new_metadata(meta["filename"], meta["lineno"]), day, account, None, None)  # type: ignore[arg-type]
        for account, (day, meta) in sorted(first_use.items())
    ]
