"""Read the report's HTML the way a person reads the table: rows of named cells."""

from __future__ import annotations

import html as entities
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Row:
    attrs: dict[str, str]
    cells: list[str] = field(default_factory=list)
    cell_attrs: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Table:
    attrs: dict[str, str]
    headers: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def row(self, **attrs: str) -> dict[str, str]:
        """The first row whose ``data-*`` attributes match, as ``{header: cell text}``."""
        for row in self.rows:
            if all(row.attrs.get(f"data-{key}") == value for key, value in attrs.items()):
                return dict(zip(self.headers, row.cells, strict=False))
        raise KeyError(f"no row with {attrs} in {[r.attrs for r in self.rows]}")

    def rows_with(self, **attrs: str) -> list[dict[str, str]]:
        return [
            dict(zip(self.headers, row.cells, strict=False))
            for row in self.rows
            if all(row.attrs.get(f"data-{key}") == value for key, value in attrs.items())
        ]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "table":
            self._stack.append(Table(values))
        elif not self._stack:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self._stack[-1].rows.append(Row(values))
        elif tag in ("td", "th"):
            self._cell = []
            if tag == "td" and self._stack[-1].rows:
                self._stack[-1].rows[-1].cell_attrs.append(values)
        elif tag in ("br", "span") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = re.sub(r"\s+", " ", "".join(self._cell)).strip()
            if self._in_head:
                table.headers.append(text)
            elif table.rows:
                table.rows[-1].cells.append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, Table]:
    """Every table of the page by its first class (``cm-portfolio``, ``cm-months``...)."""
    parser = _Parser()
    parser.feed(html)
    return {table.attrs.get("class", "").split(" ")[0]: table for table in parser.tables}


def text(html: str) -> str:
    """The page as plain text, scripts and styles left out."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
