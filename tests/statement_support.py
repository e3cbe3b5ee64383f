"""Test support for statements: a hand-worked practice, and the arithmetic of a line's words.

``words_value`` reads a description the way a client would check it with a calculator:
"4 visits × $45 trip fee" is 4 × 45. It is written apart from the code that spells the
words, so a description whose figures do not give its amount fails the tests.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from beancount.core import data

ACME = """\
client: acme-dental
name: Acme Dental LLC
account: AcmeDental
contact: {name: Dr. Jane Ortiz, email: jane@acmedental.example, phone: "+1 207 555 0100"}
terms:
  - from: 2026-01-01
    monthly_fee: 300.00
    per_device: {workstation: 45, server: 150}
    devices: {workstation: 12, server: 1}
    included_hours: {remote: unlimited, onsite: 4}
    rates: {remote: 95, onsite: 125}
    after_hours_multiplier: 1.5
    rounding_minutes: 15
    onsite_minimum_hours: 1
    travel: {trip_fee: 45}
"""

PRACTICE = """\
accrue_through: 2026-03
name: Northwind IT
address: ["12 Harbour St", "Portland, ME 04101"]
payment_terms: Due within 14 days
staff: {alice: {name: Alice Moreau}}
"""

# January: four visits, one of them after hours and short of the one-hour minimum, and a
# non-billable remote entry whose note holds markup. February: remote only. Two payments.
ACME_LEDGER = """\
2026-01-01 open Assets:Bank:Checking USD

2026-01-05 custom "time" "acme-dental" "onsite" 1.2
  staff: "alice"
  note: "Replaced switch in server room"
2026-01-05 custom "time" "acme-dental" "remote" 1.0
  staff: "bob"
2026-01-12 custom "time" "acme-dental" "onsite" 3.0
  staff: "alice"
2026-01-20 custom "time" "acme-dental" "onsite" 0.5
  staff: "bob"
  after-hours: TRUE
2026-01-22 custom "time" "acme-dental" "onsite" 2.0
  staff: "alice"
  after-hours: TRUE
2026-01-26 custom "time" "acme-dental" "remote" 0.75
  staff: "carol"
  billable: FALSE
  note: "<b>Looked</b> into the 'printer' & <script>alert(1)</script>"
2026-02-03 custom "time" "acme-dental" "remote" 2.0
  staff: "bob"

2026-02-10 * "Acme Dental LLC" "Payment, statement AcmeDental-2026-01"
  Assets:Bank:Checking                 1732.50 USD
  Assets:Receivable:AcmeDental

2026-03-05 * "Acme Dental LLC" "Payment, statement AcmeDental-2026-02"
  Assets:Bank:Checking                  990.00 USD
  Assets:Receivable:AcmeDental
"""

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def words_value(text: str) -> Decimal:
    """The arithmetic of a line's description, exactly (rounded by the caller)."""
    total = Decimal(0)
    for part in text.split("; "):
        total += _prorated(part.split(": ", 1)[-1])  # "3.25 h on site ...: a + b" is a + b
    return total


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _prorated(text: str) -> Decimal:
    found = re.search(r", prorated (\d+) of (\d+) days(?: \([^)]*\))?$", text)
    if found is None:
        return _sum(text)
    return _sum(text[: found.start()]) * Decimal(found.group(1)) / Decimal(found.group(2))


def _split(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` outside parentheses."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index])
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text[start:])
    return parts


def _sum(text: str) -> Decimal:
    return sum((_product(term) for term in _split(text, " + ")), Decimal(0))


def _product(text: str) -> Decimal:
    value = Decimal(1)
    for factor in _split(text, " × "):
        value *= _factor(factor.strip())
    return value


def _factor(text: str) -> Decimal:
    if text.startswith("(") and text.endswith(")"):
        return _sum(text[1:-1])
    found = _NUMBER.search(text)
    assert found is not None, f"no number in {text!r}"
    value = Decimal(found.group().replace(",", ""))
    if re.match(r"^\d+ min\b", text):
        return value / 60
    return value


def receivable_charges(entries: list[Any], account: str) -> Counter[tuple[str, str, Decimal]]:
    """(kind, month, amount) of every charge the plugin posted to ``account``, read straight
    from its transactions (tag #retainer): the kind is the credited account's last part."""
    kinds = {"Retainer": "retainer", "Hourly": "hourly", "Travel": "travel", "Projects": "project"}
    found: Counter[tuple[str, str, Decimal]] = Counter()
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "retainer" not in entry.tags:
            continue
        debits = [p for p in entry.postings if p.account == account and p.units.number > 0]
        credits = [p for p in entry.postings if p.account != account]
        for debit in debits:
            [credit] = credits
            last = credit.account.rsplit(":", 1)[-1]
            kind = "prepaid" if credit.account.startswith("Liabilities:Prepaid:") else kinds[last]
            found[(kind, entry.date.strftime("%Y-%m"), debit.units.number)] += 1
    return found
