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
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from plugins.billing.model import (
    EXPENSE_ROOT,
    INCOME_ROOT,
    KINDS,
    LABOR_ALLOCATED,
    PREPAID_PART,
    PREPAID_ROOT,
    TOOLS_ALLOCATED,
    TOOLS_PART,
    UNLIMITED,
    Block,
    Contract,
    hours_of,
    is_unlimited,
)
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

    filename, display_path, currency = contract.filename, contract.display_path, contract.currency

    def meta(**extra: object) -> data.Meta:
        # ``data.new_metadata`` and then the rest, as one dict (same keys, same order)
        return {"filename": filename, "lineno": line, "contract": display_path, "month": month, **extra}

    def post(
        day: datetime.date, what: str, amount: Decimal, debit: str, credit: str, info: data.Meta
    ) -> data.Transaction:
        return data.Transaction(
            info,
            day,
            "*",
            contract.name,
            sys.intern(f"{what} {month}"),
            _TAGS,
            data.EMPTY_SET,
            [
                data.Posting(debit, Amount(amount, currency), None, None, None, None),
                data.Posting(credit, Amount(-amount, currency), None, None, None, None),  # ``-units``
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
        if bill.lots_used:
            info.update(_lots_meta(contract, bill))
        found.append(post(bill.first_day, "Retainer", bill.retainer, receivable, accounts.retainer, info))
    if bill.hourly:
        hours: dict[str, object] = {}
        for kind in KINDS:
            allowance = bill.included[kind]
            hours[f"{kind}-hours"] = _hours(bill.hours_billable[kind])
            hours[f"{kind}-included"] = UNLIMITED if is_unlimited(allowance) else _hours(hours_of(allowance))
            hours[f"{kind}-included-used"] = _hours(bill.included_used[kind])
            hours[f"{kind}-billed"] = _hours(bill.uncovered[kind])
            if bill.lots_used.get(kind):
                hours[f"{kind}-lots-used"] = _hours(bill.lots_used[kind])
            if bill.block_hours.get(kind):
                hours[f"{kind}-block-hours"] = _hours(bill.block_hours[kind])
        if bill.after_hours:  # only months with surcharged hours: the others print as before
            for kind in KINDS:
                if bill.after_hours.get(kind):
                    hours[f"{kind}-after-hours"] = _hours(bill.after_hours[kind])
            hours["after-hours-multiplier"] = _shared(bill.after_hours_multiplier)
        found.append(post(bill.last_day, "Hourly", bill.hourly, receivable, accounts.hourly, meta(**hours)))
    if bill.travel:
        info = meta(
            visits=_shared(Decimal(len(bill.visits))),
            **{"visit-dates": ", ".join(str(day) for day in bill.visits)},
        )
        found.append(post(bill.last_day, "Travel", bill.travel, receivable, accounts.travel, info))
    for project, milestone in bill.milestones:  # rule 8: each on its own date
        if not milestone.amount:
            continue
        info = meta(project=project.id)
        if milestone.where is not None:
            info["lineno"] = milestone.where.lineno
        narration = f"Project {project.name}"
        part = project.part(milestone)
        if part:
            info["milestone"] = part.removeprefix("milestone ")
            narration += f", {part}"
        txn = post(milestone.date, "Project", milestone.amount, receivable, accounts.projects, info)
        found.append(txn._replace(narration=narration))
    if bill.labor:
        info = meta(hours=_hours(bill.total_hours))
        if bill.uncosted_hours:
            info["uncosted-hours"] = _hours(bill.uncosted_hours)
        if bill.project_hours:  # of the hours above, on fixed-price projects (2.2.8)
            info["project-hours"] = _hours(sum(bill.project_hours.values(), Decimal(0)))
        found.append(post(bill.last_day, "Labor", bill.labor, accounts.labor, LABOR_ALLOCATED, info))
    if bill.tools:
        tools = f"{EXPENSE_ROOT}:{contract.account}:{TOOLS_PART}"
        info = meta(**{"terms-from": ", ".join(str(t.start) for t in bill.terms)})
        found.append(post(bill.last_day, "Tools", bill.tools, tools, TOOLS_ALLOCATED, info))
    if bill.blocks:
        found.extend(_block_transactions(contract, bill, post, meta))
    return found


def _lots_meta(contract: Contract, bill: MonthBill) -> dict[str, object]:
    """Rolled-over hours of the month, per kind: used, banked, cut to the cap, left."""
    if not any(t.rollover is not None and t.rollover.months for t in contract.terms):
        return {}
    found: dict[str, object] = {}
    for kind in KINDS:
        allowance = bill.included.get(kind)
        if not isinstance(allowance, Decimal) and not bill.lots_left.get(kind):
            continue  # unlimited: no lots of this kind
        found[f"{kind}-lots-used"] = _hours(bill.lots_used.get(kind, Decimal(0)))
        found[f"{kind}-lot-banked"] = _hours(bill.lots_banked.get(kind, Decimal(0)))
        if bill.lots_cut.get(kind):
            found[f"{kind}-lots-cut"] = _hours(bill.lots_cut[kind])
        if bill.lots_expired.get(kind):
            found[f"{kind}-lots-expired"] = _hours(bill.lots_expired[kind])
        found[f"{kind}-lots-left"] = _hours(bill.lots_left.get(kind, Decimal(0)))
    return found


def _block_transactions(contract: Contract, bill: MonthBill, post: Any, meta: Any) -> list[data.Transaction]:
    """A block's price receivable on its date, the month's draws and its expiry as income."""
    receivable = contract.accounts.receivable
    held = f"{PREPAID_ROOT}:{contract.account}"
    income = f"{INCOME_ROOT}:{contract.account}:{PREPAID_PART}"

    def info(block: Block, **extra: object) -> data.Meta:
        """The month's metadata, pointing at the block's line in the contract."""
        found_meta: data.Meta = meta(block=block.date, **extra)
        if block.where is not None:
            found_meta["lineno"] = block.where.lineno
        return found_meta

    found = []
    for month in bill.blocks:
        block = month.block
        if month.bought:
            extra: dict[str, object] = {"block-hours": _hours(block.hours)}
            if block.expires is not None:
                extra["block-expires"] = block.expires
            bought = post(block.date, "Prepaid block", block.price, receivable, held, info(block, **extra))
            found.append(bought)
        if month.recognised:
            extra = {"hours-drawn": _hours(month.drawn), "hours-left": _hours(month.hours_left)}
            found.append(post(bill.last_day, "Prepaid", month.recognised, held, income, info(block, **extra)))
        if month.expired:
            assert block.expires is not None, "only a block with expires expires"
            extra = {"hours-expired": _hours(month.hours_expired)}
            found.append(
                post(block.expires, "Prepaid expired", month.expired, held, income, info(block, **extra))
            )
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
