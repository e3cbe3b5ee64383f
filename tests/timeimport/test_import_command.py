"""``retainer import`` as a user runs it: files written, re-imports, refusals, flags."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from scripts.cli import main
from timeimport.support_books import LEDGER, Books

ID = re.compile(r'  id: "toggl:[0-9a-f]{16}"\n')

# toggl_detailed.csv as the books hold it (see test_import_sources for each value).
JANUARY = """\
; Time entries imported by `retainer import` (see docs/reference.md, 3). Edit freely:
; re-importing never changes a line, and skips every entry whose id is already in the books.

2026-01-06 custom "time" "acme-dental" "onsite" 1.5
  staff: "alice"
  note: "Replaced switch in \\"server\\" room"
  id: "<id>"
  after-hours: TRUE

2026-01-07 custom "time" "acme-dental" "remote" 0.333333
  staff: "bob"
  note: "Password reset"
  id: "<id>"
  billable: FALSE

2026-01-08 custom "time" "beta-law" "onsite" 0.75
  staff: "dana-smith"
  note: "Printer install"
  id: "<id>"

2026-01-08 custom "time" "beta-law" "remote" 0.5
  staff: "alice"
  note: "Backup check \\\\ nightly"
  id: "<id>"
  after-hours: TRUE

2026-01-10 custom "time" "acme-dental" "remote" 1.091667
  staff: "alice"
  note: "Weekend patching"
  id: "<id>"
  after-hours: TRUE
"""


def retainer(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def import_(books: Books, *names: str, flags: tuple[str, ...] = ()) -> Result:
    files = [str(books.export(name)) for name in names]
    return retainer("import", "--ledger", str(books.ledger), *flags, *files)


def test_first_import_writes_the_month_file_and_the_include(books: Books) -> None:
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 0, result.output
    text = (books.time / "2026-01.beancount").read_text(encoding="utf-8")
    assert ID.sub('  id: "<id>"\n', text) == JANUARY
    assert len(set(ID.findall(text))) == 5
    assert books.ledger.read_text(encoding="utf-8") == LEDGER + (
        '\n; Time entries written by `retainer import`.\ninclude "time/*.beancount"\n'
    )
    assert "Rows read: 5. Added 5 entries; skipped 0 duplicates" in result.stdout
    assert "acme-dental" in result.stdout and "beta-law" in result.stdout


def test_summary_gives_hours_added_per_client(books: Books) -> None:
    result = import_(books, "harvest_time_report.csv")
    # acme-dental: 1.25 + 0.5 + 0.5 = 2.25; beta-law: 2 + 0.75 = 2.75.
    assert re.search(r"acme-dental\s+2\.25\n", result.stdout), result.stdout
    assert re.search(r"beta-law\s+2\.75\n", result.stdout), result.stdout


def test_reimporting_the_same_export_changes_no_byte(books: Books) -> None:
    assert import_(books, "toggl_detailed.csv").exit_code == 0
    before = books.snapshot()
    again = import_(books, "toggl_detailed.csv")
    assert again.exit_code == 0, again.output
    assert "Added 0 entries; skipped 5 duplicates" in again.stdout
    assert books.snapshot() == before


def test_an_overlapping_export_adds_only_new_entries_between_the_old_lines(books: Books) -> None:
    assert import_(books, "toggl_detailed.csv").exit_code == 0
    path = books.time / "2026-01.beancount"
    old = path.read_text(encoding="utf-8")
    result = import_(books, "toggl_overlap.csv")
    assert result.exit_code == 0, result.output
    assert "Added 2 entries; skipped 2 duplicates" in result.stdout
    new = path.read_text(encoding="utf-8")
    # The new text is the old text plus two whole entries: no old line changed or moved.
    new_blocks = new.split("\n\n")
    added = [block for block in new_blocks if "Early check" in block or "New laptop" in block]
    assert [block for block in new_blocks if block not in added] == old.split("\n\n")
    assert [ID.sub('  id: "<id>"\n', block + "\n") for block in added] == [
        '2026-01-06 custom "time" "acme-dental" "remote" 0.25\n'
        '  staff: "bob"\n  note: "Early check"\n  id: "<id>"\n',
        '2026-01-09 custom "time" "acme-dental" "remote" 1\n'
        '  staff: "bob"\n  note: "New laptop"\n  id: "<id>"\n',
    ]
    dated = [line[:10] for line in new.splitlines() if line[:4] == "2026"]
    # The 07:30 entry of 6 January goes after the 6 January entry already there.
    assert dated == [
        "2026-01-06",
        "2026-01-06",
        "2026-01-07",
        "2026-01-08",
        "2026-01-08",
        "2026-01-09",
        "2026-01-10",
    ]
    assert new.index("Early check") > new.index("Replaced switch")


def test_two_overlapping_files_in_one_command_add_each_entry_once(books: Books) -> None:
    result = import_(books, "toggl_detailed.csv", "toggl_overlap.csv")
    assert result.exit_code == 0, result.output
    assert "Rows read: 9. Added 7 entries; skipped 2 duplicates" in result.stdout


def test_entries_go_to_one_file_per_month(books: Books) -> None:
    result = import_(books, "harvest_day_first.csv", flags=("--month-first",))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in books.time.iterdir()) == ["2026-03.beancount", "2026-04.beancount"]


def test_a_file_with_any_bad_row_is_refused_whole(books: Books) -> None:
    before = books.snapshot()
    result = import_(books, "toggl_detailed.csv", "bad_toggl.csv")
    assert result.exit_code == 1
    bad = str(books.root / "exports" / "bad_toggl.csv")
    lines = result.stderr.splitlines()
    # Row 7 (0:00:00) is not work: skipped and counted, it does not refuse the file.
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [f"{bad}:{n}" for n in (3, 4, 5, 6)]
    assert lines[0].endswith('(hint: add "Acme Dentl" to aliases in contracts/acme-dental.yaml)')
    assert lines[-1] == (
        "retainer import: refused: some rows cannot be placed (4 problems); nothing was written"
    )
    assert books.snapshot() == before  # not even the good file's entries


def test_an_ambiguous_file_is_refused_without_a_flag(books: Books) -> None:
    before = books.snapshot()
    result = import_(books, "harvest_day_first.csv")
    assert result.exit_code == 1
    assert "harvest_day_first.csv:2: dates like 03/02/2026" in result.stderr
    assert "--day-first or --month-first" in result.stderr
    assert books.snapshot() == before
    result = import_(books, "harvest_day_first.csv", flags=("--day-first",))
    assert result.exit_code == 0, result.output
    assert (books.time / "2026-02.beancount").exists()


def test_dry_run_writes_nothing(books: Books) -> None:
    before = books.snapshot()
    result = import_(books, "toggl_detailed.csv", flags=("--dry-run",))
    assert result.exit_code == 0, result.output
    assert "Would add 5 entries" in result.stdout
    assert 'would add include "time/*.beancount"' in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert books.snapshot() == before


def test_broken_contracts_are_reported_and_nothing_imported(books: Books) -> None:
    contract = books.contracts / "beta-law.yaml"
    contract.write_text(contract.read_text().replace("rates:", "ratez:"), encoding="utf-8")
    before = books.snapshot()
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 1
    assert "beta-law.yaml:7: unknown key 'ratez'" in result.stderr
    assert "the contracts have problems" in result.stderr
    assert books.snapshot() == before


def test_a_ledger_without_the_plugin_line_is_refused(books: Books) -> None:
    books.ledger.write_text('option "title" "No plugin"\n', encoding="utf-8")
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 1
    assert 'no plugin "plugins.retainer" line' in result.stderr


def test_a_missing_ledger_is_named(books: Books, tmp_path: Path) -> None:
    export = str(books.export("toggl_detailed.csv"))
    result = retainer("import", "--ledger", str(tmp_path / "nope.beancount"), export)
    assert result.exit_code == 1
    assert "no such ledger file" in result.stderr


def test_entries_merge_into_a_hand_edited_month_file(books: Books) -> None:
    books.time.mkdir()
    hand = (
        "; January, checked by hand\n"
        "\n"
        "; the big outage\n"
        '2026-01-08 custom "time" "beta-law" "remote" 3 ; fixed by hand\n'
        '  id: "manual:1"\n'
        "\n"
        '2026-01-02 custom "time" "acme-dental" "remote" 1\n'
        "; trailing comment without newline"
    )
    path = books.time / "2026-01.beancount"
    path.write_text(hand, encoding="utf-8")
    books.ledger.write_text(LEDGER + 'include "time/*.beancount"\n', encoding="utf-8")
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 0, result.output
    new = path.read_text(encoding="utf-8")
    lines = new.splitlines()
    # Old lines kept in order; each new entry lands after the last entry *in the file*
    # dated on or before its day: here the 2 January entry, the file being out of order.
    remaining = iter(lines)
    assert all(any(line == old for line in remaining) for old in hand.splitlines())
    dated = [line[:10] for line in lines if line[:4] == "2026"]
    assert dated == [
        "2026-01-08",
        "2026-01-02",
        "2026-01-06",
        "2026-01-07",
        "2026-01-08",
        "2026-01-08",
        "2026-01-10",
    ]
    assert lines[-1] == "; trailing comment without newline"
    assert books.ledger.read_text(encoding="utf-8").count("include") == 1


def test_help_explains_the_command() -> None:
    result = retainer("import", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for words in (
        "--ledger",
        "--dry-run",
        "--day-first",
        "--month-first",
        "Toggl",
        "Clockify",
        "Harvest",
        "Kimai",
        "nothing is written",
    ):
        assert words in text, words
    assert "import" in retainer("--help").output


def test_both_date_flags_at_once_is_a_usage_error(books: Books) -> None:
    result = import_(books, "harvest_day_first.csv", flags=("--day-first", "--month-first"))
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_entries_moved_to_an_included_archive_are_not_imported_again(books: Books) -> None:
    assert import_(books, "toggl_detailed.csv").exit_code == 0
    archive = books.root / "ledger" / "archive"
    archive.mkdir()
    (books.time / "2026-01.beancount").rename(archive / "2026-01.beancount")
    # main includes an index, which includes every file beside it (itself too: a cycle).
    (archive / "index.beancount").write_text('include "*.beancount"\n', encoding="utf-8")
    with books.ledger.open("a", encoding="utf-8") as ledger:
        ledger.write('include "archive/index.beancount"\n')
    before = books.snapshot()
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 0, result.output
    assert "Added 0 entries; skipped 5 duplicates" in result.stdout
    assert books.snapshot() == before


def test_crlf_files_keep_every_line_and_get_crlf_lines(books: Books) -> None:
    books.time.mkdir()
    month = books.time / "2026-01.beancount"
    month.write_bytes(
        b"; kept on Windows\r\n\r\n"
        b'2026-01-07 custom "time" "acme-dental" "remote" 2\r\n  id: "manual:7"\r\n'
    )
    books.ledger.write_bytes(LEDGER.replace("\n", "\r\n").encode())
    old = {path: path.read_bytes() for path in (month, books.ledger)}
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 0, result.output
    for path, before in old.items():
        after = path.read_bytes()
        remaining = iter(after.splitlines(keepends=True))
        assert all(any(line == kept for line in remaining) for kept in before.splitlines(keepends=True))
        assert after.count(b"\n") == after.count(b"\r\n") > before.count(b"\n"), path
    assert books.ledger.read_bytes().endswith(b'include "time/*.beancount"\r\n')


def test_the_include_is_added_when_month_files_exist_even_with_nothing_new(books: Books) -> None:
    assert import_(books, "toggl_detailed.csv").exit_code == 0
    books.ledger.write_text(LEDGER, encoding="utf-8")  # the include line removed by hand
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 0, result.output
    assert "Added 0 entries; skipped 5 duplicates" in result.stdout
    assert 'added include "time/*.beancount"' in result.stdout
    assert books.ledger.read_text(encoding="utf-8") == LEDGER + (
        '\n; Time entries written by `retainer import`.\ninclude "time/*.beancount"\n'
    )


def test_a_month_file_that_is_not_utf8_is_a_one_line_refusal(books: Books) -> None:
    books.time.mkdir()
    (books.time / "2026-01.beancount").write_bytes(b'; ok\n; caf\xe9\n')
    before = books.snapshot()
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 1
    assert not isinstance(result.exception, UnicodeDecodeError)
    path = books.time / "2026-01.beancount"
    assert result.stderr.splitlines() == [
        f"retainer import: {path}:2: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]
    assert books.snapshot() == before


def test_an_unreadable_month_file_is_a_one_line_refusal(books: Books) -> None:
    (books.time / "2026-01.beancount").mkdir(parents=True)  # a folder where a file goes
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 1
    assert not isinstance(result.exception, OSError)
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"retainer import: {books.time / '2026-01.beancount'}: ")
    assert "Is a directory" in lines[0]


def test_same_day_entries_are_written_by_start_time_then_those_without_one(books: Books) -> None:
    # The export lists the day's rows as: no start, 15:00, 09:00.
    result = import_(books, "toggl_same_day.csv")
    assert result.exit_code == 0, result.output
    text = (books.time / "2026-01.beancount").read_text(encoding="utf-8")
    notes = [line for line in text.splitlines() if line.startswith("  note:")]
    assert notes == ['  note: "Morning update"', '  note: "Afternoon call"', '  note: "No start time"']


def test_a_ledger_that_is_not_utf8_is_a_one_line_refusal(books: Books) -> None:
    books.ledger.write_bytes(b'option "title" "caf\xe9"\n' + LEDGER.encode())
    result = import_(books, "toggl_detailed.csv")
    assert result.exit_code == 1
    assert not isinstance(result.exception, UnicodeDecodeError)
    assert result.stderr.splitlines() == [
        f"retainer import: {books.ledger}:1: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]
