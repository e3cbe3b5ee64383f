"""Fava: the Client Margin drill-down links each month to its statement, as a page and a PDF."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fava.application import create_app
from flask.testing import FlaskClient
from statement_support import ACME, ACME_LEDGER, PRACTICE
from support import WriteBooks

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "ledger" / "main.beancount"
FAVA_LINE = '2026-01-01 custom "fava-extension" "plugins.margin"\noption "title" "Acme Books"\n'


def fava(path: Path) -> FlaskClient:
    app = create_app([str(path)], load=True)
    app.testing = True
    return app.test_client()


@pytest.fixture
def acme(write_books: WriteBooks) -> FlaskClient:
    return fava(write_books(FAVA_LINE + ACME_LEDGER, {"acme-dental": ACME}, PRACTICE).path)


def statement_links(client: FlaskClient, slug: str, contract: str) -> dict[tuple[str, str], str]:
    page = client.get(f"/{slug}/extension/ClientMargin/?client={contract}")
    assert page.status_code == 200
    found = {}
    for href, kind in re.findall(r'href="([^"]+)"[^>]*data-statement="(\w+)"', page.get_data(as_text=True)):
        url = html.unescape(href)
        month = re.search(r"month=(\d{4}-\d{2})", url)
        assert month is not None
        found[(month.group(1), kind)] = url
    return found


def test_each_billed_month_links_to_its_statement(acme: FlaskClient) -> None:
    links = statement_links(acme, "acme-books", "acme-dental")
    # January to March are billed (accrue_through 2026-03): a page and a PDF each.
    assert sorted(links) == [(f"2026-0{m}", kind) for m in (1, 2, 3) for kind in ("html", "pdf")]
    page = acme.get(links[("2026-01", "html")])
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "AcmeDental-2026-01" in text and "Dr. Jane Ortiz" in text
    assert "4 visits × $45 trip fee" in text and "$1,732.50" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    pdf = acme.get(links[("2026-02", "pdf")])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"] == 'inline; filename="AcmeDental-2026-02.pdf"'


def test_a_statement_ignores_favas_time_filter(acme: FlaskClient) -> None:
    """A statement is the client's account: the balance before February counts January."""
    page = acme.get(
        "/acme-books/extension/ClientMargin/statement?client=acme-dental&month=2026-02&time=2026-02"
    )
    text = page.get_data(as_text=True)
    assert "Balance before February 2026" in text
    assert re.search(r"Balance before February 2026</td><td class=\"num\">\$1,732.50<", text)


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("client=nobody&month=2026-01", 404, "no contract for client 'nobody'"),
        ("client=acme-dental&month=2026-13", 400, "month='2026-13' is not a month"),
        ("client=acme-dental&month=2026-04", 400, "2026-04 is not billed yet"),
        ("client=acme-dental&month=2026-01&through=2025", 400, "through='2025' is not a month"),
    ],
)
def test_bad_requests_say_why(acme: FlaskClient, query: str, status: int, says: str) -> None:
    response = acme.get(f"/acme-books/extension/ClientMargin/statement?{query}")
    assert response.status_code == status
    assert says in response.get_data(as_text=True)


def test_demo_drill_down_links_open() -> None:
    client = fava(DEMO)
    links = statement_links(client, "northwind-it-services", "lumen-architects")
    # Lumen Architecture: November 2025 through its last month, August 2026 (ten months).
    months = sorted({month for month, _ in links})
    assert months[0] == "2025-11" and months[-1] == "2026-08" and len(months) == 10
    page = client.get(links[("2026-08", "html")]).get_data(as_text=True)
    assert "prorated 15 of 31 days (Aug 1–15)" in page
