"""The Recurring Revenue and Utilization pages through Fava's Flask app, on the hand-worked
books of ``recurring_books`` (every figure is worked out there)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from recurring_books import CONTRACTS, LEDGER, PRACTICE, TODAY

from margin.margin_books import SLUG, WriteLedger, fava_app
from margin.margin_page import Table, tables, text
from plugins.margin.legend import hcl_color_range, stable_color

RECURRING = f"/{SLUG}/extension/RecurringRevenue/"
UTILIZATION = f"/{SLUG}/extension/Utilization/"


@pytest.fixture
def client(write_ledger: WriteLedger, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    return fava_app(write_ledger(LEDGER, CONTRACTS, PRACTICE)).test_client()


def get(client: FlaskClient, page: str, query: str = "") -> str:
    response = client.get(page + query)
    assert response.status_code == 200, response.data[:2000]
    return response.get_data(as_text=True)


def cells(table: Table, **attrs: str) -> dict[str, str]:
    return {key: value.replace(",", "") for key, value in table.row(**attrs).items()}


def chart_data(html: str, name: str) -> list[dict[str, Any]]:
    """The bar groups of the chart ``data-chart=name``, as Fava's frontend receives them."""
    found = re.search(
        rf'data-chart="{re.escape(name)}">.*?<script type="application/json">(.*?)</script>', html, re.S
    )
    assert found is not None, f"no chart {name}"
    [chart] = json.loads(found.group(1))
    data: list[dict[str, Any]] = chart["data"]
    return data


def legend(html: str, name: str) -> list[tuple[str, str]]:
    found = re.search(rf'<p class="rt-legend" data-legend="{re.escape(name)}".*?</p>', html, re.S)
    assert found is not None, f"no legend {name}"
    return re.findall(
        r'data-key="([^"]+)"[^>]*><i class="rt-swatch" style="[^"]*" data-color="([^"]+)"', found.group(0)
    )


def drawn(html: str, name: str) -> list[tuple[str, str]]:
    """The colours Fava draws each stack in, which the page script repaints in the legend's."""
    found = re.search(rf'<p class="rt-legend" data-legend="{re.escape(name)}".*?</p>', html, re.S)
    assert found is not None, f"no legend {name}"
    return re.findall(r'data-key="([^"]+)" data-drawn="([^"]+)"', found.group(0))


def test_months_movements_and_revenue(client: FlaskClient) -> None:
    html = get(client, RECURRING, "?forecast=3")
    months = tables(html)["rt-months"]
    assert [row.attrs["data-month"] for row in months.rows] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
    ]  # fmt: skip
    march = cells(months, month="2026-03")
    assert (march["MRR"], march["Expansion"], march["Contraction"], march["Churn"]) == (
        "2600.00", "+100.00", "−300.00", "−300.00",
    )  # fmt: skip
    assert march["Recurring"] == "2745.16" and march["Recurring share"] == "100.0%"
    february = cells(months, month="2026-02")
    assert (february["MRR"], february["New"], february["Prepaid"]) == ("3100.00", "+600.00", "150.00")
    assert cells(months, month="2026-01")["Recurring share"] == "85.6%"  # 2500 / 2920
    june = cells(months, month="2026-06")
    assert (june["MRR"], june["Expansion"], june["Recurring"]) == ("3250.00", "+200.00", "3250.00")
    assert "forecast" in june["Month"]
    assert [row.attrs["data-month"] for row in months.rows if "data-forecast" in row.attrs] == [
        "2026-05", "2026-06", "2026-07",
    ]  # fmt: skip
    movements = tables(html)["rt-movements"]
    assert cells(movements, month="2026-03", client="repriced")["Movement"] == "contraction"
    assert cells(movements, month="2026-03", client="churned")["MRR before"] == "300.00"
    assert cells(movements, month="2026-07", client="upgrade")["Movement"] == "churn"
    assert len(movements.rows_with(month="2026-02")) == 1  # midstart only: no churn from proration
    page = text(html)
    assert "3050.00 USD MRR in 2026-04" in page
    assert "36600.00 USD ARR (12 × MRR)" in page


def test_contract_end_list(client: FlaskClient) -> None:
    ends = tables(get(client, RECURRING))["rt-ends"]
    assert [(r.attrs["data-client"], r.attrs["data-kind"]) for r in ends.rows] == [
        ("steady", "renews"),
        ("upgrade", "ends"),
    ]
    steady = cells(ends, client="steady")
    assert (steady["Date"], steady["MRR now"], steady["MRR after"]) == ("2026-06-01", "1000.00", "1200.00")
    upgrade = cells(ends, client="upgrade")
    assert (upgrade["Date"], upgrade["MRR now"], upgrade["MRR after"]) == ("2026-06-30", "500.00", "0.00")


def test_time_filter_cuts_months_and_the_forecast(client: FlaskClient) -> None:
    html = get(client, RECURRING, "?time=2026-03")
    months = tables(html)["rt-months"]
    # March alone, its movements still against February; before the horizon: no forecast
    assert [row.attrs["data-month"] for row in months.rows] == ["2026-03"]
    assert cells(months, month="2026-03")["Churn"] == "−300.00"
    assert "2600.00 USD MRR in 2026-03" in text(html)
    # looking ahead from the filter's last day, 2026-03-31 (through 2026-06-29)
    ends = tables(html)["rt-ends"]
    assert [r.attrs["data-client"] for r in ends.rows] == ["steady"]
    # the whole books get the default 12 forecast months
    all_months = tables(get(client, RECURRING))["rt-months"]
    assert len([r for r in all_months.rows if "data-forecast" in r.attrs]) == 12


def test_a_time_filter_past_the_horizon_is_forecast_through_its_end(client: FlaskClient) -> None:
    # 2026 reaches 8 months past the horizon (2026-04): May-Dec are forecast
    months = tables(get(client, RECURRING, "?time=2026"))["rt-months"]
    assert [r.attrs["data-month"] for r in months.rows if "data-forecast" in r.attrs] == [
        f"2026-{m:02d}" for m in range(5, 13)
    ]
    # a filter wholly after the horizon: its own months, forecast, movements against the month
    # before it (steady's rise in June, upgrade's end in July)
    html = get(client, RECURRING, "?time=2026-06 - 2026-07")
    months = tables(html)["rt-months"]
    assert [r.attrs["data-month"] for r in months.rows] == ["2026-06", "2026-07"]
    assert all("data-forecast" in r.attrs for r in months.rows)
    assert cells(months, month="2026-06")["Expansion"] == "+200.00"
    assert cells(months, month="2026-07")["Churn"] == "−500.00"
    assert "No accrued month in this period" in text(html)


def test_mrr_chart_stacks_and_their_legend(client: FlaskClient) -> None:
    html = get(client, RECURRING, "?forecast=3")
    groups = {group["date"]: group for group in chart_data(html, "mrr")}
    assert groups["2026-03-01"]["balance"] == {"USD": 2600}
    assert groups["2026-03-01"]["account_balances"] == {
        "Retained": {"USD": 2500},  # 2600 − 0 new − 100 expansion
        "Expansion": {"USD": 100},
        "Contraction": {"USD": -300},
        "Churn": {"USD": -300},
    }
    assert groups["2026-07-01"]["account_balances"] == {"Forecast": {"USD": 2750}, "Churn": {"USD": -500}}
    # the legend names every stack, sorted as Fava sorts them, in the stable colours the page
    # paints them with, each with the colour Fava draws it in (to repaint)
    keys = ["Churn", "Contraction", "Expansion", "Forecast", "New", "Retained"]
    assert legend(html, "mrr") == [(key, stable_color(key)) for key in keys]
    assert drawn(html, "mrr") == list(zip(keys, hcl_color_range(6), strict=True))
    revenue = chart_data(html, "revenue")
    assert [group["date"] for group in revenue] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert revenue[0]["account_balances"] == {
        "Recurring": {"USD": 2500},
        "Hourly": {"USD": 380},
        "Travel": {"USD": 40},
    }
    assert [key for key, _ in legend(html, "revenue")] == ["Hourly", "Prepaid", "Recurring", "Travel"]


def test_utilization_page(client: FlaskClient) -> None:
    html = get(client, UTILIZATION)
    staff = tables(html)["rt-staff"]
    alice = cells(staff, staff="alice")
    assert (alice["Hours"], alice["Billable"], alice["Non-billable"], alice["Available"]) == (
        "7.00", "6.00", "1.00", "642.00",
    )  # fmt: skip
    assert (alice["Utilization"], alice["Non-billable cost"]) == ("0.9%", "50.00")  # 6 / 642
    # most hours first, then by id (commas dropped by ``cells``)
    assert alice["Clients"] == "Midstart Clinic 3.00 h Steady Dental 3.00 h Upgrade Law 1.00 h"
    months = tables(html)["rt-util-months"]
    carol = cells(months, staff="carol", month="2026-03")
    assert (carol["Hours"], carol["Utilization"], carol["Non-billable cost"]) == ("2.50", "0.4%", "80.00")
    assert cells(months, staff="alice", month="2026-02")["Utilization"] == "2.5%"  # 3 / 120
    # one chart per staff member: billable, non-billable and unused hours, the available
    # hours as the outline, with a legend of its stacks
    january = chart_data(html, "staff-alice")[0]
    assert january["account_balances"] == {
        "Billable": {"hours": 2},
        "Non-billable": {"hours": 1},
        "Unused available": {"hours": 129},  # 132 − 3
    }
    assert january["budgets"] == {"hours": 132}
    keys = ["Billable", "Non-billable", "Unused available"]
    assert legend(html, "staff-alice") == [(key, stable_color(key)) for key in keys]
    assert drawn(html, "staff-alice") == list(zip(keys, hcl_color_range(3), strict=True))
    # the overview has no stacks: Fava's own legend names its bars, one per staff member
    overview = chart_data(html, "overview")
    assert set(overview[0]["balance"]) == {"Alice Moreau", "bob", "carol"}
    assert overview[0]["balance"]["Alice Moreau"] == pytest.approx(100 * 2 / 132)
    assert 'data-legend="overview"' not in html


def test_utilization_under_a_time_filter(client: FlaskClient) -> None:
    html = get(client, UTILIZATION, "?time=2026-03")
    months = tables(html)["rt-util-months"]
    assert {row.attrs["data-month"] for row in months.rows} == {"2026-03"}
    staff = tables(html)["rt-staff"]
    assert cells(staff, staff="carol")["Utilization"] == "0.4%"  # 0.5 / 132
    assert cells(staff, staff="alice")["Hours"] == "0.00"  # listed in practice.yaml, no time


def test_a_ledger_without_the_plugin_says_so(tmp_path: Any) -> None:
    path = tmp_path / "plain.beancount"
    path.write_text('option "title" "Test Books"\n2026-01-01 custom "fava-extension" "plugins.margin"\n')
    client = fava_app(path).test_client()
    for page in (RECURRING, UTILIZATION):
        assert 'does not enable plugin "plugins.retainer"' in text(get(client, page))


def test_a_broken_contract_is_named_on_both_pages(
    write_ledger: WriteLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    broken = "client: broken\nterms:\n  - from: 2026-01-01\n    monthy_fee: 900\n"
    client = fava_app(write_ledger(LEDGER, {**CONTRACTS, "broken": broken}, PRACTICE)).test_client()
    for page in (RECURRING, UTILIZATION):
        html = get(client, page)
        assert 'data-warning="not-counted"' in html
        assert "Not counted: broken: the contract has errors" in text(html)
    assert "36600.00 USD ARR" in text(get(client, RECURRING))


def test_project_milestones_are_revenue_but_not_recurring(
    write_ledger: WriteLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    fixed = (
        "client: fixedco\nname: Fixed Co\nterms:\n  - from: 2026-01-01\n"
        "projects:\n  - id: server-move\n    price: 1000.00\n    billed: 2026-03-20\n"
    )
    client = fava_app(write_ledger(LEDGER, {**CONTRACTS, "fixedco": fixed}, PRACTICE)).test_client()
    months = tables(get(client, RECURRING))["rt-months"]
    march = cells(months, month="2026-03")
    # 1000 of project work beside 2745.16 of retainers: 2745.16 / 3745.16 = 73.3 %; no MRR
    assert (march["Projects"], march["Recurring share"], march["MRR"]) == ("1000.00", "73.3%", "2600.00")
    assert cells(months, month="2026-02")["Projects"] == "0.00"


@pytest.mark.parametrize(("page", "cls"), [(RECURRING, "RecurringRevenue"), (UTILIZATION, "Utilization")])
def test_a_bug_in_a_report_shows_as_a_message_not_a_broken_page(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, page: str, cls: str
) -> None:
    import plugins.margin.recurring as recurring
    import plugins.margin.utilization as utilization

    owner = recurring.RecurringRevenue if cls == "RecurringRevenue" else utilization.Utilization

    def broken(self: object, books: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(owner, "_page", broken)
    html = get(client, page)  # still 200: Fava's page around the message
    assert "could not build this report: ZeroDivisionError(&#39;a bug&#39;)" in html
