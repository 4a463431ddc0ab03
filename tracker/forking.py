"""Whether this process may fork a helper that runs Python (and no ``exec``): the one rule
the two-core paths share (``tracker.cli.forked_half``, ``tracker.app.restore_reader``).

Linux only: ``fork`` without ``exec`` is not safe under macOS's system libraries and is
absent on Windows. One thread only: a fork copies the calling thread alone, and a lock
another thread held (the terminal UI's workers, a logging handler) would stay held in the
child for ever."""

from __future__ import annotations

import gc
import os
import sys
import threading


def fork_is_safe() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1)


def in_forked_child() -> None:
    """First thing in a child: no collection runs there, so no finalizer of an object it
    inherited (a database connection the parent still uses) can act on the parent's
    behalf."""
    gc.disable()
