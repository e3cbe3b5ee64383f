"""The billing pass picks up closed-month markers and adjustments in its one loop over the
books (``collect_time``): it must find exactly what ``ClosedBooks`` finds on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount import loader

from plugins.books import Books, contracts_folder
from plugins.closing import ClosedBooks, Scan

DEMO = Path(__file__).resolve().parents[2] / "ledger" / "main.beancount"


def test_the_pass_finds_the_markers_and_adjustments_a_separate_scan_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETAINER_TODAY", "2026-12-01")
    entries, _, options = loader.load_file(str(DEMO))
    books = Books.of(entries, contracts_folder(options))
    assert books._scanned is not None
    seen, scan = books._scanned
    alone = Scan.of(entries)
    assert seen is entries
    # The demo closes November 2025 through March 2026: five markers, in ledger order.
    assert [marker.values[0].value for marker in scan.markers] == [
        "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"
    ]
    assert scan.markers == alone.markers
    assert scan.adjustments == alone.adjustments
    assert ClosedBooks.of(entries, scan) == ClosedBooks.of(entries)


def test_other_entries_than_the_scanned_ones_are_scanned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """``transactions(existing)`` of a different list must not reuse the pass's scan."""
    monkeypatch.setenv("RETAINER_TODAY", "2026-12-01")
    entries, _, options = loader.load_file(str(DEMO))
    books = Books.of(entries, contracts_folder(options))
    without_markers = [e for e in entries if getattr(e, "type", None) != "retainer-closed"]
    # With no month closed, the generated transactions of November 2025 are posted again.
    posted = books.transactions(without_markers)
    assert any(getattr(e, "meta", {}).get("month") == "2025-11" for e in posted)
    assert not any(getattr(e, "meta", {}).get("month") == "2025-11" for e in books.transactions(entries))
