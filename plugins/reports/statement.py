"""A client statement: what the client is billed for some months, why, and what was done.

Pure: the billing pass's bills (with each entry's charged unit) and the ledger's postings
in, a ``Statement`` out; ``statement_format`` renders it (HTML, PDF, Markdown, JSON).

The amounts are never worked out here. Every line is a posting the books hold on the
client's receivable (``Assets:Receivable:<Acct>``), its kind read from the account the
same transaction credits; the month bill behind it only explains it, in words whose
arithmetic gives that amount. A describer that cannot reproduce the posted amount says
so (a note on the statement) instead of explaining a different bill.

Adding a kind of charge (prepaid blocks, project milestones): map its credit account in
``credit_kinds`` and register a describer in ``statement_words.DESCRIBERS``; its lines
then come from the postings like the others.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from plugins.billing.model import (
    INCOME_ROOT,
    KINDS,
    PREPAID_ROOT,
    ZERO,
    Allowance,
    Contact,
    Contract,
    Practice,
    TimeEntry,
)
from plugins.billing.rules import (
    Month,
    MonthBill,
    books_horizon,
    cents,
    days_in,
    horizon,
    month_label,
    month_of,
    months,
)
from plugins.reports.banks import bank_lines
from plugins.reports.figures import Hours, Posting
from plugins.reports.statement_words import DESCRIBERS, FALLBACK_WORDS, Charge, money_words

if TYPE_CHECKING:  # pragma: no cover
    from plugins.books import Books

#: Line kinds in the order a statement lists a month's lines (``other``: a charge the
#: user booked on the receivable by hand, e.g. hardware resold).
LINE_KINDS = ("retainer", "hourly", "travel", "prepaid", "project", "other")


class StatementError(ValueError):
    """A statement that cannot be made as asked (unknown client, months not billed)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One charge: a posting to the client's receivable, with the arithmetic behind it."""

    kind: str  # one of LINE_KINDS
    month: Month
    date: datetime.date
    amount: Decimal
    description: str


@dataclass(frozen=True, slots=True)
class KindHours:
    """A kind's hours over the statement's months."""

    worked: Decimal  # actual hours, billable or not
    billable: Decimal  # rounded, with visit minimums
    included: Allowance  # the months' allowances added up ("unlimited" if any month was)
    included_used: Decimal
    billed: Decimal  # charged at a rate: after included hours (and lots, blocks)


@dataclass(frozen=True, slots=True)
class Visit:
    date: datetime.date
    amount: Decimal  # the travel of this visit, to the cent


@dataclass(frozen=True, slots=True)
class TimeLine:
    """One time entry of the period, billable or not, as the client reads it."""

    date: datetime.date
    staff: str | None
    kind: str
    hours: Decimal  # as worked
    billable_hours: Decimal  # after rounding (0 when not billable)
    after_hours: bool
    billable: bool
    note: str | None
    visit_minimum: Decimal = ZERO  # hours added to reach the visit's minimum


@dataclass(frozen=True, slots=True)
class Payment:
    date: datetime.date
    amount: Decimal  # received: positive


@dataclass(frozen=True, slots=True)
class Account:
    """The receivable: before the first day, what the period added and received, after."""

    opening: Decimal
    charges: Decimal
    payments: Decimal  # credits, as a positive number
    closing: Decimal


@dataclass(frozen=True, slots=True)
class Sender:
    """The practice, as the statement's letterhead shows it."""

    name: str
    address: tuple[str, ...] = ()
    payment_terms: str | None = None


@dataclass
class Statement:
    client: str
    name: str
    currency: str
    first: Month
    last: Month
    number: str
    date: datetime.date  # as of: the last day of the last month
    sender: Sender
    contact: Contact | None
    lines: list[Line]
    hours: dict[str, KindHours]
    visits: list[Visit]
    time: list[TimeLine]
    account: Account
    payments: list[Payment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where the books and the contract disagree
    staff_names: dict[str, str] = field(default_factory=dict)  # staff key -> full name
    #: Per month, what it drew on the hour bank: rolled-over hours and prepaid blocks.
    bank: list[tuple[Month, str]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


# ---------------------------------------------------------------- the receivable's lines


def credit_kinds(acct: str) -> dict[str, str]:
    """The accounts a charge to ``Assets:Receivable:<acct>`` credits, and the line kind each
    means (the postings table of docs/reference.md §4). A debit whose credit is none of
    these is an ``other`` line."""
    income = f"{INCOME_ROOT}:{acct}"
    return {
        f"{income}:Retainer": "retainer",
        f"{income}:Hourly": "hourly",
        f"{income}:Travel": "travel",
        f"{PREPAID_ROOT}:{acct}": "prepaid",
        f"{income}:Projects": "project",
    }


#: The books' postings by account: what ``by_account`` makes once for many statements.
Postings = Mapping[str, Sequence[Posting]]


def by_account(postings: Iterable[Posting]) -> dict[str, list[Posting]]:
    """``postings`` grouped by account, in their order: each statement then reads only its
    client's few accounts, not every posting of the books again."""
    found: dict[str, list[Posting]] = defaultdict(list)
    for posting in postings:
        found[posting.account].append(posting)
    return dict(found)


def receivable_charges(
    postings: Postings, contract: Contract
) -> tuple[list[Charge], list[Posting], list[Posting]]:
    """The client's receivable postings in its currency, split into charges (debits, with
    their kind) and credits; and the postings in other currencies (noted, never summed).

    ``ledger_postings`` gives postings, not transactions: a debit's kind is found as the
    credit of the same amount, date and currency to one of ``credit_kinds`` (the plugin's
    transactions have two postings each; two that agree on all three are interchangeable).
    """
    mine: list[Posting] = []
    foreign: list[Posting] = []
    for posting in postings.get(contract.accounts.receivable, ()):
        (mine if posting.currency == contract.currency else foreign).append(posting)
    credits: dict[tuple[datetime.date, str, Decimal], list[str]] = defaultdict(list)
    for account, kind in credit_kinds(contract.account).items():
        for posting in postings.get(account, ()):
            if posting.number < 0:
                credits[(posting.date, posting.currency, -posting.number)].append(kind)
    charges: list[Charge] = []
    received: list[Posting] = []
    for posting in mine:
        if posting.number < 0:
            received.append(posting)
            continue
        paired = credits.get((posting.date, posting.currency, posting.number))
        kind = paired.pop(0) if paired else "other"
        charges.append(Charge(kind, posting.date, posting.number))
    return charges, received, foreign


# ---------------------------------------------------------------- the statement


def check_period(practice: Practice, today: datetime.date, first: Month, last: Month) -> None:
    """A ``StatementError`` unless ``first`` through ``last`` is a period the books have
    billed: a month not accrued yet has no bill to state (for any client)."""
    if last < first:
        raise StatementError(f"--through {month_label(last)} is before {month_label(first)}")
    accrued = books_horizon(practice, today)
    if last > accrued:
        raise StatementError(
            f"{month_label(last)} is not billed yet: the books are accrued through {month_label(accrued)}"
        )


def build_statement(
    contract: Contract,
    practice: Practice,
    bills: Sequence[MonthBill],
    entries: Sequence[TimeEntry],
    postings: Iterable[Posting] | Postings,
    first: Month,
    last: Month,
    *,
    today: datetime.date,
    title: str | None = None,
) -> Statement:
    """The statement of ``contract`` for ``first`` through ``last``.

    ``bills`` are the client's month bills with their charged units (``bills_in_detail``),
    ``entries`` its time entries in ledger order, ``postings`` the books' postings (or
    ``by_account`` of them, made once for many statements; other accounts are passed
    over), ``title`` the practice name when practice.yaml has none.
    """
    check_period(practice, today, first, last)
    period = set(months(first, last))
    by_month = {bill.month: bill for bill in bills if bill.month in period}
    if not by_month:
        raise StatementError(_no_agreement(contract, first, last))
    start = datetime.date(first[0], first[1], 1)
    end = datetime.date(last[0], last[1], days_in(last))
    grouped = postings if isinstance(postings, Mapping) else by_account(postings)
    charges, received, foreign = receivable_charges(grouped, contract)
    notes: list[str] = []
    lines = _lines(contract, charges, by_month, start, end, notes)
    opening = sum((c.amount for c in charges if c.date < start), ZERO) + sum(
        (p.number for p in received if p.date < start), ZERO
    )
    added = sum((line.amount for line in lines), ZERO)
    payments = [Payment(p.date, -p.number) for p in received if start <= p.date <= end]
    paid = sum((p.amount for p in payments), ZERO)
    for posting in foreign:
        if posting.date <= end:
            notes.append(
                f"{posting.date}: {posting.number} {posting.currency} on {posting.account} is in"
                f" another currency than the contract's {contract.currency}, and not on this statement"
            )
    period_bills = [by_month[m] for m in sorted(by_month)]
    return Statement(
        client=contract.client,
        name=contract.name,
        currency=contract.currency,
        first=first,
        last=last,
        number=statement_number(contract, first, last),
        date=end,
        sender=Sender(practice.name or title or "", practice.address, practice.payment_terms),
        contact=contract.contact,
        lines=lines,
        hours=_hours(period_bills),
        visits=_visits(contract, period_bills),
        time=_time(entries, period_bills, start, end),
        account=Account(opening, added, paid, opening + added - paid),
        payments=payments,
        notes=notes,
        staff_names={key: member.name for key, member in practice.staff.items() if member.name},
        bank=[(bill.month, line) for bill in period_bills for line in bank_lines(bill)],
    )


def statement_number(contract: Contract, first: Month, last: Month) -> str:
    """``AcmeDental-2026-01``; a run of months: ``AcmeDental-2026-01-2026-03``.

    The account component is unique among contracts and stable, so a number names one
    statement of one client however often it is printed.
    """
    number = f"{contract.account}-{month_label(first)}"
    return number if first == last else f"{number}-{month_label(last)}"


def _no_agreement(contract: Contract, first: Month, last: Month) -> str:
    period = month_label(first) if first == last else f"{month_label(first)} – {month_label(last)}"
    if contract.ends is not None and first > month_of(contract.ends):
        return f"{contract.client} has no agreement in {period}: its contract ended {contract.ends}"
    return f"{contract.client} has no agreement in {period}: its contract starts {contract.starts}"


def _lines(
    contract: Contract,
    charges: Sequence[Charge],
    bills: Mapping[Month, MonthBill],
    start: datetime.date,
    end: datetime.date,
    notes: list[str],
) -> list[Line]:
    found = []
    for charge in charges:
        if not start <= charge.date <= end:
            continue
        month = month_of(charge.date)
        bill = bills.get(month)
        text = None
        describe = DESCRIBERS.get(charge.kind)
        if describe is not None and bill is not None:
            words = describe(contract, bill, charge)
            if words is not None and cents(words.value) == charge.amount:
                text = words.text
            elif words is not None:
                notes.append(
                    f"{month_label(month)} {charge.kind}: the books hold"
                    f" {money_words(charge.amount, contract.currency)}, the contract now gives"
                    f" {money_words(cents(words.value), contract.currency)} ({words.text});"
                    " the statement shows what the books hold"
                )
        text = text or FALLBACK_WORDS[charge.kind]
        found.append(Line(charge.kind, month, charge.date, charge.amount, text))
    for month, bill in bills.items():  # a bill the books do not hold: say so, bill nothing
        for kind, amount in (("retainer", bill.retainer), ("hourly", bill.hourly), ("travel", bill.travel)):
            if amount and not any(line.kind == kind and line.month == month for line in found):
                notes.append(
                    f"{month_label(month)} {kind}: the contract bills"
                    f" {money_words(amount, contract.currency)} but the books hold no such posting"
                    f" to {contract.accounts.receivable}: run bean-check"
                )
    order = {kind: index for index, kind in enumerate(LINE_KINDS)}
    found.sort(key=lambda line: (line.month, order[line.kind], line.date))
    return found


def _hours(bills: Sequence[MonthBill]) -> dict[str, KindHours]:
    total = Hours()
    billed = dict.fromkeys(KINDS, ZERO)
    for bill in bills:
        total.add(Hours.of_bill(bill))
        for kind in KINDS:
            billed[kind] += bill.uncovered.get(kind, ZERO)
    return {
        kind: KindHours(
            total.worked[kind],
            total.billable[kind],
            total.included[kind],
            total.included_used[kind],
            billed[kind],
        )
        for kind in KINDS
    }


def _visits(contract: Contract, bills: Sequence[MonthBill]) -> list[Visit]:
    """Each visit's travel, to the cent, adding up to the month's travel line: the month is
    rounded once (rule 2), so each visit gets the cents of its running total."""
    found = []
    for bill in bills:
        exact = shown = ZERO
        for day in bill.visits:
            terms = contract.terms_on(day)
            exact += terms.travel.per_visit if terms is not None else ZERO
            found.append(Visit(day, cents(exact) - shown))
            shown = cents(exact)
    return found


def _time(
    entries: Sequence[TimeEntry], bills: Sequence[MonthBill], start: datetime.date, end: datetime.date
) -> list[TimeLine]:
    """Every entry of the period in ledger order, with the billable hours its unit got."""
    rounded: dict[TimeEntry, list[Decimal]] = defaultdict(list)
    minimum: dict[TimeEntry, Decimal] = defaultdict(lambda: ZERO)
    for bill in bills:
        for charged in bill.units:
            unit = charged.unit
            if unit.entry is not None:
                rounded[unit.entry].append(unit.hours)
            else:  # a visit's minimum: shown on the visit's last on-site entry
                minimum[unit.visit] += unit.hours
    found = []
    for entry in entries:
        if not start <= entry.date <= end:
            continue
        units = rounded.get(entry)
        hours = units.pop(0) if units else ZERO
        found.append(
            TimeLine(
                entry.date,
                entry.staff,
                entry.kind,
                entry.hours,
                hours,
                entry.after_hours,
                entry.billable,
                entry.note,
                minimum.get(entry, ZERO),
            )
        )
    return found


def for_client(
    books: Books,
    postings: Iterable[Posting] | Postings,
    client: str,
    first: Month,
    last: Month | None = None,
    *,
    title: str | None = None,
) -> Statement:
    """The statement of ``client`` from a billing pass: what every adapter calls."""
    contract = books.clients.get(client)
    if contract is None:
        known = ", ".join(sorted(books.clients)) or "none"
        raise StatementError(f"no contract for client {client!r}: use one of {known}")
    return build_statement(
        contract,
        books.practice,
        books.bills_in_detail(client, (first, last or first)),
        books.time.get(client, []),
        postings,
        first,
        last or first,
        title=title,
        today=books.today,
    )


def billed_clients(books: Books, first: Month, last: Month | None = None) -> list[str]:
    """The clients with an agreement in force in some month of ``first`` through ``last``
    (``--all``'s statements)."""
    last = last or first
    return [
        client
        for client, contract in sorted(books.clients.items())
        if month_of(contract.starts) <= last and first <= horizon(contract, books.practice, books.today)
    ]
