"""Per-project figures (plugins.reports.projects), ``retainer projects`` and the Projects
section of the Client Margin drill-down, on a real ledger, figures by hand.

The books of ``test_projects``: Acme Dental (900/month) with two projects and practice
cost rates alice 50, anyone else 40, target margin 45 %, accrued through 2026-03.

office-move, price 3000 (1000 on 2026-02-15, 2000 on 2026-03-31), budget 6 h:
  alice 5 h (02-03), bob 1.1 h (02-05), bob 2 h (03-02) = 8.1 h, 2.1 h beyond the budget;
  labor 5 × 50 + 3.1 × 40 = 250 + 124 = 374.00; margin 3000 − 374 = 2626.00 = 87.53 %.
dms-setup, price 1200 (billed 2026-03-10), no budget: alice 1 h (03-09) = 50.00 labor;
  margin 1150.00 = 95.83 %.
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from margin.margin_books import fava_app
from margin.margin_page import tables
from support import Books as Loaded
from support import WriteBooks
from test_projects import ACME, AGREEMENT_TIME, PRACTICE, PROJECT_TIME

from plugins.books import Books
from plugins.reports.projects import ProjectFigures, build_projects
from scripts.cli import main

FAVA = '2026-01-01 custom "fava-extension" "plugins.margin"\n'


def figures(loaded: Loaded) -> dict[str, ProjectFigures]:
    books = Books.of_ledger(loaded.entries, loaded.options)
    return {f.project.id: f for f in build_projects(books.clients, books.practice, books.bills, books.time)}


def test_per_project_figures_by_hand(write_books: WriteBooks) -> None:
    loaded = write_books(AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    found = figures(loaded)
    assert list(found) == ["office-move", "dms-setup"]  # as written in the contract
    move, dms = found["office-move"], found["dms-setup"]
    assert (move.price, move.billed, move.hours) == (D("3000.00"), D("3000.00"), D("8.1"))
    assert (move.labor, move.margin) == (D("374.00"), D("2626.00"))
    assert round(move.margin_ratio or 0, 4) == D("0.8753")
    assert [entry.date.isoformat() for entry in move.entries] == ["2026-02-03", "2026-02-05", "2026-03-02"]
    assert (dms.billed, dms.hours, dms.labor, dms.margin) == (D("1200.00"), D("1"), D("50.00"), D("1150.00"))
    # The budget flag: 8.1 h for 6 h; dms-setup has no budget, and neither margin is low.
    assert [flag.code for flag in move.flags] == ["budget"]
    assert "8.10 h worked for a budget of 6.00 h (2.10 h beyond)" in move.flags[0].reason
    assert dms.flags == []


def test_margin_under_target_is_flagged(write_books: WriteBooks) -> None:
    # With a 90 % target: office-move's 87.53 % is under it, dms-setup's 95.83 % is not.
    loaded = write_books(PROJECT_TIME, {"acme-dental": ACME}, PRACTICE.replace("0.45", "0.9"))
    found = figures(loaded)
    assert [flag.code for flag in found["office-move"].flags] == ["budget", "margin"]
    assert found["dms-setup"].flags == []


def test_billed_is_what_is_receivable_so_far(write_books: WriteBooks) -> None:
    """Accrued through February: only the first milestone; the hours count all the work."""
    loaded = write_books(PROJECT_TIME, {"acme-dental": ACME}, PRACTICE.replace("2026-03", "2026-02"))
    found = figures(loaded)
    assert found["office-move"].billed == D("1000.00")
    assert found["dms-setup"].billed == 0
    assert found["office-move"].hours == D("8.1")  # the March entries too


def test_without_cost_rates_there_is_no_margin(write_books: WriteBooks) -> None:
    loaded = write_books(
        PROJECT_TIME, {"acme-dental": ACME}, "accrue_through: 2026-03\ntarget_margin: 0.45\n"
    )
    move = figures(loaded)["office-move"]
    assert move.labor is None and move.margin is None and move.margin_ratio is None
    assert move.uncosted_hours == D("8.1")
    assert [flag.code for flag in move.flags] == ["budget"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_projects_json(write_books: WriteBooks) -> None:
    loaded = write_books(AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    code, output = run("projects", "--ledger", str(loaded.path), "--format", "json")
    assert code == 0, output
    move, dms = json.loads(output)["projects"]
    assert move == {
        "client": "acme-dental",
        "project": "office-move",
        "name": "Office move",
        "currency": "USD",
        "price": "3000.00",
        "billed": "3000.00",
        "hours": "8.10",
        "budget_hours": "6.00",
        "labor": "374.00",
        "margin": "2626.00",
        "margin_pct": pytest.approx(0.8753),
        # 8.10 h against the 6.00 h budget: 2.10 h beyond
        "flags": [{"code": "budget", "reason": "8.10 h worked for a budget of 6.00 h (2.10 h beyond)"}],
    }
    assert (dms["project"], dms["name"], dms["budget_hours"], dms["flags"]) == (
        "dms-setup",
        "dms-setup",
        None,
        [],
    )
    assert (dms["labor"], dms["margin"], dms["margin_pct"]) == ("50.00", "1150.00", pytest.approx(0.9583))


def test_projects_table_csv_and_client(write_books: WriteBooks) -> None:
    loaded = write_books(PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    code, output = run("projects", "--ledger", str(loaded.path), "--client", "acme-dental", "--format", "csv")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "client,project,name,price,billed,hours,budget h,labor,margin,margin %,flags"
    assert lines[1].startswith(
        "Acme Dental LLC,office-move,Office move,3000.00,3000.00,8.10,6.00,374.00,2626.00,"
    )
    code, output = run("projects", "--ledger", str(loaded.path))
    assert code == 0 and "Fixed-price projects" in output and "+2.10 h over budget" in output
    code, output = run("projects", "--ledger", str(loaded.path), "--client", "nobody")
    assert code == 1 and "no contract for client 'nobody'" in output


def test_client_margin_counts_project_revenue_and_cost(write_books: WriteBooks) -> None:
    """``retainer margin``: project milestones are the client's revenue, their labor its cost."""
    loaded = write_books(AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    code, output = run("margin", "--ledger", str(loaded.path), "--format", "json")
    assert code == 0, output
    (acme,) = json.loads(output)["clients"]
    # Retainer 3 × 900 = 2700; hourly 95 (February); travel 45; projects 1000 + 1200 + 2000.
    assert (acme["retainer"], acme["hourly"], acme["travel"]) == ("2700.00", "95.00", "45.00")
    assert (acme["projects"], acme["revenue"]) == ("4200.00", "7040.00")
    # Labor: February 464.00 + March 130.00 (test_projects) = 594.00; margin 7040 − 594.
    assert (acme["labor"], acme["margin"]) == ("594.00", "6446.00")
    # Hours worked include the project's: 3 + 0.5 agreement + 8.1 + 1 project = 12.6.
    assert acme["hours"] == "12.60"


def test_client_margin_page_has_a_projects_section(write_books: WriteBooks) -> None:
    loaded = write_books(FAVA + AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    client = fava_app(loaded.path).test_client()
    slug = "beancount"  # the ledger has no title
    response = client.get(f"/{slug}/extension/ClientMargin/?client=acme-dental")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = tables(html)
    move = found["cm-project-table"].row(project="office-move")
    assert move["Price"] == "3000.00" and move["Billed"] == "3000.00"
    assert move["Hours / budget"] == "8.10 / 6.00 h"
    assert (move["Labor"], move["Margin"], move["Margin %"]) == ("374.00", "2626.00", "87.5%")
    assert "2.10 h beyond" in move["Flags"]
    # The bar: the budget is 6 / 8.1 = 74.1 % of it, the 2.1 h beyond the other 25.9 %.
    assert 'class="cm-budget cm-over-budget"' in html
    assert '<span style="width: 74.1%"></span><span class="cm-beyond" style="width: 25.9%"></span>' in html
    dms = found["cm-project-table"].row(project="dms-setup")
    assert dms["Hours / budget"] == "1.00 h" and dms["Flags"] == ""
    # The entries behind each project (the last entry table on the page is dms-setup's).
    assert 'data-project-entries="office-move"' in html and "3 time entries, 8.10 h" in html
    # The billed lines list the milestones.
    lines = found["cm-lines"].rows_with(month="2026-03")
    projects = [row["Detail"] for row in lines if row["Line"] == "Project"]
    assert projects == ["dms-setup, 2026-03-10", "Office move, milestone 2 of 2, 2026-03-31"]


def test_the_all_clients_page_lists_every_project(write_books: WriteBooks) -> None:
    loaded = write_books(FAVA + AGREEMENT_TIME + PROJECT_TIME, {"acme-dental": ACME}, PRACTICE)
    html = (
        fava_app(loaded.path).test_client().get("/beancount/extension/ClientMargin/").get_data(as_text=True)
    )
    table = tables(html)["cm-project-table"]
    assert [row.attrs["data-project"] for row in table.rows] == ["office-move", "dms-setup"]
    move = table.row(project="office-move")
    assert move["Client"] == "Acme Dental LLC" and move["Margin"] == "2626.00"
    assert "client=acme-dental#projects" in html
    assert "data-project-entries" not in html  # the entries are in the client's drill-down
    # The client's row counts the milestones: 2700 + 95 + 45 + 4200 = 7040.00 revenue.
    assert tables(html)["cm-portfolio"].row(client="acme-dental")["Revenue"].replace(",", "") == "7040.00"


def test_the_drill_down_of_a_client_without_projects_has_no_section(write_books: WriteBooks) -> None:
    plain = ACME.split("projects:")[0]
    loaded = write_books(FAVA + AGREEMENT_TIME, {"acme-dental": plain}, PRACTICE)
    html = fava_app(loaded.path).test_client().get("/beancount/extension/ClientMargin/?client=acme-dental")
    assert html.status_code == 200
    assert "Fixed-price projects" not in html.get_data(as_text=True)
