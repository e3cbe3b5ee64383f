"""``gc_paused``: the collector off for a block, back as it was after; ``long_lived`` puts
what the block made in the oldest generation, without losing any garbage; ``hold`` leaves
the heap frozen after it, and frees the garbage that hid once the heap has grown."""

from __future__ import annotations

import gc
import sys
import threading
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


def test_what_hold_froze_is_still_freed_by_reference_count(fresh_hold: None) -> None:
    with gc_paused(hold=True):
        kept = Node()
    try:
        assert not any(obj is kept for obj in gc.get_objects())  # frozen by the hold
        gone = weakref.ref(kept)
        del kept  # no cycle: freed now, frozen or not (the previous load goes so)
        assert gone() is None
    finally:
        gc.unfreeze()


def test_hold_after_an_error_and_with_the_collector_off(fresh_hold: None) -> None:
    try:
        with pytest.raises(ValueError), gc_paused(long_lived=True, hold=True):
            kept = Node()
            raise ValueError("boom")
        assert gc.isenabled()
        assert not any(obj is kept for obj in gc.get_objects())  # frozen all the same
        gc.disable()
        with gc_paused(hold=True):
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_look_that_fails_leaves_the_collector_as_it_was(
    fresh_hold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    gcpause._held.passes = 1
    gcpause._held.since = gcpause.LOOK_EVERY - 1  # the next held pass looks

    def out_of_memory(generation: int = 2) -> int:
        raise MemoryError

    monkeypatch.setattr(gcpause.gc, "collect", out_of_memory)
    with pytest.raises(MemoryError), gc_paused(hold=True):
        pass
    assert gc.isenabled()


def test_hidden_garbage_is_freed_every_few_held_passes(fresh_hold: None) -> None:
    """Garbage the blocks do not count (large strings) would otherwise wait for ever."""
    with gc_paused(hold=True):  # the first held pass: no look counted
        pass
    try:
        with gc_paused(hold=True):  # counted 1 of LOOK_EVERY (10): it hides the garbage
            garbage = _cycle()
        for _ in range(gcpause.LOOK_EVERY - 2):  # counted 2..9: no look yet
            with gc_paused(hold=True):
                pass
        gc.collect()
        assert garbage() is not None  # frozen: a full collection does not see it
        with gc_paused(hold=True):  # counted 10: the look, before the block
            assert garbage() is None
        assert gcpause._held.since == 0
    finally:
        gc.unfreeze()


def test_blocks_in_two_threads_leave_the_collector_on() -> None:
    """A thread that reads "off" while another's block is open must not leave it off after
    both close (seen 1 to 6 times in 3000 such pairs before the blocks were counted)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        left_off = 0
        for _ in range(3000):
            start = threading.Barrier(2)

            def work(start: threading.Barrier = start) -> None:
                start.wait()
                for _ in range(50):
                    with gc_paused(long_lived=True):
                        pass

            threads = [threading.Thread(target=work) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            left_off += not gc.isenabled()
            gc.enable()
        assert left_off == 0
    finally:
        sys.setswitchinterval(interval)


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
    assert gcpause._held.passes == 0  # a pass that does not hold never counts or looks
