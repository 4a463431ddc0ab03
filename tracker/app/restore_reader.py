"""The record sheets of a streamed restore, read, parsed and checked a chunk at a time: in
this process, or in a forked one that works a chunk ahead of the writer.

Why: restoring an export of 20,000 providers into an empty register took ~10.5 s, of which
reading the sheets, parsing their cells and checking each record's fields (the same rules
as every write: ``batchcheck.RecordCheck``, then ``validate_values``) was ~3.4 s, and none
of it touches the database. The writer (inserts, audit events, derived rows) is another
process's concern: SQLite has one writer. So where a process can be forked safely (Linux,
one thread: the command line; see ``tracker.cli.forked_half``), a child reads and checks
while the parent writes, and sends each chunk's checked records (~0.1 s of pickling for
120,000) through a pipe, one chunk ahead at most: the pipe blocks it meanwhile, so memory
stays that of a chunk or two.

The child touches no connection and no file but the workbook's private copy the guard
passed; it leaves with ``os._exit``. What it finds (a cell that does not parse, a record
the rules refuse, the sheet's row count) comes back with the chunks and the end, so the
outcome, its problems and their order are those of one process. An error it meets (the
deadline, an unreadable piece) is raised again in the parent, in the tracker's words; if
the parent fails, the child is stopped.
"""

from __future__ import annotations

import functools
import os
import pickle
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from tracker.app.batchcheck import RecordCheck
from tracker.app.pipeline import validate_values
from tracker.domain.dates import date_problem
from tracker.errors import TrackerError, ValidationFailed
from tracker.forking import fork_is_safe, in_forked_child
from tracker.sheets import limits
from tracker.sheets.layout import ENTITY_ORDER, entity_sheet
from tracker.sheets.native import NativeBook, NativeRow, iter_rows
from tracker.sheets.plan import Problem
from tracker.sheets.readers import SheetSource, XlsxSource
from tracker.store.models import BASE_MODELS

CHUNK = 5000  # rows parsed, validated and written at a time
PARALLEL_FROM_BYTES = 1 << 20  # a smaller workbook is read where it is written


@dataclass
class Prepared:
    """One chunk's records, checked: those with an ID (inserted now) and those without
    (after the entity's every row with one), and the problems of the rows refused."""

    entity: str
    ready: list[Any] = field(default_factory=list)
    held: list[Any] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # sheet -> field -> (column letter, header): where a problem found later is located
    columns: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)


@dataclass
class Finished:
    """An entity's last chunk has come."""

    entity: str


@dataclass
class _Read:
    """What the reader found besides the records, sent at the end."""

    problems: list[Problem]
    rows_read: int
    versioned: bool


@dataclass
class _Failed:
    kind: str
    message: str


def prepared_sheets(source: SheetSource, native: NativeBook, by_entity: dict[str, list[str]],
                    deadline: limits.Deadline, today: date
                    ) -> Iterator[Prepared | Finished]:
    """Each record sheet's chunks, in reference order, checked; ``Finished`` after each
    entity's last. Read by a forked child where that is safe and pays (``_from_child``)."""
    if _can_fork(source):
        return _from_child(source, native, by_entity, deadline, today)
    return _read(source, native, by_entity, deadline, today)


def _read(source: SheetSource, native: NativeBook, by_entity: dict[str, list[str]],
          deadline: limits.Deadline, today: date) -> Iterator[Prepared | Finished]:
    for entity in ENTITY_ORDER:
        columns = entity_sheet(entity).columns
        check = RecordCheck(entity)
        for name in by_entity.get(entity, []):
            where, numbered = numbered_rows(source, name)
            rows = iter_rows(native, where, numbered, entity, columns, deadline)
            while chunk := list(islice(rows, CHUNK)):
                yield prepare(entity, chunk, check, today)
            del rows, numbered  # the reader's copy of the sheet, before the next is read
        yield Finished(entity)


def numbered_rows(source: SheetSource, name: str
                  ) -> tuple[str, Iterable[tuple[int, list[Any]]]]:
    """Where a sheet's problems are named, and its rows with their Excel numbers."""
    if isinstance(source, XlsxSource):
        return name, source.numbered_rows(name)  # a few thousand rows held at a time
    sheet = source.sheet(name)
    if sheet is None:
        return name, ()
    where = f"{sheet.source} ({sheet.name})" if sheet.source else sheet.name
    return where, enumerate(sheet.rows, start=1)


def prepare(entity: str, rows: list[NativeRow], checks: RecordCheck, today: date) -> Prepared:
    """A chunk's rows as new records: the fields the model has, checked field by field
    (each distinct value once; a record they do not vouch for takes ``validate_values``,
    which names its problems), and the stamps a restore keeps."""
    from tracker.app.restore import STAMPS, _Change, _problem

    base, names = BASE_MODELS[entity], fields_of(entity)
    label = entity.replace("_", " ")
    out = Prepared(entity)
    keys: list[str] = []
    shape: Any = None
    for row in rows:
        if row.columns is not shape:
            # the rows of a sheet share one columns dict and the same value keys
            # (iter_rows): its record fields are found once
            shape = row.columns
            out.columns.setdefault(row.sheet, row.columns)
            keys = [k for k in row.values if k in names]
        given = row.values
        values = {k: given[k] for k in keys}
        try:
            clean = checks.clean(values, today) or validate_values(entity, base, values,
                                                                   today=today)
        except ValidationFailed as failure:
            out.problems += [_problem(row, e.field, values.get(e.field),
                                      f"{label} {e.field}: {e.message}")
                             for e in failure.errors]
            continue
        # A blank "Archived at" restores the record; a blank "Added at" is not known.
        stamps = {s: given[s] for s in STAMPS if s in given
                  and (given[s] is not None or s == "archived_at")}
        bad = [(name, problem) for name, stamp in stamps.items()
               if isinstance(stamp, datetime) and (problem := stamp_problem(
                   stamp.date(), today)) is not None]
        for name, problem in bad:
            out.problems.append(_problem(row, name, given[name], f"{label} {name}: {problem}"))
        if bad:
            continue
        # A restore keeps each record's version, so its next export is the same.
        kept = {"version": row.version} if row.version and row.id else {}
        change = _Change(row, row.id, {**clean, **stamps, **kept}, None)
        (out.held if row.id is None else out.ready).append(change)
    return out


@functools.cache
def fields_of(entity: str) -> frozenset[str]:
    # pydantic's model_fields is a slow descriptor: looked up per cell it cost ~9 s at 100k
    return frozenset(BASE_MODELS[entity].model_fields)


@functools.lru_cache(maxsize=4096)
def stamp_problem(day: date, today: date) -> str | None:
    """``date_problem`` of a stamp's day (a register's stamps share a few days)."""
    return date_problem("stamp", day, today)


# --- in a forked child ----------------------------------------------------------------------

def _can_fork(source: SheetSource) -> bool:
    if not (isinstance(source, XlsxSource) and fork_is_safe()):
        return False
    try:
        return source.path.stat().st_size >= PARALLEL_FROM_BYTES
    except OSError:
        return False


def _from_child(source: SheetSource, native: NativeBook, by_entity: dict[str, list[str]],
                deadline: limits.Deadline, today: date) -> Iterator[Prepared | Finished]:
    reading, writing = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        yield from _read(source, native, by_entity, deadline, today)
        return
    if pid == 0:  # the child: it never returns
        os.close(reading)
        _child(source, native, by_entity, deadline, today, writing)
    os.close(writing)
    done = False
    try:
        with os.fdopen(reading, "rb") as stream:
            while True:
                try:
                    item = pickle.load(stream)
                except EOFError:
                    raise TrackerError("the restore's reader stopped before the end of the "
                                       "workbook; nothing was written") from None
                if isinstance(item, _Read):
                    native.problems += item.problems
                    native.rows_read += item.rows_read
                    native.versioned = native.versioned or item.versioned
                    done = True
                    return
                if isinstance(item, _Failed):
                    done = True
                    raise _raised(item)
                yield _unpacked(item) if isinstance(item, tuple) else item
    finally:
        if not done:
            os.kill(pid, signal.SIGKILL)  # the writer failed or stopped: so does the reader
        os.waitpid(pid, 0)


def _child(source: SheetSource, native: NativeBook, by_entity: dict[str, list[str]],
           deadline: limits.Deadline, today: date, writing: int) -> None:
    in_forked_child()  # the parent's write transaction is on a connection this inherited
    code = 1
    try:
        with os.fdopen(writing, "wb") as stream:
            before = (len(native.problems), native.rows_read)
            try:
                for item in _read(source, native, by_entity, deadline, today):
                    sent = _packed(item) if isinstance(item, Prepared) else item
                    pickle.dump(sent, stream, protocol=pickle.HIGHEST_PROTOCOL)
                    stream.flush()
                end: Any = _Read(native.problems[before[0]:], native.rows_read - before[1],
                                 native.versioned)
            except Exception as err:  # raised again in the parent, in its words
                end = _Failed(type(err).__name__, str(err))
            pickle.dump(end, stream, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # an interrupt, a closed pipe: the child must not return
        os._exit(code)
    os._exit(code)


def _packed(prepared: Prepared) -> tuple[Any, ...]:
    """A chunk as plain tuples for the pipe: the records' rows and changes are rebuilt on
    the other side (unpickling ~120,000 dataclass instances cost more than building them),
    without their parsed cells, which the writer never reads."""
    def rows(changes: list[Any]) -> list[tuple[Any, ...]]:
        return [(c.row.sheet, c.row.row, c.row.version, c.record_id, c.values)
                for c in changes]

    return (prepared.entity, rows(prepared.ready), rows(prepared.held), prepared.problems,
            prepared.columns)


def _unpacked(packed: tuple[Any, ...]) -> Prepared:
    from tracker.app.restore import _Change

    entity, ready, held, problems, columns = packed

    def changes(rows: list[tuple[Any, ...]]) -> list[Any]:
        return [_Change(NativeRow(entity, sheet, number, record_id, {}, columns.get(sheet, {}),
                                  version), record_id, values, None)
                for sheet, number, version, record_id, values in rows]

    return Prepared(entity, changes(ready), changes(held), problems, columns=columns)


def _raised(failed: _Failed) -> Exception:
    """The child's error as the tracker raises it here: its own errors by their class (a
    refused file, the deadline), any other as one sentence."""
    import tracker.errors as errors
    from tracker.sheets import guard

    for module in (errors, guard, limits):
        kind = getattr(module, failed.kind, None)
        if isinstance(kind, type) and issubclass(kind, Exception) and \
                kind.__module__ == module.__name__:
            try:
                return kind(failed.message)
            except TypeError:
                break
    return TrackerError(f"the workbook could not be read: {failed.message}")
