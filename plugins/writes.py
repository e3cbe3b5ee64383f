"""The one way the books are written: under a lock, and all or nothing across files.

Every file a ``retainer`` command writes (an import's month files and the ledger's include
line; later closed months, contracts, statements) goes through :meth:`LockedBooks.commit` while
the command holds :func:`books_lock`. Renaming one file into place is atomic, but an import
touches many month files, and a kill between two renames used to leave books that check
clean yet hold half an export; two imports at once each planned against the same old
files and the second rename lost the first import. So:

- the lock (``.retainer.lock`` in the books folder, a ``flock`` that the system drops when
  its process dies, so it is never stale) makes a second command wait, with a bounded wait
  and a clear message, and then read the books as the first left them;
- a commit writes a journal (``.retainer-journal.json``) naming every file it will touch
  *before* creating any temporary file, writes and fsyncs each temporary file beside its
  real target, marks the journal decided, renames each into place, and removes the journal.

A command finding a journal (:func:`recover`, first thing under the lock) rolls an
undecided one back (deletes its temporary files: the books never changed) and completes a
decided one (renames what is still waiting; a file already renamed is recognised by the
hash of its new content). A file changed by hand since the crash is never overwritten.
:func:`pending` tells a reader of the books (the plugin) in one ``stat`` that a write is
unfinished, so half-written books are never silent.

A writing command, in this order (the lock before reading, so it plans on what the
previous command wrote)::

    with books_lock(ledger.parent, on_wait=say) as books:
        for sentence in books.recover():
            say(sentence)
        ...  # read the books, decide what to write
        books.commit({month_file: new_bytes, old_file: None}, command="retainer close")

Symlinks: a written path that is a link stays a link; the file it points to is replaced
(its temporary file sits beside that real file, so the rename stays on its file system).
The bytes given are written as they are: line endings and every existing byte are the
caller's business.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from filelock import FileLock

LOCK_NAME = ".retainer.lock"
JOURNAL_NAME = ".retainer-journal.json"
TEMP_SUFFIX = ".retainer-tmp"
#: How long a command waits for another one to finish writing the same books, in seconds.
DEFAULT_WAIT = 120.0
#: Test hook: the step at which a commit pauses (``prepared``, ``temp-N``, ``decided``,
#: ``renamed-N``, ``renamed-all``); it creates the file named by ``PAUSE_FILE_ENV`` and
#: waits (at most ``PAUSE_LIMIT`` seconds) until that file is removed. Unset: no cost.
PAUSE_ENV = "RETAINER_WRITE_PAUSE"
PAUSE_FILE_ENV = "RETAINER_WRITE_PAUSE_FILE"
PAUSE_LIMIT = 120.0
_JOURNAL_VERSION = 1
#: Temporary files of the writer before this module (``tempfile.mkstemp`` beside the file).
_LEGACY_TEMP = re.compile(r"^\..+\.beancount\.[a-z0-9_]{8}\.tmp$")


class WriteError(Exception):
    """The books cannot be written as asked; the message says what to do."""


class BooksBusy(WriteError):
    """Another command kept the books locked for longer than this one would wait."""


@dataclass(frozen=True)
class _Step:
    """One file of a commit, as the journal records it (paths relative to the books)."""

    path: str  # the real file replaced (a link's target), or the path deleted
    shown: str  # the path as the caller named it, for messages
    temp: str | None  # None for a deletion
    old: str | None  # sha256 of the file before, None when it did not exist
    new: str | None  # sha256 of the new content, None for a deletion

    def as_json(self) -> dict[str, str | None]:
        return {"path": self.path, "shown": self.shown, "temp": self.temp, "old": self.old, "new": self.new}


_held: dict[str, FileLock] = {}
_held_guard = threading.Lock()


class LockedBooks:
    """The books folder while this process holds its lock: read, then :meth:`commit`."""

    def __init__(self, folder: Path, lock: FileLock) -> None:
        self.folder = folder
        self._lock = lock

    def recover(self) -> list[str]:
        """Finish or undo an interrupted commit; sentences saying what was done (or none)."""
        self._check_held()
        return _recover(self.folder)

    def commit(self, changes: Mapping[Path, bytes | None], command: str = "retainer") -> list[Path]:
        """Write every file of ``changes`` (``None`` deletes it), all of them or none.

        Files whose content would not change are left alone (so a re-run writes nothing).
        ``command`` names the writer in what :func:`recover` says after a crash.

        Returns:
            The paths written or deleted, in the order given.

        Raises:
            WriteError: an interrupted commit is still pending (call :meth:`recover` first,
                before reading the books), or a target is a folder.
            OSError: a file cannot be written. Before the commit is decided (every
                temporary file written) nothing is in place; a failure after that, while
                renaming, leaves the journal for :func:`recover` to complete.
        """
        self._check_held()
        return _commit(self.folder, changes, command)

    def _check_held(self) -> None:
        if not self._lock.is_locked:
            raise WriteError(f"{self.folder}: the books' lock is no longer held; take it again to write")


@contextmanager
def books_lock(
    folder: Path | str,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[LockedBooks]:
    """Hold the lock of the books in ``folder`` (the ledger's folder) for the ``with`` block.

    Re-entrant within a process. When another process holds it, ``on_wait`` gets a
    sentence to show and the call waits up to ``wait`` seconds (default
    ``RETAINER_LOCK_WAIT`` from the environment, else :data:`DEFAULT_WAIT`).

    Raises:
        BooksBusy: the other command did not finish within ``wait``; nothing was done.
        WriteError: ``folder`` is not a folder.
    """
    # Imported here: ``pending`` is on every bean-check's path, the lock is not.
    from filelock import FileLock, Timeout

    folder = Path(folder)
    if not folder.is_dir():
        raise WriteError(f"{folder}: no such folder for the books")
    key = os.path.realpath(folder)
    with _held_guard:
        lock = _held.setdefault(key, FileLock(str(folder / LOCK_NAME)))
    limit = _wait_limit() if wait is None else wait
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(
                f"{folder}: another retainer command is writing these books;"
                f" waiting up to {limit:g} s for it to finish"
            )
        try:
            lock.acquire(timeout=limit)
        except Timeout:
            raise BooksBusy(
                f"{folder}: another retainer command has kept these books locked for over"
                f" {limit:g} s, so nothing was done; run this again when it has finished"
                " (or set RETAINER_LOCK_WAIT to wait longer)"
            ) from None
    try:
        yield LockedBooks(folder, lock)
    finally:
        lock.release()


def recover(folder: Path | str, wait: float | None = None) -> list[str]:
    """Take the lock, then finish or undo an interrupted commit (see :meth:`LockedBooks.recover`)."""
    with books_lock(folder, wait) as books:
        return books.recover()


def pending(folder: Path | str) -> str | None:
    """A sentence when a commit in ``folder`` is unfinished, else None; costs one ``stat``.

    For readers of the books (the plugin, reports): while the journal is there the books
    may hold part of a change. A journal whose writer still holds the lock is a commit in
    progress; otherwise the writer was interrupted and the next command repairs it.
    """
    journal = os.path.join(folder, JOURNAL_NAME)
    try:
        os.stat(journal)
    except OSError:
        return None
    if _locked_elsewhere(Path(folder)):
        return (
            f"{journal}: a retainer command is writing these books right now, so they may"
            " hold part of its change; check again when it has finished"
        )
    return (
        f"{journal}: a retainer command was interrupted while writing these books, so they"
        " may hold part of its change; run `retainer recover` (or any command that writes)"
        " to complete it or roll it back"
    )


def _locked_elsewhere(folder: Path) -> bool:
    """True when another process holds the books' lock (a non-blocking try, released at once)."""
    from filelock import FileLock, Timeout

    key = os.path.realpath(folder)
    if key in _held and _held[key].is_locked:
        return False
    probe = FileLock(str(folder / LOCK_NAME))
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    probe.release()
    return False


def _wait_limit() -> float:
    """``RETAINER_LOCK_WAIT`` in seconds, else :data:`DEFAULT_WAIT`; a typo is an error."""
    value = os.environ.get("RETAINER_LOCK_WAIT", "").strip()
    if not value:
        return DEFAULT_WAIT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise WriteError(f"RETAINER_LOCK_WAIT must be a number of seconds (like 300), not {value!r}")
    return seconds


# -- commit ---------------------------------------------------------------------------------


def _commit(folder: Path, changes: Mapping[Path, bytes | None], command: str) -> list[Path]:
    journal = folder / JOURNAL_NAME
    if os.path.lexists(journal):
        raise WriteError(
            f"{journal}: an interrupted write is still pending; it must be completed or rolled"
            " back (recover) before the books are read and written again"
        )
    token = f"{os.getpid()}-{secrets.token_hex(3)}"
    steps: list[_Step] = []
    contents: list[bytes | None] = []
    written: list[Path] = []
    made: list[Path] = []
    seen: dict[str, Path] = {}
    for given, content in changes.items():
        step = _plan_step(folder, Path(given), content, token)
        if step is None:
            continue
        if step.path in seen:
            raise WriteError(f"{given}: is the same file as {seen[step.path]}; nothing was written")
        seen[step.path] = Path(given)
        steps.append(step)
        contents.append(content)
        written.append(Path(given))
        if content is not None:
            made.extend(_missing_parents(folder / step.path, made))
    if not steps:
        return []
    pause = _Pause.from_environment()
    started = datetime.datetime.now().isoformat(timespec="seconds")
    record: dict[str, Any] = {
        "retainer-journal": _JOURNAL_VERSION,
        "command": command,
        "pid": os.getpid(),
        "started": started,
        "made": [os.path.relpath(path, folder) for path in made],
        "files": [step.as_json() for step in steps],
    }
    _write_journal(folder, {**record, "state": "prepare"})
    pause.at("prepared")
    try:
        for path in made:
            path.mkdir()
        dirs = {path.parent for path in made}
        for number, (step, content) in enumerate(zip(steps, contents, strict=True), 1):
            if step.temp is not None and content is not None:
                target = folder / step.path
                _write_temp(folder / step.temp, content, _mode_for(target))
                dirs.add(target.parent)
                pause.at(f"temp-{number}")
        for path in dirs:
            _sync_dir(path)
    except BaseException:
        _roll_back(folder, steps, record["made"])
        _remove_journal(folder)
        raise
    _write_journal(folder, {**record, "state": "commit"})
    pause.at("decided")
    for number, step in enumerate(steps, 1):
        _put_in_place(folder, step)
        pause.at(f"renamed-{number}")
    for path in {(folder / step.path).parent for step in steps}:
        _sync_dir(path)
    pause.at("renamed-all")
    _remove_journal(folder)
    return written


def _plan_step(folder: Path, given: Path, content: bytes | None, token: str) -> _Step | None:
    """The journal's record for one change, or None when the file already is as asked."""
    if content is None:
        path = Path(os.path.abspath(given))
        if not os.path.lexists(path):
            return None
        return _Step(_rel(path, folder), _rel(given, folder), None, _digest_of(path), None)
    real = Path(os.path.realpath(given))
    if real.is_dir():
        raise WriteError(f"{given}: is a folder, not a file; nothing was written")
    old = _digest_of(real)
    new = hashlib.sha256(content).hexdigest()
    if old == new:
        return None
    temp = real.parent / f".{real.name}.{token}{TEMP_SUFFIX}"
    return _Step(_rel(real, folder), _rel(given, folder), _rel(temp, folder), old, new)


def _missing_parents(target: Path, already: list[Path]) -> list[Path]:
    """Folders to create for ``target``, outermost first, not already listed."""
    missing: list[Path] = []
    parent = target.parent
    while not parent.exists() and parent not in already and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    return list(reversed(missing))


def _write_temp(path: Path, content: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def _mode_for(target: Path) -> int:
    """The target's permission bits, or the umask's default for a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _put_in_place(folder: Path, step: _Step) -> None:
    target = folder / step.path
    if step.temp is None:
        os.unlink(target)
    else:
        os.replace(folder / step.temp, target)


# -- journal --------------------------------------------------------------------------------


def _write_journal(folder: Path, record: dict[str, Any]) -> None:
    """Replace the journal in one step (its own temporary file, fsynced, renamed)."""
    journal = folder / JOURNAL_NAME
    temp = folder / (JOURNAL_NAME + TEMP_SUFFIX)
    if os.path.lexists(temp):
        os.unlink(temp)
    _write_temp(temp, json.dumps(record, indent=1).encode("utf-8") + b"\n", 0o644)
    os.replace(temp, journal)
    _sync_dir(folder)


def _remove_journal(folder: Path) -> None:
    os.unlink(folder / JOURNAL_NAME)
    _sync_dir(folder)


def _read_journal(journal: Path) -> tuple[dict[str, Any], list[_Step]]:
    try:
        record = json.loads(journal.read_bytes().decode("utf-8"))
        if record.get("retainer-journal") != _JOURNAL_VERSION or record.get("state") not in (
            "prepare",
            "commit",
        ):
            raise ValueError("not a journal this version of retainer wrote")
        steps = [
            _Step(item["path"], item["shown"], item["temp"], item["old"], item["new"])
            for item in record["files"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise WriteError(
            f"{journal}: cannot read the journal of an interrupted write ({exc}); nothing was"
            " changed. Check the files it names with `git status`/`git diff`, then delete it"
        ) from None
    return record, steps


# -- recovery -------------------------------------------------------------------------------


def _recover(folder: Path) -> list[str]:
    said: list[str] = []
    journal = folder / JOURNAL_NAME
    if os.path.lexists(journal):
        record, steps = _read_journal(journal)
        if record["state"] == "prepare":
            said.append(_roll_back_said(record, steps, _roll_back(folder, steps, record.get("made", []))))
        else:
            said.extend(_complete(folder, record, steps))
        _remove_journal(folder)
    stray = folder / (JOURNAL_NAME + TEMP_SUFFIX)
    if os.path.lexists(stray):
        os.unlink(stray)
    legacy = _legacy_temps(folder)
    for path in legacy:
        os.unlink(path)
    if legacy:
        said.append(
            f"Removed {_count(len(legacy), 'temporary file')} an interrupted older retainer"
            f" left behind: {', '.join(_shown(folder, _rel(path, folder)) for path in legacy)}."
        )
    return said


def _roll_back(folder: Path, steps: list[_Step], made: list[str]) -> int:
    """Delete every temporary file of an undecided commit and the folders it made."""
    removed = 0
    for step in steps:
        if step.temp is not None and os.path.lexists(folder / step.temp):
            os.unlink(folder / step.temp)
            removed += 1
    for name in reversed(made):
        with suppress(OSError):  # not empty (a user's file) or already gone: keep it
            (folder / name).rmdir()
    return removed


def _roll_back_said(record: dict[str, Any], steps: list[_Step], removed: int) -> str:
    return (
        f"Rolled back an interrupted write by `{record.get('command', 'retainer')}`"
        f" (started {record.get('started', '?')}): it had not changed the books yet, so"
        f" {_count(len(steps), 'file')} stay as they were"
        f" ({_count(removed, 'temporary file')} removed); run that command again."
    )


def _complete(folder: Path, record: dict[str, Any], steps: list[_Step]) -> list[str]:
    """Finish a decided commit, or roll it back when a new content is lost and nothing moved."""
    done, ready, lost, changed = [], [], [], []
    for step in steps:
        now = _digest_of(folder / step.path) if step.temp is not None else _lexists_digest(folder, step)
        if now == step.new:
            done.append(step)
        elif now != step.old:
            changed.append(step)
        elif step.temp is None or _digest_of(folder / step.temp) == step.new:
            ready.append(step)
        else:
            lost.append(step)
    who = f"`{record.get('command', 'retainer')}` (started {record.get('started', '?')})"
    if lost and not done:
        removed = _roll_back(folder, steps, record.get("made", []))
        return [
            f"Rolled back an interrupted write by {who}: {_names(folder, lost)} could not be completed"
            " (temporary file missing or damaged) and no file had been replaced yet, so"
            f" {_count(len(steps), 'file')} stay as they were"
            f" ({_count(removed, 'temporary file')} removed); run that command again."
        ]
    for step in ready:
        _put_in_place(folder, step)
    for path in {(folder / step.path).parent for step in ready}:
        _sync_dir(path)
    _roll_back(folder, steps, [])  # temporary files of lost or changed files
    said = [
        f"Completed an interrupted write by {who}: {_count(len(done), 'file')} had been"
        f" replaced, now the other {_count(len(ready), 'file')} too"
        + (f" ({_names(folder, ready)})." if ready else ".")
    ]
    if lost:
        said.append(
            f"Could not complete {_names(folder, lost)}: the new content was lost (temporary file"
            f" missing or damaged), so these files are as they were before {who}; run that"
            " command again (an import adds only what is missing)."
        )
    if changed:
        said.append(
            f"Left {_names(folder, changed)} as they are: they were changed since the interruption,"
            f" so {who}'s change to them is not applied; run that command again if it is needed."
        )
    return said


def _lexists_digest(folder: Path, step: _Step) -> str | None:
    path = folder / step.path
    return _digest_of(path) if os.path.lexists(path) else None


def _legacy_temps(folder: Path) -> list[Path]:
    found: list[Path] = []
    for place in (folder, folder / "time"):
        try:
            with os.scandir(place) as entries:
                found.extend(Path(e.path) for e in entries if _LEGACY_TEMP.match(e.name) and e.is_file())
        except OSError:
            continue
    return sorted(found)


# -- small helpers --------------------------------------------------------------------------


def _digest_of(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _sync_dir(path: Path) -> None:
    """Make renames in ``path`` durable (where the system allows opening a folder)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rel(path: Path | str, folder: Path) -> str:
    return os.path.relpath(os.path.abspath(path), os.path.abspath(folder))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _names(folder: Path, steps: list[_Step]) -> str:
    return ", ".join(_shown(folder, step.shown) for step in steps)


def _shown(folder: Path, relative: str) -> str:
    """A file as the user would type it: relative to the working folder when inside it."""
    here = os.getcwd()
    path = os.path.normpath(os.path.join(os.path.abspath(folder), relative))
    return os.path.relpath(path, here) if os.path.commonpath([here, path]) == here else path


@dataclass(frozen=True)
class _Pause:
    """The test hook of :data:`PAUSE_ENV`; does nothing unless the environment sets it."""

    step: str | None
    signal: str | None

    @classmethod
    def from_environment(cls) -> _Pause:
        return cls(os.environ.get(PAUSE_ENV), os.environ.get(PAUSE_FILE_ENV))

    def at(self, step: str) -> None:
        if self.step != step or not self.signal:
            return
        with open(self.signal, "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {step}\n")
        print(f"retainer: paused at {step} ({PAUSE_ENV})", file=sys.stderr, flush=True)
        deadline = time.monotonic() + PAUSE_LIMIT
        while os.path.exists(self.signal) and time.monotonic() < deadline:
            time.sleep(0.01)
