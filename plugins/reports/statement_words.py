"""How a statement line's figures read: words whose arithmetic is the posted amount.

"12 workstations × $45 + 1 server × $150", "prorated 17 of 31 days", "2.25 h on site
beyond 4 included × $125 × 1.5 after hours", "3 visits × $45 trip fee": each describer
explains one kind of line from the contract and the month's bill, and returns the amount
its words give, so ``statement`` can check it against the posting before showing it.

A new kind of charge (prepaid blocks, project milestones) registers its describer in
``DESCRIBERS``; until one does, its lines read as ``FALLBACK_WORDS`` says.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from plugins.billing.model import KINDS, ZERO, Allowance, Contract, Terms, Travel
from plugins.billing.rules import ChargedUnit, MonthBill, cents, days_in, segments

KIND_WORDS = {"remote": "remote", "onsite": "on site"}


@dataclass(frozen=True, slots=True)
class Charge:
    """A debit to the client's receivable, with the kind its credit account says."""

    kind: str
    date: datetime.date
    amount: Decimal


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
    return f"{value.normalize():f}"


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

    One part per run of days under one set of terms (rule 1); the fee is their sum,
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
    if travel.travel_minutes and travel.travel_rate:
        rate = money_words(travel.travel_rate, currency)
        parts.append(f"{number_words(travel.travel_minutes)} min × {rate}/h drive")
    spelled = sum((_part_value(travel, part) for part in ("trip_fee", "km", "drive")), ZERO)
    if not parts or spelled != travel.per_visit:  # a travel term these words do not know
        return f"{money_words(travel.per_visit, currency)} travel"
    return parts[0] if len(parts) == 1 else f"({' + '.join(parts)})"


def _part_value(travel: Travel, part: str) -> Decimal:
    if part == "trip_fee":
        return travel.trip_fee
    return travel.distance_charge if part == "km" else travel.drive_charge



def prepaid_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words | None:
    """``$1,800 for a block of 20 h of remote and on-site work, usable to 2027-03-31``."""
    if charge is None:
        return None
    for month in bill.blocks:
        block = month.block
        if month.bought and block.date == charge.date and block.price == charge.amount:
            kinds = " and ".join(KIND_WORDS.get(kind, kind) for kind in block.kinds)
            until = f", usable to {block.expires}" if block.expires is not None else ""
            price = money_words(block.price, contract.currency)
            text = f"{price} for a block of {number_words(block.hours)} h of {kinds} work{until}"
            return Words(text, block.price)
    return None


def project_words(contract: Contract, bill: MonthBill, charge: Charge | None = None) -> Words | None:
    """``$1,100 for Document management setup, milestone 1 of 2 (fixed price $2,200)``."""
    if charge is None:
        return None
    for project, milestone in bill.milestones:
        if milestone.date == charge.date and milestone.amount == charge.amount:
            part = project.part(milestone)
            whole = money_words(project.price, contract.currency)
            what = f"{project.name}, {part} (fixed price {whole})" if part else f"{project.name}, fixed price"
            return Words(f"{money_words(milestone.amount, contract.currency)} for {what}", milestone.amount)
    return None


#: How a line of each kind is explained, from the contract, the bill of the line's month
#: and the charge itself (a block or milestone describer finds its block or milestone by
#: the charge's date and amount). Prepaid blocks and project milestones add theirs.
Describer = Callable[[Contract, MonthBill, Charge], "Words | None"]
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
