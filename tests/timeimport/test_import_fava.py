"""Importing from the browser: a copy of the demo, an export dropped in ``imports/``, real Fava.

Fava's import API (``import-config`` = ``importers/config.py``) lists and previews the
dropped file; the Import time page (``importers.fava_import``) writes it into the books
with the rules and refusals of ``retainer import``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from fava.application import create_app
from flask.testing import FlaskClient
from support import copy_demo

ROOT = Path(__file__).resolve().parents[2]
SLUG = "northwind-it-services"
EXPORT = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,"
    "Duration,Tags\n"
    "Alice Moreau,alice@example.com,Kestrel Auto,Support,,Dropped export one,Yes,2026-10-20,09:00:00,"
    "2026-10-20,10:30:00,01:30:00,On-site\n"
    "Bob Tanaka,bob@example.com,Greenleaf CPA,Support,,Dropped export two,No,2026-10-21,14:00:00,"
    "2026-10-21,14:20:00,00:20:00,\n"
)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo books copied to ``tmp_path``, with the beangulp configuration beside them."""
    copy_demo(tmp_path)
    return tmp_path


def _client(demo: Path) -> tuple[FlaskClient, Any]:
    app = create_app([str(demo / "ledger" / "main.beancount")], load=True)
    app.testing = True
    return app.test_client(), app


def _time_entries(app: Any) -> list[data.Custom]:
    ledger = app.config["LEDGERS"][SLUG]
    ledger.load_file()
    return [e for e in ledger.all_entries if isinstance(e, data.Custom) and e.type == "time"]


def test_a_dropped_export_is_listed_previewed_and_imported_into_the_books(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETAINER_LEDGER", raising=False)
    dropped = demo / "imports" / "toggl-october.csv"
    dropped.write_text(EXPORT, encoding="utf-8")
    client, app = _client(demo)
    before = len(_time_entries(app))

    # Fava's import page lists the file with the importer that claims it.
    listed = client.get(f"/{SLUG}/api/imports").get_json()["data"]
    (entry,) = [f for f in listed if f["basename"] == "toggl-october.csv"]
    assert [i["importer_name"] for i in entry["importers"]] == ["retainer.toggl"]

    # ... and previews what it holds, through the beangulp configuration.
    extracted = client.get(
        f"/{SLUG}/api/extract", query_string={"filename": str(dropped), "importer": "retainer.toggl"}
    ).get_json()["data"]
    assert [(e["t"], e["type"], e["date"]) for e in extracted] == [
        ("Custom", "time", "2026-10-20"),
        ("Custom", "time", "2026-10-21"),
    ]

    # The Import time page shows the dry run and its button writes the entries.
    page = client.get(f"/{SLUG}/extension/ImportTime/").get_data(as_text=True)
    assert "toggl-october.csv" in page and "Import 2 entries into the books" in page
    # Alice and Bob are demo staff: no warning about unknown staff.
    assert "staff not in contracts/practice.yaml" not in page
    done = client.post(f"/{SLUG}/extension/ImportTime/import_file", data={"filename": str(dropped)})
    assert done.status_code == 303
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "toggl-october.csv: added 2 entries, skipped 0 already in the books" in shown

    after = _time_entries(app)
    assert len(after) == before + 2
    new = [e for e in after if str(e.meta.get("note", "")).startswith("Dropped export")]
    # 01:30:00 = 1.5 h on site for Kestrel Auto; 00:20:00 = 0.333333 h, not billable.
    assert [(e.values[0].value, e.values[1].value, str(e.values[2].value), e.meta["staff"]) for e in new] == [
        ("kestrel-auto", "onsite", "1.5", "alice"),
        ("greenleaf-cpa", "remote", "0.333333", "bob"),
    ]
    assert new[1].meta["billable"] is False
    assert client.get(f"/{SLUG}/api/errors").get_json()["data"] == []

    # Fava's preview now marks both as duplicates (a marker Fava can send as JSON).
    again_extracted = client.get(
        f"/{SLUG}/api/extract", query_string={"filename": str(dropped), "importer": "retainer.toggl"}
    )
    assert again_extracted.status_code == 200
    assert [bool(e["meta"].get("__duplicate__")) for e in again_extracted.get_json()["data"]] == [True, True]

    # Importing the same file again adds nothing.
    again = client.post(f"/{SLUG}/extension/ImportTime/import_file", data={"filename": str(dropped)})
    assert "added 0 entries, skipped 2 already in the books" in client.get(
        again.headers["Location"]
    ).get_data(as_text=True)


def test_a_refused_export_shows_its_reasons_and_writes_nothing(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RETAINER_LEDGER", raising=False)
    dropped = demo / "imports" / "typo.csv"
    dropped.write_text(EXPORT.replace("Kestrel Auto", "Kestrel Autto"), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (demo / "ledger" / "time").iterdir()}
    client, _ = _client(demo)
    page = client.get(f"/{SLUG}/extension/ImportTime/").get_data(as_text=True)
    assert "typo.csv:2: unknown client &#34;Kestrel Autto&#34;" in page
    assert "refused: some rows cannot be placed (1 problem)" in page
    assert "into the books</button>" not in page
    done = client.post(f"/{SLUG}/extension/ImportTime/import_file", data={"filename": str(dropped)})
    assert "refused" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert {p.name: p.read_bytes() for p in (demo / "ledger" / "time").iterdir()} == before
    # Fava's own extract gives the same refusal, as an error, not entries.
    extracted = client.get(
        f"/{SLUG}/api/extract", query_string={"filename": str(dropped), "importer": "retainer.toggl"}
    )
    assert extracted.status_code != 200 or "error" in extracted.get_json()
    assert "unknown client" in extracted.get_data(as_text=True)


def test_only_files_in_the_import_folders_can_be_imported(demo: Path) -> None:
    outside = demo / "elsewhere.csv"
    outside.write_text(EXPORT, encoding="utf-8")
    client, _ = _client(demo)
    done = client.post(f"/{SLUG}/extension/ImportTime/import_file", data={"filename": str(outside)})
    assert "not a file in the import folders" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_the_page_warns_about_staff_not_in_practice_yaml(demo: Path) -> None:
    (demo / "imports" / "new-tech.csv").write_text(
        EXPORT.replace("Alice Moreau,alice@", "Zed Quill,zed@"), encoding="utf-8"
    )
    client, _ = _client(demo)
    page = client.get(f"/{SLUG}/extension/ImportTime/").get_data(as_text=True)
    assert "staff not in contracts/practice.yaml (add under staff:): zed-quill: {name: Zed Quill}" in page


def test_the_import_page_warns_of_time_dated_in_a_closed_month(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo ships 2025-11 to 2026-03 closed: a dropped export with a January row says so
    before it is imported, as `retainer import` does."""
    monkeypatch.delenv("RETAINER_LEDGER", raising=False)
    late = EXPORT.replace("2026-10-20", "2026-01-20")
    (demo / "imports" / "toggl-late.csv").write_text(late, encoding="utf-8")
    client, _ = _client(demo)
    page = client.get(f"/{SLUG}/extension/ImportTime/").get_data(as_text=True)
    assert "1 entry is dated in closed months (2026-01)" in page
    assert "retainer adjust" in page
