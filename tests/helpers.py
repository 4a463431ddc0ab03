"""Helpers shared by several test modules (test modules import from here, never from each
other): registers copied from a session's templates, records made through the services, and
the comparisons of a register's rows and a workbook's cells."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.app import pipeline as svc
from tracker.sheets.layout import ENTITY_ORDER, MANIFEST_SHEET, SUMMARY_SHEET
from tracker.sheets.questionnaire import AI, COVER, EVIDENCE, QUESTIONS, SUPPLIES
from tracker.sheets.readers import read_workbook
from tracker.store.models import Provider, table_of

ACTOR = "tester"

# --- registers copied from a template --------------------------------------------------------


def copy_register(template: Path, target: Path) -> Path:
    """A copy of the SQLite register ``template`` (closed, its WAL checkpointed) at ``target``,
    file mode kept, with an identity of its own: migration 0005 gives every new register a
    fresh ``register_id``, so two copies are two registers, as two real files would be."""
    if Path(f"{template}-wal").exists():
        raise AssertionError(f"{template} is still open: its -wal file would be left behind")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)  # the bytes and the permission bits (0o600)
    with sqlite3.connect(target) as connection:
        changed = connection.execute("UPDATE setting SET value = ? WHERE key = 'register_id'",
                                     (json.dumps(str(uuid.uuid4())),)).rowcount
    connection.close()
    if changed != 1:
        raise AssertionError(f"{template} holds no register_id setting")
    return target


def copy_demo(template: Path, directory: Path) -> Path:
    """The demo register ``template`` (its folder holds demo.sqlite and the demo-evidence
    files written beside it) copied into ``directory``; returns the copy's demo.sqlite."""
    from tracker.app.demo import EVIDENCE_DIR

    shutil.copytree(template.parent / EVIDENCE_DIR, directory / EVIDENCE_DIR)
    return copy_register(template, directory / template.name)


def register_id_of(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        [value] = connection.execute(
            "SELECT value FROM setting WHERE key = 'register_id'").fetchone()
    connection.close()
    return str(json.loads(value))


# --- records made through the services ------------------------------------------------------


def make_provider(session: Session, **values: Any) -> Provider:
    return svc.providers.create(session=session,
                                data={"legal_name": "Acme Data Ltd", "country": "GB", **values},
                                actor=ACTOR)


def full_register(session: Session) -> dict[str, int]:
    """One record of every entity, linked as in life; returns their ids."""
    p = make_provider(session, role="processor", risk_tier="high", status="active")
    assert p.id
    s = svc.supplies.create(session=session, data={
        "provider_id": p.id, "name": "Speech set", "contains_pi": True,
        "contains_sensitive_pi": True, "modality": "audio", "source_category": "licensed_private",
        "people_concerned": 1200, "intended_use": "fine_tuning"}, actor=ACTOR)
    e = svc.evidence.create(session=session, data={
        "provider_id": p.id, "location": "contracts/dpa.pdf", "kind": "signed_contract",
        "sha256": "ab" * 32, "size_bytes": 10, "valid_until": "2027-01-01"}, actor=ACTOR)
    lb = svc.legal_bases.create(session=session, data={
        "supply_id": s.id, "regime": "gdpr", "gdpr_art6": "a_consent",
        "gdpr_art9": "a_explicit_consent", "evidence_id": e.id, "verified_by": "DPO",
        "verified_on": "2026-01-10"}, actor=ACTOR)
    a = svc.agreements.create(session=session, data={
        "provider_id": p.id, "supply_id": s.id, "kind": "dpa", "signed_on": "2026-01-01",
        "effective_on": "2026-01-01", "expires_on": "2027-12-31", "notice_period_days": 90,
        "auto_renewal": True, "governing_law": "Ireland"}, actor=ACTOR)
    [c] = [row for row in svc.agreement_clauses.list(session=session, agreement_id=a.id)
           if row.clause == "gdpr28_c_security"]
    assert c.status == "missing"
    assert c.id
    svc.agreement_clauses.update(session=session, record_id=c.id, changes={"status": "present"},
                                 expected_version=1, actor=ACTOR)
    asmt = svc.assessments.create(session=session, data={
        "provider_id": p.id, "kind": "tia", "assessed_on": "2026-02-01", "reviewer": "DPO",
        "outcome": "approved", "next_review_on": "2027-02-01", "retain_until": "2036-02-01"},
        actor=ACTOR)
    ans = svc.checklist_answers.create(session=session, data={
        "assessment_id": asmt.id, "item": 13, "status": "satisfied", "evidence_id": e.id},
        actor=ACTOR)  # a TIA carries no automatic checklist; answers can still be recorded
    t = svc.transfers.create(session=session, data={
        "provider_id": p.id, "supply_id": s.id, "origin_country": "FR",
        "destination_country": "CN", "mechanism": "eu_scc", "assessment_id": asmt.id},
        actor=ACTOR)
    r = svc.reminders.create(session=session, data={
        "provider_id": p.id, "title": "Chase audit report", "due_on": "2026-12-01"}, actor=ACTOR)
    ids = {"provider": p.id, "supply": s.id, "evidence": e.id, "legal_basis": lb.id,
           "agreement": a.id, "agreement_clause": c.id, "assessment": asmt.id,
           "checklist_answer": ans.id, "transfer": t.id, "reminder": r.id}
    return {k: int(v or 0) for k, v in ids.items()}


# --- comparing registers and workbooks -------------------------------------------------------

STAMPED = {SUMMARY_SHEET, MANIFEST_SHEET}  # these say when the file was written


def sheet_data(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cells as the import reads them, but the ones stamped with a time."""
    book = read_workbook(path)
    return {s.name: list(s.rows) for s in book.sheets if s.name not in STAMPED}


def register_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every record's typed values, without bookkeeping that a restore rightly renews."""
    skip = {"version", "created_at", "updated_at", "archived_at", "added_at"}
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for entity in ENTITY_ORDER:
            table = table_of(entity)
            columns = [c for c in table.columns if c.name not in skip]
            rows[entity] = [tuple(r) for r in connection.execute(
                select(*columns).order_by(table.c.id))]
    return rows


# --- issue 15 questionnaires: a supplier's answers --------------------------------------------

ANSWERED_ON = date(2026, 11, 25)  # the tests' today (conftest.TODAY), the day it is sent


def row_of(ws: object, code: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):  # type: ignore[attr-defined]
        if row[0].value == code:
            return int(row[0].row)
    raise AssertionError(f"{code} not in the sheet")


def fill_as_supplier(sent: Path, target: Path) -> str:
    """Answer as a supplier would in their spreadsheet; returns the correction's cell."""
    book = openpyxl.load_workbook(sent)
    cover, questions = book[COVER], book[QUESTIONS]
    cover[f"C{row_of(cover, 'answered_by')}"] = "李伟"
    cover[f"C{row_of(cover, 'answered_on')}"] = ANSWERED_ON
    row = row_of(questions, "dd01")
    questions[f"C{row}"] = "是"
    questions[f"E{row}"] = "母公司：杭州数据集团"
    questions[f"F{row}"] = "我们没有外国股东"
    row = row_of(questions, "dd02")
    questions[f"C{row}"] = "Partly / 部分"
    questions[f"F{row}"] = '=HYPERLINK("http://example.com","click")'  # formula-looking
    row = row_of(questions, "dd09")
    questions[f"C{row}"] = "Yes"
    questions[f"E{row}"] = 2.5
    questions[f"C{row_of(questions, 'dd05')}"] = None  # skipped
    ai = book[AI]
    ai[f"D{row_of(ai, 'ai_train_on_our_data')}"] = "No / 否"
    ai[f"D{row_of(ai, 'ai_retention_days')}"] = 30
    supplies = book[SUPPLIES]
    code = next(c.value for c in supplies["A"] if str(c.value).endswith(":people_concerned"))
    row = row_of(supplies, code)
    supplies[f"E{row}"] = 4500
    supplies[f"F{row}"] = "人数已更新"
    evidence = book[EVIDENCE]
    evidence[f"C{row_of(evidence, 'ev_certificate')}"] = "iso27001.pdf"
    evidence[f"C{row_of(evidence, 'ev_audit_report')}"] = "soc2-2026.pdf"  # not attached
    book.save(target)
    return f"E{row}"


class ForkWatch:
    """The children ``SecondHalf`` forked (tracker.cli.forked_half), and for each whether
    it reported ready: its part was made there, not by the parent's fallback."""

    def __init__(self, monkeypatch: Any) -> None:
        from tracker.cli.forked_half import SecondHalf

        self.pids: list[int] = []
        self.ready: list[bool] = []
        start = SecondHalf.start.__func__  # type: ignore[attr-defined]
        summary = SecondHalf.summary
        index: dict[int, int] = {}

        def started(cls: type[SecondHalf], render: Any, fd: int) -> SecondHalf | None:
            half: SecondHalf | None = start(cls, render, fd)
            if half is not None:
                index[id(half)] = len(self.pids)
                self.pids.append(half._pid)
                self.ready.append(False)
            return half

        def reported(half: SecondHalf) -> bytes | None:
            got = summary(half)
            if got is not None:
                self.ready[index[id(half)]] = True
            return got

        monkeypatch.setattr(SecondHalf, "start", classmethod(started))
        monkeypatch.setattr(SecondHalf, "summary", reported)


def in_one_and_two_processes(command: list[str], register: Path, tmp_path: Path,
                             monkeypatch: Any, capsys: Any
                             ) -> tuple[tuple[int, bytes, str], tuple[int, bytes, str]]:
    """``tracker --db REGISTER COMMAND`` run twice in this process, its stdout a real file
    (a descriptor a forked child can write to): as one process, then with the register
    split for two from 2 providers. Each run's (exit status, stdout's bytes, stderr); it
    checks that only the second forked, and that its child made its part."""
    import sys

    from tracker.cli import commands, main

    watch = ForkWatch(monkeypatch)
    runs = []
    for split_from in (10 ** 9, 2):
        out = tmp_path / f"out-{split_from}.json"
        with out.open("w", encoding="utf-8") as stream, monkeypatch.context() as patch:
            patch.setattr(commands, "SPLIT_FROM", split_from)
            patch.setattr(sys, "stdout", stream)
            code = main(["--db", str(register), *command])
        runs.append((code, out.read_bytes(), capsys.readouterr().err))
    assert watch.ready == [True], watch.ready  # the split run's child made its part
    return runs[0], runs[1]
