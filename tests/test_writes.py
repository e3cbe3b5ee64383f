"""plugins.writes: the lock, the all-or-nothing commit, and recovery from every journal state.

The interrupted states are made by real processes killed at a step (writes_support), not
by writing journals by hand, so they are the states a crash leaves.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from writes_support import commit_command, files_of, kill, killed_commit, leftovers, paused

from plugins.writes import (
    JOURNAL_NAME,
    LOCK_NAME,
    TEMP_SUFFIX,
    BooksBusy,
    WriteError,
    books_lock,
    pending,
    recover,
)

OLD = {"main.beancount": "option \"title\" \"Books\"\r\n", "time/2026-01.beancount": "; old january\n"}
NEW = {
    "main.beancount": "option \"title\" \"Books\"\r\ninclude \"time/*.beancount\"\r\n",
    "time/2026-01.beancount": "; old january\n; new line\n",
    "time/2026-02.beancount": "; new february\n",
    "closed/2026-01.beancount": "; closed january\n",
}


def books(tmp_path: Path) -> Path:
    """A books folder holding OLD (one file with CRLF lines)."""
    folder = tmp_path / "ledger"
    for name, text in OLD.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(text.encode())
    return folder


def changes(folder: Path) -> dict[Path, str | None]:
    return {folder / name: text for name, text in NEW.items()}


def as_bytes(files: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode() for name, text in sorted(files.items())}


def commit_here(folder: Path, wanted: dict[Path, bytes | None]) -> list[Path]:
    with books_lock(folder) as locked:
        return locked.commit(wanted, command="test commit")


# -- commit ---------------------------------------------------------------------------------


def test_commit_writes_every_file_exactly_and_leaves_only_the_lock(tmp_path: Path) -> None:
    folder = books(tmp_path)
    content = {path: text.encode() for path, text in changes(folder).items() if text is not None}
    content[folder / "time" / "raw.beancount"] = b"caf\xc3\xa9\r\nno newline at end \xff"
    written = commit_here(folder, dict(content))
    assert written == list(content)
    assert files_of(folder) == {str(p.relative_to(folder)): b for p, b in sorted(content.items())}
    assert leftovers(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == [LOCK_NAME, "closed", "main.beancount", "time"]


def test_a_symlinked_target_is_written_and_the_link_stays_a_link(tmp_path: Path) -> None:
    folder = books(tmp_path)
    elsewhere = tmp_path / "archive" / "2026-03.beancount"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"; march\n")
    link = folder / "time" / "2026-03.beancount"
    link.symlink_to(elsewhere)
    commit_here(folder, {link: b"; march\n; more\n"})
    assert link.is_symlink() and link.resolve() == elsewhere
    assert elsewhere.read_bytes() == b"; march\n; more\n"
    assert leftovers(tmp_path) == []


def test_the_file_mode_is_kept_and_a_new_file_gets_the_umask_default(tmp_path: Path) -> None:
    folder = books(tmp_path)
    january = folder / "time" / "2026-01.beancount"
    january.chmod(0o640)
    commit_here(folder, {january: b"two\n", folder / "time" / "new.beancount": b"new\n"})
    assert stat.S_IMODE(january.stat().st_mode) == 0o640
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((folder / "time" / "new.beancount").stat().st_mode) == 0o666 & ~umask


def test_a_file_that_would_not_change_is_not_rewritten(tmp_path: Path) -> None:
    folder = books(tmp_path)
    january = folder / "time" / "2026-01.beancount"
    before = january.stat()
    assert commit_here(folder, {january: OLD["time/2026-01.beancount"].encode()}) == []
    after = january.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not (folder / JOURNAL_NAME).exists()


def test_none_deletes_a_file_and_a_link_deleted_is_the_link(tmp_path: Path) -> None:
    folder = books(tmp_path)
    target = tmp_path / "target.beancount"
    target.write_bytes(b"; kept\n")
    link = folder / "time" / "linked.beancount"
    link.symlink_to(target)
    commit_here(folder, {folder / "time" / "2026-01.beancount": None, link: None, folder / "absent": None})
    assert not (folder / "time" / "2026-01.beancount").exists()
    assert not os.path.lexists(link) and target.read_bytes() == b"; kept\n"


def test_a_write_that_fails_rolls_back_and_leaves_no_journal(tmp_path: Path) -> None:
    folder = books(tmp_path)
    before = files_of(folder)
    not_a_folder = folder / "main.beancount" / "x.beancount"  # its "folder" is a file
    with pytest.raises(NotADirectoryError):
        commit_here(folder, {folder / "time" / "2026-01.beancount": b"new\n", not_a_folder: b"x\n"})
    assert files_of(folder) == before
    assert leftovers(folder) == []


def test_a_folder_as_target_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    folder = books(tmp_path)
    with pytest.raises(WriteError, match="is a folder"):
        commit_here(folder, {folder / "time": b"x"})
    assert leftovers(folder) == []


def test_one_file_named_twice_through_a_link_is_refused(tmp_path: Path) -> None:
    folder = books(tmp_path)
    january = folder / "time" / "2026-01.beancount"
    (folder / "time" / "alias.beancount").symlink_to(january)
    with pytest.raises(WriteError, match="is the same file as"):
        commit_here(folder, {january: b"one\n", folder / "time" / "alias.beancount": b"two\n"})
    assert january.read_bytes() == OLD["time/2026-01.beancount"].encode()
    assert leftovers(folder) == []


def test_commit_is_refused_while_an_interrupted_write_is_pending(tmp_path: Path) -> None:
    folder = books(tmp_path)
    killed_commit(folder, changes(folder), "decided")
    with pytest.raises(WriteError, match="interrupted write is still pending"):
        commit_here(folder, {folder / "other.beancount": b"x\n"})
    assert not (folder / "other.beancount").exists()


# -- recovery, one test per journal state ---------------------------------------------------


def test_no_journal_recover_changes_nothing_and_removes_an_older_writers_stray_temps(
    tmp_path: Path,
) -> None:
    folder = books(tmp_path)
    not_ours = folder / "time" / ".notes.tmp"
    not_ours.write_bytes(b"a user's file")
    before = files_of(folder)
    stray = folder / "time" / ".2026-01.beancount.k3x_9a2b.tmp"  # tempfile.mkstemp's name
    stray.write_bytes(b"half")
    said = recover(folder)
    assert said == [f"Removed 1 temporary file an interrupted older retainer left behind: {stray}."]
    assert files_of(folder) == before
    assert recover(folder) == []


@pytest.mark.parametrize("step", ["prepared", "temp-1", "temp-3"])
def test_killed_before_the_journal_is_decided_the_books_are_untouched_and_it_rolls_back(
    tmp_path: Path, step: str
) -> None:
    folder = books(tmp_path)
    before = files_of(folder)
    killed_commit(folder, changes(folder), step)
    assert (folder / JOURNAL_NAME).exists()
    visible = {k: v for k, v in files_of(folder).items() if k not in leftovers(folder)}
    assert visible == before  # before any recovery: the books are as they were
    said = recover(folder)
    assert len(said) == 1 and said[0].startswith("Rolled back an interrupted write by `test commit`")
    assert "4 files stay as they were" in said[0]
    assert files_of(folder) == before  # untouched, and no temp file or journal left
    assert not (folder / "closed").exists()  # the folder the commit made is gone again


@pytest.mark.parametrize("step", ["decided", "renamed-1", "renamed-3", "renamed-all"])
def test_killed_after_the_journal_is_decided_recover_completes_every_file(
    tmp_path: Path, step: str
) -> None:
    folder = books(tmp_path)
    killed_commit(folder, changes(folder), step)
    said = recover(folder)
    assert len(said) == 1 and said[0].startswith("Completed an interrupted write by `test commit`")
    assert files_of(folder) == as_bytes(NEW)
    assert leftovers(folder) == []


def test_a_decided_journal_with_a_missing_temp_and_nothing_replaced_rolls_back(tmp_path: Path) -> None:
    folder = books(tmp_path)
    before = files_of(folder)
    killed_commit(folder, changes(folder), "decided")
    next((folder / "time").glob(f".2026-02.beancount.*{TEMP_SUFFIX}")).unlink()
    said = recover(folder)
    assert len(said) == 1 and said[0].startswith("Rolled back an interrupted write")
    assert "time/2026-02.beancount could not be completed" in said[0]
    assert files_of(folder) == before


def test_a_damaged_temp_counts_as_missing(tmp_path: Path) -> None:
    folder = books(tmp_path)
    before = files_of(folder)
    killed_commit(folder, changes(folder), "decided")
    temp = next((folder / "time").glob(f".2026-01.beancount.*{TEMP_SUFFIX}"))
    temp.write_bytes(temp.read_bytes()[:5])  # cut short, as a full disk would
    said = recover(folder)
    assert said[0].startswith("Rolled back") and "time/2026-01.beancount could not be completed" in said[0]
    assert files_of(folder) == before


def test_after_a_partial_rename_a_lost_temp_is_named_and_the_rest_completed(tmp_path: Path) -> None:
    folder = books(tmp_path)
    killed_commit(folder, changes(folder), "renamed-1")  # main.beancount is in place
    next((folder / "closed").glob(f"*{TEMP_SUFFIX}")).unlink()
    said = recover(folder)
    assert said[0].startswith("Completed an interrupted write") and "1 file had been replaced" in said[0]
    lost = folder / "closed" / "2026-01.beancount"
    assert said[1].startswith(f"Could not complete {lost}: the new content was lost")
    expected = as_bytes(NEW)
    del expected["closed/2026-01.beancount"]
    assert files_of(folder) == expected
    assert leftovers(folder) == []


def test_a_file_edited_by_hand_after_the_crash_is_never_overwritten(tmp_path: Path) -> None:
    folder = books(tmp_path)
    killed_commit(folder, changes(folder), "decided")
    january = folder / "time" / "2026-01.beancount"
    january.write_bytes(b"; the user's fix\n")
    said = recover(folder)
    assert f"Left {folder}/time/2026-01.beancount as they are" in said[-1], said
    assert january.read_bytes() == b"; the user's fix\n"
    assert (folder / "time" / "2026-02.beancount").read_bytes() == NEW["time/2026-02.beancount"].encode()
    assert leftovers(folder) == []


def test_an_unreadable_journal_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    folder = books(tmp_path)
    killed_commit(folder, changes(folder), "decided")
    journal = folder / JOURNAL_NAME
    journal.write_text(json.dumps({"retainer-journal": 99}))
    before = files_of(folder)
    with pytest.raises(WriteError, match="cannot read the journal of an interrupted write"):
        recover(folder)
    assert files_of(folder) == before


# -- the lock and pending -------------------------------------------------------------------


def test_pending_tells_a_running_write_from_an_interrupted_one_and_none(tmp_path: Path) -> None:
    folder = books(tmp_path)
    assert pending(folder) is None
    process = paused(commit_command(folder, changes(folder)), "decided", tmp_path / "signal")
    try:
        running = pending(folder)
        assert running is not None and "is writing these books right now" in running
    finally:
        kill(process)
    interrupted = pending(folder)
    assert interrupted is not None and "was interrupted" in interrupted and "retainer recover" in interrupted
    recover(folder)
    assert pending(folder) is None


def test_a_busy_lock_waits_then_refuses_with_a_clear_message(tmp_path: Path) -> None:
    folder = books(tmp_path)
    process = paused(commit_command(folder, changes(folder)), "decided", tmp_path / "signal")
    told: list[str] = []
    try:
        refused = pytest.raises(BooksBusy, match="another retainer command has kept these books locked")
        with refused, books_lock(folder, wait=0.2, on_wait=told.append):
            pass
    finally:
        (tmp_path / "signal").unlink()  # let it finish
        process.communicate(timeout=90)
    assert process.returncode == 0
    assert len(told) == 1 and "waiting up to 0.2 s" in told[0]
    assert files_of(folder) == as_bytes(NEW)  # the holder's commit was not disturbed


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    folder = books(tmp_path)
    with books_lock(folder, wait=0) as outer, books_lock(folder, wait=0) as inner:
        assert recover(folder, wait=0) == []  # takes it a third time
        inner.commit({folder / "a.beancount": b"a\n"})
        outer.commit({folder / "b.beancount": b"b\n"})
    assert (folder / "a.beancount").exists() and (folder / "b.beancount").exists()


def test_the_books_cannot_be_written_once_the_lock_is_released(tmp_path: Path) -> None:
    folder = books(tmp_path)
    with books_lock(folder) as locked:
        pass
    with pytest.raises(WriteError, match="lock is no longer held"):
        locked.commit({folder / "a.beancount": b"a\n"})
    assert not (folder / "a.beancount").exists()


def test_a_misspelt_lock_wait_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = books(tmp_path)
    monkeypatch.setenv("RETAINER_LOCK_WAIT", "5 min")
    refused = pytest.raises(WriteError, match="RETAINER_LOCK_WAIT must be a number of seconds")
    with refused, books_lock(folder):
        pass


def test_a_missing_books_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="no such folder"), books_lock(tmp_path / "nowhere"):
        pass
    assert not (tmp_path / "nowhere").exists()


# -- what bean-check says while a write is unfinished ---------------------------------------


def test_the_billing_pass_spells_the_journal_name_of_the_write_path() -> None:
    from plugins import books as billing_pass

    assert billing_pass.JOURNAL_NAME == JOURNAL_NAME


def test_bean_check_says_when_a_write_was_interrupted(tmp_path: Path) -> None:
    """A killed import leaves its journal: bean-check names it and how to repair, and bills on."""
    import subprocess
    import sys

    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "good-co.yaml").write_text(
        "client: good-co\nterms:\n  - from: 2026-01-01\n    monthly_fee: 100\n", encoding="utf-8"
    )
    (tmp_path / "contracts" / "practice.yaml").write_text("accrue_through: 2026-01\n", encoding="utf-8")
    ledger_dir = tmp_path / "ledger"
    ledger_dir.mkdir()
    ledger = ledger_dir / "main.beancount"
    ledger.write_text('plugin "plugins.retainer" "../contracts"\n', encoding="utf-8")
    bean_check = [str(Path(sys.executable).parent / "bean-check"), str(ledger)]
    clean = subprocess.run(bean_check, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stderr
    killed_commit(ledger_dir, {ledger_dir / "time" / "2026-01.beancount": "; half\n"}, "decided")
    run = subprocess.run(bean_check, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert f"{ledger_dir / JOURNAL_NAME}: a retainer command was interrupted" in run.stderr
    assert "run `retainer recover`" in run.stderr
    assert "Traceback" not in run.stderr
