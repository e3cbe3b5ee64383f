"""Smoke test of ``scripts/bench.py``: it runs end to end, and the plugin's output is right.

No timing is asserted (timings belong in ``bench/results.md``, not in a pass/fail suite);
what is asserted is that the benchmark's books are valid and that the books billed by the
plugin balance, account by account, exactly like the books where the plugin's output was
printed as text and read back: the plugin's entries survive Beancount's printer and parser.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from beancount import loader
from beancount.core import data
from beancount.parser import printer

from plugins.books import Books
from plugins.reports.statement import billed_clients
from scripts import bench


def test_bench_runs_once_and_plugin_matches_materialized(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    results = bench.run(
        [
            "--sizes",
            "small",
            "--runs",
            "1",
            "--requests",
            "1",
            "--workdir",
            str(tmp_path / "books"),
            "--out",
            str(out),
            "--skip",
            "import",
        ],
        log=lambda line: None,
    )
    [result] = results
    assert result.entries > 10_000  # small: 20 clients, 3 years, ~15k entries
    assert result.verified, "plugin books and materialized books must balance alike"
    text = out.read_text(encoding="utf-8")
    assert "## bean-check" in text and "| small |" in text
    # statement --all wrote a PDF for each client the books bill in their last month.
    books = bench_books(tmp_path / "books" / "small" / "ledger" / "main.beancount")
    billed = billed_clients(books, (2025, 12))
    assert result.statements is not None and result.statements["clients"] == len(billed) > 10
    assert f"| small | {len(billed)} |" in text.split("## retainer statement --all", 1)[1]
    # A reload after the edit of one entry bills that entry's client again, and no other
    # of the 20 (plugins.memo).
    reload = text.split("## Fava reload", 1)[1].split("\n## ", 1)[0]
    assert "| small |" in reload and "| 1 of 20 |" in reload
    # The floor (the plugin's entries handed in by a plugin that does no work) is measured
    # beside the three, in bean-check and in the reload.
    assert "| small | floor (its entries handed in) |" in text
    assert "floor / without" in reload
    assert set(result.checks) == {"plugin", "noplugin", "materialized", "floor", "read floor"}
    assert result.reload is not None and set(result.reload["reload"]) == set(bench.RELOAD_LEDGERS)
    # Every report page is timed against Fava's income statement on the same server.
    for page in ("Client Margin", "Recurring Revenue", "Utilization", "one client's statement page"):
        assert f"- {page} / income statement: " in text

    paths = bench.BookPaths(tmp_path / "books" / "small")
    with_plugin = bench.balances(paths.plugin)
    assert any(account.startswith("Income:Clients:") for account in with_plugin)
    assert any(name.startswith("Expenses:Clients:") and name.endswith(":Labor") for name in with_plugin)
    assert with_plugin == bench.balances(paths.materialized)

    # --memo-pairs: a process with the memo, one without, one with the heap not held, twice,
    # one reload each.
    done = subprocess.run(
        [sys.executable, bench.__file__, "--memo-pairs", str(paths.root), "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(found["runs"]) == ["memo", "none", "unheld"]
    for variant in found["runs"].values():
        assert len(variant["reload"]) == 2  # two rounds of one reload
        assert 0 < max(variant["plugin"]) < max(variant["reload"])


def bench_books(ledger: Path) -> Books:
    entries, errors, options = loader.load_file(str(ledger))
    assert not errors
    return Books.of_ledger(entries, options)


def test_plugin_entries_print_and_read_back_identically(tmp_path: Path) -> None:
    """Entry by entry, metadata included: what the plugin generates equals the printed text."""
    paths = bench.BookPaths(tmp_path / "books")
    bench.generate(bench.SIZES["tiny"], paths)
    generated, errors, _ = loader.load_file(str(paths.plugin))
    assert not errors
    read_back, errors, _ = loader.load_file(str(paths.materialized))
    assert not errors
    from_plugin = [e for e in generated if e.meta["filename"].endswith(".yaml")]
    from_text = [e for e in read_back if e.meta["filename"] == str(paths.accruals)]
    assert len(from_plugin) == len(from_text) > 100
    assert _printed(from_plugin) == _printed(from_text)
    # The floor hands in the very entries the plugin makes, and the books are otherwise the
    # plugin's: the same entries, printed alike, and nothing else differs.
    for ledger in (paths.floor, paths.read_floor):
        floor, errors, _ = loader.load_file(str(ledger))
        assert not errors
        assert _printed(floor) == _printed(generated)


def _printed(entries: Sequence[data.Directive]) -> str:
    out = io.StringIO()
    printer.print_entries(entries, file=out)
    return out.getvalue()


def test_generated_books_are_deterministic(tmp_path: Path) -> None:
    size = bench.SIZES["tiny"]
    first, second = bench.BookPaths(tmp_path / "a"), bench.BookPaths(tmp_path / "b")
    bench.generate(size, first)
    bench.generate(size, second)
    for path in sorted((first.root).rglob("*")):
        # The pickle of the floor's entries holds their files' paths, which name the folder.
        if path.is_file() and not path.name.startswith(".") and path.suffix != ".pickle":
            twin = second.root / path.relative_to(first.root)
            assert path.read_bytes() == twin.read_bytes(), path.name
