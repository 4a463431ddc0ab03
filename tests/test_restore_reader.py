"""The forked reader of a streamed restore (tracker.app.restore_reader): the sheets read and
checked in a child while this process writes. tests/test_restore_stream.py runs every
restore both ways; here, that the child is used, and what happens when either side fails."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.app import restore_reader, restore_stream
from tracker.app.imports import run_import
from tracker.errors import TrackerError
from tracker.sheets.guard import FileRefused

from .helpers import register_rows

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the forked reader runs on Linux only")


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Fork the reader for any workbook; the children forked, by pid."""
    monkeypatch.setattr(restore_reader, "PARALLEL_FROM_BYTES", 0)
    forked: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return forked


def restore(engine: Engine, path: Path) -> Any:
    return run_import(engine, path, profile=None, order=None, dry_run=False)


def test_the_sheets_are_read_by_a_child_and_everything_is_written(
        demo_engine: Engine, demo_export: Path, empty_engine: Engine, children: list[int]) -> None:
    report = restore(empty_engine, demo_export)
    assert len(children) == 1
    assert report.written and not report.problems
    assert register_rows(empty_engine) == register_rows(demo_engine)
    assert report.rows_read > 0  # the child's count came back


def test_an_error_the_child_meets_is_raised_here_and_nothing_is_written(
        demo_export: Path, empty_engine: Engine, children: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    prepare = restore_reader.prepare

    def failing(*args: Any) -> Any:
        if os.getpid() != parent:
            raise FileRefused("register.xlsx: sheet 'Providers' piece 2 cannot be read")
        return prepare(*args)

    monkeypatch.setattr(restore_reader, "prepare", failing)
    # as a refusal met in this process is reported: one sentence, the file and the sheet
    with pytest.raises(TrackerError, match="^register.xlsx: sheet 'Providers' piece 2 cannot"):
        restore(empty_engine, demo_export)
    assert len(children) == 1
    assert not any(register_rows(empty_engine).values())
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)  # waited for: no zombie


def test_a_writer_that_fails_stops_the_reader(demo_export: Path, empty_engine: Engine,
                                              children: list[int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self: Any, prepared: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(restore_stream._Writer, "apply", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        restore(empty_engine, demo_export)
    assert not any(register_rows(empty_engine).values())
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)


def test_an_unexpected_error_of_the_child_is_one_sentence_of_ours() -> None:
    raised = restore_reader._raised(restore_reader._Failed("KeyError", "'legal_name'"))
    assert type(raised) is TrackerError
    assert str(raised) == "the workbook could not be read: 'legal_name'"
    assert isinstance(restore_reader._raised(restore_reader._Failed("FileRefused", "x")),
                      FileRefused)
