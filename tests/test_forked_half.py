"""A long ``--json`` listing is rendered on two cores (``tracker.cli.forked_half``): the bytes
on the file descriptor must be exactly the one-process bytes, whatever the child does."""

from __future__ import annotations

import io
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tracker.cli import forked_half, records_json, split_json
from tracker.cli.forked_half import SecondHalf, descriptor_of
from tracker.cli.records_json import write_gaps, write_reminders

from .conftest import TODAY
from .helpers import ForkWatch, copy_register, in_one_and_two_processes
from .test_records_json import _gaps, _reminders

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the forked half runs on Linux only")


def _one_process(write: Any, records: list[Any]) -> str:
    written = io.StringIO()
    write(records, written)
    return written.getvalue()


def _through_a_file(write: Any, records: list[Any], path: Path) -> bytes:
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        stream.write("before\n")  # held in the text layer: it must come first, once
        write(records, stream)
    return path.read_bytes()


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> ForkWatch:
    """Fork from three records, in chunks of two; the children forked, and whether each
    made its half."""
    monkeypatch.setattr(records_json, "PARALLEL_FROM", 3)
    monkeypatch.setattr(records_json, "_CHUNK", 2)
    return ForkWatch(monkeypatch)


@pytest.mark.parametrize("write, records", [(write_reminders, _reminders()),
                                            (write_gaps, _gaps())])
def test_two_halves_write_the_bytes_of_one_process(
        write: Any, records: list[Any], parallel: ForkWatch, tmp_path: Path) -> None:
    expected = ("before\n" + _one_process(write, records)).encode()
    assert _through_a_file(write, records, tmp_path / "out.json") == expected
    assert parallel.ready == [True]  # the second half was the child's


def test_a_child_that_fails_before_writing_leaves_the_half_to_the_parent(
        parallel: ForkWatch, tmp_path: Path) -> None:
    parent = os.getpid()

    def dicts_failing_in_the_child(gaps: Iterable[Any]) -> Iterator[dict[str, Any]]:
        for record in records_json.gap_dicts(gaps):
            if os.getpid() != parent:
                raise MemoryError("the child cannot render")
            yield record

    gaps = _gaps()
    expected = _one_process(write_gaps, gaps).encode()
    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as stream:
        records_json._write(gaps, dicts_failing_in_the_child, stream)
    assert path.read_bytes() == expected
    assert parallel.ready == [False]  # forked, failed, and the parent made its half


def test_a_parent_that_fails_gets_no_half_written_after_its_error(
        parallel: ForkWatch, tmp_path: Path) -> None:
    parent = os.getpid()
    rendered: list[int] = []

    def dicts_failing_in_the_parent(gaps: Iterable[Any]) -> Iterator[dict[str, Any]]:
        for record in records_json.gap_dicts(gaps):
            if os.getpid() == parent:
                rendered.append(1)
                if len(rendered) > 1:
                    raise OSError("the parent's write failed")
            yield record

    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as stream, pytest.raises(OSError, match="parent"):
        records_json._write(_gaps(), dicts_failing_in_the_parent, stream)
    assert path.read_bytes() == b""  # not the child's half on its own
    with pytest.raises(ChildProcessError):
        os.waitpid(parallel.pids[0], os.WNOHANG)  # the child was waited for: no zombie


def test_few_records_or_no_descriptor_stay_in_one_process(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    forks: list[int] = []
    monkeypatch.setattr(SecondHalf, "start", classmethod(lambda *_: forks.append(1)))
    gaps = _gaps()
    assert len(gaps) < forked_half.PARALLEL_FROM
    _through_a_file(write_gaps, gaps, tmp_path / "out.json")
    monkeypatch.setattr(records_json, "PARALLEL_FROM", 1)
    _one_process(write_gaps, gaps)  # a StringIO has no descriptor
    assert forks == []


def test_no_fork_while_another_thread_runs(tmp_path: Path) -> None:
    """A fork copies only the calling thread: a lock another one holds would stay held."""
    with (tmp_path / "out").open("wb") as binary:
        assert descriptor_of(binary) == binary.fileno()
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        try:
            assert descriptor_of(binary) is None
        finally:
            release.set()
            other.join()
    assert descriptor_of(io.BytesIO()) is None
    assert descriptor_of(None) is None


@pytest.mark.parametrize("first_count, second_count", [(0, 0), (0, 5), (5, 0), (5, 5)])
def test_two_parts_of_gaps_write_the_bytes_of_their_list(
        first_count: int, second_count: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A part with no gap, either one, and the separator between them."""
    monkeypatch.setattr(records_json, "_CHUNK", 2)
    watch = ForkWatch(monkeypatch)
    gaps = _gaps()
    first, second = gaps[:first_count], gaps[first_count:first_count + second_count]
    forked: list[bool] = []

    def second_part(in_child: bool) -> list[Any]:
        forked.append(in_child)
        return second

    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as stream:
        counts = split_json.write_gaps_of_parts(lambda: first, second_part, stream)
    assert path.read_bytes() == _one_process(write_gaps, first + second).encode()
    assert counts == Counter(g.severity for g in first + second)
    assert forked == [] and watch.ready == [True]  # it ran in the child
    # without a descriptor, both parts are made here
    assert split_json.write_gaps_of_parts(lambda: first, second_part, io.StringIO()) == counts
    assert forked == [False]


def test_a_child_that_fails_leaves_the_second_part_to_the_parent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    watch = ForkWatch(monkeypatch)
    parent = os.getpid()
    gaps = _gaps()

    def second_part(in_child: bool) -> list[Any]:
        if os.getpid() != parent:
            raise MemoryError("the child cannot load its half")
        assert not in_child
        return gaps[4:]

    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as stream:
        counts = split_json.write_gaps_of_parts(lambda: gaps[:4], second_part, stream)
    assert path.read_bytes() == _one_process(write_gaps, gaps).encode()
    assert sum(counts.values()) == len(gaps)
    assert watch.ready == [False]


def test_check_json_in_two_processes_prints_what_one_prints(
        demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`tracker check --json` of a register split in two halves by provider ID, each loaded,
    checked and written by its own process: the same bytes, count and status as one."""
    register = copy_register(demo_path, tmp_path / "r.sqlite")
    whole, halves = in_one_and_two_processes(["check", "--json", "--today", TODAY.isoformat()],
                                             register, tmp_path, monkeypatch, capsys)
    assert halves == whole
    assert whole[0] == 1 and b'"rule"' in whole[1]
