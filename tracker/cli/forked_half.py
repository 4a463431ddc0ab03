"""The second half of a long ``--json`` listing, rendered by a forked process while this one
renders the first, then written by it straight after: the output is the same bytes in the
same order, made on two cores.

Why: at 100,000 providers, turning ~340,000 reminders (or ~450,000 gaps) into their texts,
dicts and JSON is ~1.3 s of a one-shot command's ~4 s, and it is the one part whose records
are already all known (derived, sorted): each half needs nothing of the other. A forked
child shares the parent's records as they are (copy-on-write), so nothing is pickled or
sent; it sends back no data either, only "ready", and then writes its bytes to the same
file descriptor when the parent says its own half is out.

Only where it is safe and pays: Linux (``fork`` without ``exec`` is not safe under macOS's
system libraries and absent on Windows), one thread (a fork copies no other thread, and a
lock another thread held stays held), a real file descriptor (not a test's buffer), and
enough records that a fork's ~10-30 ms is won back. Elsewhere one process writes it all.

The child never touches the database or anything shared: it renders, reports, waits and
writes, and leaves with ``os._exit`` (no ``atexit`` hook, no inherited buffer flushed
twice). If it fails before writing a byte (out of memory, say), the parent writes the
second half itself; if the parent is interrupted, the child sees its pipe close and exits
without writing."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import IO, Any

PARALLEL_FROM = 50_000  # records: below this one process renders and writes them all

_READY, _GO = b"r", b"g"


def descriptor_of(binary: IO[bytes] | None) -> int | None:
    """The file descriptor a forked child may write to, where forking is safe."""
    if binary is None or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return None
    if threading.active_count() != 1:
        return None
    try:
        return binary.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


class SecondHalf:
    """A forked child holding the second half's bytes until ``write_now``."""

    def __init__(self, pid: int, ready: int, go: int) -> None:
        self._pid, self._ready, self._go = pid, ready, go

    @classmethod
    def start(cls, render: Callable[[], Iterable[bytes]], fd: int) -> SecondHalf | None:
        """Fork a child that renders ``render()``'s bytes and waits; ``None`` when the fork
        itself fails (then the caller writes everything)."""
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for end in (ready_r, ready_w, go_r, go_w):
                os.close(end)
            return None
        if pid == 0:  # the child: it never returns
            os.close(ready_r)
            os.close(go_w)
            _child(render, fd, ready_w, go_r)
        os.close(ready_w)
        os.close(go_r)
        return cls(pid, ready_r, go_w)

    def write_now(self) -> bool:
        """Let the child write its bytes (the parent's are out) and wait for it: ``True``
        when they are written; ``False`` when it failed before writing any, so the caller
        writes the second half. A failure while writing (a closed pipe) is an OSError, as
        it would be for the parent's own write."""
        try:
            ready = os.read(self._ready, 1) == _READY
            if ready:
                os.write(self._go, _GO)
        finally:
            os.close(self._ready)
            os.close(self._go)
            _, status = os.waitpid(self._pid, 0)
        if not ready:
            return False
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise OSError(f"the second half of the output could not be written (status {code})")
        return True


    def cancel(self) -> None:
        """The parent failed (its own write, an interrupt): the child writes nothing and is
        waited for, so no half of the output comes after an error."""
        os.close(self._ready)
        os.close(self._go)  # the child reads end-of-file: it exits without writing
        os.waitpid(self._pid, 0)


def _child(render: Callable[[], Iterable[bytes]], fd: int, ready: int, go: int) -> None:
    """Render, report ready, wait for the go and write; the exit status says how far it
    got (1: not rendered, 2: not written, 0: done or not asked to)."""
    code = 1
    try:
        pieces: list[Any] = list(render())
        os.write(ready, _READY)
        code = 2
        if os.read(go, 1) == _GO:  # the parent's half is out; nothing if it went away
            for piece in pieces:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view):]
    except BaseException:  # whatever it is (an interrupt too), the child must not return
        os._exit(code)
    os._exit(0)
