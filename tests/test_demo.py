"""The demo practice that ships in ledger/ and contracts/ checks clean and shows every rule."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data

from plugins.billing.contracts import contracts_folder_of, load_contracts
from scripts import make_demo

ROOT = Path(__file__).resolve().parent.parent
LEDGER = ROOT / "ledger" / "main.beancount"


def test_generator_reproduces_the_shipped_demo_byte_for_byte(tmp_path: Path) -> None:
    """``scripts/make_demo.py`` is the demo's source: what ships in ledger/ is its output."""
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    built = make_demo.build(tmp_path)
    produced = {path.relative_to(tmp_path).as_posix(): text for path, text in built.items()}
    shipped = {
        path.relative_to(ROOT).as_posix(): path
        for path in (ROOT / "ledger").rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }
    assert sorted(produced) == sorted(shipped)
    for name, path in shipped.items():
        assert produced[name].encode("utf-8") == path.read_bytes(), f"{name}: run scripts/make_demo.py"


def test_bean_check_passes_on_the_demo() -> None:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(LEDGER)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout + run.stderr == ""


def test_demo_exercises_every_kind_of_posting() -> None:
    entries, errors, _ = loader.load_file(str(LEDGER))
    assert errors == []
    narrations = {
        entry.narration.split()[0]
        for entry in entries
        if isinstance(entry, data.Transaction) and "retainer" in entry.tags
    }
    # Prepaid: a block bought ("Prepaid block"), and drawn on; Tools: licence costs;
    # Project: a fixed-price project's milestones.
    assert narrations == {"Retainer", "Hourly", "Travel", "Labor", "Tools", "Prepaid", "Project"}
    # A year of time from several staff, including non-billable and after-hours work.
    time = [e for e in entries if isinstance(e, data.Custom) and e.type == "time"]
    assert len(time) > 1000
    assert len({e.meta.get("staff") for e in time}) >= 2
    assert any(e.meta.get("billable") is False for e in time)
    assert any(e.meta.get("after-hours") is True for e in time)


def test_demo_contracts_cover_the_trade_tiers() -> None:
    folder = contracts_folder_of(LEDGER)
    assert folder is not None
    books = load_contracts(folder)
    assert books.problems == []
    contracts = books.contracts.values()
    assert len(books.contracts) >= 6
    assert any(c.terms[0].per_device for c in contracts)  # per-device pricing
    assert any(len(c.terms) > 1 for c in contracts)  # terms that change
    assert any(c.ends is not None for c in contracts)  # a client that left
    assert any(c.terms[0].monthly_retainer == 0 for c in contracts)  # break/fix
    fees = sorted(c.terms[-1].monthly_retainer for c in contracts if c.terms[-1].monthly_retainer)
    assert fees[0] < Decimal(400) and fees[-1] > Decimal(2000)
    assert books.practice.accrue_through is not None  # reproducible books
    # hour banks, tool costs and travel time (README "Hour banks, tool costs and travel time")
    assert any(c.blocks for c in contracts)  # a client on prepaid blocks
    assert any(t.rollover is not None and t.rollover.months for c in contracts for t in c.terms)
    assert any(t.costs is not None for c in contracts for t in c.terms)
    assert any(t.travel.travel_minutes and t.travel.travel_rate for c in contracts for t in c.terms)


def test_one_demo_client_costs_more_than_it_pays() -> None:
    entries, _, _ = loader.load_file(str(LEDGER))
    margin: dict[str, Decimal] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            parts = posting.account.split(":")
            if parts[1:2] == ["Clients"] and parts[0] in ("Income", "Expenses"):
                margin[parts[2]] = margin.get(parts[2], Decimal(0)) - posting.units.number
    assert min(margin.values()) < 0 < max(margin.values())


def test_the_demo_project_runs_over_its_budget() -> None:
    """Harbor & Pine's fixed-price DMS setup: 29 h worked for 20 h budgeted."""
    from plugins.books import Books
    from plugins.reports.projects import build_projects

    entries, errors, options = loader.load_file(str(LEDGER))
    assert errors == []
    books = Books.of_ledger(entries, options)
    (dms,) = build_projects(books.clients, books.practice, books.bills, books.time)
    assert (dms.client, dms.project.id) == ("harbor-pine-law", "dms-setup")
    # make_demo.fixed_price_entries: alice 240+180+150+180+120+150 min = 17 h at 52,
    # bob 300+240+180 min = 12 h at 34: 884 + 408 = 1292.00; margin 2200 - 1292 = 908.00.
    assert dms.hours == Decimal(29) and dms.project.budget_hours == Decimal(20)
    assert dms.labor == Decimal("1292.00") and dms.margin == Decimal("908.00")
    assert dms.billed == Decimal("2200.00")  # both milestones are before accrue_through
    assert [flag.code for flag in dms.flags] == ["budget", "margin"]


def test_demo_ships_its_first_months_closed() -> None:
    """The closed files are part of the byte-for-byte check above; here: they are the
    first months in order, each marked, and the books still load without an error."""
    closed = sorted(path.name for path in (ROOT / "ledger" / "closed").glob("*.beancount"))
    assert closed == [
        "2025-11.beancount",
        "2025-12.beancount",
        "2026-01.beancount",
        "2026-02.beancount",
        "2026-03.beancount",
    ]
    first = (ROOT / "ledger" / "closed" / "2025-11.beancount").read_text(encoding="utf-8")
    assert '2025-11-30 custom "retainer-closed" "2025-11"\n' in first
    entries, errors, _ = loader.load_file(str(LEDGER))
    assert errors == []
    marked = [e for e in entries if isinstance(e, data.Custom) and e.type == "retainer-closed"]
    assert [e.values[0].value for e in marked] == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
