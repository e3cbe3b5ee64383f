"""Books for tests/timeimport: two small contracts, practice settings, an empty ledger.

The books live in ``tmp_path`` and never depend on the demo practice. Acme Dental is a
retainer client (remote unlimited, one onsite hour included, after-hours x1.5); Beta Law
is hourly (remote 100, onsite 150, after-hours x2) and its agreement ends 2026-06-30.
"""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from importers.dates import DateOrder
from importers.pipeline import ImportRun, load_books, read_exports
from plugins.timeentry import format_hours
from plugins.writes import LOCK_NAME

DATA = Path(__file__).parent / "data"

ACME = """\
client: acme-dental
name: Acme Dental LLC
aliases: [Acme Dental, ACME]
terms:
  - from: 2026-01-01
    monthly_fee: 900
    included_hours: {remote: unlimited, onsite: 1}
    rates: {onsite: 120}
    after_hours_multiplier: 1.5
"""

BETA = """\
client: beta-law
name: Beta Law Office
aliases: [Beta Law]
ends: 2026-06-30
terms:
  - from: 2026-01-01
    rates: {remote: 100, onsite: 150}
    after_hours_multiplier: 2
"""

PRACTICE = """\
accrue_through: 2026-03
staff:
  alice: {name: Alice Moreau, cost_rate: 50}
  bob: {name: Robert Tanaka, aliases: [Bob Tanaka]}
business_hours: {weekdays: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00"}
"""

LEDGER = """\
option "operating_currency" "USD"
plugin "plugins.retainer" "../contracts"
"""


@dataclass
class Books:
    """Paths of a small practice written to disk."""

    root: Path

    @property
    def ledger(self) -> Path:
        return self.root / "ledger" / "main.beancount"

    @property
    def contracts(self) -> Path:
        return self.root / "contracts"

    @property
    def time(self) -> Path:
        return self.root / "ledger" / "time"

    def export(self, name: str) -> Path:
        """A copy of a sample export from ``tests/timeimport/data`` inside the books' folder."""
        target = self.root / "exports" / name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(DATA / name, target)
        return target

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the ledger folder, by relative path: to prove nothing changed.

        The books' lock file is not the books (it is empty and stays once made); a left-over
        journal or temporary file is, and shows up here.
        """
        folder = self.root / "ledger"
        return {
            str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != LOCK_NAME
        }


def write_books(root: Path, practice: str = PRACTICE) -> Books:
    (root / "contracts").mkdir(parents=True)
    (root / "ledger").mkdir()
    (root / "contracts" / "acme-dental.yaml").write_text(ACME, encoding="utf-8")
    (root / "contracts" / "beta-law.yaml").write_text(BETA, encoding="utf-8")
    (root / "contracts" / "practice.yaml").write_text(textwrap.dedent(practice), encoding="utf-8")
    (root / "ledger" / "main.beancount").write_text(LEDGER, encoding="utf-8")
    return Books(root)


#: (date, client, kind, hours, staff, note, after-hours, billable) of an imported entry.
Row = tuple[str, str, str, str, str | None, str | None, bool, bool]


def run(books: Books, name: str, order: DateOrder | None = None) -> ImportRun:
    """Read one sample export against the books, as ``retainer import`` does."""
    return read_exports([books.export(name)], load_books(books.ledger), order)


def entries(books: Books, name: str, order: DateOrder | None = None) -> list[Row]:
    """The entries a sample export gives, asserting it has no problems."""
    return rows_of(run(books, name, order))


def rows_of(result: ImportRun) -> list[Row]:
    assert [str(p) for p in result.problems] == []
    return [
        (
            e.date.isoformat(),
            e.client,
            e.kind,
            format_hours(e.hours),
            e.staff,
            e.note,
            e.after_hours,
            e.billable,
        )
        for e in result.time_entries()
    ]
