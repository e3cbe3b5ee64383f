"""Hostile or damaged exports: one clear located reason each, never a traceback or a misreading."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from importers.pipeline import load_books, read_exports
from scripts.cli import main
from timeimport.support_books import Books, rows_of

HEADER = "Date,Client,Project,Task,Notes,Hours,First Name,Last Name\n"


def _problems(books: Books, export: Path) -> list[tuple[int, str]]:
    result = read_exports([export], load_books(books.ledger))
    return [(p.where.lineno, p.message) for p in result.problems]


def test_a_csv_field_over_131072_characters_is_one_located_problem(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "huge.csv"
    export.write_text(HEADER + f'2026-01-06,ACME,P,T,"{"x" * 140_000}",1,Alice,Moreau\n', encoding="utf-8")
    (problem,) = _problems(books, export)
    assert problem[0] == 0
    assert problem[1].startswith("cannot read the export: line 2: field larger than field limit (131072)")
    result = CliRunner().invoke(main, ["import", "--ledger", str(books.ledger), str(export)])
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_a_23_digit_duration_is_a_bad_duration_not_a_crash(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "digits.csv"
    export.write_text(
        HEADER + "2026-01-06,ACME,P,T,n,12345678901234567890123,Alice,Moreau\n", encoding="utf-8"
    )
    assert _problems(books, export) == [
        (2, "bad duration: '12345678901234567890123' has too many digits to be a duration")
    ]


def test_a_truncated_last_csv_row_is_refused_not_read_as_other_hours(books: Books, tmp_path: Path) -> None:
    # The file stops inside the duration: "01:3" must not become 1:03 (1.05 h).
    cut_duration = tmp_path / "cut.csv"
    cut_duration.write_text(
        "Date,Client,Project,Task,Notes,First Name,Last Name,Hours\n"
        "2026-01-06,ACME,P,T,n,Alice,Moreau,01:30\n"
        "2026-01-07,ACME,P,T,n,Alice,Moreau,01:3",
        encoding="utf-8",
    )
    assert [line for line, _ in _problems(books, cut_duration)] == [3]
    assert "bad duration: '01:3'" in _problems(books, cut_duration)[0][1]
    # Cut before the last columns: fewer fields than the header, and no line end.
    cut_row = tmp_path / "cut-row.csv"
    cut_row.write_text(
        HEADER + "2026-01-06,ACME,P,T,n,1,Alice,Moreau\n2026-01-07,ACME,P,T,n,1,Ali", encoding="utf-8"
    )
    (problem,) = _problems(books, cut_row)
    assert problem == (
        3,
        "the last row is cut short (7 of 8 fields and no line end): the file was not saved whole;"
        " export it again",
    )


def test_a_last_row_without_a_line_end_but_whole_is_read(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "no-newline.csv"
    export.write_text(HEADER + "2026-01-06,ACME,P,T,,1.5,Alice,", encoding="utf-8")
    assert rows_of(read_exports([export], load_books(books.ledger))) == [
        ("2026-01-06", "acme-dental", "remote", "1.5", "alice", None, False, True)
    ]


def test_one_bad_byte_in_a_utf8_file_is_refused_not_read_as_cp1252(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "bad-byte.csv"
    export.write_bytes(
        (HEADER + "2026-01-06,ACME,P,T,Café,1,Zoë,Moreau\n").encode("utf-8")
        + b"2026-01-07,ACME,P,T,caf\xe9,1,Alice,Moreau\n"
    )
    (problem,) = _problems(books, export)
    assert problem[1].startswith(
        "cannot read the export: line 3: byte 0xe9 is not UTF-8, though the rest of the file is"
    )


def test_a_cp1252_file_from_old_excel_is_still_read(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "excel.csv"
    export.write_bytes((HEADER + "2026-01-06,ACME,P,T,Café,1,Alice,Moreau\n").encode("cp1252"))
    assert [row[5] for row in rows_of(read_exports([export], load_books(books.ledger)))] == ["Café"]


def test_13_13_2026_says_it_is_not_a_date(books: Books, tmp_path: Path) -> None:
    export = tmp_path / "thirteen.csv"
    export.write_text(HEADER + "13/13/2026,ACME,P,T,n,1,Alice,Moreau\n", encoding="utf-8")
    assert _problems(books, export) == [
        (2, "bad date: '13/13/2026' is not a valid date: neither number can be the month")
    ]


def test_a_newline_or_escape_in_a_tracker_id_never_reaches_the_month_file(
    books: Books, tmp_path: Path
) -> None:
    export = tmp_path / "ids.csv"
    export.write_text(
        "Date,Client,Project,Task,Notes,Hours,First Name,Last Name,ID\n"
        '2026-01-06,ACME,P,T,"note\x1b[2J",1,Alice,Moreau,"7\n2026-01-06 custom ""time"" ""x"""\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["import", "--ledger", str(books.ledger), str(export)]).exit_code == 0
    text = (books.time / "2026-01.beancount").read_text(encoding="utf-8")
    assert "\x1b" not in text
    # One entry: the id's newline became a space, its quotes are escaped inside the string.
    assert text.count('custom "time"') == 1
    assert '  id: "harvest:7 2026-01-06 custom \\"time\\" \\"x\\""\n' in text
    again = runner.invoke(main, ["import", "--ledger", str(books.ledger), str(export)])
    assert "Added 0 entries; skipped 1 duplicate already in the books." in again.stdout


def test_an_unknown_yaml_tag_under_importers_is_one_located_practice_error(tmp_path: Path) -> None:
    from timeimport.support_books import PRACTICE, write_books

    books = write_books(tmp_path / "books", practice=PRACTICE + "importers:\n  generic: !foo {columns: {}}\n")
    result = read_exports([books.export("toggl_detailed.csv")], load_books(books.ledger))
    (problem,) = result.problems
    assert problem.kind == "PracticeError"
    # Line 7 holds the tag (line 6 is "importers:").
    assert problem.where.filename.endswith("practice.yaml") and problem.where.lineno == 7
    assert "importers: YAML tag '!foo' is not supported; remove it" in problem.message
