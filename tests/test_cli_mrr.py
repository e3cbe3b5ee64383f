"""``retainer mrr`` on the hand-worked books of ``recurring_books`` (figures worked out there)."""

from __future__ import annotations

from typing import Any

import pytest
from recurring_books import CONTRACTS, LEDGER, PRACTICE, TODAY, run, run_json, write
from support import Books, WriteBooks


@pytest.fixture
def books(write_books: WriteBooks, monkeypatch: pytest.MonkeyPatch) -> Books:
    found = write(write_books, monkeypatch)
    assert found.errors == []
    return found


def mrr(books: Books, *args: str) -> tuple[int, str]:
    return run(books, "mrr", *args)


def document(books: Books, *args: str) -> dict[str, Any]:
    return run_json(books, "mrr", *args)


def by_month(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["month"]: m for m in found["months"]}


def moves(month: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(m["client"], m["kind"], m["amount"]) for m in month["movements"]}


def test_mrr_and_movements_month_by_month(books: Books) -> None:
    found = document(books)
    months = by_month(found)
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    keys = ("mrr", "new", "expansion", "contraction", "churn")
    figures = {label: tuple(m[key] for key in keys) for label, m in months.items()}
    assert figures == {
        "2026-01": ("2500.00", "2500.00", "0.00", "0.00", "0.00"),
        # the mid-month start is new in its first month; churned's 10 prorated days are
        # billed as 107.14, yet its MRR stays 300 (no contraction, no churn yet)
        "2026-02": ("3100.00", "600.00", "0.00", "0.00", "0.00"),
        # the upgrade, the price change on the 16th, and the churn of the contract that ended
        "2026-03": ("2600.00", "0.00", "100.00", "300.00", "300.00"),
        "2026-04": ("3050.00", "450.00", "0.00", "0.00", "0.00"),
    }
    assert moves(months["2026-02"]) == {("midstart", "new", "600.00")}
    assert moves(months["2026-03"]) == {
        ("upgrade", "expansion", "100.00"),
        ("repriced", "contraction", "300.00"),
        ("churned", "churn", "300.00"),
    }
    march = {m["client"]: (m["from"], m["to"]) for m in months["2026-03"]["movements"]}
    assert march["repriced"] == ("800.00", "500.00")
    assert found["arr"] == "36600.00"  # 12 × 3050
    assert (found["horizon"], found["currency"]) == ("2026-04", "USD")
    assert all(m["forecast"] is False for m in found["months"])


def test_posted_revenue_by_kind(books: Books) -> None:
    months = by_month(document(books))
    kinds = ("recurring", "hourly", "travel", "prepaid")
    assert {label: tuple(m[k] for k in kinds) for label, m in months.items()} == {
        "2026-01": ("2500.00", "380.00", "40.00", "0.00"),
        "2026-02": ("2607.14", "0.00", "0.00", "150.00"),
        "2026-03": ("2745.16", "0.00", "0.00", "0.00"),
        "2026-04": ("3050.00", "0.00", "0.00", "0.00"),
    }
    assert months["2026-01"]["revenue"] == "2920.00"
    assert months["2026-01"]["recurring_share"] == pytest.approx(0.8562)
    assert months["2026-02"]["recurring_share"] == pytest.approx(0.9456)
    assert months["2026-03"]["recurring_share"] == 1.0


def test_forecast_across_a_scheduled_change_and_an_end(books: Books) -> None:
    found = document(books, "--forecast", "3")
    months = by_month(found)
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
    ahead = [m for m in found["months"] if m["forecast"]]
    assert [m["month"] for m in ahead] == ["2026-05", "2026-06", "2026-07"]
    assert [(m["mrr"], m["recurring"]) for m in ahead] == [
        ("3050.00", "3050.00"),
        ("3250.00", "3250.00"),  # steady's 1200 from June 1
        ("2750.00", "2750.00"),  # upgrade ended June 30
    ]
    assert moves(months["2026-05"]) == set()
    assert moves(months["2026-06"]) == {("steady", "expansion", "200.00")}
    assert moves(months["2026-07"]) == {("upgrade", "churn", "500.00")}
    # hourly work is not known ahead: no figure rather than a false 0.00
    assert (ahead[0]["hourly"], ahead[0]["travel"], ahead[0]["prepaid"]) == (None, None, None)
    assert found["arr"] == "36600.00"  # still the last accrued month's MRR


def test_contracts_ending_or_renewing_in_90_days(books: Books) -> None:
    found = document(books)
    assert found["as_of"] == TODAY
    assert [(e["date"], e["client"], e["kind"], e["mrr"], e["mrr_after"]) for e in found["ends"]] == [
        ("2026-06-01", "steady", "renews", "1000.00", "1200.00"),
        ("2026-06-30", "upgrade", "ends", "500.00", "0.00"),
    ]


def test_a_later_start_keeps_the_movements_of_the_whole_books(books: Books) -> None:
    found = document(books, "--from", "2026-03", "--through", "2026-04")
    months = by_month(found)
    assert list(months) == ["2026-03", "2026-04"]
    # March is compared with February, which the period leaves out
    march = months["2026-03"]
    assert (march["new"], march["expansion"], march["contraction"], march["churn"]) == (
        "0.00", "100.00", "300.00", "300.00",
    )  # fmt: skip
    assert (found["from"], found["through"]) == ("2026-03", "2026-04")


def test_forecast_needs_the_period_to_reach_the_horizon(books: Books) -> None:
    code, output = mrr(books, "--through", "2026-02", "--forecast", "3")
    assert code == 1
    assert "--forecast continues from the accrual horizon (2026-04)" in output
    code, output = mrr(books, "--forecast", "-1")
    assert code == 2 and "--forecast" in output


def test_table_and_csv(books: Books) -> None:
    code, output = mrr(books, "--forecast", "1")
    assert code == 0, output
    assert "ARR USD: 36,600.00 (12 × the MRR of 2026-04)" in output
    assert "renews 2026-06-01: Steady Dental, MRR 1,000.00 -> 1,200.00 USD" in output
    assert "ends 2026-06-30: Upgrade Law, MRR 500.00 USD" in output
    code, output = mrr(books, "--format", "csv", "--forecast", "1")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == (
        "month,currency,mrr,new,expansion,contraction,churn,"
        "recurring,hourly,travel,prepaid,projects,recurring %"
    )
    assert lines[1] == "2026-01,USD,2500.00,2500.00,0.00,0.00,0.00,2500.00,380.00,40.00,0.00,0.00,85.6%"
    assert lines[-1] == "2026-05 forecast,USD,3050.00,0.00,0.00,0.00,0.00,3050.00,,,,,"


def test_other_currencies_are_kept_apart(write_books: WriteBooks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    contracts = {
        **CONTRACTS,
        "eurotech": "client: eurotech\ncurrency: EUR\nterms:\n  - from: 2026-03-01\n    monthly_fee: 700\n",
    }
    books = write_books(LEDGER, contracts, PRACTICE)
    found = document(books)
    assert found["arr"] == "36600.00"  # the USD months are unchanged
    euro = found["currencies"]["EUR"]
    assert [(m["month"], m["mrr"], m["new"], m["recurring"]) for m in euro["months"]] == [
        ("2026-01", "0.00", "0.00", "0.00"),
        ("2026-02", "0.00", "0.00", "0.00"),
        ("2026-03", "700.00", "700.00", "700.00"),
        ("2026-04", "700.00", "0.00", "700.00"),
    ]
    assert euro["arr"] == "8400.00"


def test_a_broken_contract_is_named_not_dropped(
    write_books: WriteBooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    broken = "client: broken\nterms:\n  - from: 2026-01-01\n    monthy_fee: 900\n"
    books = write_books(LEDGER, {**CONTRACTS, "broken": broken}, PRACTICE)
    found = document(books)
    assert found["not_counted"] == ["broken"]
    assert found["arr"] == "36600.00"  # everyone else is counted as before
    code, output = mrr(books)
    assert code == 0, output  # the figures of the others are still worth showing
    assert "not counted: broken (the contract has errors" in output
    assert "monthy_fee" in output  # the problem itself, with its file and line
