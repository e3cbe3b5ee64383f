"""Smoke test of ``scripts/bench.py``: it runs end to end, and the plugin's output is right.

No timing is asserted (timings belong in ``bench/results.md``, not in a pass/fail suite);
what is asserted is that the benchmark's books are valid and that the books billed by the
plugin balance, account by account, exactly like the books where the plugin's output was
printed as text and read back: the plugin's entries survive Beancount's printer and parser.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench", module)
    spec.loader.exec_module(module)
    return module


def test_bench_runs_once_and_plugin_matches_materialized(tmp_path: Path) -> None:
    bench = _bench()
    out = tmp_path / "results.md"
    results = bench.run(
        [
            "--sizes",
            "tiny",
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
    assert result.entries > 1000
    assert result.verified, "plugin books and materialized books must balance alike"
    text = out.read_text(encoding="utf-8")
    assert "## bean-check" in text and "| tiny |" in text

    paths = bench.BookPaths(tmp_path / "books" / "tiny")
    with_plugin = bench.balances(paths.plugin)
    assert any(account.startswith("Income:Clients:") for account in with_plugin)
    assert any(name.startswith("Expenses:Clients:") and name.endswith(":Labor") for name in with_plugin)
    assert with_plugin == bench.balances(paths.materialized)


def test_generated_books_are_deterministic(tmp_path: Path) -> None:
    bench = _bench()
    size = bench.SIZES["tiny"]
    first, second = bench.BookPaths(tmp_path / "a"), bench.BookPaths(tmp_path / "b")
    bench.generate(size, first)
    bench.generate(size, second)
    for path in sorted((first.root).rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            twin = second.root / path.relative_to(first.root)
            assert path.read_bytes() == twin.read_bytes(), path.name
