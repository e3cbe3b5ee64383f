"""Client Margin's legends and stable colours in real headless Chromium (Debian's, via
Playwright): the legend names the clients, the bars Fava draws are painted in the legend's
colours, a client keeps its colour when another is added, and a broken contract shows as
a row, all without a console error."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from margin.margin_books import CONTRACTS, SLUG, WriteLedger
from margin.test_margin_browser import CHROMIUM, CHROMIUM_ARGS, serving

if TYPE_CHECKING:
    from playwright.sync_api import Page

# A newer client, first by name (so Fava's own colours for every other client would shift),
# and a contract with a misspelt key, which fails to load.
NEWCOMER = """\
client: aardvark-it
name: Aardvark IT
terms:
  - from: 2026-02-01
    monthly_fee: 200.00
"""
BROKEN = """\
client: zephyr-labs
name: Zephyr Labs
terms:
  - from: 2026-01-01
    monthly_fees: 700.00
"""


def _colours(page: Page, chart: str) -> dict[str, str]:
    """``{client name: colour}`` of a chart's legend, after checking every stack's bars are
    drawn in one of those colours (the page script repainted Fava's)."""
    box = page.locator(f"[data-chart='{chart}']")
    items = box.locator(".rt-legend-item").all()
    legend = {item.get_attribute("data-key") or "": item.get_attribute("data-color") or "" for item in items}
    fills = box.locator("svg g.stacks rect").evaluate_all("rects => rects.map(r => r.getAttribute('fill'))")
    assert fills and set(fills) <= set(legend.values()), (fills, legend)
    return legend


def _open(page: Page, base: str) -> None:
    page.goto(f"{base}/{SLUG}/extension/ClientMargin/")
    chart = "[data-chart='Margin per client'] svg g.stacks rect"
    page.wait_for_selector(chart, state="attached", timeout=20_000)
    page.wait_for_function(  # the page script has repainted the stacks
        "() => document.querySelector(\"[data-chart='Margin per client'] g.stacks rect[data-painted]\")",
        timeout=10_000,
    )


def test_legends_colours_that_stay_and_a_broken_contract(write_ledger: WriteLedger, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1200})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            with serving(write_ledger(), tmp_path / "fava-1.log") as base:
                _open(page, base)
                before = _colours(page, "Margin per client")
                assert set(before) == {"Acme Dental", "Bayview Clinic", "Eurotech GmbH"}
                assert len(set(before.values())) == 3
                assert _colours(page, "Revenue per client") == before
                # the legend is visible in stacked mode, named in the page's text
                assert page.locator("[data-legend='Margin per client']").is_visible()
                assert "Bayview Clinic" in page.locator("[data-legend='Margin per client']").inner_text()
                page.goto(f"{base}/{SLUG}/extension/ClientMargin/?client=acme-dental")
                painted = "[data-chart='Revenue and costs by kind'] svg g.stacks rect[data-painted]"
                page.wait_for_selector(painted, state="attached", timeout=20_000)
                kinds = _colours(page, "Revenue and costs by kind")
                assert {"Retainer", "Labor"} <= set(kinds)

            more = {**CONTRACTS, "aardvark-it": NEWCOMER, "zephyr-labs": BROKEN}
            with serving(write_ledger(contracts=more), tmp_path / "fava-2.log") as base:
                _open(page, base)
                after = _colours(page, "Margin per client")
                assert set(after) == {*before, "Aardvark IT"}
                assert {name: after[name] for name in before} == before  # nobody moved
                broken = page.locator("table.cm-portfolio tr[data-client='zephyr-labs'][data-failed]")
                assert broken.is_visible()
                assert "monthly_fees" in broken.inner_text() and "zephyr-labs.yaml:5" in broken.inner_text()
                assert "without 1 client" in page.locator("tr.cm-total").first.inner_text()
                page.screenshot(path=str(tmp_path / "client-margin-colours.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
