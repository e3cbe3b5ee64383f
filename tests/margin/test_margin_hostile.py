"""The Client Margin page with one hostile contract among good ones (issue: it showed 0.00)."""

from __future__ import annotations

from margin.margin_books import CONTRACTS, SLUG, WriteLedger, fava_app
from margin.margin_page import tables

PAGE = f"/{SLUG}/extension/ClientMargin/"

HUGE = """\
client: huge-co
terms:
  - from: 2026-01-01
    included_hours: {remote: 1e27}
    rates: {onsite: 100}
"""


def test_one_contract_with_included_hours_1e27_leaves_the_others_on_the_page(
    write_ledger: WriteLedger,
) -> None:
    # Before: "could not bill the contracts: InvalidOperation" and no figures for anyone.
    app = fava_app(write_ledger(contracts={**CONTRACTS, "huge-co": HUGE}))
    page = app.test_client().get(PAGE).get_data(as_text=True)
    acme = tables(page)["cm-portfolio"].row(client="acme-dental")
    # Acme Dental as in test_margin_page: 3000 retainer + 120 hourly + 50 travel = 3170.
    assert acme["Revenue"] == "3170.00"
    [ledger] = app.config["LEDGERS"].ledgers
    [error] = [e for e in ledger.errors if "huge-co.yaml" in str(e.source and e.source.get("filename"))]
    assert error.source["lineno"] == 4
    assert "included_hours.remote must be from 0 to 10,000" in error.message
    ledger.watcher.__exit__(None, None, None)
