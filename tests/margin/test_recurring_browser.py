"""The Recurring Revenue and Utilization pages in real headless Chromium (Debian's), served
by ``fava`` on the hand-worked books of ``recurring_books``: the charts draw, and each
legend names exactly the colours its chart is drawn with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from recurring_books import CONTRACTS, LEDGER, PRACTICE, TODAY

from margin.margin_books import SLUG, WriteLedger
from margin.test_margin_browser import (  # the same browser and server as the margin page's
    CHROMIUM,
    CHROMIUM_ARGS,
    _chromium_installed,  # noqa: F401 (autouse: fail, never skip, without chromium)
    served,  # noqa: F401 (the fava server, on the books of ``write_ledger`` below)
)

if TYPE_CHECKING:  # imported in the tests, as playwright is
    from playwright.sync_api import Page


@pytest.fixture
def write_ledger(write_ledger: WriteLedger, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Path]:
    """These books instead of the margin page's, with "today" pinned for the served fava."""
    monkeypatch.setenv("RETAINER_TODAY", TODAY)
    return lambda: write_ledger(LEDGER, CONTRACTS, PRACTICE)


def stack_fills(page: Page, chart: str) -> list[str]:
    """The fill of every stacked bar drawn in ``div[data-chart=chart]``, one per bar (Fava
    also places a zero-height rect for each key in every month that lacks it)."""
    rects = page.locator(f"div[data-chart='{chart}'] svg g.stacks rect").all()
    return [
        fill
        for rect in rects
        if (fill := rect.get_attribute("fill")) and float(rect.get_attribute("height") or 0) > 0
    ]


def legend_colors(page: Page, chart: str) -> dict[str, str]:
    items = page.locator(f"div[data-chart='{chart}'] .rt-legend .rt-legend-item").all()
    found = {}
    for item in items:
        key, swatch = item.get_attribute("data-key"), item.locator("i.rt-swatch")
        assert key is not None
        # the colour the browser shows, normalised by it, must be the one written down
        shown = swatch.evaluate("element => getComputedStyle(element).backgroundColor")
        assert shown == swatch.get_attribute("data-color")
        found[key] = shown
    return found


def assert_legend_matches(page: Page, chart: str, keys: list[str]) -> dict[str, str]:
    colors = legend_colors(page, chart)
    assert list(colors) == keys
    fills = stack_fills(page, chart)
    assert fills, f"no stacked bars drawn in {chart}"
    assert set(fills) == set(colors.values()), (chart, set(fills), colors)
    legend_box = page.locator(f"div[data-chart='{chart}'] .rt-legend").bounding_box()
    chart_box = page.locator(f"div[data-chart='{chart}'] svg").first.bounding_box()
    assert legend_box is not None and chart_box is not None
    assert legend_box["y"] + legend_box["height"] <= chart_box["y"]  # above the chart
    return colors


def test_charts_and_their_legends(served: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2600})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{served}/{SLUG}/extension/RecurringRevenue/?forecast=3")
            page.wait_for_selector(
                "div[data-chart=revenue] svg g.stacks rect", state="attached", timeout=20_000
            )
            assert page.locator("svelte-component.error").count() == 0
            colors = assert_legend_matches(
                page, "mrr", ["Churn", "Contraction", "Expansion", "Forecast", "New", "Retained"]
            )
            fills = stack_fills(page, "mrr")
            # one Forecast bar for each of the 3 forecast months; New in Jan, Feb and Apr;
            # Churn in March (churned) and July (upgrade's end)
            assert fills.count(colors["Forecast"]) == 3
            assert fills.count(colors["New"]) == 3
            assert fills.count(colors["Churn"]) == 2
            assert_legend_matches(page, "revenue", ["Hourly", "Prepaid", "Recurring", "Travel"])
            assert page.locator("table.rt-ends tbody tr").count() == 2
            page.screenshot(path=str(tmp_path / "recurring-revenue.png"), full_page=True)
            # In Fava's single-bar mode the bars take currency colours and Fava's own legend:
            # ours hides (it would name colours no longer drawn) and comes back with the stacks.
            mrr_chart = page.locator("div[data-chart=mrr]")
            mrr_chart.locator("label.button", has_text="Single Bars").click()
            page.wait_for_selector("div[data-chart=mrr] .rt-legend", state="hidden", timeout=10_000)
            assert mrr_chart.locator("svg g.stacks").count() == 0
            page.screenshot(path=str(tmp_path / "recurring-revenue-single.png"), full_page=True)
            mrr_chart.locator("label.button", has_text="Stacked Bars").click()
            page.wait_for_selector("div[data-chart=mrr] .rt-legend", state="visible", timeout=10_000)
            assert_legend_matches(page, "mrr", list(colors))

            page.goto(f"{served}/{SLUG}/extension/Utilization/")
            page.wait_for_selector(
                "div[data-chart=staff-carol] svg g.stacks rect", state="attached", timeout=20_000
            )
            # the same three keys, so the same colours, on everyone's chart
            keys = ["Billable", "Non-billable", "Unused available"]
            alice = assert_legend_matches(page, "staff-alice", keys)
            assert legend_colors(page, "staff-carol") == alice == legend_colors(page, "staff-bob")
            assert set(stack_fills(page, "staff-carol")) == set(alice.values())
            # bob's time is all billable: nothing drawn in the non-billable colour
            assert set(stack_fills(page, "staff-bob")) == {alice["Billable"], alice["Unused available"]}
            # the overview's bars are one per staff member, named by Fava's own legend
            overview = page.locator("div[data-chart=overview]")
            assert overview.locator(".rt-legend").count() == 0
            for name in ("Alice Moreau", "bob", "carol"):
                assert overview.get_by_role("button", name=name).count() == 1
            assert overview.locator("svg rect[fill]").count() >= 3 * 5  # 3 people × 5 months
            page.screenshot(path=str(tmp_path / "utilization.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert (tmp_path / "recurring-revenue.png").stat().st_size > 10_000
