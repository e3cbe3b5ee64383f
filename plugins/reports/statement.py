"""A client statement: what the client is billed for some months, why, and what was done.

Pure: the billing pass's bills (with each entry's charged unit) and the ledger's postings
in, a ``Statement`` out; ``statement_format`` renders it (HTML, PDF, Markdown, JSON).

The amounts are never worked out here. Every line is a posting the books hold on the
client's receivable (``Assets:Receivable:<Acct>``), its kind read from the account the
same transaction credits; the month bill behind it only explains it, in words whose
arithmetic gives that amount. A describer that cannot reproduce the posted amount says
so (a note on the statement) instead of explaining a different bill.

Adding a kind of charge (prepaid blocks, project milestones): map its credit account in
``credit_kinds`` and register a describer in ``DESCRIBERS``; its lines then come from the
postings like the others.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from plugins.billing.model import (
    INCOME_ROOT,
    KINDS,
    ZERO,
    Allowance,
    Contact,
    Contract,
    Practice,
    Terms,
    TimeEntry,
    Travel,
)
from plugins.billing.rules import (
    ChargedUnit,
    Month,
    MonthBill,
    cents,
    days_in,
    horizon,
    month_label,
    month_of,
    months,
    segments,
)
from plugins.reports.figures import Hours, Posting

if TYPE_CHECKING:  # pragma: no cover
    from plugins.books import Books

#: Line kinds in the order a statement lists a month's lines (``other``: a charge the
#: user booked on the receivable by hand, e.g. hardware resold).
LINE_KINDS = ("retainer", "hourly", "travel", "prepaid", "project", "other")
PREPAID_ROOT = "Liabilities:Prepaid"
KIND_WORDS = {"remote": "remote", "onsite": "on site"}


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

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def period_label(self) -> str:
        first, last = month_label(self.first), month_label(self.last)
        return first if first == last else f"{first} – {last}"


# ---------------------------------------------------------------- the receivable's lines


def credit_kinds(acct: str) -> dict[str, str]:
    """The accounts a charge to ``Assets:Receivable:<acct>`` credits, and the line kind each
    means (SPEC 4's table). A debit whose credit is none of these is an ``other`` line."""
    income = f"{INCOME_ROOT}:{acct}"
    return {
        f"{income}:Retainer": "retainer",
        f"{income}:Hourly": "hourly",
        f"{income}:Travel": "travel",
        f"{PREPAID_ROOT}:{acct}": "prepaid",
        f"{income}:Projects": "project",
    }


@dataclass(frozen=True, slots=True)
class Charge:
    """A debit to the client's receivable, with the kind its credit account says."""

    kind: str
    date: datetime.date
    amount: Decimal


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
    credit of the same amount, date and currency to one of ``credit_kinds``. Two charges
    that agree on all three are interchangeable, so the pairing cannot mislabel one.
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


# ---------------------------------------------------------------- words


def money_words(amount: Decimal, currency: str) -> str:
    """A price as a client reads it: ``$45``, ``$0.65``, ``$1,222.50``, ``CHF 45``."""
    symbol = _SYMBOLS.get(currency)
    if amount == amount.to_integral_value():
        text = f"{amount:,.0f}"
    else:
        places = max(2, -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
        text = f"{amount:,.{places}f}"
    return f"{symbol}{text}" if symbol else f"{currency} {text}"


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def number_words(value: Decimal) -> str:
    """``4`` for 4.00, ``1.5`` for 1.50: counts and multipliers without trailing zeros."""
    text = f"{value.normalize():f}"
    return text


def hours_words(value: Decimal, places: int = 2) -> str:
    return f"{value:.{places}f}"


def plural(count: Decimal | int, noun: str) -> str:
    """``1 server``, ``12 workstations``, ``2 mailboxes``: device names are free words."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        word = noun + "es"
    elif noun.endswith("y") and noun[-2:-1] not in "aeiou":
        word = noun[:-1] + "ies"
    else:
        word = noun + "s"
    return f"{count} {word}"


def _day_words(day: datetime.date) -> str:
    return f"{day:%b} {day.day}"


@dataclass(frozen=True, slots=True)
class Words:
    """A line's description and the amount its arithmetic gives (before the one rounding)."""

    text: str
    value: Decimal


def retainer_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words:
    """``$900 monthly fee + 12 workstations × $45 + 1 server × $150, prorated 17 of 31 days``.

    One part per run of days under one set of terms (SPEC 2.2.1); the fee is their sum,
    rounded once.
    """
    currency = contract.currency
    month = bill.month
    whole = days_in(month)
    parts = [part for part in segments(contract, month) if part.terms.monthly_retainer]
    texts = []
    value = ZERO
    for part in parts:
        text = _fee_words(part.terms, currency)
        if part.days != whole:
            last = part.first + datetime.timedelta(days=part.days - 1)
            text += f", prorated {part.days} of {whole} days ({_day_words(part.first)}–{last.day})"
        texts.append(text)
        value += part.terms.monthly_retainer * part.days / whole
    return Words("; ".join(texts), value)


def _fee_words(terms: Terms, currency: str) -> str:
    words = []
    if terms.monthly_fee:
        words.append(f"{money_words(terms.monthly_fee, currency)} monthly fee")
    for device, price in terms.per_device.items():
        count = terms.devices.get(device, 0)
        if count and price:
            words.append(f"{plural(count, device)} × {money_words(price, currency)}")
    return " + ".join(words)


def hourly_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words | None:
    """``2.25 h on site beyond 4 included × $125 × 1.5 after hours``, from the charged units.

    One part per kind, rate and multiplier; the hours shown to the hundredth, or to as
    many places as the arithmetic needs to give the posted cent (a prorated allowance can
    leave hours like 0.7258). None without charged units (a bill billed without detail).
    """
    if not bill.units:
        return None
    currency = contract.currency
    groups: dict[tuple[str, Decimal, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for charged in bill.units:
        part = _rate_of(contract, charged)
        if part is not None:
            groups[part] += charged.uncovered
    exact = cents(sum((hours * rate * times for (_, rate, times), hours in groups.items()), ZERO))
    for spell in _HOUR_SPELLINGS:
        shown = {key: spell(hours) for key, hours in groups.items()}
        if all(text is not None for text, _ in shown.values()):
            value = sum((h * rate * times for (_, rate, times), (_, h) in shown.items()), ZERO)
            if cents(value) == exact:
                break
    texts = []
    for kind in KINDS:
        mine = [(key, text, h) for key, (text, h) in shown.items() if key[0] == kind and h]
        if not mine:
            continue
        what = f"{KIND_WORDS.get(kind, kind)}{_beyond_words(bill.included.get(kind, ZERO))}"
        per_hour = "/h" if spell is _minutes else ""  # "20 min × $125/h"
        rated = [
            (text, money_words(rate, currency) + per_hour + _times_words(times))
            for (_, rate, times), text, _ in mine
        ]
        if len(rated) == 1:
            text = f"{rated[0][0]} {what} × {rated[0][1]}"
        else:
            total, _ = spell(sum((h for _, _, h in mine), ZERO))
            text = f"{total} {what}: " + " + ".join(f"{h} × {r}" for h, r in rated)
        texts.append(text)
    return Words("; ".join(texts), value)


def _places(places: int) -> Callable[[Decimal], tuple[str | None, Decimal]]:
    step = Decimal(1).scaleb(-places)

    def spell(hours: Decimal) -> tuple[str | None, Decimal]:
        shown = hours.quantize(step)
        return f"{shown} h", shown

    return spell


def _minutes(hours: Decimal) -> tuple[str | None, Decimal]:
    """``20 min`` for a third of an hour, which no number of decimal places spells exactly."""
    minutes = hours * 60
    whole = minutes.to_integral_value()
    if abs(minutes - whole) > Decimal("1e-9"):
        return None, hours
    return f"{whole} min", whole / 60


#: How hours are spelled, most readable first: the first whose arithmetic gives the posted
#: cent is used. Units are whole minutes, but a prorated allowance can leave any fraction.
_HOUR_SPELLINGS = (_places(2), _places(3), _minutes, _places(4), _places(6))


def _times_words(times: Decimal) -> str:
    return f" × {number_words(times)} after hours" if times != 1 else ""


def _rate_of(contract: Contract, charged: ChargedUnit) -> tuple[str, Decimal, Decimal] | None:
    """(kind, rate, multiplier) a charged unit's uncovered hours were billed at; None when
    nothing was charged (covered, or a kind without a rate: an error in the books)."""
    unit = charged.unit
    if not charged.uncovered:
        return None
    terms = contract.terms_on(unit.date)
    rate = terms.rates.get(unit.kind) if terms is not None else None
    if terms is None or rate is None:
        return None
    times = terms.after_hours_multiplier if unit.after_hours else Decimal(1)
    return unit.kind, rate, times


def _beyond_words(allowance: Allowance) -> str:
    if isinstance(allowance, str) or not allowance:
        return ""
    if allowance == allowance.quantize(Decimal("0.01")):
        return f" beyond {number_words(allowance)} included"
    return f" beyond {allowance:.2f} included (prorated)"


def travel_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words:
    """``3 visits × $45 trip fee``; ``2 visits × ($45 trip fee + 38 km × $0.65)``."""
    by_travel: dict[Travel, int] = defaultdict(int)
    for day in bill.visits:
        terms = contract.terms_on(day)
        if terms is not None:
            by_travel[terms.travel] += 1
    texts = []
    value = ZERO
    for travel, count in by_travel.items():
        per_visit = travel.per_visit
        value += per_visit * count
        texts.append(f"{plural(count, 'visit')} × {_visit_words(travel, contract.currency)}")
    return Words(" + ".join(texts), value)


def _visit_words(travel: Travel, currency: str) -> str:
    parts = []
    if travel.trip_fee:
        parts.append(f"{money_words(travel.trip_fee, currency)} trip fee")
    if travel.per_km and travel.distance_km:
        parts.append(f"{number_words(travel.distance_km)} km × {money_words(travel.per_km, currency)}")
    spelled = sum((_part_value(travel, part) for part in ("trip_fee", "km")), ZERO)
    if not parts or spelled != travel.per_visit:  # a travel term these words do not know
        return f"{money_words(travel.per_visit, currency)} travel"
    return parts[0] if len(parts) == 1 else f"({' + '.join(parts)})"


def _part_value(travel: Travel, part: str) -> Decimal:
    return travel.trip_fee if part == "trip_fee" else travel.per_km * travel.distance_km


#: How a line of each kind is explained, from the contract, the bill of the line's month
#: and the charge itself (a block or milestone describer finds its block or milestone by
#: the charge's date and amount). Prepaid blocks and project milestones add theirs.
Describer = Callable[[Contract, MonthBill, Charge], "Words | None"]
def prepaid_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words | None:
    """``$2,200 for a block of 20 h of on-site work, usable to 2026-12-31``: a block bought."""
    if charge is None:
        return None
    for month in bill.blocks:
        block = month.block
        if month.bought and block.date == charge.date and block.price == charge.amount:
            kinds = " and ".join(_KIND_WORDS.get(kind, kind) for kind in block.kinds)
            until = f", usable to {block.expires}" if block.expires is not None else ""
            price = money_words(block.price, contract.currency)
            text = f"{price} for a block of {number_words(block.hours)} h of {kinds} work{until}"
            return Words(text, block.price)
    return None


def project_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words | None:
    """``$1,500 for Office move, milestone 1 of 2 (fixed price $3,000)``."""
    if charge is None:
        return None
    for project, milestone in bill.milestones:
        if milestone.date == charge.date and milestone.amount == charge.amount:
            part = project.part(milestone)
            whole = money_words(project.price, contract.currency)
            what = f"{project.name}, {part} (fixed price {whole})" if part else f"{project.name}, fixed price"
            return Words(f"{money_words(milestone.amount, contract.currency)} for {what}", milestone.amount)
    return None


_KIND_WORDS = {"remote": "remote", "onsite": "on-site"}

DESCRIBERS: dict[str, Describer] = {
    "retainer": retainer_words,
    "hourly": hourly_words,
    "travel": travel_words,
    "prepaid": prepaid_words,
    "project": project_words,
}
FALLBACK_WORDS = {
    "retainer": "Monthly retainer",
    "hourly": "Hours beyond the included hours",
    "travel": "Travel to your site",
    "prepaid": "Prepaid hours block",
    "project": "Project milestone",
    "other": "Other charge",
}


# ---------------------------------------------------------------- the statement


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
    if last < first:
        raise StatementError(f"--through {month_label(last)} is before {month_label(first)}")
    accrued = practice.accrue_through or month_of(today)
    if last > accrued:
        raise StatementError(
            f"{month_label(last)} is not billed yet: the books are accrued through {month_label(accrued)}"
        )
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
    found = []
    for bill in bills:
        for day in bill.visits:
            terms = contract.terms_on(day)
            found.append(Visit(day, cents(terms.travel.per_visit) if terms is not None else ZERO))
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
        books.bills_in_detail(client),
        books.time.get(client, []),
        postings,
        first,
        last or first,
        title=title,
        today=books.today,
    )


def billed_clients(books: Books, month: Month) -> list[str]:
    """The clients with an agreement in force in ``month`` (``--all``'s statements)."""
    return [
        client
        for client, contract in sorted(books.clients.items())
        if month_of(contract.starts) <= month <= horizon(contract, books.practice, books.today)
    ]
