"""Stable chart colours (plugins/margin/legend.py): a key's colour depends on the key and
the keys before it, never on how many come after."""

from __future__ import annotations

import zlib

from plugins.margin.legend import PALETTE, assign_colors, stable_color


def test_a_key_keeps_its_colour_when_keys_are_added_after_it() -> None:
    clients = [f"client-{n}" for n in range(10)]
    first = assign_colors(clients[:6])
    later = assign_colors(clients)
    assert {key: later[key] for key in first} == first
    assert len(set(later.values())) == 10  # up to the palette's size, no two share


def test_a_hash_collision_takes_the_next_free_colour() -> None:
    # two keys hashing to the same place: the first keeps it, the second takes the next one
    slot = zlib.crc32(b"a") % len(PALETTE)
    other = next(f"k{n}" for n in range(1000) if zlib.crc32(f"k{n}".encode()) % len(PALETTE) == slot)
    found = assign_colors(["a", other])
    assert found["a"] == PALETTE[slot]
    assert found[other] == PALETTE[(slot + 1) % len(PALETTE)]


def test_the_kinds_of_each_chart_have_colours_of_their_own() -> None:
    charts = [
        ["Retainer", "Hourly", "Travel", "Other income", "Labor", "Other costs", "Prepaid", "Tools"],
        ["Recurring", "Hourly", "Travel", "Prepaid", "Projects", "Other income"],
        ["Retained", "New", "Expansion", "Contraction", "Churn", "Forecast"],
        ["Billable", "Non-billable", "Unused available"],
    ]
    for keys in charts:
        colours = [stable_color(key) for key in keys]
        assert len(set(colours)) == len(keys), keys
    assert stable_color("Recurring") == stable_color("Retainer")  # the same money, two pages
