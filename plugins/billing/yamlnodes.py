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
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
        raise NodeError(
            Location(filename, line), f"YAML syntax error: {problem} (check indentation and ':')"
        ) from None
    except yaml.YAMLError as exc:
        raise NodeError(Location(filename, 1), f"YAML error: {exc}") from None


def where(node: yaml.Node, filename: str) -> Location:
    return Location(filename, node.start_mark.line + 1)


def mapping(node: yaml.Node, filename: str, what: str) -> Iterator[tuple[str, yaml.Node]]:
    """Yield ``(key, value node)`` of a mapping, refusing duplicate keys (YAML keeps the last)."""
    if not isinstance(node, yaml.MappingNode):
        raise NodeError(where(node, filename), f"{what} must be a mapping of 'key: value' lines")
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise NodeError(where(key_node, filename), f"{what}: keys must be plain words")
        key = str(key_node.value)
        if key in seen:
            raise NodeError(where(key_node, filename), f"{what}: '{key}' is given twice")
        seen.add(key)
        yield key, value_node


def sequence(node: yaml.Node, filename: str, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise NodeError(where(node, filename), f"{what} must be a list ('- item' lines or [a, b])")
    return list(node.value)


def scalar(node: yaml.Node, filename: str, what: str) -> tuple[str, str]:
    """The text and resolved tag of a scalar node."""
    if not isinstance(node, yaml.ScalarNode):
        raise NodeError(where(node, filename), f"{what} must be a single value, not a list or map")
    return str(node.value), str(node.tag)


def string(node: yaml.Node, filename: str, what: str) -> str:
    text, tag = scalar(node, filename, what)
    if tag == _NULL or text == "":
        raise NodeError(where(node, filename), f"{what} is empty")
    return text


def number(node: yaml.Node, filename: str, what: str, *, allow_negative: bool = False) -> Decimal:
    """A non-negative Decimal read from the YAML text (``45``, ``900.00``, ``"0.55"``)."""
    text, tag = scalar(node, filename, what)
    if tag not in (_INT, _FLOAT, _STR):
        raise NodeError(where(node, filename), f"{what} must be a number, got '{text}'")
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise NodeError(where(node, filename), f"{what} must be a number, got '{text}'") from None
    if not value.is_finite():
        raise NodeError(where(node, filename), f"{what} must be a finite number, got '{text}'")
    if value < 0 and not allow_negative:
        raise NodeError(where(node, filename), f"{what} must not be negative, got {text}")
    return value


def whole(node: yaml.Node, filename: str, what: str) -> int:
    value = number(node, filename, what)
    if value != value.to_integral_value():
        raise NodeError(where(node, filename), f"{what} must be a whole number, got {value}")
    return int(value)


def date(node: yaml.Node, filename: str, what: str) -> datetime.date:
    text, tag = scalar(node, filename, what)
    if tag in (_TIMESTAMP, _STR) and _DATE.match(text.strip()):
        try:
            return datetime.date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise NodeError(where(node, filename), f"{what} must be a date like 2026-01-31, got '{text}'")
