"""The time-entry format: read by the plugin, written by the importers, from one definition."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from support import WriteBooks

from plugins.billing.model import TimeEntry
from plugins.timeentry import allowed_keys, parse_time_entry, render, to_custom

ACME = """\
client: acme-dental
terms:
  - from: 2026-01-01
    rates: {remote: 100, onsite: 100}
    after_hours_multiplier: 2
"""


def _time_entries(text: str) -> list[data.Custom]:
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    return [e for e in entries if isinstance(e, data.Custom)]


def test_rendered_text_parses_back_to_the_same_entry_with_every_key() -> None:
    entry = TimeEntry(
        datetime.date(2026, 1, 6),
        "acme-dental",
        "onsite",
        D("1.5"),
        staff="alice",
        after_hours=True,
        billable=False,
        note='Switch "core" \\ rack',
        id="toggl:31",
        start="09:30",
        project="website",
    )
    text = render(entry)
    assert text == (
        '2026-01-06 custom "time" "acme-dental" "onsite" 1.5\n'
        '  staff: "alice"\n'
        '  note: "Switch \\"core\\" \\\\ rack"\n'
        '  id: "toggl:31"\n'
        "  after-hours: TRUE\n"
        "  billable: FALSE\n"
        '  start: "09:30"\n'
        '  project: "website"\n'
    )
    (custom,) = _time_entries(text)
    parsed = parse_time_entry(custom)
    assert isinstance(parsed, TimeEntry)
    assert parsed._replace(filename=None, lineno=0) == entry
    # beangulp's directive carries the same values and metadata as the parsed text.
    made = to_custom(entry)
    assert made.values == custom.values
    assert {k: v for k, v in made.meta.items() if k not in ("filename", "lineno")} == {
        k: v for k, v in custom.meta.items() if k not in ("filename", "lineno")
    }


def test_defaults_are_not_written() -> None:
    entry = TimeEntry(datetime.date(2026, 1, 7), "acme-dental", "remote", D("0.25"))
    assert render(entry) == '2026-01-07 custom "time" "acme-dental" "remote" 0.25\n'


def test_control_characters_are_never_written_raw() -> None:
    entry = TimeEntry(
        datetime.date(2026, 1, 6),
        "acme-dental",
        "remote",
        D(1),
        note="first line\nsecond\x00 \x1b[31mred\x1b[0m\u2028end",
        id='toggl:1\n2026-01-07 custom "time" "acme-dental" "remote" 99',
    )
    text = render(entry)
    # One directive of three lines: nothing the note or id held started a new line.
    assert text.count("\n") == 3
    assert "\x00" not in text and "\x1b" not in text and "\u2028" not in text
    (custom,) = _time_entries(text)
    assert custom.meta["note"] == "first line second\ufffd \ufffd[31mred\ufffd[0m end"
    assert custom.meta["id"].startswith("toggl:1 2026-01-07 custom")


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("after_hours: TRUE", "'after_hours' (did you mean 'after-hours'?)"),
        ('staf: "alice"', "'staf' (did you mean 'staff'?)"),
        ('notes: "x"', "'notes' (did you mean 'note'?)"),
        ('colour: "red"', "'colour' on a time entry; allowed:"),
    ],
)
def test_a_misspelt_key_is_an_error_that_names_the_key(write_books: WriteBooks, line: str, hint: str) -> None:
    books = write_books(
        f'2026-01-06 custom "time" "acme-dental" "remote" 1\n  {line}\n', {"acme-dental": ACME}
    )
    (error,) = books.errors_named("TimeEntryError")
    assert error.source["lineno"] == 2
    assert hint in error.message
    assert "time_metadata:" in error.message
    # The misspelt entry is not billed at all: 0, not 100 or 200 (a silent wrong bill).
    assert books.posted("Income:Clients:AcmeDental:Hourly", "2026-01") == D(0)


def test_keys_listed_under_time_metadata_are_allowed(write_books: WriteBooks) -> None:
    books = write_books(
        '2026-01-06 custom "time" "acme-dental" "remote" 1\n  ticket: "T-7"\n',
        {"acme-dental": ACME},
        "accrue_through: 2026-01\ntime_metadata: [ticket]\n",
    )
    assert books.errors == []
    # 1 h remote at 100.
    assert books.posted("Income:Clients:AcmeDental:Hourly", "2026-01") == D("-100")


def test_allowed_keys_are_the_builtin_ones_plus_the_practice_ones() -> None:
    assert allowed_keys(["ticket"]) >= {"staff", "after-hours", "project", "start", "ticket"}
    assert "ticket" not in allowed_keys()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('start: "9:30"', "start must be a quoted 24-hour time"),
        ("start: 930", "start must be a quoted 24-hour time"),
        ("project: 5", "project must be a quoted project id"),
    ],
)
def test_start_and_project_are_checked(write_books: WriteBooks, line: str, message: str) -> None:
    books = write_books(
        f'2026-01-06 custom "time" "acme-dental" "remote" 1\n  {line}\n', {"acme-dental": ACME}
    )
    (error,) = books.errors_named("TimeEntryError")
    assert error.message.startswith(message)


def test_a_time_entry_without_values_is_a_clean_error_in_bean_check(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "acme-dental.yaml").write_text(ACME, encoding="utf-8")
    (tmp_path / "contracts" / "practice.yaml").write_text("accrue_through: 2026-01\n", encoding="utf-8")
    (tmp_path / "ledger").mkdir()
    ledger = tmp_path / "ledger" / "main.beancount"
    ledger.write_text(
        'plugin "plugins.retainer" "../contracts"\n2026-01-06 custom "time"\n', encoding="utf-8"
    )
    run = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(ledger)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert f"{ledger}:2: a time entry needs 3 values (client, kind, hours), got 0" in run.stderr
    # bean-check printed every error instead of dying while printing ours. (Beancount's own
    # pad plugin still reports a traceback of its own for such an entry: upstream.)
    assert "printer.py" not in run.stderr


@pytest.mark.parametrize(
    ("practice", "message"),
    [
        ("date_order: yes-first\n", "date_order must be day-first or month-first"),
        ("time_metadata: [Ticket]\n", "'Ticket' is not a metadata key"),
        ("time_metadata: ticket\n", "time_metadata must be a list"),
        ("onsite_words: [[a]]\n", "must be a single value"),
        ("after_hour_words: [x]\n", "did you mean 'after_hours_words'"),
    ],
)
def test_importer_settings_in_practice_yaml_are_strict(
    write_books: WriteBooks, practice: str, message: str
) -> None:
    books = write_books("", {"acme-dental": ACME}, "accrue_through: 2026-01\n" + practice)
    (error,) = books.errors_named("PracticeError")
    assert error.source["lineno"] == 2
    assert message in error.message
