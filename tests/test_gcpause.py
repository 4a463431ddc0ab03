"""The GC pause around bulk work: ``freeze`` keeps what is made out of later collections,
but never the garbage that was waiting for the collector (a closed screen's widgets refer to
each other; frozen, a long TUI session would keep every one it ever closed)."""

from __future__ import annotations

import gc
import weakref
from datetime import date

from sqlalchemy import Engine

from tracker.app.gaps import GapCache
from tracker.app.reminders import current_reminders
from tracker.gcpause import gc_paused
from tracker.store.engine import session_scope


class _Node:
    """Two of these pointing at each other: freed only by the cyclic collector."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _garbage_cycle() -> weakref.ref[_Node]:
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    return weakref.ref(first)


def _collector_off() -> None:
    # the cycle must not be freed by an automatic collection before the code under test
    # runs: only the code under test may free it
    gc.disable()


def test_a_freeze_frees_the_garbage_first_and_keeps_the_collector_as_it_was() -> None:
    was = gc.isenabled()
    _collector_off()
    try:
        cycle = _garbage_cycle()
        assert cycle() is not None
        with gc_paused(freeze=True):
            made = [(n, str(n)) for n in range(1000)]
        assert cycle() is None, "a garbage cycle was frozen instead of freed"
        assert not gc.isenabled(), "the pause re-enabled a collector that was off"
        assert len(made) == 1000
    finally:
        gc.unfreeze()
        if was:
            gc.enable()


def test_paused_without_freeze_leaves_the_collector_on() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_deriving_reminders_and_filling_the_gap_cache_free_waiting_garbage(
        demo_engine: Engine) -> None:
    was = gc.isenabled()
    today = date(2026, 11, 25)
    try:
        with session_scope(demo_engine, write=False) as session:
            for fill in (lambda: current_reminders(session, today),
                         lambda: GapCache().gaps(session, today)):
                _collector_off()
                cycle = _garbage_cycle()
                assert fill()
                assert cycle() is None, f"{fill} froze a garbage cycle"
    finally:
        gc.unfreeze()
        if was:
            gc.enable()
