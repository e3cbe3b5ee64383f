"""From a parsed export row to a time entry: clients, staff, kind, after-hours, ids."""

from __future__ import annotations

import datetime
from decimal import Decimal

from importers.mapping import (
    ClientIndex,
    Mapper,
    StaffIndex,
    is_after_hours,
    kind_of,
    stable_ids,
)
from importers.rows import ExportRow
from plugins.billing.model import BusinessHours, Contract, Practice, StaffMember, Terms

ACME = Contract(
    client="acme-dental",
    name="Acme Dental LLC",
    account="AcmeDental",
    currency="USD",
    terms=(Terms(start=datetime.date(2026, 1, 1)),),
    aliases=("Acme Dental", "ACME"),
    ends=datetime.date(2026, 6, 30),
    display_path="contracts/acme-dental.yaml",
)
PRACTICE = Practice(
    staff={
        "alice": StaffMember("alice", name="Alice Moreau", aliases=("amoreau",)),
        "bob": StaffMember("bob", name="Robert Tanaka", aliases=("Bob Tanaka",)),
        "al": StaffMember("al", name="Al Green"),
    },
    business_hours=BusinessHours(),
)


def row(**changes: object) -> ExportRow:
    """A Tuesday 10:00 one-hour Toggl row for Acme Dental, with ``changes``."""
    values: dict[str, object] = {
        "source": "toggl",
        "filename": "export.csv",
        "line": 2,
        "date": datetime.date(2026, 1, 6),
        "start": datetime.time(10, 0),
        "hours": Decimal(1),
        "client": "Acme Dental",
        "user": "Alice Moreau",
    }
    values.update(changes)
    return ExportRow(**values)  # type: ignore[arg-type]


def test_clients_match_id_name_and_aliases_in_any_case() -> None:
    index = ClientIndex({"acme-dental": ACME})
    for name in ("acme-dental", "ACME DENTAL LLC", " acme  dental ", "acme"):
        assert index.find(name) == [ACME], name
    assert index.find("Acme Dentl") == []
    assert index.nearest("Acme Dentl") == ACME


def test_staff_full_name_then_email_then_first_name_else_slug() -> None:
    staff = StaffIndex(PRACTICE)
    assert staff.find("Alice Moreau") == "alice"  # name
    assert staff.find("bob tanaka") == "bob"  # alias, any case
    assert staff.find("Robert Smith") == "robert-smith"  # first name "Robert" is nobody's key/alias
    assert staff.find("Alice Cooper") == "alice"  # first name = a staff key
    assert staff.find("", "amoreau@example.com") == "alice"  # e-mail local part = an alias
    assert staff.find("José Álvarez") == "jose-alvarez"
    assert staff.find("") is None


def test_kind_reads_tags_task_and_activity_but_not_the_description() -> None:
    assert kind_of(row(tags=("On-Site",))) == "onsite"
    assert kind_of(row(task="Site visit")) == "onsite"
    assert kind_of(row(activity="onsite support")) == "onsite"
    assert kind_of(row(tags=("on site",))) == "onsite"
    assert kind_of(row(description="Prepared the onsite visit")) == "remote"
    assert kind_of(row(tags=("nonsite",))) == "remote"


def test_after_hours_from_a_tag_or_the_start_against_business_hours() -> None:
    hours = BusinessHours()  # Mon-Fri 08:00-18:00
    assert is_after_hours(row(tags=("after-hours",)), None)
    assert is_after_hours(row(task="After hours support"), None)
    assert not is_after_hours(row(start=datetime.time(19, 0)), None)  # no business hours set
    assert not is_after_hours(row(start=datetime.time(8, 0)), hours)
    assert is_after_hours(row(start=datetime.time(7, 59)), hours)
    assert is_after_hours(row(start=datetime.time(18, 0)), hours)
    assert is_after_hours(row(date=datetime.date(2026, 1, 10)), hours)  # a Saturday
    assert not is_after_hours(row(start=None), hours)


def test_ids_come_from_the_tracker_else_a_stable_hash() -> None:
    first = row(description="Patch review")
    twin = row(description="Patch review")
    other = row(description="Patch review", hours=Decimal("0.5"))
    ids = stable_ids([first, twin, other, row(entry_id="3141592653")])
    assert ids[3] == "toggl:3141592653"
    assert ids[0].startswith("toggl:") and len(ids[0]) == len("toggl:") + 16
    assert ids[1] == ids[0] + "-2"  # the same work twice on one day: both kept
    assert ids[2] != ids[0]
    # Another export of the same rows (other file, other lines) gives the same ids.
    moved = [row(description="Patch review", filename="later.csv", line=40)]
    assert stable_ids(moved) == ids[:1]


def test_rows_that_cannot_be_placed_say_what_to_add_where() -> None:
    mapper = Mapper({"acme-dental": ACME}, PRACTICE)
    placed, problems = mapper.map_rows(
        [
            row(client="Acme Dentl"),
            row(client="", project=""),
            row(date=datetime.date(2025, 12, 31)),
            row(date=datetime.date(2026, 7, 1)),
            row(client="", project="ACME"),
        ]
    )
    assert [p.entry.client for p in placed] == ["acme-dental"]
    assert [str(p) for p in problems] == [
        'export.csv:2: unknown client "Acme Dentl" (hint: add "Acme Dentl" to aliases in'
        " contracts/acme-dental.yaml)",
        "export.csv:2: no client or project: set the client on the entry in the tracker",
        # The billing core's own words (rules.check_entry), plus where to fix an import.
        "export.csv:2: time for 'acme-dental' on 2025-12-31 is before its contract starts"
        " (2026-01-01): fix the date, or add an earlier term in contracts/acme-dental.yaml"
        " (hint: fix the date in the tracker and export again)",
        "export.csv:2: time for 'acme-dental' on 2026-07-01 is after its contract ends"
        " (2026-06-30): fix the date, or move 'ends' in contracts/acme-dental.yaml"
        " (hint: fix the date in the tracker and export again)",
    ]


def test_a_name_in_two_contracts_is_a_problem_not_a_guess() -> None:
    other = Contract(
        client="acme-labs",
        name="Acme Labs",
        account="AcmeLabs",
        currency="USD",
        terms=ACME.terms,
        aliases=("ACME",),
        display_path="contracts/acme-labs.yaml",
    )
    _, problems = Mapper({"acme-dental": ACME, "acme-labs": other}, PRACTICE).map_rows([row(client="acme")])
    assert len(problems) == 1
    assert "matches 2 contracts" in problems[0].message
    assert "contracts/acme-labs.yaml" in problems[0].message


def test_a_row_without_a_start_on_a_day_off_is_after_hours() -> None:
    hours = BusinessHours()  # Mon-Fri 08:00-18:00; Harvest rows have no start time
    assert is_after_hours(row(date=datetime.date(2026, 1, 10), start=None), hours)  # Saturday
    assert is_after_hours(row(date=datetime.date(2026, 1, 11), start=None), hours)  # Sunday
    assert not is_after_hours(row(date=datetime.date(2026, 1, 9), start=None), hours)  # Friday
    assert not is_after_hours(row(date=datetime.date(2026, 1, 10), start=None), None)
