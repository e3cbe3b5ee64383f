"""The test practice of the Client Margin tests, and how to serve it with Fava."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fava.application import create_app
from flask import Flask

SLUG = "test-books"

PRACTICE = """\
currency: USD
default_cost_rate: 40          # bob is not listed: he is costed at 40
staff: {alice: {cost_rate: 50}}
target_hourly_rate: 100
target_margin: 0.5
accrue_through: 2026-03        # April time waits, unbilled
"""

CONTRACTS = {
    # 1000/month; 2 remote + 1 onsite hour included; beyond: 100 remote, 120 onsite; 50 a visit.
    "acme-dental": """\
        client: acme-dental
        name: Acme Dental
        terms:
          - from: 2026-01-01
            monthly_fee: 1000.00
            included_hours: {remote: 2, onsite: 1}
            rates: {remote: 100, onsite: 120}
            rounding_minutes: 15
            travel: {trip_fee: 50}
        """,
    # 300/month for unlimited remote support, and alice spends 10 hours a month on it.
    "bayview": """\
        client: bayview
        name: Bayview Clinic
        terms:
          - from: 2026-01-01
            monthly_fee: 300.00
            included_hours: {remote: unlimited}
            rates: {onsite: 100}
        """,
    # A euro contract whose software licence is bought in dollars.
    "eurotech": """\
        client: eurotech
        name: Eurotech GmbH
        currency: EUR
        terms:
          - from: 2026-01-01
            monthly_fee: 500.00
        """,
}

LEDGER = """\
option "title" "Test Books"
option "operating_currency" "USD"
2026-01-01 custom "fava-extension" "plugins.margin"

2026-01-01 open Assets:Bank:Checking
2026-01-01 open Equity:Opening
2026-01-01 open Expenses:Clients:AcmeDental:Hardware
2026-01-01 open Expenses:Clients:Eurotech:Licenses

2026-01-15 * "Switch for Acme Dental"
  Expenses:Clients:AcmeDental:Hardware   300.00 USD
  Assets:Bank:Checking

2026-02-10 * "Licence for Eurotech"
  Expenses:Clients:Eurotech:Licenses     100.00 USD
  Assets:Bank:Checking

2026-01-10 custom "time" "acme-dental" "remote" 1.5
  staff: "alice"
2026-01-20 custom "time" "acme-dental" "onsite" 2
  staff: "alice"
2026-01-25 custom "time" "acme-dental" "remote" 1
  staff: "bob"
  billable: FALSE
2026-02-03 custom "time" "acme-dental" "remote" 0.5
  staff: "alice"
2026-03-05 custom "time" "acme-dental" "remote" 1
  staff: "alice"
2026-04-02 custom "time" "acme-dental" "remote" 2
  staff: "alice"

2026-01-12 custom "time" "bayview" "remote" 10
  staff: "alice"
2026-02-12 custom "time" "bayview" "remote" 10
  staff: "alice"
2026-03-12 custom "time" "bayview" "remote" 10
  staff: "alice"
"""

WriteLedger = Callable[..., Path]


def fava_app(path: Path) -> Flask:
    """Fava on ``path``, loaded now, as Fava's own test suite builds it."""
    app = create_app([str(path)], load=True)
    app.testing = True
    return app
