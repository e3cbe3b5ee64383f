"""Reading text as trackers write it: durations, dates, clock times, CSV quirks."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

import pytest

from importers.csvfile import parse_table, sniff_delimiter
from importers.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    DateOrder,
    Settled,
    parse_date,
    parse_time,
    settle_order,
    split_datetime,
)
from importers.durations import parse_duration
from plugins.timeentry import format_hours


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("1:30", "1.5"),
        ("01:30:00", "1.5"),
        ("0:20", "0.333333"),  # 20 min = 0.3333.. h, 6 decimals half-up
        ("00:40:00", "0.666667"),  # 40 min = 0.6666.. h, half-up
        ("1:05:30", "1.091667"),  # 3930 s = 1.0916666.. h: seconds round up
        ("0:00:30", "0.008334"),  # 30 s = 0.0083333.. h up, so x60 = 0.50004 min -> 1 min
        ("100:00:00", "100"),
        ("1,5", "1.5"),  # decimal comma
        ("1.50", "1.5"),
        (".25", "0.25"),
        ("2", "2"),
        ("0,17", "0.17"),
    ],
)
def test_durations_become_decimal_hours(text: str, hours: str) -> None:
    assert format_hours(parse_duration(text)) == hours


@pytest.mark.parametrize("text", ["1h30", "", "-1", "1:75", "abc", "1.5.2"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_hours_never_print_with_an_exponent() -> None:
    assert format_hours(Decimal("1E+2")) == "100"
    assert format_hours(Decimal("1.500000")) == "1.5"


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("2026-01-06", None, datetime.date(2026, 1, 6)),
        ("2026/01/06", None, datetime.date(2026, 1, 6)),
        ("13/01/2026", None, datetime.date(2026, 1, 13)),  # day > 12 settles itself
        ("01/13/2026", None, datetime.date(2026, 1, 13)),
        ("03/02/2026", DAY_FIRST, datetime.date(2026, 2, 3)),
        ("03/02/2026", MONTH_FIRST, datetime.date(2026, 3, 2)),
        ("19.01.2026", DAY_FIRST, datetime.date(2026, 1, 19)),
        ("03.02.2026", None, datetime.date(2026, 2, 3)),  # dotted: day first, as evidence() says
        ("1/6/2026", MONTH_FIRST, datetime.date(2026, 1, 6)),
    ],
)
def test_dates(text: str, order: DateOrder | None, day: datetime.date) -> None:
    assert parse_date(text, order) == day


@pytest.mark.parametrize(
    ("text", "order"),
    [("03/02/2026", None), ("31/02/2026", DAY_FIRST), ("2026-13-45", None), ("yesterday", None)],
)
def test_bad_or_undecided_dates_are_refused(text: str, order: DateOrder | None) -> None:
    with pytest.raises(ValueError):
        parse_date(text, order)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("09:00", datetime.time(9, 0)),
        ("19:30:00", datetime.time(19, 30)),
        ("9:00 AM", datetime.time(9, 0)),
        ("06:30 PM", datetime.time(18, 30)),
        ("12:00 AM", datetime.time(0, 0)),
        ("12:30 pm", datetime.time(12, 30)),
        ("2026-01-06 09:15:00", datetime.time(9, 15)),
        ("2026-01-06T09:15:00", datetime.time(9, 15)),
    ],
)
def test_clock_times(text: str, moment: datetime.time) -> None:
    assert parse_time(text) == moment


@pytest.mark.parametrize("text", ["25:00", "13:00 PM", "noon"])
def test_bad_clock_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_split_datetime_keeps_plain_dates_whole() -> None:
    assert split_datetime("2026-01-06 09:00") == ("2026-01-06", "09:00")
    assert split_datetime("06.01.2026") == ("06.01.2026", "")


def _settle(
    dates: Sequence[str], override: DateOrder | None = None, standing: DateOrder | None = None
) -> Settled:
    """Settle a file whose rows (from line 2) hold these dates."""
    return settle_order(enumerate(dates, 2), override, standing)


def test_a_day_above_twelve_settles_the_whole_file() -> None:
    assert _settle(["03/02/2026", "13/02/2026"]).order == DAY_FIRST
    assert _settle(["03/02/2026", "02/13/2026"]).order == MONTH_FIRST


def test_twelve_hour_times_settle_nothing_but_date_order_does() -> None:
    # AM/PM is used day-first too (UK, Australia, India): only the dates count, so an
    # ambiguous file with 12-hour times is refused, and practice.yaml's date_order decides.
    settled = _settle(["01/06/2026"])
    assert settled.order is None and "date_order" in (settled.problem or "")
    assert _settle(["01/06/2026"], standing=DAY_FIRST).order == DAY_FIRST
    # Evidence in the file beats the standing order; a flag beats both.
    assert _settle(["01/13/2026"], standing=DAY_FIRST).order == MONTH_FIRST
    assert _settle(["01/13/2026"], DAY_FIRST, MONTH_FIRST).order == DAY_FIRST


def test_dotted_dates_are_day_first() -> None:
    assert _settle(["03.02.2026"]).order == DAY_FIRST


def test_an_ambiguous_file_is_refused_with_the_flags_to_use() -> None:
    settled = _settle(["03/02/2026", "04/02/2026"])
    assert settled.order is None
    assert settled.line == 2
    assert "--day-first" in (settled.problem or "")


def test_contradicting_dates_are_refused_with_both_lines() -> None:
    settled = _settle(["13/02/2026", "02/13/2026"])
    assert settled.order is None
    assert "line 2" in (settled.problem or "") and "line 3" in (settled.problem or "")


def test_a_flag_beats_the_evidence() -> None:
    assert _settle(["13/02/2026"], override=MONTH_FIRST).order == MONTH_FIRST


def test_an_ambiguous_file_names_both_flags_and_the_practice_setting() -> None:
    problem = _settle(["03/02/2026"]).problem or ""
    assert "--day-first or --month-first" in problem
    assert "date_order: day-first (or month-first) in contracts/practice.yaml" in problem


def test_two_digit_years_are_this_century() -> None:
    assert parse_date("7/27/22", None) == datetime.date(2022, 7, 27)
    assert parse_date("27.07.22", None) == datetime.date(2022, 7, 27)
    assert _settle(["7/27/22", "8/1/22"]).order == MONTH_FIRST


def test_13_13_2026_is_not_a_date_rather_than_undecided() -> None:
    with pytest.raises(ValueError, match="neither number can be the month"):
        parse_date("13/13/2026", None)


def test_iso_only_files_need_no_order() -> None:
    settled = _settle(["2026-01-06"])
    assert settled.order is None and settled.problem is None


def test_csv_bom_crlf_and_header_names() -> None:
    table = parse_table(b"\xef\xbb\xbfUser,Email\r\nAlice,a@x\r\n", "f.csv")
    assert table.header == ["User", "Email"]
    assert [(r.line, r.fields) for r in table.records] == [(2, ["Alice", "a@x"])]


def test_semicolons_are_sniffed_outside_quotes() -> None:
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter('"Date";"Hours, total";"User"') == ";"
    assert sniff_delimiter("Date\tHours") == "\t"


def test_records_are_numbered_by_their_first_line() -> None:
    text = b'Date,Notes\n2026-01-06,"two\nlines"\n\n2026-01-07,after a blank line\n,\n'
    table = parse_table(text, "f.csv")
    assert [(r.line, r.fields) for r in table.records] == [
        (2, ["2026-01-06", "two\nlines"]),
        (5, ["2026-01-07", "after a blank line"]),
    ]


def test_short_rows_are_padded_and_wide_rows_reported() -> None:
    table = parse_table(b"A,B,C\n1\n1,2,3,4\n1,2,3,\n", "f.csv")
    assert [r.fields for r in table.records] == [["1", "", ""], ["1", "2", "3"]]
    assert [line for line, _ in table.malformed] == [3]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_table(b"\n\n", "f.csv")
