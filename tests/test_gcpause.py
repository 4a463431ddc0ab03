"""The GC pause around bulk work: ``freeze`` keeps what is made out of later collections,
but never the garbage that was waiting for the collector (a closed screen's widgets refer to
each other; frozen, a long TUI session would keep every one it ever closed), not even the
garbage made while the bulk is (the terminal UI derives on worker threads while its own
thread closes forms)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from tracker import gcpause
from tracker.app.gaps import GapCache
from tracker.app.reminders import current_reminders
from tracker.gcpause import gc_paused
from tracker.store.engine import session_scope


@pytest.fixture(autouse=True)
def _one_shot(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a one-shot process (an earlier screen test in this worker made
    it long-lived), and leaves nothing frozen and the collector as it found it."""
    monkeypatch.setattr(gcpause, "_long_lived", False)
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()


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
    _collector_off()
    cycle = _garbage_cycle()
    assert cycle() is not None
    with gc_paused(freeze=True):
        made = [(n, str(n)) for n in range(1000)]
    assert cycle() is None, "a garbage cycle was frozen instead of freed"
    assert not gc.isenabled(), "the pause re-enabled a collector that was off"
    assert len(made) == 1000


def test_paused_without_freeze_leaves_the_collector_on() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_deriving_reminders_and_filling_the_gap_cache_free_waiting_garbage(
        demo_engine: Engine) -> None:
    today = date(2026, 11, 25)
    with session_scope(demo_engine, write=False) as session:
        for fill in (lambda: current_reminders(session, today),
                     lambda: GapCache().gaps(session, today)):
            _collector_off()
            cycle = _garbage_cycle()
            before = gc.get_freeze_count()
            assert fill()
            assert cycle() is None, f"{fill} froze a garbage cycle"
            assert gc.get_freeze_count() > before, "a one-shot process freezes its bulk"


def test_in_the_terminal_ui_garbage_made_during_the_pause_is_freed_not_frozen(
        demo_engine: Engine) -> None:
    from tracker.ui.app import TrackerApp

    TrackerApp(engine=demo_engine, today=date(2026, 11, 25))
    assert gcpause._long_lived
    _collector_off()
    before = gc.get_freeze_count()
    with gc_paused(freeze=True):
        made = [(n, str(n)) for n in range(1000)]
        cycle = _garbage_cycle()  # a form the UI's thread closed while a worker derived
    assert cycle() is None, "garbage made during the pause was frozen"
    assert gc.get_freeze_count() > before and len(made) == 1000
    today = date(2026, 11, 25)
    with session_scope(demo_engine, write=False) as session:
        for fill in (lambda: current_reminders(session, today),
                     lambda: GapCache().gaps(session, today)):
            cycle = _garbage_cycle()
            before = gc.get_freeze_count()
            assert fill()
            assert cycle() is None, f"{fill} froze a garbage cycle"
            assert gc.get_freeze_count() > before, f"{fill} froze nothing"
