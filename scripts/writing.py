"""The one way a command writes files: through the books' write path (``plugins.writes``).

Every command that writes (close, reopen, adjust, new-client, statement, rate-card, and the
import through its own plan) holds the books' lock from reading the books to writing, after
finishing any write a crash interrupted, and commits all its files together or none.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import click

from plugins.writes import WriteError, books_lock
from scripts.output import fail


def write_files(files: Mapping[Path, bytes | None], ledger: Path, command: str) -> None:
    """Write every file (``None`` deletes it) whole, all of them or none, under the books'
    lock (re-entrant, so a command that planned under :func:`locked` keeps it); a file that
    already holds these bytes is left alone, so running again changes nothing."""
    if not files:
        return
    try:
        with books_lock(ledger.parent, on_wait=lambda sentence: _say(command, sentence)) as books:
            books.commit(files, command=f"retainer {command}")
    except WriteError as exc:
        fail(command, str(exc))


def write_changes(changes: Mapping[Path, str | None], ledger: Path, command: str = "retainer") -> None:
    """:func:`write_files` of text, then the ledger touched: Beancount's cache keys on the
    files it loaded, so a new file matched by an include glob goes unseen until the ledger
    itself changes."""
    write_files(
        {path: None if text is None else text.encode("utf-8") for path, text in changes.items()},
        ledger,
        command.removeprefix("retainer ").strip() or "retainer",
    )
    if changes and ledger.exists():
        os.utime(ledger)


@contextmanager
def books_locked(ledger: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the books' lock from reading them to writing the plan, after finishing any
    write a crash interrupted: a concurrent import can then never be planned over."""
    with books_lock(ledger.parent, on_wait=say) as books:
        for sentence in books.recover():
            say(sentence)
        yield


@contextmanager
def locked(command: str, path: Path) -> Iterator[None]:
    """:func:`books_locked` for a command: a busy or unwritable folder is a one-line refusal."""
    if not path.parent.is_dir():
        fail(command, f"no ledger at {path}: give --ledger PATH or set RETAINER_LEDGER")
    try:
        with books_locked(path, lambda sentence: _say(command, sentence)):
            yield
    except WriteError as exc:
        fail(command, str(exc))


def _say(command: str, sentence: str) -> None:
    click.echo(f"retainer {command}: {sentence}", err=True)
