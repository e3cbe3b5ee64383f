"""``PdfPrinter``: many statements printed on every core, each in its place, problems told.

Real WeasyPrint, real processes (forked, as ``retainer statement --all`` forks them).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from beancount import loader

from plugins.books import Books, ledger_postings
from plugins.reports import statement_format
from plugins.reports.statement import billed_clients, for_client
from plugins.reports.statement_format import PdfPrinter, PdfUnavailable

DEMO = Path(__file__).resolve().parent.parent / "ledger" / "main.beancount"


def _statements() -> list[statement_format.Statement]:
    entries, errors, options = loader.load_file(str(DEMO))
    assert errors == []
    books = Books.of_ledger(entries, options)
    postings = list(ledger_postings(entries))
    month = (2026, 10)
    return [for_client(books, postings, client, month, month) for client in billed_clients(books, month)]


def test_each_pdf_is_its_own_statement_in_the_order_asked(tmp_path: Path) -> None:
    statements = _statements()
    assert len(statements) >= 3  # the demo bills five clients in October
    # Reversed, so the order asked is not the printer's longest-first order either.
    asked = list(reversed(statements))
    with PdfPrinter() as printer:
        printed = printer.print_all(asked)
    assert len(printed) == len(asked)
    for statement, pdf in zip(asked, printed, strict=True):
        path = tmp_path / f"{statement.client}.pdf"
        path.write_bytes(pdf)
        found = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
        text = found.stdout
        assert f"No. {statement.number}" in text, statement.client
    # The same bytes as printing one at a time in this process: forking changes nothing printed.
    assert printed[0] == statement_format.to_pdf(asked[0])


def test_a_printing_problem_reaches_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pango(html: str) -> bytes:
        raise PdfUnavailable("printing a PDF needs the pango libraries: run `make pdf-libs`")

    # Patched before the printer forks: its processes print with the patched function.
    monkeypatch.setattr(statement_format, "pdf_from_html", no_pango)
    with PdfPrinter() as printer, pytest.raises(PdfUnavailable, match="make pdf-libs"):
        printer.print_all(_statements())


def test_a_printer_given_nothing_ends_its_process_on_close() -> None:
    printer = PdfPrinter()
    process = printer._process
    assert process is not None  # the machine has two cores or more (CI's has)
    printer.close()
    assert not process.is_alive()
    assert process.exitcode == 0  # it ended on the closed pipe: not killed (that is -15)
