"""A kill -9 at any moment of a write never leaves a partial file under the target's name.

For each kind of file the tracker writes (a backup of a register with thousands of rows, a
report workbook, an .ics calendar, a CSV export directory), a forked child writes it over and
over (replacing it, or creating it when the parent removed it) and is killed with SIGKILL
after a random delay spread over its write cycle. After every kill the target is either
missing or a complete, valid file; and what the killed writers left behind never blocks the
next write, which removes it."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tracker import files
from tracker.app.register import Register

from .conftest import TODAY

if TYPE_CHECKING:
    from _typeshed import HasFileno

KILLS = 10
BULK_ROWS = 5_000


@dataclass
class Kind:
    target: str
    write: Callable[[Register, Path, bool], object]
    fingerprint: Callable[[Path], object]  # what a complete file holds; raises if invalid


def _backup_fingerprint(path: Path) -> object:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return (connection.execute("SELECT count(*) FROM bulk").fetchone()[0],
                connection.execute("SELECT count(*) FROM provider").fetchone()[0])
    finally:
        connection.close()


def _workbook_fingerprint(path: Path) -> object:
    book = load_workbook(path, read_only=True)
    try:
        return [(name, sum(1 for _ in book[name].iter_rows())) for name in book.sheetnames]
    finally:
        book.close()


def _calendar_fingerprint(path: Path) -> object:
    data = path.read_bytes()
    assert data.endswith(b"END:VCALENDAR\r\n")
    return len(Calendar.from_ical(data).walk("VEVENT"))


def _csv_fingerprint(path: Path) -> object:
    found = {}
    for file in sorted(path.iterdir()):
        text = file.read_bytes().decode("utf-8-sig")
        assert text.endswith("\r\n"), file.name
        found[file.name] = len(list(csv.reader(text.splitlines())))
    return found


KINDS = {
    "backup": Kind("copy.sqlite", lambda r, p, force: r.backup(p, force=force),
                   _backup_fingerprint),
    "report": Kind("ropa.xlsx", lambda r, p, force: r.write_report("ropa", p, TODAY,
                                                                 force=force),
                   _workbook_fingerprint),
    "ics": Kind("reminders.ics", lambda r, p, force: r.write_calendar(p, TODAY, force=force),
                _calendar_fingerprint),
    "csv": Kind("export", lambda r, p, force: r.export(p, as_csv=True, today=TODAY,
                                                       force=force),
                _csv_fingerprint),
}


@pytest.fixture
def register(demo_path: Path) -> Iterator[Register]:
    """The demo register with some thousands of rows more, so a backup takes a while."""
    connection = sqlite3.connect(demo_path)
    connection.execute("CREATE TABLE bulk (id INTEGER PRIMARY KEY, filler TEXT)")
    connection.executemany("INSERT INTO bulk (filler) VALUES (?)",
                           [(f"row {n} " + "x" * 200,) for n in range(BULK_ROWS)])
    connection.commit()
    connection.close()
    opened = Register.open(f"sqlite:///{demo_path}")
    yield opened
    opened.close()


def _keep_writing(register: Register, kind: Kind, target: Path) -> NoReturn:
    """The child: write the target again and again until killed, on a slow disk (each fsync
    takes 10 ms more), so the moments between a file's first byte and its new name are long
    enough to be hit on a busy machine too (an .ics is otherwise written in 2 ms of 50)."""
    code = 0
    real_fsync = os.fsync

    def slow_fsync(fd: int | HasFileno) -> None:
        time.sleep(0.01)
        real_fsync(fd)

    os.fsync = slow_fsync  # this process only: the child's own copy of the module
    try:
        while True:
            kind.write(register, target, True)
    except BaseException:  # a real failure: the parent sees the exit code, not a kill
        code = 1
    finally:
        os._exit(code)


def _remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    for suffix in files.SQLITE_COMPANIONS:  # a check opened it; its -wal is not the copy's
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _wait_for_a_temporary(out: Path) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(files.MARK in name for name in os.listdir(out)):
            return


@pytest.mark.parametrize("name", list(KINDS))
def test_a_killed_writer_never_leaves_a_partial_file(register: Register, tmp_path: Path,
                                                      name: str) -> None:
    kind = KINDS[name]
    out = tmp_path / "out"
    out.mkdir()
    target = out / kind.target
    started = time.perf_counter()
    kind.write(register, target, False)
    cycle = time.perf_counter() - started
    expected = kind.fingerprint(target)
    chance = random.Random(f"kill-{name}")
    interrupted = present = 0
    for iteration in range(KILLS):
        if iteration % 3 == 1:
            _remove(target)  # the next write creates it (the no-clobber link) instead
        child = os.fork()
        if child == 0:
            _keep_writing(register, kind, target)
        if iteration % 2:
            time.sleep(chance.uniform(0.0, 1.5 * cycle))  # anywhere in the cycle
        else:  # aimed at the moments the file is written and takes its name
            _wait_for_a_temporary(out)
            time.sleep(chance.uniform(0.0, 0.03))
        os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        assert os.WIFSIGNALED(status), f"the writer failed (exit {os.WEXITSTATUS(status)})"
        interrupted += bool([p for p in out.iterdir() if files.MARK in p.name])
        if os.path.lexists(target):
            present += 1
            assert kind.fingerprint(target) == expected, f"torn {name} after kill {iteration}"
    assert interrupted and present, (interrupted, present)  # kills hit writes; files checked
    # What the killed writers left: once old enough and unlocked, the next write removes it.
    _remove(target)
    long_ago = time.time() - 2 * files.STALE_AFTER_SECONDS
    for path in out.iterdir():
        os.utime(path, (long_ago, long_ago), follow_symlinks=False)
    kind.write(register, target, False)
    assert kind.fingerprint(target) == expected
    assert [p.name for p in out.iterdir()] == [kind.target]
