"""Exports as people really have them: German headers, chosen columns, XLSX, odd rows.

Each sample in ``data/`` is written from the tracker's documented export format; the
expected entries are worked out by hand against ``timeimport.support_books`` (Acme Dental,
aliases Acme Dental/ACME; Beta Law, alias Beta Law; staff alice = Alice Moreau, bob =
Robert Tanaka; business hours Mon-Fri 08:00-18:00). Each tuple is (date, client, kind,
hours, staff, note, after-hours, billable).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest

from importers.pipeline import load_books, read_exports
from timeimport.support_books import PRACTICE, Books, entries, rows_of, run, write_books


def test_kimai_in_german_with_a_running_timer(books: Books) -> None:
    result = run(books, "kimai_de.csv")
    assert result.files[0].source is not None and result.files[0].source.name == "kimai"
    assert entries(books, "kimai_de.csv") == [
        # Tätigkeit "Vor Ort": onsite; Dauer 1:45 = 1.75 h; Abrechenbar "Ja".
        ("2026-01-19", "acme-dental", "onsite", "1.75", "alice", "Serverschrank aufgeräumt", False, True),
        # "0,25" decimal comma; "Nein" not billable; tagged after-hours (and 21:00 is late).
        ("2026-01-20", "beta-law", "remote", "0.25", "bob", "Alarm geprüft", True, False),
    ]
    # Row 4 was started (Von 08:30) but never stopped: not work, counted.
    assert result.files[0].skipped_by == {"running timer": 1}


def test_kimai_up_to_2_26_writes_durations_in_seconds(books: Books) -> None:
    assert entries(books, "kimai_seconds.csv") == [
        # 6300 s = 1.75 h; activity "vor-ort" is on site.
        ("2026-01-19", "acme-dental", "onsite", "1.75", "alice", "Rack cleanup", False, True),
        # 1800 s = 0.5 h.
        ("2026-01-20", "beta-law", "remote", "0.5", "bob", "Call", False, True),
    ]
    assert run(books, "kimai_seconds.csv").files[0].skipped_by == {"running timer": 1}


def test_clockify_in_german(books: Books) -> None:
    result = run(books, "clockify_de.csv")
    assert result.files[0].source is not None and result.files[0].source.name == "clockify"
    assert entries(books, "clockify_de.csv") == [
        # 13.01.2026 is dotted (day first); Aufgabe "vor-ort"; Dauer (h) 01:30:00 = 1.5 h.
        ("2026-01-13", "acme-dental", "onsite", "1.5", "alice", "Drucker eingerichtet", False, True),
        # 00:20:00 = 0.333333 h, not the rounded "0,33"; Abrechenbar "Nein".
        ("2026-01-14", "beta-law", "remote", "0.333333", "bob", "Telefonat", False, False),
    ]


def test_clockify_without_client_billable_or_duration_columns(books: Books) -> None:
    result = run(books, "clockify_partial.csv")
    assert result.files[0].source is not None and result.files[0].source.name == "clockify"
    assert entries(books, "clockify_partial.csv") == [
        # No Client column: the project names the client. Activity "On-site"; 09:00-10:15.
        ("2026-01-12", "acme-dental", "onsite", "1.25", "alice", "Switch swap", False, True),
        # No Billable column: billable. 11:00-11:30 = 0.5 h.
        ("2026-01-12", "beta-law", "remote", "0.5", "bob", "Mail check", False, True),
    ]
    # Row 4 has a start and neither an end nor a duration: a running timer, skipped.
    assert result.files[0].skipped_by == {"running timer": 1}


def test_toggl_with_chosen_columns(books: Books) -> None:
    assert entries(books, "toggl_chosen_columns.csv") == [
        ("2026-01-05", "acme-dental", "remote", "1.5", "alice", "Patch night", False, True),
        ("2026-01-06", "beta-law", "remote", "0.75", "bob", "Docs", False, True),
    ]


def test_day_first_dates_with_am_pm_are_refused_not_misread(books: Books) -> None:
    # 02/03/2026 and 09/03/2026 with 12-hour times: 2 and 9 March in the UK, 3 February and
    # 3 September in the US. AM/PM says nothing, so nothing is guessed.
    refused = run(books, "toggl_day_first_ampm.csv")
    assert [p.where.lineno for p in refused.problems] == [2]
    message = refused.problems[0].message
    assert "--day-first or --month-first" in message and "date_order" in message
    # --day-first: 2 March 09:00-10:00 and 9 March 14:00-14:30.
    assert entries(books, "toggl_day_first_ampm.csv", "day-first") == [
        ("2026-03-02", "acme-dental", "remote", "1", "alice", "Router reboot", False, True),
        ("2026-03-09", "acme-dental", "remote", "0.5", "alice", "Mail filter", False, True),
    ]


def test_date_order_in_practice_yaml_is_the_standing_answer(tmp_path: Path) -> None:
    books = write_books(tmp_path / "books", practice=PRACTICE + "date_order: day-first\n")
    assert [e[0] for e in entries(books, "toggl_day_first_ampm.csv")] == ["2026-03-02", "2026-03-09"]
    # A flag still beats it: month first reads 3 February and 3 September.
    assert [e[0] for e in entries(books, "toggl_day_first_ampm.csv", "month-first")] == [
        "2026-02-03",
        "2026-09-03",
    ]


def test_two_digit_years_and_a_totals_row(books: Books) -> None:
    result = run(books, "clockify_two_digit_year.csv")
    assert rows_of(result) == [
        # 1/27/26: 27 cannot be a month, so month first, 2026. 3:30 = 3.5 h.
        ("2026-01-27", "acme-dental", "remote", "3.5", "alice", "Backup test", False, True),
        # No duration: 12:00 PM to 12:30 PM = 0.5 h; Billable No.
        ("2026-01-28", "beta-law", "remote", "0.5", "bob", "Lunch", False, False),
    ]
    assert result.files[0].skipped_by == {"totals row": 1}


def test_break_and_time_off_rows_are_skipped_but_their_dates_settle_the_order(tmp_path: Path) -> None:
    books = write_books(tmp_path / "books")
    export = tmp_path / "clockify.csv"
    export.write_text(
        "Project,Client,Description,Task,User,Email,Tags,Type,Billable,Start Date,Start Time,"
        "End Date,End Time,Duration (h),Duration (decimal)\n"
        "Support,ACME,Work,,Alice Moreau,a@x,,REGULAR,Yes,02/01/2026,09:00,02/01/2026,10:00,01:00:00,1\n"
        "Support,ACME,,,Alice Moreau,a@x,,BREAK,No,14/01/2026,12:00,14/01/2026,12:30,00:30:00,0.5\n"
        "Support,ACME,,,Alice Moreau,a@x,,TIME_OFF,No,15/01/2026,,,,08:00:00,8\n"
        "Support,ACME,,,Alice Moreau,a@x,,HOLIDAY,No,16/01/2026,,,,08:00:00,8\n",
        encoding="utf-8",
    )
    result = read_exports([export], load_books(books.ledger))
    # 14/01/2026 (on a break row) has a day above 12: day first, so 02/01 is 2 January.
    assert rows_of(result) == [("2026-01-02", "acme-dental", "remote", "1", "alice", "Work", False, True)]
    assert result.files[0].skipped_by == {"break": 1, "time off": 1, "holiday": 1}


def _kimai_xlsx(path: Path) -> None:
    """Kimai's spreadsheet export: typed date, time and duration cells, a totals row last."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["Datum", "Von", "Bis", "Dauer", "Benutzer", "Kunde", "Projekt", "Tätigkeit", "Beschreibung"]
    )
    sheet.append(
        [
            datetime.date(2026, 2, 3),
            datetime.time(9, 0),
            datetime.time(10, 30),
            datetime.timedelta(hours=1, minutes=30),
            "alice",
            "Acme Dental",
            "Wartung",
            "Vor Ort",
            "USV getauscht",
        ]
    )
    sheet.append(
        [
            datetime.date(2026, 2, 4),
            datetime.time(14, 0),
            datetime.time(14, 20),
            datetime.timedelta(minutes=20),
            "bob",
            "Beta Law",
            "Support",
            "Support",
            "Drucker",
        ]
    )
    sheet.append([None, None, None, datetime.timedelta(hours=1, minutes=50), None, None, None, None, None])
    workbook.save(path)


def test_kimai_xlsx_with_its_totals_row(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "kimai.xlsx"
    _kimai_xlsx(export)
    result = read_exports([export], load_books(books.ledger))
    assert rows_of(result) == [
        # A date cell is a date: 3 February, no day/month question. 1:30:00 = 1.5 h.
        ("2026-02-03", "acme-dental", "onsite", "1.5", "alice", "USV getauscht", False, True),
        # 0:20:00 = 20 min = 0.333333 h.
        ("2026-02-04", "beta-law", "remote", "0.333333", "bob", "Drucker", False, True),
    ]
    assert result.files[0].skipped_by == {"totals row": 1}
    assert result.files[0].source is not None and result.files[0].source.name == "kimai"


def test_clockify_xlsx_with_decimal_hours_cells(books: Books, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Project", "Client", "Description", "User", "Billable", "Start Date", "Duration (decimal)"])
    sheet.append(["Support", "ACME", "Router", "Robert Tanaka", "Yes", datetime.date(2026, 1, 9), 1.25])
    export = tmp_path / "clockify.xlsx"
    workbook.save(export)
    result = read_exports([export], load_books(books.ledger))
    assert rows_of(result) == [("2026-01-09", "acme-dental", "remote", "1.25", "bob", "Router", False, True)]


def test_a_damaged_xlsx_is_one_clear_problem(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "broken.xlsx"
    export.write_bytes(b"PK\x03\x04 not really a workbook")
    result = read_exports([export], load_books(books.ledger))
    assert [(p.where.lineno, p.message.split(" (")[0]) for p in result.problems] == [
        (0, "cannot read the export: not a readable XLSX workbook")
    ]


ONSITE_PRACTICE = PRACTICE + "onsite_words: [sur site]\nafter_hours_words: [Bereitschaft]\n"


def test_practice_onsite_and_after_hours_words(tmp_path: Path) -> None:
    books = write_books(tmp_path / "books", practice=ONSITE_PRACTICE)
    export = tmp_path / "kimai.csv"
    export.write_text(
        "Date,From,To,Duration,User,Customer,Project,Activity,Description,Tags\n"
        "2026-01-19,09:00,10:00,1:00,alice,ACME,P,Sur site,Visite,\n"
        "2026-01-19,11:00,11:30,0:30,alice,ACME,P,Bereitschaft,Anruf,\n"
        "2026-01-19,12:00,12:30,0:30,alice,ACME,P,Support,Mail,\n",
        encoding="utf-8",
    )
    result = read_exports([export], load_books(books.ledger))
    assert [(e[2], e[6]) for e in rows_of(result)] == [("onsite", False), ("remote", True), ("remote", False)]


@pytest.mark.parametrize("word", ["Vor Ort", "vor-ort", "Vor-Ort-Termin", "On-site", "site visit"])
def test_german_and_english_on_site_words(books: Books, tmp_path: Path, word: str) -> None:
    export = tmp_path / "kimai.csv"
    export.write_text(
        "Date,From,To,Duration,User,Customer,Project,Activity,Description\n"
        f"2026-01-19,09:00,10:00,1:00,alice,ACME,P,{word},x\n",
        encoding="utf-8",
    )
    assert [e[2] for e in rows_of(read_exports([export], load_books(books.ledger)))] == ["onsite"]


def test_beangulp_and_fava_recognise_an_xlsx_export(books: Books, tmp_path: Path) -> None:
    from beangulp.identify import identify

    from importers.ingest import importers

    export = tmp_path / "kimai.xlsx"
    _kimai_xlsx(export)
    found = identify(importers(books.ledger), str(export))
    assert found is not None and found.name == "retainer.kimai"
    entries = found.extract(str(export), [])
    assert [str(e.values[2].value) for e in entries] == ["1.5", "0.333333"]


def test_xlsx_whole_hours_as_numbers_are_hours_and_whole_seconds_are_seconds(
    books: Books, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Date", "Duration", "User", "Customer", "Project", "Activity", "Description"])
    sheet.append([datetime.date(2026, 1, 19), 2.0, "alice", "ACME", "P", "Support", "decimal hours"])
    sheet.append([datetime.date(2026, 1, 20), 5400, "alice", "ACME", "P", "Support", "seconds"])
    export = tmp_path / "kimai.xlsx"
    workbook.save(export)
    # 2 is 2 hours (no entry lasts 2 seconds); 5400 can only be seconds (1.5 h): no entry
    # lasts more than 24 hours.
    assert [e[3] for e in rows_of(read_exports([export], load_books(books.ledger)))] == ["2", "1.5"]


def test_an_xlsx_report_with_a_title_above_its_columns(books: Books, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Detailed report"])
    sheet.append(["01/01/2026 - 31/01/2026"])
    sheet.append([])
    sheet.append(["Project", "Client", "Description", "User", "Start Date", "Duration (h)"])
    sheet.append(
        ["Support", "ACME", "Router", "Robert Tanaka", datetime.date(2026, 1, 9), datetime.time(0, 45)]
    )
    export = tmp_path / "clockify.xlsx"
    workbook.save(export)
    result = read_exports([export], load_books(books.ledger))
    # The title rows are not the header; line 5 is the first entry (0:45 = 0.75 h).
    assert rows_of(result) == [("2026-01-09", "acme-dental", "remote", "0.75", "bob", "Router", False, True)]
    assert result.time_entries()[0].lineno == 5
