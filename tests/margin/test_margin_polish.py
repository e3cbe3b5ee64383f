"""Client Margin as a consultant reads it (issue 17), through Fava's Flask app on the
practice of ``conftest.py`` (figures worked out in ``test_margin_page.py``'s docstring):
ranked flags, warnings by kind, a broken contract's row, stable colours, the CSV download.
"""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask.testing import FlaskClient

from margin.margin_books import CONTRACTS, SLUG, WriteLedger, fava_app
from margin.margin_page import tables, text
from plugins.margin.legend import PALETTE
from scripts.cli import main

PAGE = f"/{SLUG}/extension/ClientMargin/"
CSV = f"/{SLUG}/extension/ClientMargin/portfolio_csv"

# A contract that fails to load: "monthly_fees" is not a key (a misspelling never bills).
BROKEN = """\
client: zephyr-labs
name: Zephyr Labs
terms:
  - from: 2026-01-01
    monthly_fees: 700.00
"""


def get(client: FlaskClient, query: str = "") -> str:
    response = client.get(PAGE + query)
    assert response.status_code == 200, response.data[:2000]
    return response.get_data(as_text=True)


def _flags(html: str, client: str) -> list[tuple[str, str]]:
    """``(code, rank)`` of each flag in ``client``'s portfolio row, in the order shown."""
    row = re.search(rf'<tr data-client="{client}".*?</tr>', html, re.S)
    assert row is not None, client
    return re.findall(r'data-flag="([^"]+)" data-rank="([^"]+)"', row.group(0))


def test_flags_are_ranked_losses_red_and_first_overage_at_a_healthy_margin_an_upsell(
    client: FlaskClient,
) -> None:
    html = get(client)
    # Bayview: rate 30 < 100 and margin −67% < 50%, three months running: all losses
    assert _flags(html, "bayview") == [("rate", "loss"), ("margin", "loss"), ("renegotiate", "loss")]
    # Acme Dental: 81.4% margin and 528.33/h, over its onsite hours in January: an upsell
    # signal, not an alarm. The row keeps cm-flagged, with the quieter rank beside it.
    assert _flags(html, "acme-dental") == [("included", "upsell")]
    rows = tables(html)["cm-portfolio"].rows
    classes = {r.attrs["data-client"]: r.attrs.get("class", "") for r in rows if "data-client" in r.attrs}
    assert "cm-rank-upsell" in classes["acme-dental"] and "cm-rank-loss" not in classes["acme-dental"]
    assert "cm-renegotiate" in classes["bayview"]
    # under an account filter the margin is not known: the same overage is only one to watch
    filtered = get(client, "?account=Income:Clients:AcmeDental")
    assert _flags(filtered, "acme-dental") == [("included", "watch")]
    # the drill-down ranks the month too: January's overage, at a 56% margin, is an upsell
    months = get(client, "?client=acme-dental")
    january = re.search(r'<tr data-month="2026-01".*?</tr>', months, re.S)
    assert january is not None
    assert 'data-flag="included" data-rank="upsell"' in january.group(0)


def test_warnings_grouped_by_kind_collapsed_with_client_names(client: FlaskClient) -> None:
    html = get(client)
    groups = re.findall(r'<details data-warning-group="([^"]+)">', html)
    # data quality first: Eurotech bills 500 EUR a month with no time at all (no-time), bob
    # at the default rate (default-rate), Eurotech's USD licence (currency); unbilled last
    assert groups == ["no-time", "default-rate", "currency", "unbilled"]
    assert "<details open" not in html  # collapsed
    page = text(html)
    assert "Months billed with no time recorded · 1: Eurotech GmbH" in page
    assert (
        "Eurotech GmbH : retainer billed but no time recorded in 2026-01, 2026-02, 2026-03" in page
    )
    assert "Time after the accrual horizon, not billed yet · 1: Acme Dental" in page
    assert "Acme Dental : 2.00 h after the accrual horizon (2026-03) are not billed yet" in page
    assert ">acme-dental</a>" not in html  # names, never ids, in the links


def test_a_broken_contract_is_a_row_and_the_totals_say_it_is_missing(write_ledger: WriteLedger) -> None:
    client = fava_app(write_ledger(contracts={**CONTRACTS, "zephyr-labs": BROKEN})).test_client()
    html = get(client)
    table = tables(html)["cm-portfolio"]
    [row] = [r for r in table.rows if r.attrs.get("data-client") == "zephyr-labs"]
    assert "data-failed" in row.attrs
    assert row.cells[0].startswith("zephyr-labs")
    detail = row.cells[1]
    assert "monthly_fees" in detail and re.search(r"zephyr-labs\.yaml:5\b", detail), detail
    assert f'href="/{SLUG}/errors/"' in html
    # no figures in the row: its only cells are the id and the problem
    assert len(row.cells) == 2
    # the totals leave it out and say so: USD revenue still 3170 + 900 = 4070
    totals = [r for r in table.rows if "cm-total" in r.attrs.get("class", "")]
    [usd_row] = [r for r in totals if r.attrs["data-currency"] == "USD"]
    usd = dict(zip(table.headers, usd_row.cells, strict=False))
    assert usd["Revenue"].replace(",", "") == "4070.00"
    assert "without 1 client (zephyr-labs): contract fails to load" in usd["Client"]
    assert "1 client is missing from the figures and the totals: zephyr-labs" in text(html)
    # its drill-down says why, instead of "no contract"
    drill = get(client, "?client=zephyr-labs")
    assert "data-failed" in drill and "No contract for client" not in drill
    assert "monthly_fees" in text(drill)


def _legend(html: str, chart: str) -> dict[str, str]:
    block = re.search(rf'data-legend="{re.escape(chart)}".*?</p>', html, re.S)
    assert block is not None, chart
    return dict(re.findall(r'data-key="([^"]+)" data-drawn="[^"]+" data-color="([^"]+)"', block.group(0)))


NEWCOMER = """\
client: aardvark-it
name: Aardvark IT
terms:
  - from: 2026-02-01
    monthly_fee: 200.00
"""


def test_legends_name_the_clients_and_kinds_in_colours_that_stay(write_ledger: WriteLedger) -> None:
    html = get(fava_app(write_ledger()).test_client())
    legend = _legend(html, "Margin per client")
    assert set(legend) == {"Acme Dental", "Bayview Clinic", "Eurotech GmbH"}
    assert len(set(legend.values())) == 3 and set(legend.values()) <= set(PALETTE)
    assert _legend(html, "Revenue per client") == legend  # one colour per client on the page
    # a time filter, which leaves months out of the chart, moves none
    client = fava_app(write_ledger()).test_client()
    assert _legend(get(client, "?time=2026-02"), "Margin per client").items() <= legend.items()
    # kinds: the same colour on every client's page
    acme = _legend(get(client, "?client=acme-dental"), "Revenue and costs by kind")
    bayview = _legend(get(client, "?client=bayview"), "Revenue and costs by kind")
    assert set(acme) == {"Retainer", "Hourly", "Travel", "Labor", "Other costs"}
    assert acme["Retainer"] == bayview["Retainer"] and acme["Labor"] == bayview["Labor"]
    # a client added (a newer contract, sorting first by name) moves no one's colour
    added = get(fava_app(write_ledger(contracts={**CONTRACTS, "aardvark-it": NEWCOMER})).test_client())
    after = _legend(added, "Margin per client")
    assert set(after) == {*legend, "Aardvark IT"}
    assert {name: after[name] for name in legend} == legend


def test_csv_download_is_the_clis_csv(write_ledger: WriteLedger) -> None:
    path = write_ledger()
    client = fava_app(path).test_client()
    response = client.get(CSV)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    result = CliRunner().invoke(main, ["margin", "--ledger", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert body == result.output
    lines = body.splitlines()
    assert lines[0].startswith("client,currency,retainer,hourly,travel,prepaid,revenue")
    # Acme Dental by hand: 3000 + 120 + 50 = 3170 revenue; labor 290, other costs 300;
    # margin 2580 = 81.4 %; 6 hours; 3170 / 6 = 528.33
    assert lines[1].startswith(
        "Acme Dental,USD,3000.00,120.00,50.00,0.00,3170.00,290.00,0.00,300.00,2580.00,81.4%,6.00,528.33,"
    )
    # under Fava's time filter, the CLI's --from/--through of the same month
    february = client.get(CSV + "?time=2026-02").get_data(as_text=True)
    month = ["--from", "2026-02", "--through", "2026-02"]
    cli = CliRunner().invoke(main, ["margin", "--ledger", str(path), *month, "--format", "csv"])
    assert february == cli.output
    assert "Acme Dental,USD,1000.00,0.00,0.00" in february
    # the page links to it, keeping the filter
    assert "portfolio_csv?time=2026-02" in get(client, "?time=2026-02")


def test_a_broken_contract_not_named_after_its_client_is_one_row(write_ledger: WriteLedger) -> None:
    # zephyr.yaml holds client zephyr-labs: the loader remembers both names, the page one row
    client = fava_app(write_ledger(contracts={**CONTRACTS, "zephyr": BROKEN})).test_client()
    html = get(client)
    failed = [r for r in tables(html)["cm-portfolio"].rows if "data-failed" in r.attrs]
    assert [r.attrs["data-client"] for r in failed] == ["zephyr"]
    assert re.search(r"zephyr\.yaml:5\b", failed[0].cells[1])
    assert "without 1 client (zephyr)" in text(html)
