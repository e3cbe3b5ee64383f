"""Printable pages (statements, the rate card) as PDF: WeasyPrint, its start-up, and a cache.

WeasyPrint renders the same HTML page Fava shows, so what the consultant sees and what the
client gets are one page. It is slow to start (about half a second of a core to import) and
takes a few hundred milliseconds per statement, so this module

- imports it without ctypes' library search (`import_weasyprint`);
- keeps every PDF it printed, keyed by its page's HTML (`PdfCache`): printing an unchanged
  statement again reads the file it gave before, byte for byte the same;
- prints many pages on every core, in a process that starts before the books load
  (`PdfPrinter`).

No command or Fava code here: both adapters call these.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

#: A folder for the cache instead of the user's cache folder; empty: no cache.
CACHE_VARIABLE = "RETAINER_CACHE_DIR"
#: PDFs kept: the newest used; a practice of 30 clients prints 360 statements a year.
CACHE_SIZE = 1000


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot print here: the system libraries it needs are missing."""


# ---------------------------------------------------------------- WeasyPrint


@contextlib.contextmanager
def _loader_finds_libraries() -> Iterator[None]:
    """WeasyPrint tries several names per library (pango, harfbuzz, ...); for each name
    without a path, cffi asks ``ctypes.util.find_library``, which on Linux runs ldconfig,
    gcc and ld: about 0.2 s of the import. Its list ends with the names the system loader
    finds itself (``libpango-1.0.so.0``), so answering "not found" loads the same files."""
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


def import_weasyprint() -> ModuleType:
    """``weasyprint``, imported quickly (see :func:`_loader_finds_libraries`); where the
    loader alone does not find the libraries, imported again with the search, as usual.
    ``PdfUnavailable`` says how to get the libraries."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    if threading.active_count() > 1:  # another thread might ask ctypes meanwhile (Fava's server)
        return _import_with_search()
    try:
        # WeasyPrint prints a banner before it fails: the second try prints it, if it fails too.
        with _loader_finds_libraries(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except OSError:  # e.g. macOS, where only the search knows Homebrew's folder
        for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
        return _import_with_search()
    return weasyprint


def _import_with_search() -> ModuleType:
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint loads pango with dlopen on import
        raise PdfUnavailable(
            f"printing a PDF needs the pango libraries WeasyPrint uses ({exc}): run `make pdf-libs`"
            " (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0), or use --format html"
        ) from None
    return weasyprint


def render_pdf(html: str) -> bytes:
    """The page printed by WeasyPrint, without the cache."""
    pdf: bytes = import_weasyprint().HTML(string=html).write_pdf()
    return pdf


def _render_one(html: str) -> bytes:
    """A worker's job: :func:`render_pdf` looked up when it runs (a test replaces it)."""
    return render_pdf(html)


def _warm_up() -> None:
    """Import WeasyPrint and print one line in the pages' font, so the libraries and the
    fonts are loaded before the first page (and shared by the processes forked after)."""
    try:
        weasyprint = import_weasyprint()
    except PdfUnavailable:
        return  # render_pdf says what is missing, in the error it sends back
    weasyprint.HTML(string='<p style="font-family: DejaVu Sans">0 <b>0</b></p>').write_pdf()


# ---------------------------------------------------------------- the cache


@cache
def _printer_versions() -> bytes:
    """What else the bytes of a PDF depend on: the printing libraries' versions (read from
    their package data, without importing them)."""
    found = []
    for package in ("weasyprint", "pydyf", "fonttools"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} -")
    return "\n".join(found).encode()


class PdfCache:
    """PDFs printed before, one file per page: ``<sha256 of the HTML and versions>.pdf``.

    A statement's HTML holds everything printed on it (the figures, the date, the
    stylesheet), so the same HTML prints the same bytes. Files are written whole (a
    temporary file renamed), so a reader never sees half of one; a file that does not look
    like a whole PDF is ignored. A folder that cannot be written just means no cache.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._trimmed = False

    @classmethod
    def default(cls) -> PdfCache:
        """``$RETAINER_CACHE_DIR`` if set (empty: none), else the user's cache folder."""
        chosen = os.environ.get(CACHE_VARIABLE)
        if chosen is not None:
            return cls(Path(chosen) if chosen else None)
        import platformdirs

        return cls(Path(platformdirs.user_cache_dir("retainer")) / "pdf")

    @staticmethod
    def key(html: str) -> str:
        """The file name (without ``.pdf``) of the page's PDF."""
        return hashlib.sha256(_printer_versions() + b"\n" + html.encode("utf-8")).hexdigest()

    def _path(self, html: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{self.key(html)}.pdf"

    def get(self, html: str) -> bytes | None:
        path = self._path(html)
        if path is None:
            return None
        try:
            pdf = path.read_bytes()
            os.utime(path)  # used: the newest are the ones kept
        except OSError:
            return None
        return pdf if pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") else None

    def put(self, html: str, pdf: bytes) -> None:
        path = self._path(html)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        except OSError:
            return  # a cache that cannot be written is no cache, never a failure
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(pdf)
            os.replace(temporary, path)
        except OSError:  # a full disk: no half file left behind
            Path(temporary).unlink(missing_ok=True)
            return
        if not self._trimmed:  # once per command: listing the folder per PDF adds up
            self._trimmed = True
            self._trim()

    def _trim(self) -> None:
        """Keep the newest ``CACHE_SIZE`` files."""
        assert self.folder is not None
        try:
            files = list(self.folder.glob("*.pdf"))
            if len(files) <= CACHE_SIZE:
                return
            files.sort(key=lambda path: path.stat().st_mtime, reverse=True)
            for old in files[CACHE_SIZE:]:
                old.unlink(missing_ok=True)
        except OSError:
            return


def print_pdf(html: str, pdf_cache: PdfCache | None = None) -> bytes:
    """The page as PDF: from the cache if it was printed before, else printed (and kept)."""
    kept = pdf_cache if pdf_cache is not None else PdfCache.default()
    pdf = kept.get(html)
    if pdf is None:
        pdf = render_pdf(html)
        kept.put(html, pdf)
    return pdf


# ---------------------------------------------------------------- many pages, every core


class PdfPrinter:
    """Prints many pages to PDF on every core.

    A command that prints many starts the printer before it reads the books: a printing
    process imports WeasyPrint on the other core meanwhile, then forks one worker per core,
    which start with WeasyPrint loaded. Pages printed before come from the cache, and when
    every page does, the printing process is stopped unused. Use it as a context manager; on
    one core it prints in this process.
    """

    def __init__(self, pdf_cache: PdfCache | None = None) -> None:
        self.cache = pdf_cache if pdf_cache is not None else PdfCache.default()
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._sent = False
        if (os.cpu_count() or 1) < 2:
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")  # it starts with our code imported
        self._conn, theirs = context.Pipe()
        self._process = context.Process(
            target=_printing_house, args=(theirs, self._conn), name="retainer-pdf"
        )
        self._process.start()
        theirs.close()  # only the printing process holds its end: a close is the other's EOF

    def print_all(self, pages: Sequence[str]) -> list[bytes]:
        """Each page's PDF, in order."""
        printed: list[bytes | None] = [self.cache.get(html) for html in pages]
        missing = [i for i, pdf in enumerate(printed) if pdf is None]
        if missing:
            fresh = self._print([pages[i] for i in missing])
            for i, pdf in zip(missing, fresh, strict=True):
                printed[i] = pdf
                self.cache.put(pages[i], pdf)
        return cast("list[bytes]", printed)

    def _print(self, pages: list[str]) -> list[bytes]:
        if self._conn is None:
            return [render_pdf(html) for html in pages]
        self._sent = True
        self._conn.send(pages)
        try:
            printed = self._conn.recv()
        except EOFError:
            raise RuntimeError("the PDF printing process ended without an answer") from None
        if isinstance(printed, BaseException):
            raise printed
        return cast("list[bytes]", printed)

    def close(self) -> None:
        if self._conn is not None and self._process is not None:
            if not self._sent:
                self._process.terminate()  # unused: no need to wait for its WeasyPrint import
            self._conn.close()  # a printing process waiting for pages ends on this
            self._process.join(5)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._conn = self._process = None

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _printing_house(conn: Connection, commands: Connection) -> None:
    """The printing process: WeasyPrint loaded once, then the pages it is sent printed on
    every core, the longest first so the cores finish together. ``commands`` is the
    command's end of the pipe, which the fork copied here: closed, so the command's close
    ends the wait."""
    commands.close()
    _warm_up()
    try:
        pages: list[str] = conn.recv()
    except EOFError:  # closed before anything was sent: nothing to print
        return
    try:
        workers = min(os.cpu_count() or 1, len(pages))
        if workers < 2:
            conn.send([render_pdf(html) for html in pages])
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            longest_first = sorted(range(len(pages)), key=lambda i: -len(pages[i]))
            futures = {i: pool.submit(_render_one, pages[i]) for i in longest_first}
            conn.send([futures[i].result() for i in range(len(pages))])
    except Exception as exc:  # PdfUnavailable, or a bug: the command says it
        conn.send(exc)
