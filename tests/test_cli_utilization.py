"""``retainer utilization`` on the hand-worked books of ``recurring_books`` (figures there)."""

from __future__ import annotations

from typing import Any

import pytest
from recurring_books import CONTRACTS, LEDGER, PRACTICE, TODAY, run, run_json, write
from support import Books, WriteBooks

from plugins.reports.utilization import weekdays


@pytest.fixture
def books(write_books: WriteBooks, monkeypatch: pytest.MonkeyPatch) -> Books:
    found = write(write_books, monkeypatch)
    assert found.errors == []
    return found


def utilization(books: Books, *args: str) -> tuple[int, str]:
    return run(books, "utilization", *args)


def document(books: Books, *args: str) -> dict[str, Any]:
    return run_json(books, "utilization", *args)


def test_weekdays_of_a_month() -> None:
    # January 2026 starts on a Thursday: 1, 2, then four full weeks = 22; February 2026 is
    # exactly four weeks; May 2026 starts on a Friday: 1 + four weeks = 21.
    assert [weekdays((2026, m)) for m in (1, 2, 3, 4, 5)] == [22, 20, 22, 22, 21]


def test_rows_per_staff_member_and_month(books: Books) -> None:
    found = document(books)
    assert found["available_hours_per_week"] == "30.00"
    rows = {(r["staff"], r["month"]): r for r in found["rows"]}
    # every staff member (listed or seen in time) × every month with time, Jan-May
    assert len(rows) == 3 * 5
    keys = ("hours", "billable", "nonbillable", "available", "cost")
    assert tuple(rows["alice", "2026-01"][k] for k in keys) == ("3.00", "2.00", "1.00", "132.00", "50.00")
    assert rows["alice", "2026-01"]["utilization"] == pytest.approx(0.0152)  # 2 / 132
    assert tuple(rows["alice", "2026-02"][k] for k in keys) == ("3.00", "3.00", "0.00", "120.00", "0.00")
    assert rows["alice", "2026-02"]["utilization"] == pytest.approx(0.025)  # 3 / 120
    # worked after the accrual horizon: not billed yet, but worked all the same
    assert rows["alice", "2026-05"]["available"] == "126.00"
    assert rows["alice", "2026-05"]["utilization"] == pytest.approx(0.0079)  # 1 / 126
    assert rows["bob", "2026-01"]["utilization"] == pytest.approx(0.0114)  # 1.5 / 132
    assert rows["bob", "2026-01"]["cost"] == "0.00"
    # carol is not in practice.yaml: the default 40/h costs her 2 non-billable hours
    carol = rows["carol", "2026-03"]
    assert tuple(carol[k] for k in keys) == ("2.50", "0.50", "2.00", "132.00", "80.00")
    assert carol["utilization"] == pytest.approx(0.0038)  # 0.5 / 132
    assert rows["carol", "2026-01"]["hours"] == "0.00"
    assert rows["alice", "2026-01"]["name"] == "Alice Moreau"


def test_staff_totals_and_the_clients_they_worked_for(books: Books) -> None:
    staff = {s["staff"]: s for s in document(books)["staff"]}
    assert list(staff) == ["alice", "bob", "carol"]
    alice = staff["alice"]
    assert (alice["hours"], alice["billable"], alice["nonbillable"]) == ("7.00", "6.00", "1.00")
    assert (alice["available"], alice["cost"]) == ("642.00", "50.00")  # 132+120+132+132+126
    assert alice["utilization"] == pytest.approx(0.0093)  # 6 / 642
    assert [(c["client"], c["hours"], c["billable"]) for c in alice["clients"]] == [
        ("midstart", "3.00", "3.00"),
        ("steady", "3.00", "3.00"),
        ("upgrade", "1.00", "0.00"),
    ]
    assert alice["clients"][0]["name"] == "Midstart Clinic"
    assert [c["client"] for c in staff["carol"]["clients"]] == ["repriced"]


def test_period_cuts_the_months(books: Books) -> None:
    found = document(books, "--from", "2026-03", "--through", "2026-03")
    assert (found["from"], found["through"]) == ("2026-03", "2026-03")
    assert [(r["staff"], r["hours"]) for r in found["rows"]] == [
        ("alice", "0.00"),
        ("bob", "0.00"),
        ("carol", "2.50"),
    ]
    staff = {s["staff"]: s for s in found["staff"]}
    assert staff["alice"]["clients"] == []


def test_uncosted_time_has_no_cost(write_books: WriteBooks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    books = write_books(LEDGER, CONTRACTS, "accrue_through: 2026-04\n")
    rows = {(r["staff"], r["month"]): r for r in document(books)["rows"]}
    assert rows["alice", "2026-01"]["cost"] is None
    assert rows["alice", "2026-01"]["available"] == "176.00"  # the default 40 h: 8 × 22


def test_table_and_csv(books: Books) -> None:
    code, output = utilization(books, "--through", "2026-02")
    assert code == 0, output
    assert (
        "Alice Moreau worked for: Midstart Clinic 3.00 h, Steady Dental 2.00 h, Upgrade Law 1.00 h" in output
    )
    code, output = utilization(books, "--format", "csv", "--from", "2026-01", "--through", "2026-01")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "staff,month,hours,billable,non-billable,available,utilization,non-billable cost"
    assert lines[1] == "Alice Moreau,2026-01,3.00,2.00,1.00,132.00,1.5%,50.00"


def test_available_hours_must_be_above_zero(write_books: WriteBooks) -> None:
    books = write_books(
        LEDGER, CONTRACTS, PRACTICE.replace("available_hours_per_week: 30", "available_hours_per_week: 0")
    )
    [problem] = books.errors_named("PracticeError")
    assert problem.source["filename"].endswith("practice.yaml") and problem.source["lineno"] == 5
    assert "available_hours_per_week" in problem.message and "more than 0" in problem.message
    books = write_books(
        LEDGER, CONTRACTS, PRACTICE.replace("available_hours_per_week", "available_hours_per_wek")
    )
    [problem] = books.errors_named("PracticeError")
    assert "did you mean 'available_hours_per_week'" in problem.message
