"""A ``retainer`` command reads the plugin's own billing pass: the books are billed once.

The loader runs ``plugins.retainer``; a command then needs the same contracts, time and
bills. The plugin keeps its pass for the command (``books.keep_passes``) instead of letting
it go, and the command's figures are those of a pass made afresh.
"""

from __future__ import annotations

from pathlib import Path

from support import copy_demo

from plugins.books import Books, remembered, today
from scripts.ledger import load


def test_a_command_reads_the_plugin_s_pass_and_it_bills_as_a_fresh_one(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path)  # a fresh copy: no Beancount cache answers the load
    loaded = load("margin", ledger)
    assert not loaded.errors
    kept = remembered(loaded.options, today())
    assert kept is not None, "the plugin kept no pass for the command"
    assert loaded.books is kept
    fresh = Books.of_ledger(loaded.entries, loaded.options)
    assert fresh is not kept
    # Same clients, same time, same bills (every month of every client, field by field).
    assert sorted(kept.clients) == sorted(fresh.clients)
    assert kept.time == fresh.time
    assert kept.bills == fresh.bills
    assert sum(len(bills) for bills in kept.bills.values()) > 50  # 6 clients, about a year


def test_a_second_load_never_reads_the_first_load_s_pass(tmp_path: Path) -> None:
    ledger = copy_demo(tmp_path)
    first = load("margin", ledger)
    first_books = first.books
    assert first_books is remembered(first.options, today())
    second = load("margin", ledger)
    assert remembered(first.options, today()) is None  # only the latest load's pass is kept
    assert second.books is remembered(second.options, today())
    assert second.books is not first_books
