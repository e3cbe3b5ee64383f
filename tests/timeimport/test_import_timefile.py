"""Month files: time-entry syntax, insert-only merges, ids found by text, written through plugins.writes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from beancount import loader

from importers.timefile import (
    HEADER,
    apply,
    ids_in,
    includes_time_glob,
    merge,
    plan,
    render,
    with_include,
)
from plugins.billing.model import TimeEntry
from plugins.writes import LOCK_NAME, books_lock


def entry(day: int, note: str = "", **changes: object) -> TimeEntry:
    values: dict[str, object] = {
        "date": datetime.date(2026, 1, day),
        "client": "acme-dental",
        "kind": "remote",
        "hours": Decimal("0.5"),
        "staff": "alice",
        "note": note or None,
        "id": f"toggl:{day}{note}",
    }
    values.update(changes)
    return TimeEntry(**values)  # type: ignore[arg-type]


def test_render_is_spec_3_with_optional_lines_only_when_set() -> None:
    full = entry(
        6,
        kind="onsite",
        hours=Decimal("1.5"),
        note='Said "hi" \\ left',
        id="toggl:6",
        after_hours=True,
        billable=False,
    )
    assert render(full) == (
        '2026-01-06 custom "time" "acme-dental" "onsite" 1.5\n'
        '  staff: "alice"\n'
        '  note: "Said \\"hi\\" \\\\ left"\n'
        '  id: "toggl:6"\n'
        "  after-hours: TRUE\n"
        "  billable: FALSE\n"
    )
    assert render(entry(7, staff=None, note="")) == (
        '2026-01-07 custom "time" "acme-dental" "remote" 0.5\n  id: "toggl:7"\n'
    )


def test_rendered_text_reads_back_as_the_same_entry() -> None:
    text = render(entry(6, note='quote " and backslash \\', after_hours=True, billable=False))
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    meta = entries[0].meta
    assert meta["note"] == 'quote " and backslash \\'
    assert (meta["after-hours"], meta["billable"]) == (True, False)
    assert ids_in(text) == {'toggl:6quote " and backslash \\'}


def test_a_new_file_gets_the_header_and_blank_lines_between_entries() -> None:
    text = merge("", [entry(6), entry(7)])
    assert text == HEADER + "\n" + render(entry(6)) + "\n" + render(entry(7))


def test_earlier_entries_go_above_the_first_entry_and_its_comments() -> None:
    old = (
        "; header of the file\n"
        "\n"
        "; the note that belongs to the 9th\n"
        '2026-01-09 custom "time" "acme-dental" "remote" 1\n'
        '  id: "x"\n'
    )
    new = merge(old, [entry(6), entry(10)])
    assert new == (
        "; header of the file\n"
        "\n"
        + render(entry(6))
        + "\n"
        + "; the note that belongs to the 9th\n"
        + '2026-01-09 custom "time" "acme-dental" "remote" 1\n'
        + '  id: "x"\n'
        + "\n"
        + render(entry(10))
    )


def test_same_day_entries_go_after_the_existing_ones_of_that_day() -> None:
    old = merge("", [entry(6, "a"), entry(8, "c")])
    new = merge(old, [entry(6, "b")])
    notes = [line for line in new.splitlines() if line.startswith("  note:")]
    assert notes == ['  note: "a"', '  note: "b"', '  note: "c"']


def test_include_glob_is_recognised_in_its_spellings() -> None:
    assert includes_time_glob('include "time/*.beancount"\n')
    assert includes_time_glob('option "title" "x"\ninclude "./time/*.beancount" ; imported\n')
    assert not includes_time_glob('; include "time/*.beancount"\n')
    assert not includes_time_glob('include "other/*.beancount"\n')
    assert with_include("plugin x") == (
        'plugin x\n\n; Time entries written by `retainer import`.\ninclude "time/*.beancount"\n'
    )


def test_ids_in_the_ledger_and_all_month_files_count_as_present(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'include "time/*.beancount"\n2026-01-02 custom "time" "a" "remote" 1\n  id: "in:ledger"\n'
    )
    (tmp_path / "time").mkdir()
    (tmp_path / "time" / "2025-12.beancount").write_text(render(entry(9, id="moved:here")))
    result = plan(ledger, [entry(2, id="in:ledger"), entry(9, id="moved:here"), entry(9, id="new")])
    assert result.duplicates == 2
    assert [e.id for e in result.added] == ["new"]
    assert list(result.files) == [tmp_path / "time" / "2026-01.beancount"]  # include present


def test_a_symlinked_month_file_stays_a_link_and_its_target_gets_the_entries(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "books" / "main.beancount"
    (tmp_path / "books" / "time").mkdir(parents=True)
    ledger.write_text('include "time/*.beancount"\n')
    target = tmp_path / "elsewhere" / "2026-01.beancount"
    target.parent.mkdir()
    target.write_text(render(entry(6)))
    link = tmp_path / "books" / "time" / "2026-01.beancount"
    link.symlink_to(target)
    with books_lock(ledger.parent) as books:
        apply(plan(ledger, [entry(7)]), books)
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text() == render(entry(6)) + "\n" + render(entry(7))
    assert [p.name for p in target.parent.iterdir()] == ["2026-01.beancount"]
    assert [p.name for p in link.parent.iterdir()] == ["2026-01.beancount"]
    assert sorted(p.name for p in ledger.parent.iterdir()) == [LOCK_NAME, "main.beancount", "time"]
