"""The import writes a few records at a time inside its one transaction: what that must not
change (all or nothing, the audit chain, problems across chunks), and the canonical JSON the
events are hashed over."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.app import batch
from tracker.app.imports import run_import
from tracker.store.audit import canonical_json, record_events_bulk, verify_chain
from tracker.store.engine import session_scope

from .sheets_helpers import write_xlsx
from .test_import import HEADER, counts


def _rows(n: int) -> list[list[Any]]:
    return [[f"Chunk Co {i}", "FR", "low", "NDA", "2027-01-01", "2026-01-0" + str(1 + i % 9)]
            for i in range(n)]


def test_records_written_in_many_chunks_keep_one_intact_chain(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "WRITE_CHUNK", 3)
    path = write_xlsx(tmp_path / "many.xlsx", [HEADER, *_rows(11)])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.written and not report.problems
    assert report.counts["provider"].new == 11 and report.counts["agreement"].new == 11
    with session_scope(engine, write=False) as session:
        checked, problems = verify_chain(session)
    assert problems == [] and checked == counts(engine)["AuditEvent"] >= 33
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert not again.written and again.counts["provider"].unchanged == 11


def test_a_failure_in_a_later_chunk_undoes_the_earlier_chunks(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "WRITE_CHUNK", 3)
    real = record_events_bulk
    calls: list[int] = []

    def failing(session: Any, *, actor: str, events: list[Any]) -> int:
        calls.append(len(events))
        if len(calls) == 3:  # the third chunk of providers: two are already written
            raise RuntimeError("disk full")
        return real(session, actor=actor, events=events)

    monkeypatch.setattr(batch, "record_events_bulk", failing)
    path = write_xlsx(tmp_path / "many.xlsx", [HEADER, *_rows(11)])
    before = counts(engine)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(engine, path, profile=None, order=None, dry_run=False)
    assert calls[:2] == [3, 3] and counts(engine) == before
    with session_scope(engine, write=False) as session:
        assert verify_chain(session)[1] == []


def test_the_same_provider_far_apart_in_the_file_is_one_record_or_a_located_conflict(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "WRITE_CHUNK", 2)
    rows = _rows(8)
    same = ["Chunk Co 0", "FR", "low", "NDA", "2027-01-01", "2026-01-01"]
    clash = ["Chunk Co 1", "FR", "high", "NDA", "2027-01-01", "2026-01-02"]
    path = write_xlsx(tmp_path / "dup.xlsx", [HEADER, *rows, same, clash])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert not report.written and counts(engine)["Provider"] == 0
    [problem] = report.problems
    assert (problem.row, problem.column, problem.header, problem.value) == (
        11, "C", "Risk tier", "high")
    assert "row 3" in problem.reason
    path = write_xlsx(tmp_path / "dup2.xlsx", [HEADER, *rows, same])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.written and report.counts["provider"].new == 8


@pytest.mark.parametrize("values", [
    {"b": 1, "a": "中文 \"quoted\"\n\u2028", "c": [1.5, None, True, {"z": 1, "y": "x"}]},
    {"at": datetime(2026, 1, 2, 3, 4, 5), "on": date(2026, 1, 2), "big": 10 ** 30,
     "tiny": 1e-300, "neg": -0.0, "derived": {"agreement_clause": [{"item": 2}, {"item": 1}]}},
    {},
])
def test_canonical_json_is_the_documented_dumps(values: dict[str, Any]) -> None:
    """The hash chain of registers already written rests on this exact text."""
    assert canonical_json(values) == json.dumps(values, sort_keys=True, ensure_ascii=False,
                                                separators=(",", ":"), default=str)
