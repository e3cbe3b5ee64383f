"""Typed reads of YAML nodes that keep the line each value came from.

Contracts are composed (not constructed) with PyYAML so that every value keeps its
``start_mark``: an error can then say ``acme.yaml:7`` instead of just "bad value". Numbers
become ``Decimal`` from the YAML *text*, so ``900.10`` is never touched by a float.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

import yaml

from .model import Location

try:  # libyaml is several times faster; the pure-Python loader gives the same nodes.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
#: The tags plain YAML gives (and ``!!str`` etc. written out). Anything else (``!foo``,
#: ``!!binary``, ``!!python/...``, ``!!set``) is refused: a tag never changes a value silently.
_PLAIN_TAGS = frozenset((_INT, _FLOAT, _STR, _NULL, _BOOL, _TIMESTAMP, _MAP, _SEQ))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Contracts are dated within these years: a typo like 0026 or 9999 would otherwise accrue
#: thousands of months (or overflow the calendar).
FIRST_YEAR, LAST_YEAR = 1970, 2100
#: Decimals a number may carry: enough for 0.55 per km or a rate of 47.3333, and it keeps
#: every product of the billing rules exact within Decimal's 28 digits.
PLACES = 6
#: Line breaks, tabs, NUL, escapes (C0, DEL, C1), Unicode line separators and bidi overrides:
#: they break the generated ledger lines or hide what a name really says.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class NodeError(Exception):
    """A value in a YAML file that the user has to fix; carries its location."""

    def __init__(self, where: Location, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def compose(text: str, filename: str) -> yaml.Node | None:
    """Parse ``text`` into a node tree; a syntax error becomes a located ``NodeError``."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or "invalid YAML"
        hint = "check indentation and ':'"
        context = exc.context_mark
        if context is not None and exc.context and line > len(text.splitlines()):
            # Found at the end of the file: point at what was left open instead.
            line = context.line + 1
            opened = exc.context.removeprefix("while parsing a ").removeprefix("while scanning a ")
            hint = f"the {opened} that starts on this line is not closed"
        raise NodeError(Location(filename, line), f"YAML syntax error: {problem} ({hint})") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ESC ...)
        line = text.count("\n", 0, exc.position) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise NodeError(
            Location(filename, line),
            f"the file holds a control character (U+{ord(char[:1] or ' '):04X}) YAML does not allow:"
            " delete it (write text on one line, without escapes)",
        ) from None
    except yaml.YAMLError as exc:
        raise NodeError(Location(filename, 1), f"YAML error: {' '.join(str(exc).split())}") from None


def where(node: yaml.Node, filename: str) -> Location:
    return Location(filename, node.start_mark.line + 1)


def plain(node: yaml.Node, filename: str, what: str) -> None:
    """Refuse a node with a YAML tag of its own (``!foo bar``, ``!!binary ...``)."""
    if node.tag not in _PLAIN_TAGS:
        raise NodeError(
            where(node, filename),
            f"{what}: YAML tag '{node.tag}' is not supported; remove it (quote the value if it"
            " starts with '!')",
        )


def plain_tree(node: yaml.Node, filename: str, what: str) -> None:
    """``plain`` for a node and everything under it (each shared alias node checked once)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if key.tag != _MERGE:
                    stack.append(key)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        plain(current, filename, what)


def mapping(node: yaml.Node, filename: str, what: str) -> Iterator[tuple[str, yaml.Node]]:
    """Yield ``(key, value node)`` of a mapping, refusing duplicate keys (YAML keeps the last)."""
    plain(node, filename, what)
    if not isinstance(node, yaml.MappingNode):
        raise NodeError(where(node, filename), f"{what} must be a mapping of 'key: value' lines")
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise NodeError(where(key_node, filename), f"{what}: keys must be plain words")
        if key_node.tag != _MERGE:
            plain(key_node, filename, what)
        key = str(key_node.value)
        if _CONTROL.search(key):
            raise NodeError(where(key_node, filename), f"{what}: a key holds {_control_name(key)}")
        if key in seen:
            raise NodeError(where(key_node, filename), f"{what}: '{key}' is given twice")
        seen.add(key)
        yield key, value_node


def sequence(node: yaml.Node, filename: str, what: str) -> list[yaml.Node]:
    plain(node, filename, what)
    if not isinstance(node, yaml.SequenceNode):
        raise NodeError(where(node, filename), f"{what} must be a list ('- item' lines or [a, b])")
    return list(node.value)


def scalar(node: yaml.Node, filename: str, what: str) -> tuple[str, str]:
    """The text and resolved tag of a scalar node."""
    plain(node, filename, what)
    if not isinstance(node, yaml.ScalarNode):
        raise NodeError(where(node, filename), f"{what} must be a single value, not a list or map")
    return str(node.value), str(node.tag)


def _control_name(text: str) -> str:
    """``a line break (U+000A)``: the first control character of ``text``, for a message."""
    match = _CONTROL.search(text)
    char = match.group() if match else ""
    names = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x00": "a NUL byte"}
    return f"{names.get(char, 'a control character')} (U+{ord(char or ' '):04X})"


#: Longest text (a name, an alias): it is repeated in every transaction posted for it.
MAX_TEXT = 200


def string(node: yaml.Node, filename: str, what: str, *, max_length: int = MAX_TEXT) -> str:
    """A one-line text: control characters would break the ledger lines it ends up in."""
    text, tag = scalar(node, filename, what)
    if tag == _NULL or text == "":
        raise NodeError(where(node, filename), f"{what} is empty")
    if len(text) > max_length:
        raise NodeError(
            where(node, filename), f"{what} is {len(text)} characters long: at most {max_length}, please"
        )
    return one_line(text, node, filename, what)


def one_line(text: str, node: yaml.Node, filename: str, what: str) -> str:
    """``text`` if it holds no control character (line break, tab, escape), else an error."""
    if _CONTROL.search(text):
        raise NodeError(
            where(node, filename),
            f"{what} holds {_control_name(text)}: write it on one line, without tabs or escapes",
        )
    return text


def number(
    node: yaml.Node,
    filename: str,
    what: str,
    *,
    maximum: Decimal,
    minimum: Decimal = Decimal(0),
    places: int = PLACES,
) -> Decimal:
    """A Decimal read from the YAML text (``45``, ``900.00``, ``"0.55"``), within bounds.

    The bounds keep every amount the billing rules make from it exact (and away from
    ``decimal.InvalidOperation``): a value beyond them is a typo, reported at its line
    with the range allowed.
    """
    text, tag = scalar(node, filename, what)
    if tag not in (_INT, _FLOAT, _STR):
        raise NodeError(where(node, filename), f"{what} must be a number, got '{short(text)}'")
    try:
        value = Decimal(text.replace("_", "").strip())
    except InvalidOperation:
        raise NodeError(where(node, filename), f"{what} must be a number, got '{short(text)}'") from None
    if not value.is_finite():
        raise NodeError(where(node, filename), f"{what} must be a finite number, got '{short(text)}'")
    if value.is_zero():
        value = abs(value)  # "-0" is 0: a signed zero would print as -0.00 on a bill
    if value < 0 and minimum >= 0:
        raise NodeError(where(node, filename), f"{what} must not be negative, got {short(text)}")
    if not minimum <= value <= maximum:
        raise NodeError(
            where(node, filename), f"{what} must be from {minimum:,} to {maximum:,}, got {short(text)}"
        )
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if exponent < -places:
        value = value.normalize()  # 1.50000000 is 1.5; only real digits count
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if exponent < -places:
            raise NodeError(
                where(node, filename),
                f"{what} may have at most {places} decimals, got {short(text)}",
            )
    return value


def short(text: str) -> str:
    """A value for a message: one printable line, a 400-digit typo shown by its start."""
    text = _CONTROL.sub(lambda match: ascii(match.group())[1:-1], text)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def whole(node: yaml.Node, filename: str, what: str, *, maximum: int) -> int:
    value = number(node, filename, what, maximum=Decimal(maximum))
    if value != value.to_integral_value():
        raise NodeError(where(node, filename), f"{what} must be a whole number, got {value}")
    return int(value)


def date(node: yaml.Node, filename: str, what: str) -> datetime.date:
    text, tag = scalar(node, filename, what)
    if tag in (_TIMESTAMP, _STR) and _DATE.match(text.strip()):
        try:
            day = datetime.date.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                return day
            raise NodeError(
                where(node, filename),
                f"{what} must be a date in the years {FIRST_YEAR} to {LAST_YEAR}, got '{short(text)}'",
            )
    raise NodeError(where(node, filename), f"{what} must be a date like 2026-01-31, got '{short(text)}'")

