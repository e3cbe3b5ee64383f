"""``retainer rate-card``: the example month priced by the billing core, by hand."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from click.testing import CliRunner
from support import books_snapshot, copy_demo

from plugins.billing.contracts import load_contracts
from plugins.reports.rate_card import build_rate_card, example_entries
from scripts.cli import main

PRACTICE = """\
list_rates: {remote: 150, onsite: 175}
plans:
  essentials: {monthly_fee: 250, included_hours: {remote: 2}, rates: {remote: 120, onsite: 150},
               rounding_minutes: 15, onsite_minimum_hours: 1, travel: {trip_fee: 35}}
  business: {per_device: {workstation: 55, server: 150}, included_hours: {remote: unlimited, onsite: 2},
             rates: {onsite: 125}, travel: {trip_fee: 25, per_km: 0.5, distance_km: 10}}
  remote-only: {monthly_fee: 99, included_hours: {remote: unlimited}}
rate_card_example: {devices: {workstation: 10, server: 1}, hours: {remote: 6, onsite: 1.5}, visits: 2}
"""


def test_example_priced_on_each_plan_by_the_rules(tmp_path: Path) -> None:
    (tmp_path / "practice.yaml").write_text(PRACTICE, encoding="utf-8")
    found = load_contracts(tmp_path)
    assert found.problems == []
    card = build_rate_card(found.practice)
    # The visits share 1.5 h onsite: 0.75 h each, on two days.
    assert [(e.kind, e.hours) for e in example_entries(card.practice.rate_card_example)] == [  # type: ignore[arg-type]
        ("remote", D(6)), ("onsite", D("0.75")), ("onsite", D("0.75")),
    ]  # fmt: skip
    # List rates: 6 × 150 + 1.5 × 175 = 900 + 262.50 = 1162.50 (no trip fee at list rates).
    assert card.example_hourly == D("1162.50")
    essentials, business, remote_only = card.plans
    # Essentials: 250 fee; remote (6 - 2) × 120 = 480; each visit of 0.75 h is lifted to the
    # 1 h minimum, so onsite 2 × 1 h × 150 = 300; travel 2 × 35 = 70: 1100.00.
    assert essentials.example == D("1100.00") and card.saving(essentials) == D("62.50")
    # Business: 10 × 55 + 150 = 700; remote unlimited; onsite 1.5 h within the 2 included;
    # travel per visit 25 + 0.5 × 10 = 30, × 2 = 60: 760.00; saving 1162.50 - 760 = 402.50.
    assert business.monthly == D(700) and business.example == D("760.00")
    assert card.saving(business) == D("402.50")
    # Remote-only has no onsite rate: its example is not priced, and the card says why.
    assert remote_only.example is None and remote_only.note is not None and "onsite" in remote_only.note


_snapshot = books_snapshot


def test_rate_card_command_formats_and_no_byte_of_the_books_changes(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path / "books")
    before = _snapshot(tmp_path / "books")
    runner = CliRunner()
    result = runner.invoke(main, ["rate-card", "--ledger", str(ledger), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    # The demo's card (contracts/practice.yaml): 6 h remote and 4 h onsite on 2 visits,
    # list 6 × 150 + 4 × 175 = 1600; business 10 × 55 + 150 = 700 + (4 - 2) × 125 + 2 × 25 = 1000.
    assert document["example"]["hourly"] == "1600.00"
    assert document["example"]["plans"]["business"] == "1000.00"
    assert document["example"]["savings"]["business"] == "600.00"
    assert [plan["name"] for plan in document["plans"]] == ["essentials", "business", "premium"]
    assert document["plans"][1]["monthly"] == "700.00"
    result = runner.invoke(main, ["rate-card", "--ledger", str(ledger)])
    assert result.exit_code == 0 and "| Business | $1,000.00 | $600.00 |" in result.output
    out = tmp_path / "card.pdf"
    result = runner.invoke(main, ["rate-card", "--ledger", str(ledger), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    html = tmp_path / "card.html"
    runner.invoke(main, ["rate-card", "--ledger", str(ledger), "-o", str(html)])
    text = html.read_text(encoding="utf-8")
    assert "Northwind IT Services" in text and "$1,000.00" in text and "$600.00" in text
    assert _snapshot(tmp_path / "books") == before
