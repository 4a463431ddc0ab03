"""The second half of a long ``--json`` listing, made by a forked process while this one
makes the first, then written by it straight after: the output is the same bytes in the
same order, made on two cores.

Why: at 100,000 providers, turning ~340,000 reminders into their texts, dicts and JSON is
~1.3 s of ``tracker reminders --json``'s ~4 s, and it is the one part whose records are
already all known (derived, sorted): each half needs nothing of the other. A forked child
shares the parent's records as they are (copy-on-write), so nothing is pickled or sent.
The gaps go further (``split_json.write_gaps_of_parts``): a provider's gaps need only its
own records, so the child loads, checks and renders the second half of the providers on
connections of its own, from before anything is loaded. The child sends back only a
summary (the gaps' counts) and "ready", then writes its bytes to the same file descriptor
when the parent says its own half is out.

Only where it is safe and pays: Linux (``fork`` without ``exec`` is not safe under macOS's
system libraries and absent on Windows), one thread (a fork copies no other thread, and a
lock another thread held stays held), a real file descriptor (not a test's buffer), and
enough records that a fork's ~10-30 ms is won back. Elsewhere one process writes it all.

The child shares nothing it uses with the parent: it renders (or opens its own connections:
``Register.forked``), reports, waits and writes, and leaves with ``os._exit`` (no
``atexit`` hook, no inherited buffer flushed twice). If it fails before writing a byte (out
of memory, say), the parent makes the second half itself; if the parent fails or is
interrupted, the child sees its pipe close and exits without writing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import IO, Any, TextIO

from tracker.forking import fork_is_safe, in_forked_child

PARALLEL_FROM = 50_000  # records: below this one process renders and writes them all
# providers: below this `tracker check --json` computes the whole register in one process
# (each half is loaded with queries of its own: a fixed cost that a small register's
# ~0.1 s would not win back)
SPLIT_FROM = 10_000

_READY, _GO = b"r", b"g"


def descriptor_of(binary: IO[bytes] | None) -> int | None:
    """The file descriptor a forked child may write to, where forking is safe."""
    if binary is None or not fork_is_safe():
        return None
    try:
        return binary.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


class SecondHalf:
    """A forked child holding the second half's bytes until the parent's half is out."""

    def __init__(self, pid: int, ready: int, go: int) -> None:
        self._pid, self._ready, self._go = pid, ready, go

    @classmethod
    def beside(cls, stream: TextIO,
               render: Callable[[], tuple[bytes, Iterable[bytes]]]) -> SecondHalf | None:
        """``start`` for a text stream: its text and binary layers flushed first (what
        they hold is written once, before the fork), where it has a descriptor a child may
        write to; ``None`` where it has none or forking is not safe."""
        binary = getattr(stream, "buffer", None)
        fd = descriptor_of(binary)
        if fd is None or binary is None:
            return None
        stream.flush()
        binary.flush()
        return cls.start(render, fd)

    @classmethod
    def start(cls, render: Callable[[], tuple[bytes, Iterable[bytes]]],
              fd: int) -> SecondHalf | None:
        """Fork a child that makes ``render()``'s summary (a few bytes the parent reads:
        counts) and output bytes, and waits; ``None`` when the fork itself fails (then the
        caller writes everything)."""
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

    def summary(self) -> bytes | None:
        """The child's summary once its bytes are made, or None when it failed first (then
        it writes nothing, and the caller makes the second half itself)."""
        with os.fdopen(self._ready, "rb", closefd=False) as ready:
            summary = None
            if ready.read(1) == _READY and len(head := ready.read(8)) == 8:
                size = int.from_bytes(head, "big")
                summary = ready.read(size)
                if len(summary) != size:  # the child died while reporting
                    summary = None
        if summary is None:
            self.cancel()
        return summary

    def write(self, *, skip: int = 0) -> None:
        """Let the child write its bytes (the parent's are out), the first ``skip`` bytes
        left out, and wait for it. A failure while writing (a closed pipe) is an OSError,
        as it would be for the parent's own write."""
        try:
            os.write(self._go, _GO + bytes([skip]))
        finally:
            os.close(self._ready)
            os.close(self._go)
            _, status = os.waitpid(self._pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise OSError(f"the second half of the output could not be written (status {code})")

    def result(self) -> bytes | None:
        """The child's summary as its whole result (it writes nothing itself), or None when
        it failed first; either way the child is done and waited for."""
        summary = self.summary()
        if summary is not None:
            self.cancel()
        return summary

    def write_now(self) -> bool:
        """``write`` once the child is ready: ``False`` when it failed before writing any,
        so the caller writes the second half."""
        if self.summary() is None:
            return False
        self.write()
        return True

    def cancel(self) -> None:
        """The parent failed (its own write, an interrupt), or the child did: the child
        writes nothing and is waited for, so no half of the output comes after an error."""
        os.close(self._ready)
        os.close(self._go)  # the child reads end-of-file: it exits without writing
        os.waitpid(self._pid, 0)


def _child(render: Callable[[], tuple[bytes, Iterable[bytes]]], fd: int, ready: int,
           go: int) -> None:
    """Render, report ready with the summary, wait for the go and write; the exit status
    says how far it got (1: not rendered, 2: not written, 0: done or not asked to)."""
    in_forked_child()
    code = 1
    try:
        summary, made = render()
        pieces: list[Any] = list(made)
        report = _READY + len(summary).to_bytes(8, "big") + summary
        while report:
            report = report[os.write(ready, report):]
        code = 2
        order = os.read(go, 2)
        if order[:1] == _GO:  # the parent's half is out; nothing if it went away
            skip = order[1] if len(order) > 1 else 0
            for index, piece in enumerate(pieces):
                view = memoryview(piece)[skip if index == 0 else 0:]
                while view:
                    view = view[os.write(fd, view):]
    except BaseException:  # whatever it is (an interrupt too), the child must not return
        os._exit(code)
    os._exit(0)
