"""The Client Margin page in real headless Chromium, against Fava served on 127.0.0.1.

Debian's ``chromium`` (``make chromium``) is driven by Playwright's Python API; the
test starts ``fava`` in a subprocess on a free port, waits for it, and stops it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from margin.margin_books import SLUG, WriteLedger

if TYPE_CHECKING:  # imported in the test, as playwright is
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]



@pytest.fixture(autouse=True)
def _chromium_installed() -> None:
    """Fail, never skip: a skipped browser test would hide a missing install step."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make chromium` (make test does)")


def _order(page: Page, table: str) -> list[str]:
    """The body rows of ``table.<table>`` as shown: ``client`` (``client/currency`` for
    eurotech, which has two) or ``month``."""
    found = []
    for row in page.locator(f"table.{table} tbody tr").all():
        client, month = row.get_attribute("data-client"), row.get_attribute("data-month")
        if client == "eurotech":
            client = f"{client}/{row.get_attribute('data-currency')}"
        found.append(client or month or "?")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fava_command() -> list[str]:
    script = Path(sys.executable).with_name("fava")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from fava.cli import main; main()"]


@contextlib.contextmanager
def serving(ledger: Path, log_path: Path) -> Iterator[str]:
    """Base URL of ``fava`` serving ``ledger``; the server stops on leaving."""
    port = _free_port()
    log = log_path.open("wb")
    server = subprocess.Popen(
        [*_fava_command(), "--host", "127.0.0.1", "--port", str(port), str(ledger)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "FLASK_DEBUG": "0"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/{SLUG}/extension/ClientMargin/", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def served(write_ledger: WriteLedger, tmp_path: Path) -> Iterator[str]:
    """Base URL of ``fava`` serving the test practice; the server stops after the test."""
    with serving(write_ledger(), tmp_path / "fava.log") as base:
        yield base


def test_report_renders_table_and_charts_without_console_errors(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{served}/{SLUG}/extension/ClientMargin/")
            page.wait_for_selector("svelte-component[type=charts] svg rect", timeout=20_000)
            rows = page.locator("table.cm-portfolio tbody tr")
            assert rows.count() == 4  # acme, bayview, eurotech EUR and its USD row
            bayview = page.locator("table.cm-portfolio tr[data-client=bayview]")
            assert "renegotiate" in bayview.inner_text()
            assert page.locator("svelte-component[type=charts].error").count() == 0
            # Fava's sortable table, by margin. Served, the rows are by name: acme, bayview,
            # eurotech EUR, eurotech USD. Margins (see test_margin_page): acme 2580, bayview
            # −600, eurotech 1500 EUR and −100 USD (the licence); both sorted orders differ
            # from the served one, so a click that sorts nothing (or by another column) fails.
            assert _order(page, "cm-portfolio") == ["acme-dental", "bayview", "eurotech/EUR", "eurotech/USD"]
            header = page.locator("table.cm-portfolio th", has_text="Margin").first
            header.click()  # lowest first: −600, −100, 1500, 2580
            assert _order(page, "cm-portfolio") == ["bayview", "eurotech/USD", "eurotech/EUR", "acme-dental"]
            header.click()  # highest first: 2580, 1500, −100, −600
            assert _order(page, "cm-portfolio") == ["acme-dental", "eurotech/EUR", "eurotech/USD", "bayview"]
            page.screenshot(path=str(tmp_path / "client-margin.png"), full_page=True)

            page.goto(f"{served}/{SLUG}/extension/ClientMargin/?client=acme-dental")
            page.wait_for_selector("svelte-component[type=charts] svg rect", timeout=20_000)
            assert page.locator("table.cm-months tbody tr").count() == 3
            # after the "Included used" column: Jan 1170 / 4.5 h = 260, Feb 1000 / 0.5 h = 2000,
            # Mar 1000 / 1 h = 1000; lowest first is Jan, Mar, Feb
            page.locator("table.cm-months th", has_text="Eff. rate").click()
            assert _order(page, "cm-months") == ["2026-01", "2026-03", "2026-02"]
            # each chart is drawn on its own; the hours one has no stacks, so single bars
            page.wait_for_selector("[data-chart='Hours worked and included'] svg rect.budget", timeout=10_000)
            page.screenshot(path=str(tmp_path / "client-margin-acme.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert (tmp_path / "client-margin.png").stat().st_size > 10_000


def test_drill_down_opens_a_months_statement_in_a_new_tab(served: str) -> None:
    """The month's statement link leaves Fava's router alone (data-remote) and opens the
    statement page itself, not a Fava page around it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{served}/{SLUG}/extension/ClientMargin/?client=acme-dental")
            link = page.locator("table.cm-months tr[data-month='2026-01'] a[data-statement=html]")
            with page.expect_popup() as popup:
                link.click()
            statement = popup.value
            statement.wait_for_load_state()
            assert statement.title() == "Statement AcmeDental-2026-01 · Acme Dental"
            # acme-dental of the margin test practice: 1000.00 a month
            assert statement.locator("[data-number]").inner_text() == "AcmeDental-2026-01"
            assert statement.locator("tr[data-kind=retainer] td.num").inner_text() == "$1,000.00"
            assert page.url.endswith("?client=acme-dental")  # Fava stays where it was
        finally:
            browser.close()
