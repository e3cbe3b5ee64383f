"""Importing: a tracker project that is one of the client's fixed-price projects writes
``project:``; any other project name is the agreement's work, as before."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data
from click.testing import CliRunner

from scripts.cli import main
from timeimport.support_books import ACME, Books

PROJECTS = """\
projects:
  - id: office-move
    name: Office move
    aliases: [Move 2026]
    price: 3000
    billed: 2026-01-31
  - id: dms-setup
    price: 800
    billed: 2026-01-31
"""

HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,"
    "Start date,Start time,End date,End time,Duration,Tags"
)
ROWS = [
    # project name by alias, with other capitals
    "Alice Moreau,alice@example.com,Acme Dental,MOVE 2026,,Packed the server rack,Yes,"
    "2026-01-12,09:00:00,2026-01-12,11:00:00,02:00:00,On-site",
    # by display name
    "Alice Moreau,alice@example.com,Acme Dental,office move,,Cabling plan,Yes,"
    "2026-01-13,09:00:00,2026-01-13,10:00:00,01:00:00,",
    # by id
    "Alice Moreau,alice@example.com,Acme Dental,dms-setup,,DMS install,Yes,"
    "2026-01-14,09:00:00,2026-01-14,09:30:00,00:30:00,",
    # a project that is not one of the client's: the agreement's work (onsite, billed)
    "Alice Moreau,alice@example.com,Acme Dental,Helpdesk,,Printer,Yes,"
    "2026-01-15,09:00:00,2026-01-15,11:00:00,02:00:00,On-site",
    # Beta Law has no projects: its "Office move" is its agreement's work
    "Alice Moreau,alice@example.com,Beta Law,Office move,,Moved a PC,Yes,"
    "2026-01-16,09:00:00,2026-01-16,10:00:00,01:00:00,",
]


def _import(books: Books, tmp_path: Path) -> list[data.Custom]:
    (books.contracts / "acme-dental.yaml").write_text(ACME + PROJECTS, encoding="utf-8")
    export = tmp_path / "toggl.csv"
    export.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "--ledger", str(books.ledger), str(export)])
    assert result.exit_code == 0, result.output
    entries, errors, _ = loader.load_file(str(books.ledger))
    assert errors == []
    return [e for e in entries if isinstance(e, data.Custom) and e.type == "time"]


def test_tracker_projects_map_to_the_clients_projects(books: Books, tmp_path: Path) -> None:
    times = _import(books, tmp_path)
    found = [(str(e.date), e.values[0].value, e.meta.get("project")) for e in times]
    assert found == [
        ("2026-01-12", "acme-dental", "office-move"),
        ("2026-01-13", "acme-dental", "office-move"),
        ("2026-01-14", "acme-dental", "dms-setup"),
        ("2026-01-15", "acme-dental", None),
        ("2026-01-16", "beta-law", None),
    ]
    text = (books.time / "2026-01.beancount").read_text(encoding="utf-8")
    assert text.count('  project: "office-move"\n') == 2
    assert text.count('  project: "dms-setup"\n') == 1


def test_imported_project_time_is_not_billed_hourly(books: Books, tmp_path: Path) -> None:
    _import(books, tmp_path)
    entries, _, _ = loader.load_file(str(books.ledger))

    def posted(account: str) -> Decimal:
        return sum(
            (
                p.units.number
                for e in entries
                if isinstance(e, data.Transaction) and e.date.month == 1
                for p in e.postings
                if p.account == account
            ),
            Decimal(0),
        )

    # Acme, January onsite: only the Helpdesk visit (2 h) is agreement work; 1 h included,
    # 1 h at 120 = 120.00. The 2 h onsite move day would have added 2 * 120 more.
    assert posted("Income:Clients:AcmeDental:Hourly") == Decimal("-120.00")
    # Both projects billed on 2026-01-31: 3000 + 800.
    assert posted("Income:Clients:AcmeDental:Projects") == Decimal("-3800.00")
    # Beta Law (hourly, remote 100): its "Office move" hour is billed as agreement work.
    assert posted("Income:Clients:BetaLaw:Hourly") == Decimal("-100.00")
