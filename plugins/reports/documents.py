"""The four formats a printable document (a statement, the rate card) comes in, and which
one a file's name asks for. Kept apart from the documents' templates so a command can name
its formats without importing them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from plugins.reports.csvtext import json_text

FORMATS = ("html", "pdf", "md", "json")
#: The file name ending of each format.
SUFFIXES = {"html": ".html", "pdf": ".pdf", "md": ".md", "json": ".json"}


def format_of(output: Path | None) -> str:
    """The format an output file's name asks for (``.htm`` too), else Markdown."""
    if output is not None:
        suffix = output.suffix.lower()
        for fmt, ending in SUFFIXES.items():
            if suffix == ending or (fmt == "html" and suffix == ".htm"):
                return fmt
    return "md"


def document_bytes(
    fmt: str,
    what: str,
    *,
    pdf: Callable[[], bytes],
    html: Callable[[], str],
    markdown: Callable[[], str],
    document: Callable[[], object],
) -> bytes:
    """A printable document in ``fmt``, as its file's bytes: only the asked format is made."""
    if fmt == "pdf":
        return pdf()
    if fmt == "html":
        return html().encode("utf-8")
    if fmt == "md":
        return markdown().encode("utf-8")
    if fmt == "json":
        return json_text(document()).encode("utf-8")
    raise ValueError(f"unknown {what} format {fmt!r}: use one of {', '.join(FORMATS)}")
