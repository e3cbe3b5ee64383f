"""Client Margin with hour banks: prepaid and tool columns, hours left, and block flags.

Figures worked out by hand (USD):

Harbor Dental, 200/month, no included hours, remote 100/h; tools 20 + 2 x 5 = 30/month;
  block A of 2026-01-05: 10 h for 900.00 (90/h), never expires;
  block B of 2026-03-10: 4 h for 400.00 (100/h), expires 2026-04-10 (once bought, it would
  be drawn before A, which never expires; the time below is all before it).
  Jan  remote 3 h -> A 3 h = 270.00 (7 h left)
  Feb  remote 5.5 h -> A 5.5 h = 495.00 (1.5 h left: 15% of 10, under 20%: flagged)
  Mar  remote 1 h on 03-07 -> A 1 h = 90.00 (0.5 h left); B untouched, expires 04-10 (within 30 days
       of 03-31, 4 h unused: flagged)
  All  prepaid 270 + 495 + 90 = 855.00; tools 90.00; retainer 600.00; revenue 1455.00.
Pine Law, 800/month, 4 remote h included, rollover 2 months: 6 remote h in February only.
  Jan lot 4; Feb 6 h = Jan's lot 4 + own 2, lot 2; Mar lot 4: 2 + 4 = 6 h banked on 03-31.
  Included used over the period: own 2 of 12, and 4 rolled over.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from margin.margin_books import SLUG, WriteLedger, fava_app
from margin.margin_page import tables, text

PAGE = f"/{SLUG}/extension/ClientMargin/"

CONTRACTS = {
    "harbor-dental": """\
        client: harbor-dental
        name: Harbor Dental
        terms:
          - from: 2026-01-01
            monthly_fee: 100
            per_device: {workstation: 50}
            devices: {workstation: 2}
            rates: {remote: 100}
            costs: {monthly: 20, per_device: {workstation: 5}}
        blocks:
          - {date: 2026-01-05, hours: 10, price: 900.00}
          - {date: 2026-03-10, hours: 4, price: 400.00, expires: 2026-04-10}
        """,
    "pine-law": """\
        client: pine-law
        name: Pine Law
        terms:
          - from: 2026-01-01
            monthly_fee: 800
            included_hours: {remote: 4}
            rates: {remote: 110}
            rollover: {months: 2}
        """,
}

LEDGER = """\
option "title" "Test Books"
option "operating_currency" "USD"
2026-01-01 custom "fava-extension" "plugins.margin"
2026-01-07 custom "time" "harbor-dental" "remote" 3
2026-02-07 custom "time" "harbor-dental" "remote" 5.5
2026-03-07 custom "time" "harbor-dental" "remote" 1
2026-02-09 custom "time" "pine-law" "remote" 6
"""

PRACTICE = "currency: USD\naccrue_through: 2026-03\n"


def _page(write_ledger: WriteLedger, query: str = "") -> str:
    client: FlaskClient = fava_app(write_ledger(LEDGER, CONTRACTS, PRACTICE)).test_client()
    response = client.get(PAGE + query)
    assert response.status_code == 200, response.data[:2000]
    return response.get_data(as_text=True)


def test_prepaid_and_tools_get_columns_and_banks_show(write_ledger: WriteLedger) -> None:
    page = _page(write_ledger)
    table = tables(page)["cm-portfolio"]
    assert {"Prepaid", "Tools", "Bank left"} <= set(table.headers)
    assert "Other income" not in table.headers  # prepaid was all the income beyond
    harbor = {k: v.replace(",", "") for k, v in table.row(client="harbor-dental").items()}
    assert (harbor["Retainer"], harbor["Prepaid"], harbor["Revenue"]) == ("600.00", "855.00", "1455.00")
    assert (harbor["Tools"], harbor["Other costs"]) == ("90.00", "0.00")
    assert harbor["Margin"] == "1365.00"  # 1455 - 90 (no cost rates: labor not costed)
    # 0.5 h of block A and the 4 h of block B left
    assert "block 0.5/10 h" in harbor["Bank left"] and "block 4/4 h" in harbor["Bank left"]
    assert "block nearly used" in harbor["Flags"] and "block expires soon" in harbor["Flags"]
    pine = table.row(client="pine-law")
    assert "remote lots 6 h" in pine["Bank left"]
    assert pine["Included used"] == "remote 2 of 12 h used +4 rolled over"
    assert pine["Prepaid"] == "0.00" and "block" not in pine["Flags"]


def test_drill_down_lists_the_bank(write_ledger: WriteLedger) -> None:
    page = _page(write_ledger, "?client=harbor-dental")
    found = tables(page)
    bank = found["cm-bank"]
    a = bank.row(block="2026-01-05")
    assert (a["Hours"], a["Hours left"], a["Expires"]) == ("10.00", "0.50", "never")
    assert bank.row(block="2026-03-10")["Expires"] == "2026-04-10"
    months = found["cm-months"]
    assert months.row(month="2026-02")["Prepaid"] == "495.00"
    assert months.row(month="2026-02")["Tools"] == "30.00"
    words = text(page)
    assert "block of 2026-01-05: 0.50 of 10.00 h left" in words
    assert "block of 2026-03-10 expires 2026-04-10 with 4.00 h unused" in words


def test_a_period_before_the_blocks_run_low_is_not_flagged(write_ledger: WriteLedger) -> None:
    # Through January: A has 7 of 10 h left, B is not bought yet.
    page = _page(write_ledger, "?time=2026-01")
    harbor = tables(page)["cm-portfolio"].row(client="harbor-dental")
    assert "block" not in harbor["Flags"]
    assert harbor["Bank left"] == "block 7/10 h"


def test_no_bank_columns_without_blocks_rollover_or_tools(client: FlaskClient) -> None:
    response = client.get(PAGE)
    headers = tables(response.get_data(as_text=True))["cm-portfolio"].headers
    assert not {"Prepaid", "Tools", "Bank left"} & set(headers)
    assert "Other income" not in headers and "Other costs" in headers


def test_client_chart_stacks_prepaid_and_tools(write_ledger: WriteLedger) -> None:
    import json
    import re

    page = _page(write_ledger, "?client=harbor-dental")
    block = re.search(r'<svelte-component type="charts"><script type="application/json">(.*?)</script>', page)
    assert block is not None
    money = json.loads(block.group(1))[0]
    february = money["data"][1]
    # February: retainer 200, prepaid 5.5 h x 90 = 495, tools 30 (a cost, down)
    assert february["account_balances"]["Prepaid"] == {"USD": 495}
    assert february["account_balances"]["Tools"] == {"USD": -30}
    assert "Other income" not in february["account_balances"]


def test_an_ended_contract_lists_its_block_but_is_not_flagged(write_ledger: WriteLedger) -> None:
    ended = {
        "harbor-dental": CONTRACTS["harbor-dental"]
        .replace("client: harbor-dental\n", "client: harbor-dental\n        ends: 2026-02-28\n")
        .replace("          - {date: 2026-03-10, hours: 4, price: 400.00, expires: 2026-04-10}\n", "")
    }
    ledger = LEDGER.replace('2026-03-07 custom "time" "harbor-dental" "remote" 1\n', "")
    client: FlaskClient = fava_app(write_ledger(ledger, ended, PRACTICE)).test_client()
    page = client.get(PAGE).get_data(as_text=True)
    harbor = tables(page)["cm-portfolio"].row(client="harbor-dental")
    # 10 - 3 - 5.5 = 1.5 h left on 02-28 (15%): listed, but nothing more to sell
    assert harbor["Bank left"] == "block 1.5/10 h" and "block" not in harbor["Flags"]
