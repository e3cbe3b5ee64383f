"""``retainer margin`` and the CLI's shared conventions (--ledger, --format), as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from margin.margin_books import fava_app
from margin.margin_page import tables
from support import WriteBooks

from scripts.cli import main

CONTRACT = """\
client: good-co
name: Good Co
terms:
  - from: 2026-01-01
    monthly_fee: 500
    rates: {remote: 100}
"""
PRACTICE = "accrue_through: 2026-03\ndefault_cost_rate: 40\ntarget_margin: 0.5\n"
TIME = '2026-01-05 custom "time" "good-co" "remote" 1.25\n  staff: "alice"\n'


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_margin_json_by_hand(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"good-co": CONTRACT}, PRACTICE)
    code, output = run("margin", "--ledger", str(books.path), "--format", "json")
    assert code == 0, output
    document = json.loads(output)
    assert (document["from"], document["through"]) == (None, None)
    [client] = document["clients"]
    # Jan-Mar retainers 3 × 500 = 1500.00; January's 1.25 h × 100 = 125.00; revenue 1625.00.
    # Labor: alice is not listed, so 1.25 h × default 40 = 50.00; margin 1625 - 50 = 1575.00.
    assert client["client"] == "good-co" and client["name"] == "Good Co"
    assert (client["retainer"], client["hourly"], client["revenue"]) == ("1500.00", "125.00", "1625.00")
    assert (client["labor"], client["margin"], client["hours"]) == ("50.00", "1575.00", "1.25")
    # 1625 / 1.25 h = 1300.00 an hour; 1575 / 1625 = 0.96923 -> 0.9692
    assert client["effective_rate"] == "1300.00"
    assert client["margin_pct"] == pytest.approx(0.9692)
    assert document["totals"]["USD"]["revenue"] == "1625.00"


def test_margin_period_and_client(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"good-co": CONTRACT}, PRACTICE)
    code, output = run(
        "margin", "--ledger", str(books.path), "--from", "2026-02", "--through", "2026-03",
        "--client", "good-co", "--format", "json",
    )  # fmt: skip
    assert code == 0, output
    document = json.loads(output)
    assert (document["from"], document["through"]) == ("2026-02", "2026-03")
    [client] = document["clients"]
    # February and March: 2 × 500, no time at all, so no effective rate
    assert (client["revenue"], client["hours"], client["effective_rate"]) == ("1000.00", "0.00", None)


def test_margin_csv_has_a_row_per_client_and_plain_numbers(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"good-co": CONTRACT}, PRACTICE)
    code, output = run("margin", "--ledger", str(books.path), "--format", "csv")
    assert code == 0, output
    header, row, total = output.splitlines()
    assert header.startswith("client,currency,retainer,hourly")
    assert row.startswith("Good Co,USD,1500.00,125.00,0.00,0.00,1625.00")  # no "1,500.00" in CSV
    assert total.startswith("Total,USD,1500.00")


def test_margin_refuses_a_bad_month_and_an_unknown_client(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"good-co": CONTRACT}, PRACTICE)
    code, output = run("margin", "--ledger", str(books.path), "--from", "2026-13")
    assert code == 1 and "--from '2026-13' is not a month: write it as YYYY-MM" in output
    code, output = run("margin", "--ledger", str(books.path), "--client", "good-c0")
    assert code == 1 and "no contract for client 'good-c0': use one of good-co" in output


def test_ledger_from_the_environment_and_from_any_folder(
    write_books: WriteBooks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = write_books(TIME, {"good-co": CONTRACT}, PRACTICE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, output = run("margin", "--format", "json", env={"RETAINER_LEDGER": str(books.path)})
    assert code == 0, output
    assert json.loads(output)["clients"][0]["revenue"] == "1625.00"
    # From a folder inside the books, the books' own ledger/main.beancount is found.
    monkeypatch.chdir(books.path.parent.parent / "contracts")
    code, output = run("check", env={"RETAINER_LEDGER": ""})
    assert code == 0, output
    assert "no problems" in output


def test_no_ledger_is_a_one_line_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("margin", env={"RETAINER_LEDGER": ""})
    assert code == 1
    assert output.startswith("retainer margin: no ledger at ledger/main.beancount:")
    assert "--ledger PATH or set RETAINER_LEDGER" in output


def test_margin_agrees_with_the_fava_page_on_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal and the Fava report show one module's figures: every client, same period."""
    ledger = Path(__file__).resolve().parent.parent / "ledger" / "main.beancount"
    monkeypatch.setenv("RETAINER_TODAY", "2026-12-01")
    code, output = run("margin", "--ledger", str(ledger), "--from", "2026-01", "--through", "2026-06",
                       "--format", "json")  # fmt: skip
    assert code == 0, output
    client = fava_app(ledger).test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    page = client.get(f"/{slug}/extension/ClientMargin/?time=2026-01 - 2026-06")
    table = tables(page.get_data(as_text=True))["cm-portfolio"]
    clients = json.loads(output)["clients"]
    assert len(clients) == 6
    for found in clients:
        row = table.row(client=found["client"], currency=found["currency"])
        for column in ("Retainer", "Hourly", "Travel", "Revenue", "Labor", "Margin"):
            shown = row[column].replace(",", "").replace("$", "").strip()
            assert shown == found[column.lower()], (found["client"], column)


OTHER = """\
client: other-co
name: Other Co
terms:
  - from: 2026-01-01
    monthly_fee: 300
"""


def test_margin_of_one_client_totals_that_client_only(write_books: WriteBooks) -> None:
    books = write_books(TIME, {"good-co": CONTRACT, "other-co": OTHER}, PRACTICE)
    code, output = run("margin", "--ledger", str(books.path), "--client", "good-co", "--format", "json")
    assert code == 0, output
    document = json.loads(output)
    assert [c["client"] for c in document["clients"]] == ["good-co"]
    # good-co alone: 1500.00 + 125.00 = 1625.00 (other-co's 3 × 300 = 900.00 is not in it)
    assert document["totals"]["USD"]["revenue"] == "1625.00"


RATE = """\
client: rate-co
terms:
  - from: 2026-01-01
    monthly_fee: 817
    included_hours: {remote: unlimited}
"""


def test_an_effective_rate_rounds_half_up_in_every_format(write_books: WriteBooks) -> None:
    books = write_books(
        '2026-01-05 custom "time" "rate-co" "remote" 8\n', {"rate-co": RATE}, "accrue_through: 2026-01\n"
    )
    # 817.00 / 8 h = 102.125 an hour: half-up to the cent is 102.13, in JSON and in the table
    code, output = run("margin", "--ledger", str(books.path), "--format", "json")
    assert code == 0, output
    assert json.loads(output)["clients"][0]["effective_rate"] == "102.13"
    code, output = run("margin", "--ledger", str(books.path))
    assert "102.13" in output and "102.12" not in output
    code, output = run("margin", "--ledger", str(books.path), "--format", "csv")
    assert ",102.13," in output


def test_the_fava_page_rounds_an_effective_rate_as_the_command_does(write_books: WriteBooks) -> None:
    ledger = (
        '2026-01-01 custom "fava-extension" "plugins.margin"\n'
        '2026-01-05 custom "time" "rate-co" "remote" 8\n'
    )
    books = write_books(ledger, {"rate-co": RATE}, "accrue_through: 2026-01\n")
    # 817.00 / 8 h = 102.125 an hour: the page shows 102.13, as retainer margin does
    client = fava_app(books.path).test_client()
    slug = client.get("/").headers["Location"].strip("/").split("/")[0]
    page = client.get(f"/{slug}/extension/ClientMargin/").get_data(as_text=True)
    row = tables(page)["cm-portfolio"].row(client="rate-co")
    assert row["Eff. rate"].replace("$", "").strip() == "102.13"
    assert row["Remote h"] == "8.00"
