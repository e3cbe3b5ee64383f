"""Fava extension ``importers.fava_import``: import a dropped time export from the browser.

Enable it in the ledger, with the folder exports are dropped into::

    2025-01-01 custom "fava-option" "import-dirs" "../imports"
    2026-01-01 custom "fava-extension" "importers.fava_import"

Fava's own import page lists the dropped files and previews them through the beangulp
configuration (``import-config``), but Fava 1.30 stores only transactions, balances and
notes from it, never ``custom "time"`` entries. This page does the rest with the same
machinery as ``retainer import``: it shows what each file would add (or why it is
refused), and its button writes the entries into ``time/YYYY-MM.beancount``, all or
nothing, skipping what is already in the books.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlencode

from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, redirect, request, url_for

from importers.pipeline import BooksError, ImportRun, load_books, read_exports
from importers.reader import identify
from importers.timefile import Plan, apply, plan
from plugins.billing.model import TimeEntry
from plugins.closing import late_time_warning
from plugins.writes import WriteError, books_lock


@dataclass
class DroppedFile:
    """One file of the drop folder: what importing it would do, or why it cannot."""

    path: Path
    title: str | None = None
    entries: list[TimeEntry] = field(default_factory=list)
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class ImportTime(FavaExtensionBase):
    """The files in Fava's import folders that are time exports, and a button for each."""

    report_title = "Import time"

    def page_url(self) -> str:
        """This page's URL (its endpoints are below it)."""
        return url_for("extension_report", extension_name=self.name)

    def ledger_path(self) -> Path:
        return Path(self.ledger.beancount_file_path)

    def folders(self) -> list[Path]:
        return [Path(self.ledger.join_path(folder)) for folder in self.ledger.fava_options.import_dirs]

    def dropped(self) -> list[DroppedFile]:
        """Every time export in the import folders, with a dry run of importing it."""
        found: list[DroppedFile] = []
        for folder in self.folders():
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if identify(path) is not None or path.suffix.lower() in (".csv", ".xlsx"):
                    found.append(self._preview(path))
        return found

    def _run(self, path: Path) -> tuple[ImportRun | None, Plan | None, list[str]]:
        try:
            books = load_books(self.ledger_path())
        except BooksError as exc:
            return None, None, [str(exc)]
        run = read_exports([path], books, None)
        if run.problems:
            count = len(run.problems)
            lines = [str(problem) for problem in run.problems]
            return run, None, [*lines, f"refused: {run.refusal} ({count} problem{'s' if count != 1 else ''})"]
        return run, plan(self.ledger_path(), run.time_entries(), legacy_ids=run.legacy_ids()), []

    def _preview(self, path: Path) -> DroppedFile:
        run, result, problems = self._run(path)
        shown = DroppedFile(path, problems=problems)
        if run is not None and run.files and run.files[0].source is not None:
            shown.title = run.files[0].source.title
            shown.skipped = dict(run.files[0].skipped_by)
        if result is not None:
            shown.entries = result.added
            shown.duplicates = result.duplicates + result.repeated
            shown.warnings = [
                f"{entry.date} {entry.client} {entry.hours} h {entry.staff or ''} looks like the entry at"
                f" {where} (another id)"
                for entry, where in result.look_alikes
            ]
            late = late_time_warning([entry.date for entry in result.added], self.ledger_path())
            if late is not None:
                shown.warnings.append(late)
        if run is not None and run.unknown_staff:
            names = ", ".join(f"{key}: {{name: {name}}}" for key, name in sorted(run.unknown_staff.items()))
            shown.warnings.append(f"staff not in contracts/practice.yaml (add under staff:): {names}")
        return shown

    def _in_a_folder(self, name: str) -> Path | None:
        """The named file, only when it lies inside one of the import folders."""
        path = Path(name).resolve()
        for folder in self.folders():
            if path.is_file() and path.is_relative_to(folder.resolve()):
                return path
        return None

    @extension_endpoint("import_file", ["POST"])  # type: ignore[arg-type]  # Fava types the factory as a union
    def import_file(self) -> Response:
        """Import one dropped file (``filename`` in the form), then show the page again."""
        path = self._in_a_folder(request.form.get("filename", ""))
        message = "not a file in the import folders" if path is None else self._import(path)
        page = self.page_url()
        return cast("Response", redirect(f"{page}?{urlencode({'message': message})}", code=303))

    def _import(self, path: Path) -> str:
        """Import ``path`` as ``retainer import`` does: under the books' lock, after
        completing any interrupted write, planned against the books as they are then."""
        try:
            with books_lock(self.ledger_path().parent) as books:
                said = books.recover()
                _, result, problems = self._run(path)
                if result is None:
                    return problems[-1] if problems else "refused"
                apply(result, books)
        except WriteError as exc:
            return str(exc)
        skipped = result.duplicates + result.repeated
        done = f"{path.name}: added {len(result.added)} entries, skipped {skipped} already in the books"
        return " ".join([*said, done])
