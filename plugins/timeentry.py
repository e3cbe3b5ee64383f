"""The time-entry format in one place: its metadata keys, reading it, and writing it.

A piece of work is one ``custom "time"`` directive::

    2026-01-06 custom "time" "acme-dental" "onsite" 1.5
      staff: "alice"
      note: "Replaced switch in server room"
      id: "toggl:3141592653"
      after-hours: TRUE
      billable: FALSE

The plugin reads it with :func:`parse_time_entry`; ``retainer import`` writes it with
:func:`render` and beangulp with :func:`to_custom`. All three go through :data:`KEYS`, so
a key cannot be spelt one way when written and another when read. Any other metadata
key is an error with a did-you-mean hint: a misspelt ``after_hours`` would otherwise
drop a surcharge without a word.

Only Beancount's core is imported: this runs on every ``bean-check``.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from beancount.core import data
from beancount.parser.grammar import ValueType

from plugins.billing.model import KINDS, TimeEntry

Reading = Literal["text", "flag", "clock"]


@dataclass(frozen=True, slots=True)
class Key:
    """One metadata key of a time entry: how it is read, and the value when absent."""

    name: str
    reading: Reading
    default: object = None
    field: str = ""  # the TimeEntry field it fills


STAFF = Key("staff", "text", None, "staff")
NOTE = Key("note", "text", None, "note")
ID = Key("id", "text", None, "id")
AFTER_HOURS = Key("after-hours", "flag", False, "after_hours")
BILLABLE = Key("billable", "flag", True, "billable")
START = Key("start", "clock", None, "start")
PROJECT = Key("project", "text", None, "project")

#: Every key, in the order it is written.
KEYS: tuple[Key, ...] = (STAFF, NOTE, ID, AFTER_HOURS, BILLABLE, START, PROJECT)
KEY_NAMES: tuple[str, ...] = tuple(key.name for key in KEYS)
#: Added by Beancount's parser to every directive.
_PARSER_KEYS = frozenset(("filename", "lineno"))
_ALLOWED = frozenset(KEY_NAMES) | _PARSER_KEYS
_ALLOWED_WITH: dict[frozenset[str], frozenset[str]] = {frozenset(): _ALLOWED}

USAGE = 'write it as: 2026-01-06 custom "time" "client-id" "remote" 1.5'
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Characters that must never reach a ledger file raw: C0/C1 controls (a newline would
# end the string's line, NUL and ESC reach terminals), DEL, and Unicode line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ZERO = Decimal(0)
#: ``TimeEntry(*fields)`` without its generated ``__new__`` (a Python-level call that only
#: passes its arguments on to this): the same tuple, a tenth of the parse's time saved.
_new_entry = tuple.__new__
_WHITESPACE_CONTROL = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")


def allowed_keys(extra: Iterable[str] = ()) -> frozenset[str]:
    """The metadata keys a time entry may carry: the built-in ones plus ``time_metadata``."""
    extra = frozenset(extra)
    found = _ALLOWED_WITH.get(extra)
    if found is None:
        found = _ALLOWED_WITH[extra] = _ALLOWED | extra
    return found


def parse_time_entry(entry: data.Custom, extra_keys: frozenset[str] = frozenset()) -> TimeEntry | str:
    """A ``TimeEntry`` from a ``custom "time"`` directive, or the reason it is not one.

    ``extra_keys`` are the practice's ``time_metadata`` keys, allowed and left alone.
    """
    values = entry.values
    if not values or len(values) != 3:
        return f"a time entry needs 3 values (client, kind, hours), got {len(values or ())}: {USAGE}"
    (client, _), (kind, _), (hours, _) = values  # ValueType(value, dtype) each
    if not isinstance(client, str):
        return f"the client must be a quoted id, got {client!r}: {USAGE}"
    if kind not in KINDS:
        return f'unknown kind {kind!r}: use "remote" or "onsite"'
    if not isinstance(hours, Decimal):
        return f"hours must be a plain number like 1.5, got {hours!r}: {USAGE}"
    if hours <= _ZERO:
        return f"hours must be more than 0, got {hours}"
    # This runs once per time entry (hundreds of thousands): no loops over the keys, no
    # keyword arguments, and ``is True``/``is False`` (the only two bools) for flags.
    meta = entry.meta
    allowed = _ALLOWED if not extra_keys else _ALLOWED_WITH.get(extra_keys) or allowed_keys(extra_keys)
    if not allowed.issuperset(meta):
        return unknown_key_message(meta, allowed)
    after_hours = meta.get("after-hours", False)
    if after_hours is not False and after_hours is not True:
        return f"after-hours must be TRUE or FALSE (no quotes), got {after_hours!r}"
    billable = meta.get("billable", True)
    if billable is not True and billable is not False:
        return f"billable must be TRUE or FALSE (no quotes), got {billable!r}"
    staff = meta.get("staff")
    if staff is not None and not isinstance(staff, str):
        return f'staff must be a quoted name like "alice", got {staff!r}'
    start = meta.get("start")
    if start is not None and (not isinstance(start, str) or not _CLOCK.match(start)):
        return f'start must be a quoted 24-hour time like "09:30", got {start!r}'
    project = meta.get("project")
    if project is not None and not isinstance(project, str):
        return f'project must be a quoted project id like "website", got {project!r}'
    return _new_entry(  # the fields in order: date client kind hours staff ...
        TimeEntry,
        (
            entry.date,
            client,
            kind,
            hours,
            staff,
            after_hours,
            billable,
            meta.get("note"),
            meta.get("id"),
            meta.get("filename", "<unknown>"),
            meta.get("lineno", 0),
            start,
            project,
        ),
    )


def unknown_key_message(meta: data.Meta, allowed: frozenset[str]) -> str:
    """Which keys are not time-entry keys, with the nearest known key for each."""
    unknown = sorted(key for key in meta if key not in allowed)
    known = sorted(allowed - _PARSER_KEYS, key=_key_order)
    parts = []
    for key in unknown:
        near = difflib.get_close_matches(key.replace("_", "-"), known, n=1, cutoff=0.6)
        parts.append(f"'{key}'" + (f" (did you mean '{near[0]}'?)" if near else ""))
    return (
        f"unknown metadata key {', '.join(parts)} on a time entry; allowed: {', '.join(known)}"
        " (list extra keys under time_metadata: in contracts/practice.yaml)"
    )


def _key_order(name: str) -> tuple[int, str]:
    return (KEY_NAMES.index(name), "") if name in KEY_NAMES else (len(KEY_NAMES), name)


def printable(text: str) -> str:
    """``text`` safe to write into a ledger string: no control characters get through.

    Line breaks and tabs become spaces (an id or note is one line); other control
    characters (NUL, ESC of terminal escapes, DEL) become U+FFFD, visible but harmless.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda found: " " if found.group() in _WHITESPACE_CONTROL else "\ufffd", text)


def quote(text: str) -> str:
    """A Beancount string literal: control characters replaced, ``\\`` and ``"`` escaped."""
    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _start_text(start: str | datetime.time | None) -> str | None:
    if start is None or isinstance(start, str):
        return start
    return f"{start.hour:02d}:{start.minute:02d}"


def metadata(entry: TimeEntry) -> list[tuple[Key, object]]:
    """The metadata an entry carries, in :data:`KEYS` order; defaults are left out."""
    found: list[tuple[Key, object]] = []
    for key in KEYS:
        value = getattr(entry, key.field)
        if key.reading == "clock":
            value = _start_text(value)
        if key.reading == "flag":
            if value is not key.default:
                found.append((key, bool(value)))
        elif value:
            found.append((key, printable(value) if isinstance(value, str) else value))
    return found


def format_hours(hours: Decimal) -> str:
    """``Decimal("1.500000")`` -> ``"1.5"``; never an exponent (``100``, not ``1E+2``)."""
    return format(hours.normalize(), "f")


def render(entry: TimeEntry) -> str:
    """One entry in ledger syntax, ending with a newline."""
    lines = [
        f'{entry.date.isoformat()} custom "time" {quote(entry.client)} "{entry.kind}" '
        f"{format_hours(entry.hours)}"
    ]
    for key, value in metadata(entry):
        text = ("TRUE" if value else "FALSE") if key.reading == "flag" else quote(str(value))
        lines.append(f"  {key.name}: {text}")
    return "\n".join(lines) + "\n"


def to_custom(entry: TimeEntry) -> data.Custom:
    """An entry as the directive Beancount parses from :func:`render`'s text."""
    where = entry.where
    meta = data.new_metadata(where.filename if where else "<import>", where.lineno if where else 0)
    for key, value in metadata(entry):
        meta[key.name] = value
    values = [
        ValueType(printable(entry.client), str),
        ValueType(entry.kind, str),
        ValueType(entry.hours, Decimal),
    ]
    return data.Custom(meta, entry.date, "time", values)
