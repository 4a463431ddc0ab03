"""``--json`` of a large register made by two processes: a forked child loads, derives or
checks, and renders one part of the output while this process does the other
(``tracker.cli.forked_half``), and the parts are joined into the bytes one process writes
(``tracker.cli.records_json``, whose renderers both use). Why two parts and not two halves
of a list: a provider's gaps need only its own records, and a derivation's stages only
theirs, so each process loads only what its part reads.
"""

from __future__ import annotations

import pickle
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import IO, TYPE_CHECKING, TextIO

import orjson

from tracker.checks.rules import Severity
from tracker.cli.forked_half import SecondHalf
from tracker.cli.records_json import (
    chunks,
    day_segments,
    gap_dicts,
    write_gaps,
)
from tracker.reminders.derive import overdue_count

if TYPE_CHECKING:
    from tracker.checks.rules import Gap
    from tracker.reminders.derive import DerivedReminder


def write_gaps_of_parts(first: Callable[[], Sequence[Gap]],
                        second: Callable[[bool], Sequence[Gap]],
                        stream: TextIO | None = None) -> Counter[Severity]:
    """The gaps of two parts of the register, one after the other, as ``write_gaps`` writes
    their list, and how many there are of each severity. Where a child can be forked
    (``forked_half``) the second part is computed and rendered there (``second(True)``:
    it opens connections of its own) while this process computes and writes the first:
    each part is loaded, checked and dumped on its own core."""
    out = stream or sys.stdout
    child = SecondHalf.beside(out, lambda: _rendered_part(second))
    if child is not None:
        return _beside_child(first, second, out.buffer, child)
    every = [*first(), *second(False)]
    write_gaps(every, out)
    return Counter(map(attrgetter("severity"), every))


def _beside_child(first: Callable[[], Sequence[Gap]], second: Callable[[bool], Sequence[Gap]],
                  binary: IO[bytes], child: SecondHalf) -> Counter[Severity]:
    try:
        gaps = first()
        for data in chunks(gap_dicts(gaps), opened=False):
            binary.write(data)
        binary.flush()
    except BaseException:
        child.cancel()
        raise
    counts = Counter(map(attrgetter("severity"), gaps))
    summary = child.summary()
    if summary is None:  # the child failed before writing: the second part is made here
        rest = second(False)
        for data in chunks(gap_dicts(rest), opened=bool(gaps)):
            binary.write(data)
        counts.update(map(attrgetter("severity"), rest))
        written = bool(gaps or rest)
    else:
        theirs = {Severity(name): n for name, n in orjson.loads(summary).items()}
        counts.update(theirs)
        if not gaps and any(theirs.values()):
            binary.write(b"[\n")
            binary.flush()
        child.write(skip=0 if gaps else 2)  # its ",\n" only after a record of the first
        written = bool(gaps) or any(theirs.values())
    binary.write(b"\n]\n" if written else b"[]\n")
    binary.flush()
    return counts


def _rendered_part(second: Callable[[bool], Sequence[Gap]]) -> tuple[bytes, list[bytes]]:
    """In the child: the second part's severity counts and its JSON, each chunk after a
    separator (the parent has it left out when the first part had no gap)."""
    gaps = second(True)
    counts = Counter(g.severity.value for g in gaps)
    return orjson.dumps(counts), list(chunks(gap_dicts(gaps), opened=True))


def write_reminders_in_stages(
        outer: Callable[[], tuple[Sequence[DerivedReminder], Sequence[DerivedReminder]]],
        middle: Callable[[bool], Sequence[DerivedReminder]],
        stream: TextIO | None = None) -> tuple[int, int]:
    """The reminders of a derivation's stages as ``write_reminders`` writes their whole
    list, and (how many, how many overdue). ``outer``: the stages before and after the
    ``middle`` one (``derive.STAGES``); within a due date their reminders stand in that
    order, so the list is joined day by day. Where a child can be forked (``forked_half``)
    the middle stage is loaded, derived and rendered there (``middle(True)``: it opens
    connections of its own) while this process does the others; its bytes come back by
    day through the pipe."""
    out = stream or sys.stdout
    binary = getattr(out, "buffer", None)
    child = SecondHalf.beside(out, lambda: (_packed_days(middle(True)), ()))
    try:
        before, after = outer()
        # rendered before the child's bytes are waited for: both halves are made at once
        ours = [day_segments(before), day_segments(after)]
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    received = child.result() if child is not None else None  # its bytes, by day
    if received is not None:
        count, overdue, theirs = pickle.loads(received)
    else:  # no child, or it failed first: the middle stage is made here
        shown = middle(False)
        count, overdue, theirs = len(shown), overdue_count(shown), day_segments(shown)
    put = binary.write if binary is not None else (lambda data: out.write(data.decode()))
    opened = False
    for day in sorted({*ours[0], *theirs, *ours[1]}):
        for segment in (ours[0].get(day), theirs.get(day), ours[1].get(day)):
            if segment:  # written apart: ~170 MB at 100k, not copied to join a separator
                put(b",\n" if opened else b"[\n")
                put(segment)
                opened = True
    put(b"\n]\n" if opened else b"[]\n")
    if binary is not None:
        binary.flush()
    return (count + len(before) + len(after),
            overdue + overdue_count(before) + overdue_count(after))


def _packed_days(shown: Sequence[DerivedReminder]) -> bytes:
    """In the child: (how many, how many overdue, each day's records) for the pipe."""
    return pickle.dumps((len(shown), overdue_count(shown), day_segments(shown)),
                        protocol=pickle.HIGHEST_PROTOCOL)
