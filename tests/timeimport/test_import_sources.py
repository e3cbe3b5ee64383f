"""Each tracker's real export layout, awkward variants included, read into time entries.

Expected entries are worked out by hand from the sample files in ``data/`` against the
books of ``timeimport.support_books``: Acme Dental (aliases Acme Dental, ACME), Beta Law Office
(alias Beta Law), staff alice = Alice Moreau, bob = Robert Tanaka / Bob Tanaka, business
hours Mon-Fri 08:00-18:00. Each tuple is (date, client, kind, hours, staff, note,
after-hours, billable).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from importers.reader import read_export
from timeimport.support_books import Books, entries, run, write_books


def test_toggl_detailed_report_with_bom_and_crlf(books: Books) -> None:
    assert entries(books, "toggl_detailed.csv") == [
        # Tagged "On-site, after-hours": onsite, after-hours; 01:30:00 = 1.5 h.
        (
            "2026-01-06",
            "acme-dental",
            "onsite",
            "1.5",
            "alice",
            'Replaced switch in "server" room',
            True,
            True,
        ),
        # "Acme Dental LLC" is the contract's name; Billable No; 20 min = 0.333333 h.
        ("2026-01-07", "acme-dental", "remote", "0.333333", "bob", "Password reset", False, False),
        # No client: the project "Beta Law" is an alias; task "Site visit" = onsite; Dana unknown.
        ("2026-01-08", "beta-law", "onsite", "0.75", "dana-smith", "Printer install", False, True),
        # Started 19:30 on a Thursday: after business hours.
        ("2026-01-08", "beta-law", "remote", "0.5", "alice", "Backup check \\ nightly", True, True),
        # Saturday: after-hours; 01:05:30 = 3930 s = 1.091666.. h, rounded up at 6 places.
        ("2026-01-10", "acme-dental", "remote", "1.091667", "alice", "Weekend patching", True, True),
    ]


def test_toggl_us_export_with_am_pm_needs_month_first(books: Books) -> None:
    # 01/06/2026 and 01/12/2026 read both ways, and 12-hour times settle nothing (day-first
    # countries use them too): refused without a flag, right with --month-first.
    refused = run(books, "toggl_us_ampm.csv")
    assert [p.where.lineno for p in refused.problems] == [2]
    assert "--day-first or --month-first" in refused.problems[0].message
    assert entries(books, "toggl_us_ampm.csv", "month-first") == [
        ("2026-01-06", "acme-dental", "remote", "1.25", "bob", "Email migration", False, True),
        # 06:30 PM on Monday 12 January is after 18:00.
        ("2026-01-12", "acme-dental", "remote", "0.5", "bob", "Evening update", True, True),
    ]


def test_clockify_detailed_report_prefers_the_exact_duration(books: Books) -> None:
    # 01/13/2026 has a day above 12: month first for the whole file.
    assert entries(books, "clockify_detailed.csv") == [
        # 00:40:00 = 0.666667 h, not the rounded "0.67" of Duration (decimal).
        ("2026-01-09", "beta-law", "onsite", "1.5", "carol-ng", "Server rack", True, True),
        ("2026-01-13", "acme-dental", "remote", "0.666667", "alice", "Firewall rules", False, True),
    ]


def test_clockify_newer_layout_with_semicolons_and_decimal_commas(books: Books) -> None:
    result = run(books, "clockify_newer_semicolon.csv")
    assert result.rows_read == 3 and result.skipped == 1  # the BREAK row is not client work
    assert entries(books, "clockify_newer_semicolon.csv") == [
        # 02/01/2026 is 2 January: 14/01/2026 elsewhere in the file says day first.
        # Duration (h) is empty here, so Duration (decimal) "0,17" is used.
        ("2026-01-02", "beta-law", "remote", "0.17", "bob", "Call with partner", False, True),
        ("2026-01-14", "acme-dental", "remote", "1.75", "bob", "VPN setup", False, True),
    ]


def test_harvest_time_report_uses_hours_not_hours_rounded(books: Books) -> None:
    assert entries(books, "harvest_time_report.csv") == [
        # Hours 1.25 (Hours Rounded says 1.5: rounding is the contract's business).
        ("2026-01-15", "acme-dental", "onsite", "1.25", "alice", "Replaced UPS battery", False, True),
        # The same work twice on one day is two entries.
        ("2026-01-15", "acme-dental", "remote", "0.5", "alice", "Patch review", False, True),
        ("2026-01-15", "acme-dental", "remote", "0.5", "alice", "Patch review", False, True),
        # Harvest has no tags: the task "After-hours support" says it.
        ("2026-01-16", "beta-law", "remote", "2", "bob", "Restore after outage", True, True),
        ("2026-01-16", "beta-law", "remote", "0.75", "dana-smith", "Docs", False, False),
    ]
    ids = [e.id for e in run(books, "harvest_time_report.csv").time_entries()]
    assert len(set(ids)) == 5 and ids[2] == f"{ids[1]}-2"


def test_harvest_ambiguous_dates_need_a_flag(books: Books) -> None:
    refused = run(books, "harvest_day_first.csv")
    assert [str(p).split(": ", 1)[0] for p in refused.problems] == [
        str(books.root / "exports" / "harvest_day_first.csv") + ":2"
    ]
    assert "--day-first or --month-first" in refused.problems[0].message
    assert [e[0] for e in entries(books, "harvest_day_first.csv", "day-first")] == [
        "2026-02-03",
        "2026-02-04",
    ]
    assert [e[0] for e in entries(books, "harvest_day_first.csv", "month-first")] == [
        "2026-03-02",
        "2026-04-02",
    ]


def test_kimai_export_with_dotted_dates_and_mixed_durations(books: Books) -> None:
    assert entries(books, "kimai_export.csv") == [
        # Activity "On-site"; 1:30 = 1.5 h; user "carol" is not in practice.yaml.
        ("2026-01-19", "acme-dental", "onsite", "1.5", "carol", "Rack cleanup", False, True),
        # "0,25" decimal comma; Billable 0; tagged after-hours (and 21:00 is late anyway).
        ("2026-01-20", "beta-law", "remote", "0.25", "carol", "Alarm check", True, False),
    ]


GENERIC = """\
importers:
  generic:
    name: sheet
    columns: {date: Day, client: Customer, hours: Time, description: What, user: [First, Last],
              tags: Labels}
    date_format: "%d/%m/%Y"
"""


def test_generic_csv_described_in_practice_yaml(tmp_path: Path) -> None:
    books = write_books(tmp_path / "books", practice=GENERIC)
    assert entries(books, "generic_sheet.csv") == [
        ("2026-01-21", "acme-dental", "onsite", "2", "alice-moreau", "Server upgrade", False, True),
        ("2026-01-22", "beta-law", "remote", "0.5", "bob-tanaka", "Phone support", False, True),
    ]
    ids = [e.id or "" for e in run(books, "generic_sheet.csv").time_entries()]
    assert all(i.startswith("sheet:") for i in ids)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("importers: {generic: {columns: {client: C, hours: H}}}", "columns.date is required"),
        ("importers: {generic: {columns: {date: D, hours: H}}}", "columns.client or columns.project"),
        ("importers: {generic: {columns: {date: D, client: C}}}", "columns.hours"),
        ("importers: {generic: {columns: {date: D, client: C, hours: H, colour: X}}}", "'colour'"),
        ("importers: {generic: {columns: {date: D, client: C, hours: H}, date_format: dd}}", "strptime"),
        ("importers: {genric: {}}", "unknown key 'genric'"),
    ],
)
def test_generic_config_mistakes_are_practice_errors(tmp_path: Path, config: str, message: str) -> None:
    books = write_books(tmp_path / "books", practice=config + "\n")
    result = run(books, "generic_sheet.csv")
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.kind == "PracticeError"
    assert problem.where.filename.endswith("practice.yaml") and problem.where.lineno == 1
    assert message in problem.message


def test_an_unknown_layout_says_which_exports_are_read(books: Books) -> None:
    result = run(books, "not_an_export.csv")
    assert [p.where.lineno for p in result.problems] == [1]
    assert "not a recognised export (header: Name, Phone)" in result.problems[0].message


def test_every_problem_of_a_bad_file_is_listed_by_line(books: Books) -> None:
    result = run(books, "bad_toggl.csv")
    lines = [(p.where.lineno, p.message.split(":")[0].split(" (")[0]) for p in result.problems]
    assert lines == [
        (3, 'unknown client "Acme Dentl"'),
        (4, "bad date"),
        (5, "bad duration"),
        (6, "time for 'beta-law' on 2026-07-15 is after its contract ends"),
    ]
    # Row 7 (0:00:00, a timer clicked twice) is not work: skipped and counted instead.
    assert result.skipped == 1 and result.files[0].skipped_by == {"zero duration": 1}
    assert 'add "Acme Dentl" to aliases in contracts/acme-dental.yaml' in result.problems[0].message


def test_rows_are_ordered_by_date_then_start_time(books: Books) -> None:
    # toggl_overlap.csv lists 2026-01-09 before 2026-01-06: the books get date order.
    dates = [e.date for e in run(books, "toggl_overlap.csv").time_entries()]
    assert dates == sorted(dates)
    assert dates[0] == datetime.date(2026, 1, 6)


def test_the_end_time_is_read_only_when_the_duration_is_missing(tmp_path: Path) -> None:
    export = tmp_path / "toggl.csv"
    export.write_text(
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
        "End time,Duration,Tags\n"
        "Alice,a@x,ACME,P,,has a duration,Yes,2026-01-06,09:00:00,2026-01-06,soon,00:30:00,\n"
        "Alice,a@x,ACME,P,,end minus start,Yes,2026-01-06,10:00:00,2026-01-06,11:30:00,,\n"
        "Alice,a@x,ACME,P,,bad end needed,Yes,2026-01-06,12:00:00,2026-01-06,later,,\n",
        encoding="utf-8",
    )
    found = read_export(export)
    assert [(row.line, str(row.hours)) for row in found.rows] == [(2, "0.5"), (3, "1.5")]
    assert [(p.where.lineno, p.message.split(":")[0]) for p in found.problems] == [(4, "bad time")]
