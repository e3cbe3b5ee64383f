"""Test support for plugins.writes: real processes stopped at a chosen step of a commit.

A commit is interrupted the way a crash interrupts it: a real process, paused by the
``RETAINER_WRITE_PAUSE`` hook at the step, is sent SIGKILL. Every wait is bounded (never
a timing assertion): a step not reached within the limit fails the test with the
process's own output.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from plugins.writes import JOURNAL_NAME, LOCK_NAME, PAUSE_ENV, PAUSE_FILE_ENV, TEMP_SUFFIX

#: Generous bound for a step to be reached on a loaded machine (never asserted on).
LIMIT = 90.0

_COMMIT = """
import json, sys
from pathlib import Path
from plugins.writes import books_lock
folder, changes = Path(sys.argv[1]), json.loads(sys.argv[2])
with books_lock(folder) as books:
    books.commit({Path(p): None if t is None else t.encode("utf-8") for p, t in changes.items()},
                 command="test commit")
"""


def wait_until(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll ``condition`` until it holds; fail after :data:`LIMIT` seconds naming ``what``."""
    deadline = time.monotonic() + LIMIT
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"process ended ({process.returncode}) before {what}: {out!r} {err!r}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {LIMIT} s: {what}")
        time.sleep(0.01)


def paused(
    command: Sequence[str], step: str, signal_file: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command`` with the pause hook at ``step``; return once it is paused there."""
    env = {**os.environ, PAUSE_ENV: step, PAUSE_FILE_ENV: str(signal_file)}
    process = subprocess.Popen(
        list(command), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_until(signal_file.exists, f"pause at {step}", process)
    return process


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no handler, no cleanup, like a crash or an OOM kill."""
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=LIMIT)
    assert process.returncode == -signal.SIGKILL


def commit_command(folder: Path, changes: Mapping[Path, str | None]) -> list[str]:
    """A Python process that commits ``changes`` (text, or None to delete) to ``folder``."""
    as_json = json.dumps({str(path): text for path, text in changes.items()})
    return [sys.executable, "-c", _COMMIT, str(folder), as_json]


def killed_commit(folder: Path, changes: Mapping[Path, str | None], step: str) -> None:
    """Commit ``changes`` in another process and SIGKILL it at ``step``."""
    kill(paused(commit_command(folder, changes), step, folder.parent / f"paused-{step}"))


def leftovers(root: Path) -> list[str]:
    """Journal and temporary files anywhere under ``root`` (the lock file is allowed)."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.name.endswith(TEMP_SUFFIX) or path.name.startswith(JOURNAL_NAME)
    )


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but the lock, by relative path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != LOCK_NAME
    }
