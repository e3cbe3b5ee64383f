"""Test support: a loaded ledger and the type of the ``write_books`` fixture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

PLUGIN_LINE = 'plugin "plugins.retainer" "../contracts"\n'


@dataclass
class Books:
    """A loaded ledger, with helpers that read it the way an accountant would."""

    path: Path
    entries: list[Any]
    errors: list[Any]
    options: dict[str, Any]

    def posted(self, account: str, month: str | None = None) -> Decimal:
        """Sum of postings to ``account`` (in month ``YYYY-MM`` if given)."""
        total = Decimal(0)
        for entry in self.entries:
            if not isinstance(entry, data.Transaction):
                continue
            if month is not None and entry.date.strftime("%Y-%m") != month:
                continue
            for posting in entry.postings:
                if posting.account == account:
                    total += posting.units.number
        return total

    def transactions(self, tag: str = "retainer") -> list[data.Transaction]:
        return [e for e in self.entries if isinstance(e, data.Transaction) and tag in e.tags]

    def errors_named(self, name: str) -> list[Any]:
        return [e for e in self.errors if type(e).__name__ == name]


WriteBooks = Callable[..., Books]


def copy_demo(target: Path) -> Path:
    """The demo books (contracts, ledger, the drop folder and the beangulp configuration the
    ledger names) copied under ``target``; returns the copy's ledger/main.beancount."""
    import shutil

    root = Path(__file__).resolve().parent.parent
    # Not Beancount's cache: it names the files it was made from, so a copy would load those.
    skip = shutil.ignore_patterns(".*.picklecache", ".retainer.lock")
    for folder in ("ledger", "contracts", "imports"):
        shutil.copytree(root / folder, target / folder, ignore=skip)
    (target / "importers").mkdir()
    shutil.copyfile(root / "importers" / "config.py", target / "importers" / "config.py")
    return target / "ledger" / "main.beancount"


def books_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path: the books, to compare byte for byte.

    Left out: Beancount's cache, and the empty lock file any writing command leaves beside
    the ledger (neither is the books)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".picklecache" not in path.name and path.name != ".retainer.lock"
    }
