"""What ``retainer import`` shows for review: dry-run entries, warnings, honest counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from beancount import loader
from click.testing import CliRunner, Result

from scripts.cli import main
from timeimport.support_books import Books

CONFIG = Path(__file__).resolve().parents[2] / "importers" / "config.py"
TOGGL_HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,"
    "Duration,Tags\n"
)


def import_(books: Books, *files: Path | str, flags: tuple[str, ...] = ()) -> Result:
    return CliRunner().invoke(main, ["import", "--ledger", str(books.ledger), *flags, *map(str, files)])


def test_dry_run_lists_the_entries_it_would_write(books: Books) -> None:
    result = import_(books, books.export("kimai_export.csv"), flags=("--dry-run",))
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Dry run: nothing was written.\n")[1].splitlines()
    assert table[1].split() == ["date", "client", "kind", "hours", "staff", "flags", "note"]
    assert table[2].split() == ["2026-01-19", "acme-dental", "onsite", "1.5", "carol", "Rack", "cleanup"]
    assert table[3].split() == [
        "2026-01-20",
        "beta-law",
        "remote",
        "0.25",
        "carol",
        "after-hours",
        "non-billable",
        "Alarm",
        "check",
    ]
    assert not books.time.exists()


def test_dry_run_as_beancount_text_is_exactly_what_would_be_written(books: Books) -> None:
    export = books.export("toggl_detailed.csv")
    shown = import_(books, export, flags=("--dry-run", "--format", "beancount"))
    assert shown.exit_code == 0, shown.output
    text = shown.stdout.split("Dry run: nothing was written.\n\n")[1]
    assert import_(books, export).exit_code == 0
    written = (books.time / "2026-01.beancount").read_text(encoding="utf-8")
    # The month file is its header, then the same entries separated by blank lines.
    assert written.endswith("\n" + text)
    assert text.count('custom "time"') == 5


def test_unknown_staff_are_listed_with_the_practice_yaml_line_to_add(books: Books) -> None:
    result = import_(books, books.export("toggl_detailed.csv"))
    assert result.exit_code == 0, result.output
    assert "warning: staff not in contracts/practice.yaml" in result.stderr
    assert "  dana-smith: {name: Dana Smith}\n" in result.stderr
    assert "alice" not in result.stderr  # known staff are not listed


def test_an_edited_description_does_not_import_the_same_time_twice(books: Books, tmp_path: Path) -> None:
    before = tmp_path / "before.csv"
    after = tmp_path / "after.csv"
    row = "Alice Moreau,a@x,ACME,Support,,{note},Yes,2026-01-06,09:00:00,2026-01-06,09:20:00,00:20:00,\n"
    before.write_text(TOGGL_HEADER + row.format(note="Reset"), encoding="utf-8")
    after.write_text(TOGGL_HEADER + row.format(note="Reset the VPN password"), encoding="utf-8")
    assert import_(books, before).exit_code == 0
    again = import_(books, after)
    assert again.exit_code == 0, again.output
    assert "Added 0 entries; skipped 1 duplicate already in the books." in again.stdout


def test_distinct_rows_that_agree_on_all_but_the_description_stay_distinct(
    books: Books, tmp_path: Path
) -> None:
    export = tmp_path / "two.csv"
    row = "Alice Moreau,a@x,ACME,Support,,{note},Yes,2026-01-06,09:00:00,2026-01-06,09:20:00,00:20:00,\n"
    export.write_text(TOGGL_HEADER + row.format(note="One") + row.format(note="Two"), encoding="utf-8")
    result = import_(books, export)
    assert "Added 2 entries" in result.stdout
    entries, errors, _ = loader.load_file(str(books.ledger))
    assert errors == []
    ids = [e.meta["id"] for e in entries if getattr(e, "type", None) == "time"]
    assert len(ids) == 2 and ids[1] == ids[0] + "-2"


def test_a_new_row_like_an_entry_in_the_books_is_imported_with_a_warning(
    books: Books, tmp_path: Path
) -> None:
    books.ledger.write_text(
        books.ledger.read_text(encoding="utf-8")
        + '\n2026-01-06 custom "time" "acme-dental" "remote" 0.5\n  staff: "alice"\n  id: "hand:1"\n',
        encoding="utf-8",
    )
    export = tmp_path / "same.csv"
    export.write_text(
        TOGGL_HEADER + "Alice Moreau,a@x,ACME,Support,,Typed by hand too,Yes,2026-01-06,09:00:00,"
        "2026-01-06,09:30:00,00:30:00,\n",
        encoding="utf-8",
    )
    result = import_(books, export)
    assert result.exit_code == 0, result.output
    assert "Added 1 entries" in result.stdout
    (warning,) = [line for line in result.stderr.splitlines() if "looks like" in line]
    assert warning.startswith(f"warning: {export}:2: 2026-01-06 acme-dental 0.5 h alice looks like")
    assert "main.beancount:4 (another id)" in warning


def test_two_rows_with_one_id_in_a_file_are_not_reported_as_already_in_the_books(
    books: Books, tmp_path: Path
) -> None:
    export = tmp_path / "ids.csv"
    head = TOGGL_HEADER.rstrip("\n") + ",ID\n"
    row = "Alice Moreau,a@x,ACME,Support,,X,Yes,2026-01-06,09:00:00,2026-01-06,09:30:00,00:30:00,,77\n"
    export.write_text(head + row + row, encoding="utf-8")
    result = import_(books, export)
    assert result.exit_code == 0, result.output
    assert (
        "Added 1 entries; skipped 1 duplicate (0 already in the books, 1 repeated in these exports)."
        in result.stdout
    )


def test_an_importer_config_problem_is_not_reported_as_rows_that_cannot_be_placed(books: Books) -> None:
    (books.contracts / "practice.yaml").write_text("importers: {genric: {}}\n", encoding="utf-8")
    result = import_(books, books.export("toggl_detailed.csv"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "retainer import: refused: the importers: settings in contracts/practice.yaml have problems"
        " (1 problem); nothing was written"
    )


def test_beangulp_refuses_in_the_same_lines_without_a_traceback(books: Books, tmp_path: Path) -> None:
    env = {**os.environ, "RETAINER_LEDGER": str(books.ledger)}
    bad = books.export("bad_toggl.csv")
    result = subprocess.run(
        [sys.executable, str(CONFIG), "extract", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert f'{bad}:3: unknown client "Acme Dentl"' in result.stderr
    assert f"{bad}: refused: some rows cannot be placed (4 problems); nothing extracted" in result.stderr


def test_books_imported_before_ids_ignored_descriptions_are_not_imported_twice(books: Books) -> None:
    # An earlier version hashed the description into the fallback id: an entry imported
    # then carries that id, and re-importing its export must still add nothing.
    from importers.ingest import TimeImporter
    from importers.pipeline import load_books, read_exports

    export = books.export("harvest_time_report.csv")
    run = read_exports([export], load_books(books.ledger))
    old = [(p.entry, p.legacy_id) for p in run.entries]
    assert all(legacy and legacy != entry.id for entry, legacy in old)
    first, legacy = old[0]
    books.ledger.write_text(
        books.ledger.read_text(encoding="utf-8")
        + f'\n{first.date} custom "time" "{first.client}" "{first.kind}" {first.hours}\n  id: "{legacy}"\n',
        encoding="utf-8",
    )
    result = import_(books, export)
    assert "Added 4 entries; skipped 1 duplicate already in the books." in result.stdout
    # beangulp's de-duplication knows the old id too.
    importer = TimeImporter("harvest", books.ledger)
    extracted = importer.extract(str(export), [])
    existing, _, _ = loader.load_file(str(books.ledger))
    importer.deduplicate(extracted, existing)
    assert all("__duplicate__" in e.meta for e in extracted)
