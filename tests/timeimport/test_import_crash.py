"""``retainer import`` killed mid-write, and two imports at once: nothing partial, nothing lost.

Each run is a real ``retainer`` process (the installed entry point of this interpreter's
environment) writing twelve month files and the ledger's include line. The kill comes at
a chosen step of the commit (the ``RETAINER_WRITE_PAUSE`` hook) or as soon as the journal
appears; the books afterwards are compared byte for byte with an import that was never
interrupted. Waits are bounded, never asserted on.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from beancount import loader
from writes_support import LIMIT, kill, leftovers, paused, wait_until

from plugins.writes import JOURNAL_NAME, LOCK_NAME, pending
from timeimport.support_books import Books, write_books

_ENTRY_POINT = Path(sys.executable).with_name("retainer")
RETAINER = (
    [str(_ENTRY_POINT)]
    if _ENTRY_POINT.exists()
    else [sys.executable, "-c", "from scripts.cli import main; main()"]
)
HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
    "End date,End time,Duration,Tags,Amount (USD)\n"
)
MONTHS = 12
ROWS_PER_MONTH = 25


def export(path: Path, who: str, hour: int) -> Path:
    """A Toggl export of ``MONTHS`` x ``ROWS_PER_MONTH`` one-hour rows by ``who`` for Acme."""
    rows = []
    for month in range(1, MONTHS + 1):
        for day in range(1, ROWS_PER_MONTH + 1):
            date = f"2026-{month:02d}-{day:02d}"
            rows.append(
                f"{who},{who.split()[0].lower()}@example.com,Acme Dental,Network,,"
                f"Patch round {month}-{day},Yes,{date},{hour:02d}:00:00,{date},{hour + 1:02d}:00:00,"
                "01:00:00,,0.00\n"
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def import_command(books: Books, *exports: Path) -> list[str]:
    return [*RETAINER, "import", "--ledger", str(books.ledger), *map(str, exports)]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=LIMIT, check=False)


def assert_checks_clean(books: Books) -> None:
    _, errors, _ = loader.load_file(str(books.ledger))
    assert errors == [], [error.message for error in errors]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The ledger folder after the same import, never interrupted."""
    books = write_books(tmp_path_factory.mktemp("reference") / "practice")
    done = run(import_command(books, export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)))
    assert done.returncode == 0, done.stderr
    snapshot = books.snapshot()
    assert len([name for name in snapshot if name.startswith("time/")]) == MONTHS
    return snapshot


STEPS_BEFORE = ["prepared", "temp-1", "temp-7", "temp-12"]
STEPS_AFTER = ["decided", "renamed-1", "renamed-7", "renamed-13", "renamed-all"]


@pytest.mark.parametrize("step", STEPS_BEFORE + STEPS_AFTER)
def test_an_import_killed_at_any_step_leaves_the_books_untouched_or_complete(
    tmp_path: Path, step: str, reference: dict[str, bytes]
) -> None:
    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    original = books.snapshot()
    kill(paused(import_command(books, alice), step, tmp_path / "paused"))

    left = leftovers(books.ledger.parent)
    visible = {name: data for name, data in books.snapshot().items() if name not in left}
    if step in STEPS_BEFORE:
        assert visible == original  # even before any recovery, not a byte changed
    else:
        assert pending(books.ledger.parent) is not None  # half-written books are never silent

    recovered = run([*RETAINER, "recover", "--ledger", str(books.ledger)])
    assert recovered.returncode == 0, recovered.stderr
    if step in STEPS_BEFORE:
        assert recovered.stdout.startswith("Rolled back an interrupted write by `retainer import`")
        assert books.snapshot() == original
    else:
        assert recovered.stdout.startswith("Completed an interrupted write by `retainer import`")
        assert books.snapshot() == reference
    assert leftovers(books.root) == []
    assert pending(books.ledger.parent) is None
    if step in STEPS_AFTER:
        assert_checks_clean(books)

    again = run(import_command(books, alice))  # what a user does next: run it again
    assert again.returncode == 0, again.stderr
    added = 0 if step in STEPS_AFTER else MONTHS * ROWS_PER_MONTH
    assert f"Added {added} entries" in again.stdout
    assert books.snapshot() == reference
    assert_checks_clean(books)


def test_the_next_import_itself_recovers_and_says_so(tmp_path: Path, reference: dict[str, bytes]) -> None:
    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    kill(paused(import_command(books, alice), "renamed-3", tmp_path / "paused"))
    again = run(import_command(books, alice))
    assert again.returncode == 0, again.stderr
    assert "retainer import: Completed an interrupted write by `retainer import`" in again.stderr
    assert "Added 0 entries; skipped 300 duplicates" in again.stdout  # 12 x 25 rows, all in place
    assert books.snapshot() == reference
    assert leftovers(books.root) == []


def test_an_import_killed_as_soon_as_its_journal_appears_is_never_partial(
    tmp_path: Path, reference: dict[str, bytes]
) -> None:
    """No hook: the kill lands wherever the process happens to be once the journal exists."""
    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    original = books.snapshot()
    journal = books.ledger.parent / JOURNAL_NAME
    process = subprocess.Popen(import_command(books, alice), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: journal.exists() or process.poll() is not None, "the journal appears")
    kill_or_finished(process)
    recovered = run([*RETAINER, "recover", "--ledger", str(books.ledger)])
    assert recovered.returncode == 0, recovered.stderr
    assert books.snapshot() in (original, reference)
    assert leftovers(books.root) == []
    assert run(import_command(books, alice)).returncode == 0
    assert books.snapshot() == reference


def test_a_dry_run_names_an_unfinished_write_and_changes_nothing(tmp_path: Path) -> None:
    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    kill(paused(import_command(books, alice), "renamed-3", tmp_path / "paused"))
    before = books.snapshot()  # journal and temporary files included
    dry = run([*import_command(books, alice)[:-1], "--dry-run", str(alice)])
    assert dry.returncode == 0, dry.stderr
    assert "was interrupted while writing these books" in dry.stderr
    assert books.snapshot() == before


def test_beangulp_extract_recovers_first_and_says_so(
    tmp_path: Path, reference: dict[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    from importers.ingest import TimeImporter

    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    kill(paused(import_command(books, alice), "renamed-3", tmp_path / "paused"))
    entries = TimeImporter("toggl", books.ledger).extract(str(alice), [])
    assert len(entries) == 300
    assert "retainer: Completed an interrupted write by `retainer import`" in capsys.readouterr().err
    assert books.snapshot() == reference
    assert leftovers(books.root) == []


def test_recover_with_nothing_to_do_says_so(tmp_path: Path) -> None:
    books = write_books(tmp_path / "practice")
    done = run([*RETAINER, "recover", "--ledger", str(books.ledger)])
    assert done.returncode == 0
    assert done.stdout == f"{books.ledger.parent}: no interrupted write; nothing to do.\n"


def test_a_books_folder_where_no_lock_can_be_made_is_a_one_line_refusal(tmp_path: Path) -> None:
    books = write_books(tmp_path / "practice")
    (books.ledger.parent / LOCK_NAME).mkdir()  # as root no folder is read-only; this fails alike
    before = books.snapshot()
    refused = run(import_command(books, export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)))
    assert refused.returncode == 1
    assert refused.stderr == f"retainer import: {books.ledger.parent / LOCK_NAME}: Is a directory\n"
    assert books.snapshot() == before


def kill_or_finished(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        kill(process)
    else:
        process.communicate()


def test_a_second_import_waits_for_the_first_and_both_land(tmp_path: Path) -> None:
    """The first import is held after it planned (the old bug's window); the second starts."""
    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    bob = export(books.root / "exports" / "bob.csv", "Bob Tanaka", 14)
    signal = tmp_path / "paused"
    first = paused(import_command(books, alice), "decided", signal)
    second_err = tmp_path / "second.err"
    with second_err.open("wb") as err:
        second = subprocess.Popen(import_command(books, bob), stdout=subprocess.PIPE, stderr=err)
        wait_until(lambda: b"waiting up to" in second_err.read_bytes(), "the second import waits", second)
        signal.unlink()  # let the first finish; the second then reads what it wrote
        first_out, first_err = first.communicate(timeout=LIMIT)
        second_out, _ = second.communicate(timeout=LIMIT)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err.read_text()
    assert b"Added 300 entries" in first_out and b"Added 300 entries" in second_out
    assert_both_landed(books)


def test_two_imports_started_together_both_land(tmp_path: Path) -> None:
    books = write_books(tmp_path / "practice")
    alice = export(books.root / "exports" / "alice.csv", "Alice Moreau", 9)
    bob = export(books.root / "exports" / "bob.csv", "Bob Tanaka", 14)
    processes = [
        subprocess.Popen(import_command(books, path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for path in (alice, bob)
    ]
    results = [process.communicate(timeout=LIMIT) for process in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    assert all(b"Added 300 entries" in out for out, _ in results)
    assert_both_landed(books)


def assert_both_landed(books: Books) -> None:
    """300 entries of each staff member, one per month and day, and real bean-check clean."""
    text = "".join(path.read_text(encoding="utf-8") for path in sorted(books.time.glob("*.beancount")))
    assert text.count('  staff: "alice"\n') == 300
    assert text.count('  staff: "bob"\n') == 300
    assert len(set(re.findall(r'  id: "([^"]+)"', text))) == 600
    assert leftovers(books.root) == []
    check = shutil.which("bean-check", path=os.path.dirname(sys.executable)) or "bean-check"
    checked = run([check, str(books.ledger)])
    assert checked.returncode == 0, checked.stdout + checked.stderr
