"""``gc_paused``: the collector off for a block, back as it was after; ``long_lived`` puts
what the block made in the oldest generation, without losing any garbage; ``hold`` leaves
the heap frozen after it, and frees the garbage that hid once the heap has grown."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from plugins.billing import gcpause
from plugins.billing.gcpause import gc_paused


@pytest.fixture(autouse=True)
def nothing_frozen() -> None:
    """Each test starts with no frozen objects: a command run in this process earlier
    (``retainer`` freezes the books it loaded) would have the long-lived step skipped."""
    gc.unfreeze()


class Node:
    """A weakly referenceable object, to make a reference cycle whose end is observable."""

    def __init__(self) -> None:
        self.other: Node | None = None


def _cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_the_collector_is_off_inside_and_as_before_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused(long_lived=True):
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_back_on_after_an_error() -> None:
    with pytest.raises(ValueError), gc_paused(long_lived=True):
        raise ValueError("boom")
    assert gc.isenabled()


def test_long_lived_moves_the_young_to_the_oldest_generation_and_loses_no_garbage() -> None:
    with gc_paused(long_lived=True):
        kept = [Node() for _ in range(2000)]
        garbage = _cycle()  # unreachable already, freed only by the cyclic collector
        assert gc.get_count()[0] >= 2000
    assert gc.get_count()[:2] == (0, 0)  # no young objects left to walk
    assert gc.get_freeze_count() == 0  # none stays frozen
    assert garbage() is not None  # no young collection ran to free it...
    gc.collect()
    assert garbage() is None  # ...but a full one does: nothing is kept that should go
    assert len(kept) == 2000


def test_objects_frozen_by_the_process_stay_frozen() -> None:
    # Held, so that none of the objects frozen here is freed meanwhile (by another test's
    # thread ending, say): a freed object leaves the count, and the test would fail by it.
    alive = gc.get_objects()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with gc_paused(long_lived=True):
            _ = [Node() for _ in range(100)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        del alive


@pytest.fixture
def fresh_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """No floor yet: an earlier held pass in this process would have set one."""
    monkeypatch.setattr(gcpause, "_held", gcpause._Held())


def test_hold_freezes_the_heap_at_the_end(fresh_hold: None) -> None:
    with gc_paused(long_lived=True, hold=True):
        kept = Node()
        assert any(obj is kept for obj in gc.get_objects())  # tracked, not frozen yet
    try:
        assert gc.isenabled()  # the collector is back on
        assert gc.get_count()[:2] == (0, 0)
        # gc.get_objects lists the three generations, not the frozen objects:
        assert not any(obj is kept for obj in gc.get_objects())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_hold_frees_by_reference_count_at_once(fresh_hold: None) -> None:
    with gc_paused(hold=True):
        kept = Node()
    try:
        gone = weakref.ref(kept)
        del kept  # no cycle: freed now, frozen or not
        assert gone() is None
    finally:
        gc.unfreeze()


def test_hidden_garbage_is_freed_once_the_heap_has_grown_by_a_tenth(fresh_hold: None) -> None:
    with gc_paused(hold=True):  # the first held pass (the first load): no floor yet
        pass
    assert gcpause._held.floor == 0
    with gc_paused(hold=True):  # the second: its start is the floor
        garbage = _cycle()
    assert gcpause._held.floor > 0
    try:
        gc.collect()
        assert garbage() is not None  # frozen: a full collection does not see it
        with gc_paused(hold=True):  # no growth: it stays hidden
            pass
        gc.collect()
        assert garbage() is not None
        # pymalloc's blocks grown by far more than a tenth (each Node is two blocks or more):
        grown = [Node() for _ in range(sys.getallocatedblocks() // 5)]
        with gc_paused(hold=True):
            assert garbage() is None  # thawed and collected before the block
        assert gcpause._held.floor >= sys.getallocatedblocks() * 0.9  # the new floor: this heap
        assert len(grown) > 0
    finally:
        gc.unfreeze()


def test_without_hold_nothing_stays_frozen(fresh_hold: None) -> None:
    with gc_paused(long_lived=True):
        _ = Node()
    assert gc.get_freeze_count() == 0
    assert gcpause._held.floor == 0  # a pass that does not hold never looks
