"""The same importers through beangulp's own CLI, ``importers/config.py`` and Fava's loader."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser.grammar import ValueType
from beangulp import Ingest
from beangulp.extract import DUPLICATE
from beangulp.identify import identify
from click.testing import CliRunner
from fava.core.ingest import load_import_config

from importers.ingest import ImportRefused, TimeImporter, importers
from scripts.cli import main
from timeimport.support_books import Books

CONFIG = Path(__file__).resolve().parents[2] / "importers" / "config.py"


@pytest.mark.parametrize(
    ("name", "importer"),
    [
        ("toggl_detailed.csv", "retainer.toggl"),
        ("toggl_us_ampm.csv", "retainer.toggl"),
        ("clockify_detailed.csv", "retainer.clockify"),
        ("clockify_newer_semicolon.csv", "retainer.clockify"),
        ("harvest_time_report.csv", "retainer.harvest"),
        ("kimai_export.csv", "retainer.kimai"),
        ("not_an_export.csv", None),
    ],
)
def test_each_export_is_claimed_by_exactly_one_importer(
    books: Books, name: str, importer: str | None
) -> None:
    found = identify(importers(books.ledger), str(books.export(name)))  # raises if two claim it
    assert (found.name if found else None) == importer


def test_extract_gives_the_entries_retainer_import_writes(books: Books) -> None:
    entries = TimeImporter("kimai", books.ledger).extract(str(books.export("kimai_export.csv")), [])
    first = entries[0]
    assert isinstance(first, data.Custom)
    assert (first.date, first.type) == (datetime.date(2026, 1, 19), "time")
    assert first.values == [
        ValueType("acme-dental", str),
        ValueType("onsite", str),
        ValueType(Decimal("1.5"), Decimal),
    ]
    assert first.meta["staff"] == "carol" and first.meta["lineno"] == 2
    assert entries[1].meta["after-hours"] is True and entries[1].meta["billable"] is False


def test_dedup_is_by_id_never_by_amount_and_date(books: Books) -> None:
    importer = TimeImporter("harvest", books.ledger)
    path = str(books.export("harvest_time_report.csv"))
    entries = importer.extract(path, [])
    # A different half hour for the same client on the same day is not a duplicate,
    # though beangulp's default comparison of amounts within two days would say so.
    other = data.Custom(
        data.new_metadata("hand.beancount", 1, {"id": "manual:1"}),
        datetime.date(2026, 1, 15),
        "time",
        [ValueType("acme-dental", str), ValueType("remote", str), ValueType(Decimal("0.5"), Decimal)],
    )
    importer.deduplicate(entries, [other])
    assert not any(DUPLICATE in entry.meta for entry in entries)
    # Once the export is in the books, every entry of it is a duplicate.
    assert CliRunner().invoke(main, ["import", "--ledger", str(books.ledger), path]).exit_code == 0
    existing, errors, _ = loader.load_file(str(books.ledger))
    assert errors == []
    importer.deduplicate(entries, existing)
    assert all(DUPLICATE in entry.meta for entry in entries)


def test_beangulp_extract_comments_out_entries_already_in_the_books(books: Books) -> None:
    first = books.export("toggl_detailed.csv")
    result = CliRunner().invoke(main, ["import", "--ledger", str(books.ledger), str(first)])
    assert result.exit_code == 0, result.output
    cli = Ingest(importers(books.ledger)).cli
    extracted = CliRunner().invoke(
        cli, ["extract", "-e", str(books.ledger), str(books.export("toggl_overlap.csv"))]
    )
    assert extracted.exit_code == 0, extracted.output
    out = extracted.stdout
    # Two rows of the overlap are in the books already: printed as comments.
    assert out.count("; duplicate of ") == 2
    assert '; 2026-01-10 custom "time" "acme-dental" "remote" 1.091667' in out
    assert '\n2026-01-09 custom "time" "acme-dental" "remote" 1\n' in out
    assert '\n2026-01-06 custom "time" "acme-dental" "remote" 0.25\n' in out


def test_a_bad_export_is_refused_with_every_problem(books: Books) -> None:
    with pytest.raises(ImportRefused) as refused:
        TimeImporter("toggl", books.ledger).extract(str(books.export("bad_toggl.csv")), [])
    # The heading and four rows (the zero-duration row 7 is not work: skipped, not refused).
    assert str(refused.value).count("bad_toggl.csv:") == 5


def test_config_py_runs_as_beangulp_script(books: Books, tmp_path: Path) -> None:
    env = {**os.environ, "RETAINER_LEDGER": str(books.ledger), "RETAINER_DATE_ORDER": "day-first"}
    result = subprocess.run(
        [sys.executable, str(CONFIG), "extract", str(books.export("harvest_day_first.csv"))],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '2026-02-03 custom "time" "acme-dental" "remote" 1\n  staff: "alice"' in result.stdout


def test_fava_accepts_the_import_config(books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAINER_LEDGER", str(books.ledger))
    loaded = load_import_config(CONFIG)
    assert sorted(loaded.importers) == [
        "retainer.clockify",
        "retainer.generic",
        "retainer.harvest",
        "retainer.kimai",
        "retainer.toggl",
    ]


def test_a_practice_layout_claims_its_file_for_beangulp_as_for_retainer_import(tmp_path: Path) -> None:
    from timeimport.support_books import write_books

    # A column map naming Harvest-like columns: the pipeline reads the file with it, so
    # beangulp's generic importer claims it, and the Harvest one does not.
    books = write_books(
        tmp_path / "books",
        practice="importers: {generic: {name: sheet, columns: {date: Date, client: Client, hours: Hours}}}\n",
    )
    export = tmp_path / "sheet.csv"
    export.write_text("Date,Client,Hours,Notes\n2026-01-06,ACME,1.5,x\n", encoding="utf-8")
    found = identify(importers(books.ledger), str(export))
    assert found is not None and found.name == "retainer.generic"
    (entry,) = found.extract(str(export), [])
    assert entry.meta["id"].startswith("sheet:")
