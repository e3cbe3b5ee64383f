"""The Client Margin page through Fava's Flask app, on the practice of ``conftest.py``.

Figures worked out by hand (USD unless said otherwise):

Acme Dental, 1000/month, 2 remote + 1 onsite hour included, beyond that 120/h onsite:
  Jan  retainer 1000; onsite 2 h on the 20th = 1 included + 1 × 120 = 120 hourly;
       one visit = 50 travel; revenue 1170.
       labor: alice 3.5 h × 50 = 175, bob 1 h (not billable) × 40 (default) = 40 → 215;
       switch 300 (Expenses:Clients:AcmeDental:Hardware);
       margin 1170 − 215 − 300 = 655 = 56.0 %; hours 1.5 + 2 + 1 = 4.5; rate 1170 / 4.5 = 260.00
  Feb  1000; alice 0.5 h → labor 25; margin 975; rate 1000 / 0.5 = 2000.00
  Mar  1000; alice 1 h → labor 50; margin 950
  Apr  2 h after the horizon (accrue_through 2026-03): not billed, a warning
  All  revenue 3170 (3000 + 120 + 50), labor 290, other 300, margin 2580 = 81.4 %,
       hours 4.0 remote + 2.0 onsite = 6.0, rate 3170 / 6 = 528.33
Bayview Clinic, 300/month, alice 10 h a month at 50: margin 300 − 500 = −200 (−66.7 %),
  rate 30.00 < 100 target, every month → "renegotiate" over Jan–Mar; all: 900 − 1500 = −600.
Eurotech GmbH (EUR), 500/month: 1500 EUR; a 100 USD licence in Feb on a row of its own.
Totals: USD revenue 3170 + 900 = 4070, margin 2580 − 600 − 100 = 1880; EUR 1500.
"""

from __future__ import annotations

import html as entities
import json
import re
from typing import Any

from flask.testing import FlaskClient

from margin.margin_books import LEDGER, SLUG, WriteLedger, fava_app
from margin.margin_page import tables, text
from plugins.books import Books

PAGE = f"/{SLUG}/extension/ClientMargin/"


def get(client: FlaskClient, query: str = "") -> str:
    response = client.get(PAGE + query)
    assert response.status_code == 200, response.data[:2000]
    return response.get_data(as_text=True)


def test_portfolio_figures_for_a_client(client: FlaskClient) -> None:
    acme = tables(get(client))["cm-portfolio"].row(client="acme-dental")
    figures = {key: value.replace(",", "") for key, value in acme.items()}
    assert figures["Retainer"] == "3000.00"
    assert figures["Hourly"] == "120.00"
    assert figures["Travel"] == "50.00"
    assert figures["Revenue"] == "3170.00"
    assert figures["Remote h"] == "4.00"
    assert figures["Onsite h"] == "2.00"
    assert figures["Non-bill. h"] == "1.00"
    assert figures["Labor"] == "290.00"
    assert figures["Other costs"] == "300.00"
    assert figures["Margin"] == "2580.00"
    assert figures["Margin %"] == "81.4%"
    assert figures["Eff. rate"] == "528.33"
    # 2 + 2 + 2 remote and 1 + 1 + 1 onsite included; billable remote 1.5 + 0.5 + 1 (bob's
    # hour is not billable); 1 onsite hour billed beyond in January.
    assert "remote 3 of 6 h used" in acme["Included used"]
    assert "onsite 1 of 3 h used, 1 h billed beyond" in acme["Included used"]


def test_totals_are_per_currency(client: FlaskClient) -> None:
    table = tables(get(client))["cm-portfolio"]
    usd = table.row(client="eurotech", currency="USD")
    eur = table.row(client="eurotech", currency="EUR")
    assert eur["Revenue"].replace(",", "") == "1500.00"
    assert usd["Other costs"] == "100.00" and usd["Revenue"] == "0.00"
    totals = {r.attrs["data-currency"]: r for r in table.rows if "cm-total" in r.attrs.get("class", "")}
    assert set(totals) == {"EUR", "USD"}
    total_usd = dict(zip(table.headers, totals["USD"].cells, strict=False))
    total_eur = dict(zip(table.headers, totals["EUR"].cells, strict=False))
    assert total_usd["Revenue"].replace(",", "") == "4070.00"
    assert total_usd["Margin"].replace(",", "") == "1880.00"
    assert total_eur["Revenue"].replace(",", "") == "1500.00"
    assert total_eur["Margin"].replace(",", "") == "1500.00"
    # hours of the clients billed in USD: acme 4 remote + 2 onsite, bayview 30 remote;
    # rate 4070 / 36 = 113.06. Eurotech (EUR) has no hours: no rate.
    assert (total_usd["Remote h"], total_usd["Onsite h"]) == ("34.00", "2.00")
    assert total_usd["Eff. rate"] == "113.06"
    assert total_eur["Remote h"] == "0.00" and total_eur["Eff. rate"] == "—"
    assert "EUR amounts" not in text(get(client))  # the euro row is the primary one
    assert "USD amounts are shown on their own line" in text(get(client))


def test_flags_and_renegotiate(client: FlaskClient) -> None:
    html = get(client)
    table = tables(html)["cm-portfolio"]
    bayview = table.row(client="bayview")
    assert "rate 30 < 100/h" in bayview["Flags"]
    assert "margin -67% < 50%" in bayview["Flags"]
    assert "3 months under target" in bayview["Flags"]
    assert "renegotiate" in bayview["Client"]
    acme = table.row(client="acme-dental")
    assert "over included: onsite 1/3 mo" in acme["Flags"]
    assert "renegotiate" not in acme["Client"]
    rows = {r.attrs["data-client"]: r.attrs.get("class", "") for r in table.rows if "data-client" in r.attrs}
    assert "cm-renegotiate" in rows["bayview"]
    assert "cm-flagged" in rows["acme-dental"]
    assert rows["eurotech"].strip() == ""
    # the full reason is in the HTML too, for a reader without a mouse
    assert "earns 30.00 USD/h, under the 100.00 target" in html


def test_warnings(client: FlaskClient) -> None:
    html = get(client)
    page = text(html)
    assert "2.00 h after the accrual horizon (2026-03) are not billed yet" in page
    assert "costed at the default rate 40.00/h: bob 1.00 h" in page
    # every hour has a rate (alice 50, bob the default 40): no uncosted warning. The code is
    # only in the list item's attribute, so look for it in the HTML, not the text.
    assert 'data-warning="default-rate"' in html
    assert 'data-warning="uncosted"' not in html


def test_uncosted_hours_are_flagged(write_ledger: WriteLedger) -> None:
    practice = "currency: USD\nstaff: {alice: {cost_rate: 50}}\naccrue_through: 2026-03\n"
    ledger = (
        'option "title" "Test Books"\n2026-01-01 custom "fava-extension" "plugins.margin"\n'
        '2026-01-12 custom "time" "bayview" "remote" 3\n  staff: "carol"\n'
    )
    client = fava_app(write_ledger(ledger, practice=practice)).test_client()
    html = get(client)
    assert "3.00 h not costed (carol): add a cost_rate in practice.yaml" in text(html)
    assert 'data-warning="uncosted"' in html


def test_overage_shows_in_a_period_with_an_unlimited_month(write_ledger: WriteLedger) -> None:
    """January unlimited remote; from February 2 remote hours included and 100/h beyond.

    Jan 5 h (covered), Feb 3 h: 2 included + 1 billed = 100. Over Jan–Feb the allowance
    reads "∞", and the hour February went over still shows: "remote ∞, 1 h billed beyond".
    """
    contract = """\
        client: mixed
        name: Mixed Co
        terms:
          - from: 2026-01-01
            monthly_fee: 500.00
            included_hours: {remote: unlimited}
          - from: 2026-02-01
            included_hours: {remote: 2}
            rates: {remote: 100}
        """
    ledger = (
        'option "title" "Test Books"\n2026-01-01 custom "fava-extension" "plugins.margin"\n'
        '2026-01-10 custom "time" "mixed" "remote" 5\n'
        '2026-02-10 custom "time" "mixed" "remote" 3\n'
    )
    practice = "currency: USD\naccrue_through: 2026-02\n"
    client = fava_app(write_ledger(ledger, {"mixed": contract}, practice)).test_client()
    row = tables(get(client))["cm-portfolio"].row(client="mixed")
    assert row["Hourly"] == "100.00"
    assert row["Included used"] == "remote ∞, 1 h billed beyond"
    assert row["Flags"] == "over included: remote 1/2 mo"


def test_time_filter(client: FlaskClient) -> None:
    html = get(client, "?time=2026-02")
    table = tables(html)["cm-portfolio"]
    acme = {k: v.replace(",", "") for k, v in table.row(client="acme-dental").items()}
    assert acme["Revenue"] == "1000.00"
    assert acme["Hourly"] == "0.00"
    assert acme["Labor"] == "25.00"
    assert acme["Other costs"] == "0.00"  # the switch was bought in January
    assert acme["Margin"] == "975.00"
    assert acme["Remote h"] == "0.50"
    assert acme["Eff. rate"] == "2000.00"
    bayview = table.row(client="bayview")
    assert "rate 30 < 100/h" in bayview["Flags"]
    assert "months under target" not in bayview["Flags"]  # one month is not "running"
    page = text(html)
    assert "not billed yet" not in page  # April is outside February
    assert "2026-02" in page


def test_account_and_tag_filters_turn_the_money_flags_off(client: FlaskClient) -> None:
    """An account or tag filter cuts the money but not the hours: no rate/margin judgement.

    ``account=Income:Clients:AcmeDental`` leaves Bayview 0 revenue against its 30 hours:
    judged, that is "rate 0 < 100/h" and, 3 months running, "renegotiate". Acme keeps its
    3170 revenue but loses its 290 + 300 costs (margin 3170), and its onsite overage in
    January, which comes from the hours alone, is still flagged.
    """
    html = get(client, "?account=Income:Clients:AcmeDental")
    table = tables(html)["cm-portfolio"]
    bayview = table.row(client="bayview")
    assert bayview["Revenue"] == "0.00" and bayview["Remote h"] == "30.00"
    assert bayview["Flags"] == "" and bayview["Eff. rate"] == "—"
    assert "renegotiate" not in bayview["Client"]
    acme = {k: v.replace(",", "") for k, v in table.row(client="acme-dental").items()}
    assert acme["Revenue"] == "3170.00" and acme["Margin"] == "3170.00" and acme["Eff. rate"] == "—"
    assert acme["Flags"] == "over included: onsite 1/3 mo"
    totals = [r for r in table.rows if "cm-total" in r.attrs.get("class", "")]
    assert [dict(zip(table.headers, r.cells, strict=False))["Eff. rate"] for r in totals] == ["—", "—"]
    assert 'data-note="money-filtered"' in html
    assert "flags are off under an account/tag filter" in text(html)
    # a tag no entry has cuts every amount to 0: still no rate flag for anyone
    tagged = get(client, "?filter=%23nosuchtag")
    assert 'data-flag="rate"' not in tagged and 'data-note="money-filtered"' in tagged
    assert tables(tagged)["cm-portfolio"].row(client="bayview")["Flags"] == ""
    # the drill-down says so too, and judges no month
    months = get(client, "?client=bayview&account=Income:Clients:AcmeDental")
    assert 'data-note="money-filtered"' in months and "data-flag=" not in months
    # unfiltered, the note is absent and Bayview is flagged (see test_flags_and_renegotiate)
    assert 'data-note="money-filtered"' not in get(client)


def test_drill_down(client: FlaskClient) -> None:
    html = get(client, "?client=acme-dental")
    found = tables(html)
    months = found["cm-months"]
    january = {k: v.replace(",", "") for k, v in months.row(month="2026-01").items()}
    assert january["Revenue"] == "1170.00"
    assert january["Labor"] == "215.00"
    assert january["Other costs"] == "300.00"
    assert january["Margin"] == "655.00"
    assert january["Margin %"] == "56.0%"
    assert january["Eff. rate"] == "260.00"
    assert january["Onsite h"] == "2.00"
    assert "over included" in january["Flags"]
    assert [m.attrs["data-month"] for m in months.rows] == ["2026-01", "2026-02", "2026-03"]
    lines = found["cm-lines"].rows_with(month="2026-01")
    billed = {row["Line"]: (row["Detail"], row["Amount"]) for row in lines}
    assert billed["Retainer"] == ("31 days billed", "1000.00 USD")
    assert billed["Hourly"] == ("1.00 onsite h beyond included", "120.00 USD")
    assert billed["Travel"] == ("1 visit", "50.00 USD")
    assert "alice 3.50 h" in lines[0]["Hours by staff"] and "bob 1.00 h" in lines[0]["Hours by staff"]
    # links into Fava's journal, filtered to the client's accounts
    assert (
        "/journal/?account=%5E(Assets:Receivable%7CIncome:Clients%7CExpenses:Clients):AcmeDental(:%7C$)"
        in html
    )
    assert "/journal/?account=Income:Clients:AcmeDental" in html
    assert '<svelte-component type="charts">' in html
    money, hours = _charts(html)
    assert [c["label"] for c in (money, hours)] == [
        "Revenue and costs by kind",
        "Hours worked and included",
    ]
    # February: retainer 1000 is all the revenue; cost = alice 0.5 h × 50 = 25 (the outline),
    # stacked as +1000 retainer and −25 labor; hours 0.5 remote against 2 remote + 1 onsite.
    february = money["data"][1]
    assert february["date"] == "2026-02-01"
    assert february["balance"] == {"USD": 1000} and february["budgets"] == {"USD": 25}
    assert february["account_balances"] == {"Retainer": {"USD": 1000}, "Labor": {"USD": -25}}
    assert hours["data"][1]["balance"] == {"remote": 0.5, "onsite": 0}
    assert hours["data"][1]["budgets"] == {"remote": 2, "onsite": 1}


def test_drill_down_honours_the_time_filter_and_unknown_clients(client: FlaskClient) -> None:
    html = get(client, "?client=acme-dental&time=2026-03")
    months = tables(html)["cm-months"]
    assert [m.attrs["data-month"] for m in months.rows] == ["2026-03"]
    # the header links keep the filter; without one they carry no time at all
    links = _links(html)
    assert links["income"] == f"/{SLUG}/journal/?account=Income:Clients:AcmeDental&time=2026-03"
    assert links["← All clients"] == f"/{SLUG}/extension/ClientMargin/?time=2026-03"
    unfiltered = _links(get(client, "?client=acme-dental"))
    assert unfiltered["income"] == f"/{SLUG}/journal/?account=Income:Clients:AcmeDental"
    assert unfiltered["← All clients"] == f"/{SLUG}/extension/ClientMargin/"
    assert "No contract for client" in get(client, "?client=nobody")


def test_conversion_and_interval_do_not_break_the_page(client: FlaskClient) -> None:
    for query in ("?conversion=units", "?conversion=at_value", "?conversion=EUR", "?interval=year",
                  "?interval=quarter", "?interval=week", "?interval=day&client=bayview"):
        html = get(client, query)
        assert "cm-page" in html
        assert "data-error" not in html and 'class="cm-error"' not in html, query
        table = "cm-months" if "client=" in query else "cm-portfolio"
        assert len(tables(html)[table].rows) >= 3, query  # the clients (or bayview's months)
    # Jan–Mar are one quarter, starting 2026-01-01; weeks and days fall back to months
    dates = {
        query: [group["date"] for group in _charts(get(client, query))[0]["data"]]
        for query in ("?interval=quarter", "?interval=week", "?interval=day&client=bayview")
    }
    assert dates["?interval=quarter"] == ["2026-01-01"]
    assert dates["?interval=week"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert dates["?interval=day&client=bayview"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    # with no EUR price the dollars stay dollars: still two currencies, never summed
    table = tables(get(client, "?conversion=EUR"))["cm-portfolio"]
    assert {r.attrs.get("data-currency") for r in table.rows} == {"EUR", "USD"}


def test_conversion_with_a_price(write_ledger: WriteLedger) -> None:
    priced = LEDGER + "2026-01-01 price EUR 1.10 USD\n"
    client = fava_app(write_ledger(priced)).test_client()
    table = tables(get(client, "?conversion=USD"))["cm-portfolio"]
    eurotech = table.rows_with(client="eurotech")
    assert len(eurotech) == 1  # 1500 EUR at 1.10 = 1650 USD, less the 100 USD licence
    assert eurotech[0]["Revenue"].replace(",", "") == "1650.00"
    assert eurotech[0]["Margin"].replace(",", "") == "1550.00"


def test_report_recomputes_after_a_reload(write_ledger: WriteLedger) -> None:
    path = write_ledger()
    app = fava_app(path)
    client = app.test_client()
    assert "bayview" in get(client)
    contract = path.parent.parent / "contracts" / "bayview.yaml"
    contract.write_text(contract.read_text().replace("300.00", "2000.00"), encoding="utf-8")
    ledger = app.config["LEDGERS"][SLUG]
    ledger.load_file()
    bayview = tables(get(client))["cm-portfolio"].row(client="bayview")
    assert bayview["Revenue"].replace(",", "") == "6000.00"
    assert "renegotiate" not in bayview["Client"]


def test_report_bills_as_the_plugin_does(write_ledger: WriteLedger) -> None:
    """The report's billing pass gives exactly the bills a fresh pass over the books gives."""
    path = write_ledger()
    ledger = fava_app(path).config["LEDGERS"][SLUG]
    extension = ledger.extensions.get_extension("ClientMargin")
    books = extension.books
    assert books is not None
    full = Books.of(ledger.all_entries, path.parent.parent / "contracts", extension.today)
    assert full.transactions()  # the plugin's own pass does post
    assert books.bills == full.bills  # same bills, so the same page figures
    # acme's three billed months (Jan–Mar; April is past accrue_through 2026-03)
    assert [bill.month for bill in books.bills["acme-dental"]] == [(2026, 1), (2026, 2), (2026, 3)]


def test_ledger_without_the_plugin_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "main.beancount"
    path.write_text('option "title" "Test Books"\n2026-01-01 custom "fava-extension" "plugins.margin"\n')
    page = get(fava_app(path).test_client())
    assert 'does not enable plugin "plugins.retainer"' in text(page)


def _links(html: str) -> dict[str, str]:
    """The page's links as ``{text: href}`` (the last one of a text wins), entities decoded."""
    found = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', html)
    return {entities.unescape(label).strip(): entities.unescape(href) for href, label in found}


def _charts(html: str) -> list[dict[str, Any]]:
    """The JSON of every ``<svelte-component type="charts">`` of the page."""
    pattern = r'<svelte-component type="charts"><script type="application/json">(.*?)</script>'
    found = re.findall(pattern, html)
    return [chart for block in found for chart in json.loads(block)]


def test_charts_are_fava_bar_charts_one_group_per_interval(client: FlaskClient) -> None:
    charts = _charts(get(client))
    assert [c["label"] for c in charts] == ["Margin per client", "Revenue per client"]
    margin = charts[0]
    assert margin["type"] == "bar"
    assert [group["date"] for group in margin["data"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    january = margin["data"][0]
    assert set(january) == {"date", "balance", "budgets", "account_balances"}
    assert january["balance"] == {"EUR": 500, "USD": 455}  # 655 − 200; never summed with EUR
    assert january["account_balances"]["Acme Dental"] == {"USD": 655}
    yearly = _charts(get(client, "?interval=year"))[0]
    assert [group["date"] for group in yearly["data"]] == ["2026-01-01"]  # dates stay unique
    assert yearly["data"][0]["balance"]["USD"] == 1880  # 2580 − 600 − 100, the USD total


def test_client_charts_show_revenue_against_cost_and_hours_against_included(client: FlaskClient) -> None:
    money, hours = _charts(get(client, "?client=acme-dental"))
    january = money["data"][0]
    assert january["balance"] == {"USD": 1170} and january["budgets"] == {"USD": 515}
    assert january["account_balances"]["Labor"] == {"USD": -215}
    assert hours["data"][0]["balance"] == {"onsite": 2, "remote": 2.5}
    assert hours["data"][0]["budgets"] == {"onsite": 1, "remote": 2}


def test_drill_down_lists_other_currencies_apart(client: FlaskClient) -> None:
    found = tables(get(client, "?client=eurotech"))
    assert found["cm-summary"].rows[0].cells[0].replace(",", "") == "1500.00"
    foreign = found["cm-foreign"].rows[0].cells
    assert foreign[0] == "USD" and foreign[2] == "100.00" and foreign[3] == "-100.00"


def test_fava_pages_read_the_plugins_own_pass(write_ledger: WriteLedger) -> None:
    """In Fava the plugin keeps its pass for the pages of the same load: they bill nothing
    again, and what they read is what a fresh pass over the books gives."""
    path = write_ledger()
    ledger = fava_app(path).config["LEDGERS"][SLUG]
    extension = ledger.extensions.get_extension("ClientMargin")
    from plugins.books import remembered

    assert extension.books is remembered(ledger.options, extension.today)
    fresh = Books.of(ledger.all_entries, path.parent.parent / "contracts", extension.today)
    assert extension.books.bills == fresh.bills
    ledger.load_file()  # a reload makes a new pass, and the pages take the new one
    assert extension.books is remembered(ledger.options, extension.today)
