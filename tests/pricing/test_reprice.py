"""``retainer reprice``: current vs proposed months and the break-even fee, worked by hand."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from support import WriteBooks, books_snapshot, copy_demo

from plugins.billing.contracts import load_contracts
from plugins.billing.model import Contract
from plugins.billing.rules import retainer_fee
from plugins.reports.reprice import Figures, break_even_fee
from scripts.cli import main

ACME = """\
client: acme
terms:
  - from: 2026-01-01
    monthly_fee: 500
    included_hours: {remote: 2}
    rates: {remote: 100}
"""
PRACTICE = "accrue_through: 2026-03\ndefault_cost_rate: 40\ntarget_margin: 0.5\n"
LEDGER = """\
2026-01-01 open Assets:Bank USD
2026-01-01 open Expenses:Clients:Acme:Software USD
2026-01-10 custom "time" "acme" "remote" 5
2026-02-10 custom "time" "acme" "remote" 1
2026-02-15 * "Backup licence for Acme"
  Expenses:Clients:Acme:Software  30.00 USD
  Assets:Bank
2026-03-10 custom "time" "acme" "remote" 3
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def fig(revenue: str, cost: str, margin: str, hours: str, rate: str | None) -> dict[str, str | None]:
    return {"revenue": revenue, "cost": cost, "margin": margin, "hours": hours, "effective_rate": rate}


def test_reprice_months_total_and_break_even_by_hand(write_books: WriteBooks) -> None:
    books = write_books(LEDGER, {"acme": ACME}, PRACTICE)
    code, output = run(
        "reprice", "acme", "--ledger", str(books.path), "--set", "monthly_fee=300",
        "--set", "rates.remote=150", "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    document = json.loads(output)
    assert (document["client"], document["from"], document["through"]) == ("acme", "2026-01", "2026-03")
    # Current: Jan 500 + (5 - 2 included) × 100 = 800, labor 5 h × 40 = 200, 800/5 = 160.00 an hour.
    # Feb: 500 (1 h is covered), cost 40 labor + 30.00 software = 70.  Mar: 500 + 1 × 100 = 600, 120.
    # Proposed (fee 300, remote 150): Jan 300 + 3 × 150 = 750; Feb 300; Mar 300 + 150 = 450.
    assert document["months"] == [
        {"month": "2026-01", "current": fig("800.00", "200.00", "600.00", "5.00", "160.00"),
         "proposed": fig("750.00", "200.00", "550.00", "5.00", "150.00")},
        {"month": "2026-02", "current": fig("500.00", "70.00", "430.00", "1.00", "500.00"),
         "proposed": fig("300.00", "70.00", "230.00", "1.00", "300.00")},
        {"month": "2026-03", "current": fig("600.00", "120.00", "480.00", "3.00", "200.00"),
         "proposed": fig("450.00", "120.00", "330.00", "3.00", "150.00")},
    ]  # fmt: skip
    # Totals: 1900 / 390 / 1510 over 9 h (211.11); proposed 1500 / 390 / 1110 (166.67).
    assert document["total"] == {
        "current": fig("1900.00", "390.00", "1510.00", "9.00", "211.11"),
        "proposed": fig("1500.00", "390.00", "1110.00", "9.00", "166.67"),
    }
    # Break-even at a 50% margin: revenue R(F) = 3F + 600 (hourly at 150) must reach
    # 390 / (1 - 0.5) = 780, so 3F >= 180: F = 60.00 (59.99 gives 779.97).
    assert document["break_even_fee"] == "60.00"


def test_break_even_fee_with_a_prorated_first_month(tmp_path: Path) -> None:
    # From 2026-01-11: January bills 21 of 31 days, rounded to the cent once (rule 1).
    (tmp_path / "beta.yaml").write_text(
        "client: beta\nterms:\n  - from: 2026-01-11\n    monthly_fee: 100\n", encoding="utf-8"
    )
    contract: Contract = load_contracts(tmp_path).contracts["beta"]
    # Revenue(F) = cents(21F/31) + F + 100 (fee-independent part); cost 40; target 0.9
    # needs revenue >= 40 / 0.1 = 400, i.e. cents(21F/31) + F >= 300.  Linear root 178.846...
    # F = 178.85: 21 × 178.85 / 31 = 121.1564 -> 121.16; 121.16 + 178.85 = 300.01: reached.
    # F = 178.84: 21 × 178.84 / 31 = 121.1497 -> 121.15; 121.15 + 178.84 = 299.99: not.
    period = [(2026, 1), (2026, 2)]
    revenue = sum((retainer_fee(contract, m) for m in period), D(0)) + 100  # 67.74 + 100 + 100
    assert revenue == D("267.74")
    assert break_even_fee(contract, period, Figures(revenue, D(40), D(1)), D("0.9")) == D("178.85")
    # A target already reached at no fee at all: the smallest fee is 0.
    assert break_even_fee(contract, period, Figures(revenue, D(40), D(1)), D("0.5")) == D("0.00")


def test_break_even_fee_is_exact_against_every_cent_nearby(tmp_path: Path) -> None:
    # Three prorated months with devices: the found fee reaches the target, one cent less does not.
    (tmp_path / "gamma.yaml").write_text(
        "client: gamma\nterms:\n  - from: 2026-01-17\n    monthly_fee: 10\n"
        "    per_device: {workstation: 7.77}\n    devices: {workstation: 3}\n"
        "  - from: 2026-02-09\n    devices: {workstation: 5}\n",
        encoding="utf-8",
    )
    contract = load_contracts(tmp_path).contracts["gamma"]
    period = [(2026, 1), (2026, 2), (2026, 3)]
    retained = sum((retainer_fee(contract, m) for m in period), D(0))
    figures = Figures(retained + D("12.34"), D("987.65"), D(1))
    fee = break_even_fee(contract, period, figures, D("0.37"))
    assert fee is not None

    def margin_reached(candidate: D) -> bool:
        from dataclasses import replace

        priced = replace(contract, terms=tuple(replace(t, monthly_fee=candidate) for t in contract.terms))
        revenue = sum((retainer_fee(priced, m) for m in period), D(0)) + D("12.34")
        return (revenue - D("987.65")) / revenue >= D("0.37")

    assert margin_reached(fee) and not margin_reached(fee - D("0.01"))


def test_bad_set_and_unknown_plan_are_one_line_refusals(write_books: WriteBooks) -> None:
    books = write_books(LEDGER, {"acme": ACME}, PRACTICE)
    ledger = str(books.path)
    code, output = run("reprice", "acme", "--ledger", ledger, "--set", "monthly_fe=3")
    assert code == 1
    assert "unknown key 'monthly_fe' in the proposed terms (did you mean 'monthly_fee'?)" in output
    assert "allowed: monthly_fee, per_device" in output and len(output.strip().splitlines()) == 1
    code, output = run("reprice", "acme", "--ledger", ledger, "--set", "rates.onsite=-5")
    assert code == 1 and "rates.onsite must not be negative, got -5" in output
    code, output = run("reprice", "acme", "--ledger", ledger, "--set", "included_hours.remote=lots")
    assert code == 1 and "included_hours.remote must be a number of hours or 'unlimited'" in output
    code, output = run("reprice", "acme", "--ledger", ledger, "--plan", "gold")
    assert code == 1 and "--plan 'gold': unknown plan" in output
    code, output = run("reprice", "nobody", "--ledger", ledger, "--set", "monthly_fee=1")
    assert code == 1 and "no contract for client 'nobody'" in output


def test_unlimited_set_and_months_option(write_books: WriteBooks) -> None:
    books = write_books(LEDGER, {"acme": ACME}, PRACTICE)
    code, output = run(
        "reprice", "acme", "--ledger", str(books.path), "--set", "included_hours.remote=unlimited",
        "--months", "2", "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    document = json.loads(output)
    # The last two billed months; every hour covered: Feb 500, Mar 500 (no 100 of overage).
    assert (document["from"], document["through"]) == ("2026-02", "2026-03")
    assert [m["proposed"]["revenue"] for m in document["months"]] == ["500.00", "500.00"]


_snapshot = books_snapshot


def test_reprice_on_the_demo_changes_no_byte_and_ranks_bayview_first(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path)
    before = _snapshot(tmp_path)
    code, output = run("reprice", "--all", "--ledger", str(ledger), "--format", "json")
    assert code == 0, output
    ranked = json.loads(output)["clients"]
    assert ranked[0]["client"] == "bayview-dental" and ranked[0]["gap"] > 0
    code, output = run("reprice", "bayview-dental", "--ledger", str(ledger), "--set", "monthly_fee=1200")
    assert code == 0, output
    assert _snapshot(tmp_path) == before


def test_current_side_is_the_books_figures_of_retainer_margin(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path)
    code, output = run("reprice", "bayview-dental", "--ledger", str(ledger), "--set", "monthly_fee=900",
                       "--format", "json")  # fmt: skip
    assert code == 0, output
    repriced = json.loads(output)
    code, output = run("margin", "--ledger", str(ledger), "--client", "bayview-dental", "--from",
                       repriced["from"], "--through", repriced["through"], "--format", "json")  # fmt: skip
    [books] = json.loads(output)["clients"]
    current = repriced["total"]["current"]
    cost = D(books["labor"]) + D(books["tools"]) + D(books["other_costs"])
    assert (current["revenue"], current["margin"], current["hours"]) == (
        books["revenue"],
        books["margin"],
        books["hours"],
    )
    assert D(current["cost"]) == cost
    # Bayview's fee is 900 already: proposing it changes nothing.
    assert repriced["total"]["proposed"] == current


def test_reprice_with_a_plan_over_the_terms(write_books: WriteBooks) -> None:
    practice = PRACTICE + "plans:\n  lite: {monthly_fee: 200, included_hours: {remote: 4}}\n"
    books = write_books(LEDGER, {"acme": ACME}, practice)
    code, output = run("reprice", "acme", "--ledger", str(books.path), "--plan", "lite", "--format", "json")
    assert code == 0, output
    document = json.loads(output)
    # lite over the terms: fee 200, 4 h remote included, the rate 100 kept from the contract.
    # Jan 200 + (5 - 4) × 100 = 300; Feb 200; Mar 200 (3 h covered): 700 against cost 390.
    assert [m["proposed"]["revenue"] for m in document["months"]] == ["300.00", "200.00", "200.00"]
    assert document["total"]["proposed"]["margin"] == "310.00"
    # Break-even: 3F + 100 >= 780 -> F >= 226.666..., so 226.67 (3 × 226.67 + 100 = 780.01).
    assert document["break_even_fee"] == "226.67"
