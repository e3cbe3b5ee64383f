"""Tracker layouts are data: one matcher reads every layout, and a new one is a table entry."""

from __future__ import annotations

from pathlib import Path

from importers.csvfile import Columns
from importers.layouts import CLOCKIFY, HARVEST, KIMAI, LAYOUTS, TOGGL, Layout, detect
from importers.reader import read_export


def _detected(header: str) -> str | None:
    found = detect(Columns(header.split(",")), LAYOUTS)
    return found[0].name if found else None


def test_each_tracker_is_told_apart_by_the_columns_it_knows() -> None:
    toggl = (
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
        "End time,Duration,Tags"
    )
    clockify = (
        "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,"
        "End Date,End Time,Duration (h),Duration (decimal)"
    )
    harvest = "Date,Client,Project,Project Code,Task,Notes,Hours,Billable?,First Name,Last Name"
    kimai = "Date,From,To,Duration,User,Customer,Project,Activity,Description,Billable,Tags"
    assert [_detected(h) for h in (toggl, clockify, harvest, kimai)] == [
        "toggl",
        "clockify",
        "harvest",
        "kimai",
    ]
    # Without a date, a duration (or start and end) and a client or project: none.
    assert _detected("Name,Phone") is None
    assert _detected("Date,Client,Notes") is None


def test_a_new_language_is_one_more_table_entry(tmp_path: Path) -> None:
    french = Layout(
        "kimai",
        "Kimai export",
        {
            **KIMAI.headers,
            "fr": {
                "date": ("Date",),
                "duration": ("Durée",),
                "client": ("Client",),
                "user": ("Utilisateur",),
                "description": ("Description",),
            },
        },
        seconds=True,
    )
    export = tmp_path / "kimai-fr.csv"
    export.write_text(
        "Date,Durée,Client,Utilisateur,Description\n2026-01-06,1:30,ACME,alice,Serveur\n", encoding="utf-8"
    )
    found = read_export(export, [french])
    assert found.problems == []
    assert [(r.client, str(r.hours), r.user) for r in found.rows] == [("ACME", "1.5", "alice")]
    # The built-in table does not know "Durée": refused as not a recognised export.
    assert "not a recognised export" in read_export(export).problems[0].message


def test_every_layout_names_only_known_fields() -> None:
    from importers.layouts import FIELDS

    for layout in (TOGGL, CLOCKIFY, HARVEST, KIMAI):
        for headers in layout.headers.values():
            assert set(headers) <= set(FIELDS), layout.name


def test_the_readme_lists_every_column_each_tracker_reads() -> None:
    readme = (Path(__file__).resolve().parents[2] / "importers" / "README.md").read_text(encoding="utf-8")
    table = readme.split("### The columns read")[1].split("###")[0]
    for layout in LAYOUTS:
        for language, headers in layout.headers.items():
            assert f"({language})" in table
            for what, names in headers.items():
                if what != "other":
                    for name in names:
                        assert name in table, (layout.name, language, what, name)
