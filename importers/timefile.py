"""Write time entries into ``<ledger dir>/time/YYYY-MM.beancount``, never touching a line.

The month files are the user's books once written: they may annotate, fix or delete
entries by hand and commit them. So a merge only *inserts* whole lines (a new entry goes
after the last entry dated on or before its day, in the file's own line endings),
re-importing is a no-op (ids already present in the ledger, any file it includes, or the
time files are skipped), and all files of one import are written in one commit of
:mod:`plugins.writes` (all or none, under the books' lock; through a symlink, its
target). Existing ids are found with a regular expression over the text, following the
``include`` lines as text, rather than by loading the books, so importing stays cheap next
to ``bean-check``.
"""

from __future__ import annotations

import bisect
import glob
import os
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from plugins.billing.model import TimeEntry
from plugins.timeentry import ID, STAFF, format_hours, render
from plugins.writes import LockedBooks

TIME_DIR = "time"
INCLUDE_GLOB = "time/*.beancount"
HEADER = (
    "; Time entries imported by `retainer import` (see docs/reference.md, 3). Edit freely:\n"
    "; re-importing never changes a line, and skips every entry whose id is already in the books.\n"
)

_ID_LINE = re.compile(rf'^[ \t]+{ID.name}:[ \t]*"((?:[^"\\\n]|\\.)*)"', re.M)
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})[ \t]")
_INCLUDE = re.compile(r'^include[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)
_UNESCAPE = re.compile(r"\\(.)")
#: A time entry's first line and its indented lines, for the look-alike warning.
_TIME_ENTRY = re.compile(
    r'^(\d{4}-\d{2}-\d{2})[ \t]+custom[ \t]+"time"[ \t]+"((?:[^"\\\n]|\\.)*)"[ \t]+"\w+"[ \t]+'
    r"([0-9.]+)[^\n]*\n((?:[ \t]+\S[^\n]*\n?)*)",
    re.M,
)
_STAFF_LINE = re.compile(rf'^[ \t]+{STAFF.name}:[ \t]*"((?:[^"\\\n]|\\.)*)"', re.M)


def ids_in(text: str) -> set[str]:
    """Every ``id: "..."`` metadata value in a Beancount file's text."""
    return {_UNESCAPE.sub(r"\1", found) for found in _ID_LINE.findall(text)}


def month_file(ledger: Path, day_year: int, day_month: int) -> Path:
    return ledger.parent / TIME_DIR / f"{day_year:04d}-{day_month:02d}.beancount"


def merge(text: str, entries: Sequence[TimeEntry]) -> str:
    """``text`` with ``entries`` (already in order) inserted, every existing line kept.

    Each entry goes right after the last dated entry of the file dated on or before its
    day (so after the entries of its own day), or before the first entry, with any
    comment lines directly above that entry, when all are later. New entries at the
    same place keep their given order. A blank line separates entries. New lines end
    like the file's own (CRLF or LF), so no existing byte changes.
    """
    if not entries:
        return text
    if not text.strip():
        return HEADER + "".join("\n" + render(entry) for entry in entries)
    newline = line_ending(text)

    def rendered(entry: TimeEntry) -> str:
        return render(entry).replace("\n", newline)

    lines = text.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += newline
    blocks = _blocks(lines)
    if not blocks:
        return "".join(lines) + "".join(newline + rendered(entry) for entry in entries)
    # For each date, the last block dated on or before it: blocks sorted by date, with a
    # running maximum of their position, so a hand-edited file out of order still works.
    order = sorted(range(len(blocks)), key=lambda i: blocks[i][0])
    sorted_dates = [blocks[i][0] for i in order]
    latest: list[int] = []
    for position in order:
        latest.append(max(position, latest[-1]) if latest else position)
    inserts: dict[int, list[str]] = {}
    for entry in entries:
        count = bisect.bisect_right(sorted_dates, entry.date.isoformat())
        if count == 0:
            where = _above_comments(lines, blocks[0][1])
            inserts.setdefault(where, []).append(rendered(entry) + newline)
        else:
            where = blocks[latest[count - 1]][2]
            inserts.setdefault(where, []).append(newline + rendered(entry))
    out: list[str] = []
    for number, line in enumerate(lines):
        out.extend(inserts.get(number, ()))
        out.append(line)
    out.extend(inserts.get(len(lines), ()))
    return "".join(out)


def _blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """(date, first line, line after its last indented line) of each dated directive."""
    blocks: list[tuple[str, int, int]] = []
    number = 0
    while number < len(lines):
        match = _DATED.match(lines[number])
        if match is None:
            number += 1
            continue
        start = number
        number += 1
        while number < len(lines) and lines[number][:1] in (" ", "\t") and lines[number].strip():
            number += 1
        blocks.append((match.group(1), start, number))
    return blocks


def _above_comments(lines: list[str], start: int) -> int:
    """The first of the comment lines directly above line ``start``, which belong to it.

    The file's own leading comment (its header) is never split from the top of the file.
    """
    header_end = 0
    while header_end < len(lines) and lines[header_end].lstrip().startswith(";"):
        header_end += 1
    while start > header_end and lines[start - 1].lstrip().startswith(";"):
        start -= 1
    return start


def includes_time_glob(ledger_text: str) -> bool:
    """True when the ledger already includes ``time/*.beancount`` (``./time/...`` too)."""
    for found in _INCLUDE.findall(ledger_text):
        if os.path.normpath(_UNESCAPE.sub(r"\1", found)) == os.path.normpath(INCLUDE_GLOB):
            return True
    return False


def with_include(ledger_text: str) -> str:
    """The ledger text with ``include "time/*.beancount"`` appended at the end.

    The new lines end the way the ledger's own lines do (CRLF or LF).
    """
    newline = line_ending(ledger_text)
    if ledger_text and not ledger_text.endswith("\n"):
        ledger_text += newline
    added = f'\n; Time entries written by `retainer import`.\ninclude "{INCLUDE_GLOB}"\n'
    return ledger_text + added.replace("\n", newline)


def line_ending(text: str) -> str:
    """CRLF when the first line of ``text`` ends with one, else LF: the file's own ending."""
    end = text.find("\n")
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def read_text(path: Path) -> str:
    """A file's text exactly as stored: CRLF line endings stay CRLF (no newline translation).

    Raises:
        OSError: the file cannot be read.
        UnicodeDecodeError: it is not UTF-8; the path is added as the error's note.
    """
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        exc.add_note(str(path))
        raise


#: What makes two entries look like the same work: date, client, hours and staff.
Signature = tuple[str, str, str, str]


def signature(entry: TimeEntry) -> Signature:
    return (entry.date.isoformat(), entry.client, format_hours(entry.hours), entry.staff or "")


def signatures_in(text: str, where: str, dates: Set[str] | None = None) -> dict[Signature, str]:
    """Each time entry of a file's text by its signature, to the ``file:line`` it is at.

    With ``dates`` (ISO), only entries on those days: an import asks about its own days.
    """
    found: dict[Signature, str] = {}
    line, counted = 1, 0
    for match in _TIME_ENTRY.finditer(text):
        if dates is not None and match.group(1) not in dates:
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        staff = _STAFF_LINE.search(match.group(4))
        hours = format_hours(Decimal(match.group(3)))
        key = (match.group(1), _unescaped(match.group(2)), hours, _unescaped(staff.group(1)) if staff else "")
        found.setdefault(key, f"{where}:{line}")
    return found


def _unescaped(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text) if "\\" in text else text


@dataclass
class Known:
    """What the books already hold: every entry id, and the text of each file read."""

    ids: set[str] = field(default_factory=set)
    #: (file as shown, text): kept to look for look-alikes of the entries that are new.
    texts: list[tuple[str, str]] = field(default_factory=list)

    def signatures(self, dates: Set[str]) -> dict[Signature, str]:
        """Where entries on these ISO dates are, by signature (the first of each)."""
        found: dict[Signature, str] = {}
        for where, text in self.texts:
            for same, place in signatures_in(text, where, dates).items():
                found.setdefault(same, place)
        return found


@dataclass
class Plan:
    """The files an import would write, and what it adds and skips."""

    files: dict[Path, str] = field(default_factory=dict)
    added: list[TimeEntry] = field(default_factory=list)
    #: Entries whose id is already in the books.
    duplicates: int = 0
    #: Entries whose id an earlier row of the same import already had.
    repeated: int = 0
    include_added: bool = False
    #: New entries that look like one already in the books (another id): (entry, file:line).
    look_alikes: list[tuple[TimeEntry, str]] = field(default_factory=list)


def known_ids(ledger: Path) -> set[str]:
    """Ids in every file of the books (see :func:`known`)."""
    return known(ledger).ids


def known(ledger: Path, keep_texts: bool = False) -> Known:
    """Ids in every file of the books (with ``keep_texts``, the files' text too).

    The books are the ledger, what it includes, and ``time/*``. The ``include`` lines are
    followed as text, the way Beancount does (a glob relative to the including file,
    recursively), so entries moved to an archive file still count. The month files are
    read even before the ledger includes them.
    """
    found = Known()
    seen: set[str] = set()
    pending = [ledger, *sorted((ledger.parent / TIME_DIR).glob("*.beancount"))]
    while pending:
        path = pending.pop(0)
        key = os.path.realpath(path)
        if key in seen or not os.path.isfile(key):
            continue
        seen.add(key)
        text = read_text(path)
        found.ids |= ids_in(text)
        if keep_texts:
            found.texts.append((_shown(path), text))
        pending.extend(_included(path, text))
    return found


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def _included(path: Path, text: str) -> list[Path]:
    """The files matched by the ``include`` lines of ``text``, read from ``path``."""
    files: list[Path] = []
    for found in _INCLUDE.findall(text):
        pattern = os.path.join(path.parent, _UNESCAPE.sub(r"\1", found))
        files.extend(Path(name) for name in sorted(glob.glob(pattern, recursive=True)))
    return files


def plan(
    ledger: Path,
    entries: Iterable[TimeEntry],
    existing: set[str] | None = None,
    legacy_ids: Mapping[str, str] | None = None,
) -> Plan:
    """What to write so ``entries`` (in order) are in the books once, and nothing else.

    Entries whose id (or the id an earlier version gave them, ``legacy_ids``) is already
    in the books are skipped as duplicates, and those whose
    id an earlier entry of ``entries`` has as repeats. A new entry with the date, client,
    hours and staff of one in the books (under another id) is added and listed in
    ``look_alikes``. The include line is added whenever the ledger lacks it and there is
    a month file to include (one written now or already there), never before: Beancount
    rejects a glob that matches nothing.
    """
    books = known(ledger, keep_texts=True) if existing is None else Known(set(existing))
    in_books = books.ids
    seen: set[str] = set()
    result = Plan()
    by_month: dict[tuple[int, int], list[TimeEntry]] = {}
    for entry in entries:
        if entry.id is not None:
            if entry.id in in_books or (legacy_ids and legacy_ids.get(entry.id) in in_books):
                result.duplicates += 1
                continue
            if entry.id in seen:
                result.repeated += 1
                continue
            seen.add(entry.id)
        result.added.append(entry)
        by_month.setdefault((entry.date.year, entry.date.month), []).append(entry)
    if result.added and books.texts:
        # Only the new entries' days are looked at: a re-import looks at nothing.
        where = books.signatures({entry.date.isoformat() for entry in result.added})
        for entry in result.added:
            found = where.get(signature(entry))
            if found is not None:
                result.look_alikes.append((entry, found))
        books.texts.clear()
    for year, month in sorted(by_month):
        path = month_file(ledger, year, month)
        old = read_text(path) if path.exists() else ""
        result.files[path] = merge(old, by_month[year, month])
    if result.files or any((ledger.parent / TIME_DIR).glob("*.beancount")):
        ledger_text = read_text(ledger)
        if not includes_time_glob(ledger_text):
            result.files[ledger] = with_include(ledger_text)
            result.include_added = True
    return result


def apply(result: Plan, books: LockedBooks) -> list[Path]:
    """Write every file of the plan in one commit (all or none), under the books' lock.

    Month files come first and the ledger's include last, so even the moment between two
    renames never has an include matching nothing. Returns the files written.
    """
    changes = {path: text.encode("utf-8") for path, text in result.files.items()}
    return books.commit(changes, command="retainer import")
