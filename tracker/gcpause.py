"""Pause the cyclic garbage collector around bulk allocation.

Why: building ~450,000 reminder tuples (or ~400,000 loaded rows) triggers repeated full
collections that scan every object already made; measured here, that doubled the time to
derive a 100,000-provider register (3.0 s against 1.6 s). The objects made are tuples and
dates, which form no cycles, so nothing is lost by collecting once afterwards instead.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """``freeze``: what was made is kept for the process's life (start-up's modules and
    classes) or until refcounting frees it (a derivation's tuples), so it is moved out of
    every later collection (``gc.freeze``) as well.

    ``gc.freeze`` moves every object there is, garbage too, and a closed form's widgets
    refer to each other and wait for the collector: frozen, they would never be freed. So
    the collector runs first. In a one-shot process (a command) it runs before the bulk is
    made, while that is cheap. In the terminal UI (``long_lived_process``) the bulk is made
    on a worker thread while the UI's own thread closes forms, so the collector runs after,
    right before the freeze: it walks the bulk once, which the collections put off by the
    pause would have done two or three times anyway."""
    if freeze and not _long_lived:
        gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            if _long_lived:
                gc.collect()
            gc.freeze()
        if was_enabled:
            gc.enable()


_long_lived = False


def long_lived_process() -> None:
    """This process stays up for a session (the terminal UI): a freeze collects right
    before it, not before the bulk is made (``gc_paused``)."""
    global _long_lived
    _long_lived = True


# --- what a one-shot command leaves to the process's end -------------------------------------

_kept: list[object] = []
_one_shot = False


def one_shot_process() -> None:
    """This process runs one command and ends (``tracker.cli.leave``): what is handed to
    ``keep_until_exit`` is left for the operating system to take back, all at once."""
    global _one_shot
    _one_shot = True


def keep_until_exit(*objects: object) -> None:
    """Leave ``objects`` alive to the end of a one-shot process instead of freeing them one
    by one now (~450,000 records took 0.24-0.36 s to free at 100,000 providers). Elsewhere
    (tests, a script, the terminal UI, which stays up) nothing is kept."""
    if _one_shot and not _long_lived:
        _kept.extend(objects)


def kept_any() -> bool:
    """Whether the process's end must skip freeing what was kept (``cli.leave``)."""
    return bool(_kept)
