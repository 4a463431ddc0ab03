"""A derivation in stages (tracker.reminders.derive.STAGES): each stage derived on its own,
from only the records it reads, and the stages joined day by day, must be the whole
derivation; `tracker reminders --json` relies on it to derive one stage in a second process."""

from __future__ import annotations

import io
import os
import sys
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.app.reminders import load_register_dates, reminder_policy, stage_reminders
from tracker.cli import records_json
from tracker.cli.records_json import write_reminders
from tracker.cli.split_json import write_reminders_in_stages
from tracker.reminders.derive import STAGES, DerivedReminder, derive_reminders, derive_stage
from tracker.store.engine import session_scope

from .conftest import TODAY
from .helpers import ForkWatch, copy_register, in_one_and_two_processes


def joined_by_day(*stages: list[DerivedReminder]) -> list[DerivedReminder]:
    days: dict[Any, list[DerivedReminder]] = {}
    for stage in stages:
        for day, group in groupby(stage, key=attrgetter("due_on")):
            days.setdefault(day, []).extend(group)
    return [r for day in sorted(days) for r in days[day]]


@pytest.mark.parametrize("today", [TODAY, TODAY.replace(year=TODAY.year + 2)])
def test_the_stages_joined_day_by_day_are_the_whole_derivation(
        demo_engine: Engine, today: Any) -> None:
    with session_scope(demo_engine, write=False) as session:
        whole = derive_reminders(load_register_dates(session), reminder_policy(session), today)
        parts = stage_reminders(session, today, STAGES)
    assert len(whole) > 30 and all(parts)  # every stage has reminders in the demo
    assert joined_by_day(*parts) == whole


def test_a_stage_reads_only_what_it_names(demo_engine: Engine) -> None:
    """Loaded with only its records (the others left empty), a stage derives what it
    derives from the whole register: STAGE_READS misses nothing it reads."""
    with session_scope(demo_engine, write=False) as session:
        data, policy = load_register_dates(session), reminder_policy(session)
        for stage in STAGES:
            (alone,) = stage_reminders(session, TODAY, (stage,))
            assert alone == derive_stage(data, policy, TODAY, stage), stage
    with pytest.raises(ValueError, match="no stage 'later'"):
        derive_stage(data, policy, TODAY, "later")


def _reminders_of(demo_engine: Engine) -> list[list[DerivedReminder]]:
    with session_scope(demo_engine, write=False) as session:
        return stage_reminders(session, TODAY, STAGES)


@pytest.mark.parametrize("present", ["all", "no middle", "middle only"])
def test_the_stages_written_are_the_bytes_of_their_whole_list(
        demo_engine: Engine, tmp_path: Path, present: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_json, "_CHUNK", 2)
    before, middle, after = _reminders_of(demo_engine)
    if present == "no middle":
        middle = []
    elif present == "middle only":
        before = after = []
    expected = io.StringIO()
    write_reminders(joined_by_day(before, middle, after), expected)
    watch = ForkWatch(monkeypatch)
    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as stream:  # a descriptor: the child makes it
        counts = write_reminders_in_stages(lambda: (before, after), lambda _: middle, stream)
    assert watch.ready == [True]
    assert path.read_text(encoding="utf-8") == expected.getvalue()
    assert counts[0] == len(before) + len(middle) + len(after)
    # in one process (no descriptor), the same
    here = io.StringIO()
    assert write_reminders_in_stages(lambda: (before, after), lambda _: middle, here) == counts
    assert here.getvalue() == expected.getvalue()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")
def test_a_child_that_fails_leaves_its_stage_to_the_parent(
        demo_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    watch = ForkWatch(monkeypatch)
    before, middle, after = _reminders_of(demo_engine)
    parent = os.getpid()

    def failing(in_child: bool) -> list[DerivedReminder]:
        if os.getpid() != parent:
            raise MemoryError("the child cannot derive")
        assert not in_child
        return middle

    expected = io.StringIO()
    write_reminders(joined_by_day(before, middle, after), expected)
    path = tmp_path / "out.json"
    with path.open("w", encoding="utf-8") as stream:
        write_reminders_in_stages(lambda: (before, after), failing, stream)
    assert path.read_text(encoding="utf-8") == expected.getvalue()
    assert watch.ready == [False]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")
@pytest.mark.parametrize("options", [[], ["--all"], ["--within", "400"]])
def test_reminders_json_in_two_processes_prints_what_one_prints(
        demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], options: list[str]) -> None:
    register = copy_register(demo_path, tmp_path / "r.sqlite")
    whole, staged = in_one_and_two_processes(
        ["reminders", "--json", "--today", TODAY.isoformat(), *options], register, tmp_path,
        monkeypatch, capsys)
    assert staged == whole  # the documents' stage was the child's
    assert whole[0] == 1 and b'"agreement_expiry"' in whole[1]
