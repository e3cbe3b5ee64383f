"""``PdfPrinter`` and the PDF cache: many statements printed on every core, each in its
place, problems told; a page printed before is read back, never printed stale.

Real WeasyPrint, real processes (forked, as ``retainer statement --all`` forks them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from beancount import loader

from plugins.books import Books, ledger_postings
from plugins.reports import printing, statement_format
from plugins.reports.printing import PdfCache, PdfPrinter, PdfUnavailable
from plugins.reports.statement import Statement, billed_clients, for_client

DEMO = Path(__file__).resolve().parent.parent / "ledger" / "main.beancount"


def _statements() -> list[Statement]:
    entries, errors, options = loader.load_file(str(DEMO))
    assert errors == []
    books = Books.of_ledger(entries, options)
    postings = list(ledger_postings(entries))
    month = (2026, 10)
    return [for_client(books, postings, client, month, month) for client in billed_clients(books, month)]


def _pages() -> list[tuple[str, str]]:
    """(statement number, HTML) of each demo statement of October."""
    return [(s.number, statement_format.to_html(s)) for s in _statements()]


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_each_pdf_is_its_own_statement_in_the_order_asked(tmp_path: Path) -> None:
    pages = _pages()
    assert len(pages) >= 3  # the demo bills five clients in October
    # Reversed, so the order asked is not the printer's longest-first order either.
    asked = list(reversed(pages))
    with PdfPrinter(PdfCache(None)) as printer:
        process = printer._process
        printed = printer.print_all([html for _, html in asked])
    assert process is not None and process.exitcode == 0  # it ended on the closed pipe, not killed
    assert len(printed) == len(asked)
    for (number, _), pdf in zip(asked, printed, strict=True):
        assert f"No. {number}" in _text(pdf, tmp_path), number
    # The same bytes as printing in this process: forking changes nothing printed.
    assert printed[0] == printing.render_pdf(asked[0][1])


def test_a_printing_problem_reaches_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pango(html: str) -> bytes:
        raise PdfUnavailable("printing a PDF needs the pango libraries: run `make pdf-libs`")

    # Patched before the printer forks: its processes print with the patched function.
    monkeypatch.setattr(printing, "render_pdf", no_pango)
    with PdfPrinter(PdfCache(None)) as printer, pytest.raises(PdfUnavailable, match="make pdf-libs"):
        printer.print_all([html for _, html in _pages()])


def test_a_printer_given_nothing_ends_its_process_on_close() -> None:
    printer = PdfPrinter(PdfCache(None))
    process = printer._process
    assert process is not None  # the machine has two cores or more (CI's has)
    printer.close()
    assert not process.is_alive()


def test_pages_printed_before_come_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [html for _, html in _pages()][:3]
    kept = PdfCache(tmp_path / "cache")
    with PdfPrinter(kept) as printer:
        first = printer.print_all(pages)
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 3

    def printed_again(html: str) -> bytes:
        raise AssertionError("a page in the cache was printed again")

    monkeypatch.setattr(printing, "render_pdf", printed_again)
    with PdfPrinter(kept) as printer:
        assert printer.print_all(pages) == first  # the same bytes, none printed
        # Every page was in the cache, so the printing process was stopped unused.
        assert printer._sent is False
    assert printing.print_pdf(pages[0], kept) == first[0]


def test_a_changed_page_is_printed_afresh(tmp_path: Path) -> None:
    (number, html), *_ = _pages()
    kept = PdfCache(tmp_path / "cache")
    before = printing.print_pdf(html, kept)
    # One figure of the page changed: a new key, so it is printed, not read back.
    changed = html.replace(f"No. <strong data-number>{number}</strong>", "No. <strong>X-1</strong>")
    assert changed != html
    after = printing.print_pdf(changed, kept)
    assert "No. X-1" in _text(after, tmp_path)
    assert "No. X-1" not in _text(before, tmp_path)
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 2


def test_a_broken_cache_file_is_printed_again(tmp_path: Path) -> None:
    html = "<p>Hello</p>"
    kept = PdfCache(tmp_path)
    pdf = printing.print_pdf(html, kept)
    (cached,) = tmp_path.glob("*.pdf")
    cached.write_bytes(pdf[: len(pdf) // 2])  # cut short, as no atomic write leaves it
    assert kept.get(html) is None
    assert printing.print_pdf(html, kept) == pdf
    assert cached.read_bytes() == pdf  # and kept whole again


def test_an_unwritable_cache_is_no_cache(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    kept = PdfCache(blocked / "pdf")
    pdf = printing.print_pdf("<p>Hello</p>", kept)
    assert pdf.startswith(b"%PDF-")
    assert kept.get("<p>Hello</p>") is None


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(handle: int, mode: str) -> None:
        os.close(handle)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(printing.os, "fdopen", disk_full)
    PdfCache(tmp_path).put("<p>Hello</p>", b"%PDF-1.7\n%%EOF\n")  # no error: no cache
    assert list(tmp_path.iterdir()) == []  # neither the PDF nor its temporary file


def test_the_cache_keeps_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "CACHE_SIZE", 2)

    def command(*words: str, at: int) -> PdfCache:
        """One command's cache writing these pages, their files dated ``at``, ``at + 1``, ..."""
        kept = PdfCache(tmp_path)
        for second, word in enumerate(words, start=at):
            kept.put(f"<p>{word}</p>", b"%PDF-1.7\n" + word.encode() + b"\n%%EOF\n")
            os.utime(tmp_path / f"{kept.key(f'<p>{word}</p>')}.pdf", (second, second))
        return kept

    command("one", "two", "three", at=1_000)  # trimmed as it first wrote, not after each
    assert len(list(tmp_path.glob("*.pdf"))) == 3
    # The next command's first write keeps the newest two: its own (written now) and three.
    command("four", at=2_000)
    kept = PdfCache(tmp_path)
    assert len(list(tmp_path.glob("*.pdf"))) == 2
    assert kept.get("<p>four</p>") is not None and kept.get("<p>three</p>") is not None


def test_the_cache_folder_is_chosen_by_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAINER_CACHE_DIR", str(tmp_path))
    assert PdfCache.default().folder == tmp_path
    monkeypatch.setenv("RETAINER_CACHE_DIR", "")
    assert PdfCache.default().folder is None
    monkeypatch.delenv("RETAINER_CACHE_DIR")
    assert PdfCache.default().folder is not None and PdfCache.default().folder.name == "pdf"


def test_weasyprint_imported_quickly_loads_the_same_libraries() -> None:
    # In a fresh interpreter each way: the libraries the process maps are the same files.
    script = (
        "import sys\n"
        "if sys.argv[1] == 'quick':\n"
        "    from plugins.reports.printing import import_weasyprint; import_weasyprint()\n"
        "else:\n"
        "    import weasyprint\n"
        "names = ('pango', 'harfbuzz', 'gobject', 'fontconfig')\n"
        "print(sorted({line.split()[-1] for line in open('/proc/self/maps')\n"
        "              if '.so' in line and any(name in line for name in names)}))\n"
    )
    root = Path(__file__).resolve().parent.parent
    found = [
        subprocess.run(
            [sys.executable, "-c", script, way], capture_output=True, text=True, check=True, cwd=root
        ).stdout
        for way in ("quick", "plain")
    ]
    assert "libpango-1.0.so" in found[0]
    assert found[0] == found[1]


FAKE_WEASYPRINT = """
import ctypes.util
print("WeasyPrint could not import some external libraries")  # its banner, on stdout
if ctypes.util.find_library("anything") is None:  # only the search finds the libraries here
    raise OSError("cannot load library 'libpango-1.0-0'")
FOUND_WITH_THE_SEARCH = True
"""


def test_weasyprint_found_only_by_the_search_is_imported_with_it(tmp_path: Path) -> None:
    # A stand-in for WeasyPrint on a system where the loader alone finds nothing (macOS with
    # Homebrew): the quick import fails, and the second, with ctypes' search, succeeds.
    (tmp_path / "weasyprint.py").write_text(FAKE_WEASYPRINT)
    script = (
        "import ctypes.util, sys\n"
        "ctypes.util.find_library = lambda name: '/opt/lib/' + name\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from plugins.reports.printing import import_weasyprint\n"
        "print(import_weasyprint().FOUND_WITH_THE_SEARCH)\n"
        "print(ctypes.util.find_library('x'))\n"
    )
    root = Path(__file__).resolve().parent.parent
    argv = [sys.executable, "-c", script]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=root)
    # The banner once (the failed quick try was silenced), the module, the search restored.
    assert done.stdout.splitlines() == [
        "WeasyPrint could not import some external libraries",
        "True",
        "/opt/lib/x",
    ]
