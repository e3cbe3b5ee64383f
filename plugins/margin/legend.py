"""Legends for Fava's stacked bar charts, in the colours Fava draws them with.

Fava's bar chart shows a legend of currencies only; in its (default) stacked mode the
stacks have colours but no legend, so a chart of "New", "Expansion", "Churn" would be a
guessing game. Fava colours the stacks of a chart with ``scaleOrdinal(hcl_color_range(n))``
over the sorted stack keys (``frontend/src/charts/bar.ts`` and ``helpers.ts`` in Fava
1.30); this module computes the same colours (d3-color's HCL -> Lab -> sRGB), so the
page can draw a legend above each chart that matches what is drawn.
"""

from __future__ import annotations

import datetime
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fava.core.charts import DateAndBalanceWithBudget
from fava.internal_api import BarChart

# d3-color's Lab constants (D50 white point).
_XN, _YN, _ZN = 0.96422, 1.0, 0.82521
_T0, _T1 = 4 / 29, 6 / 29
_T2 = 3 * _T1 * _T1


def _lab2xyz(t: float) -> float:
    return t * t * t if t > _T1 else _T2 * (t - _T0)


def _lrgb2rgb(x: float) -> float:
    return 255 * (12.92 * x if x <= 0.0031308 else 1.055 * x ** (1 / 2.4) - 0.055)


def _clamp(value: float) -> int:
    # JavaScript's Math.round rounds halves up; Python's round() would round them to even.
    return max(0, min(255, math.floor(value + 0.5)))


def hcl(hue: float, chroma: float, luminance: float) -> str:
    """``d3.hcl(h, c, l).toString()``: the ``rgb(r, g, b)`` string Fava puts in ``fill``."""
    h = math.radians(hue)
    a, b = math.cos(h) * chroma, math.sin(h) * chroma
    y = (luminance + 16) / 116
    x, z = y + a / 500, y - b / 200
    x, y, z = _XN * _lab2xyz(x), _YN * _lab2xyz(y), _ZN * _lab2xyz(z)
    red = _lrgb2rgb(3.1338561 * x - 1.6168667 * y - 0.4906146 * z)
    green = _lrgb2rgb(-0.9787684 * x + 1.9161415 * y + 0.0334540 * z)
    blue = _lrgb2rgb(0.0719453 * x - 0.2289914 * y + 1.4052427 * z)
    return f"rgb({_clamp(red)}, {_clamp(green)}, {_clamp(blue)})"


def hcl_color_range(count: int, chroma: float = 45, luminance: float = 70) -> list[str]:
    """Fava's ``hcl_color_range``: ``count`` hues evenly spaced from 270°."""
    delta = 360 / count if count else 0
    return [hcl((index * delta + 270) % 360, chroma, luminance) for index in range(count)]


@dataclass(frozen=True, slots=True)
class LegendItem:
    label: str
    color: str
    #: The colour Fava drew the stack in, when ``color`` replaces it (``stable_legend``): the
    #: page's script repaints the stack's bars from ``drawn`` to ``color``.
    drawn: str = ""


#: The fixed palette of stable colours: eight of Fava's hues, 45° apart, each light (Fava's
#: own) and dark, alternating. Fava's stack colours depend on how many stacks a chart has,
#: so a client's colour would move when another is added; these do not.
PALETTE_HUES = 8
PALETTE = [
    color
    for pair in zip(hcl_color_range(PALETTE_HUES), hcl_color_range(PALETTE_HUES, 50, 50), strict=True)
    for color in pair
]

#: Revenue and cost kinds get fixed, well-apart places: the same colour on every client's page.
KIND_SLOTS = {
    # revenue and costs (Client Margin, Recurring Revenue)
    "Retainer": 0,
    "Recurring": 0,  # the retainers, on the Recurring Revenue page
    "Hourly": 4,
    "Travel": 6,
    "Other income": 12,
    "Prepaid": 14,
    "Projects": 10,
    "Labor": 9,
    "Tools": 11,
    "Other costs": 3,
    # MRR movements
    "Retained": 1,
    "New": 10,
    "Expansion": 12,
    "Contraction": 6,
    "Churn": 5,
    "Forecast": 2,
    # a staff member's hours (Utilization)
    "Billable": 1,
    "Non-billable": 8,
    "Unused available": 2,
}


def stable_color(key: str) -> str:
    """A key's colour from the palette: a kind's fixed place, else a hash of the key."""
    slot = KIND_SLOTS.get(key)
    if slot is None:
        slot = zlib.crc32(key.encode("utf-8")) % len(PALETTE)
    return PALETTE[slot]


def assign_colors(keys: Iterable[str]) -> dict[str, str]:
    """One palette colour per key, in the order given (oldest first): each takes its hashed
    place, or the next free one when an earlier key has it. A key never moves when keys
    come after it, so listing clients by when their contract starts keeps every client's
    colour when one is added (and the filter, which does not change the list, moves none)."""
    taken: set[int] = set()
    found: dict[str, str] = {}
    for key in keys:
        slot = zlib.crc32(key.encode("utf-8")) % len(PALETTE)
        for step in range(len(PALETTE)):
            candidate = (slot + step) % len(PALETTE)
            if candidate not in taken:
                slot = candidate
                break  # with more keys than colours, later keys share
        taken.add(slot)
        found[key] = PALETTE[slot]
    return found


def stack_keys(data: Iterable[Any]) -> list[str]:
    """The stack keys of a bar chart's data, sorted as Fava sorts them (by code unit)."""
    keys: set[str] = set()
    for group in data:
        balances: Mapping[str, Any] = group.account_balances
        keys.update(balances)
    return sorted(keys, key=lambda key: key.encode("utf-16-be"))


def stack_legend(chart: Any) -> list[LegendItem]:
    """The legend of a ``BarChart``'s stacks; empty when Fava draws single bars (one key or
    none), which it labels itself with its currency legend."""
    keys = stack_keys(chart.data)
    if len(keys) < 2:
        return []
    return [LegendItem(key, color) for key, color in zip(keys, hcl_color_range(len(keys)), strict=True)]


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart and the legend of its stacks, drawn above it."""

    chart: BarChart
    legend: list[LegendItem]

    @property
    def json(self) -> list[BarChart]:
        """What ``<svelte-component type="charts">`` reads: a list of charts (one here)."""
        return [self.chart]


def stable_legend(chart: Any, colors: Mapping[str, str] | None = None) -> list[LegendItem]:
    """The legend of a chart's stacks in stable colours (``colors`` by stack key, else
    ``stable_color``), each with the colour Fava draws it in, for the page to repaint."""
    drawn = {item.label: item.color for item in stack_legend(chart)}
    keys = stack_keys(chart.data)
    if len(keys) == 1:  # Fava draws one stack as stacked bars too, in its first colour
        drawn = {keys[0]: hcl_color_range(1)[0]}
    return [
        LegendItem(key, (colors or {}).get(key) or stable_color(key), drawn[key]) for key in keys
    ]


def bar_group(
    month: tuple[int, int],
    balance: Mapping[str, Decimal],
    stacks: Mapping[str, Mapping[str, Decimal]],
    budgets: Mapping[str, Decimal] | None = None,
) -> DateAndBalanceWithBudget:
    """One month's bars: ``balance`` per key (single bars), ``stacks`` per stack and key."""
    day = datetime.date(month[0], month[1], 1)
    return DateAndBalanceWithBudget(day, balance, stacks, budgets or {})  # type: ignore[arg-type]


def with_legend(label: str, groups: list[DateAndBalanceWithBudget]) -> Chart:
    """A chart and its legend in stable colours (the page script paints the stacks so)."""
    chart = BarChart(label, groups)
    return Chart(chart, stable_legend(chart))
