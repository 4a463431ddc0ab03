"""The restore of an export into an empty register, streamed (tracker.app.restore_stream):
all or nothing, each problem found across records located at its sheet, row and column,
the dry run the same run rolled back, the audit trail replaying to what was written."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from tracker.app import restore_reader
from tracker.app.audit import verify_trail
from tracker.app.exports import run_export
from tracker.app.imports import run_import
from tracker.app.reminders import current_reminders, snooze_reminder
from tracker.domain.checklists import DUE_DILIGENCE_CHECKLIST
from tracker.sheets.guard import inspect_xlsx
from tracker.sheets.layout import REMINDERS_SHEET
from tracker.sheets.native import reminder_mark_rows
from tracker.store.audit import current_actor
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.models import AuditEvent, ChecklistAnswer, ReminderAction

from .conftest import TODAY
from .helpers import copy_register, register_rows, sheet_data


@pytest.fixture(autouse=True, params=["read here", "read by a forked reader"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every restore of this module twice: its sheets read and checked in the writing
    process, and by a forked one (tracker.app.restore_reader), with the same outcome."""
    forked = request.param != "read here"
    monkeypatch.setattr(restore_reader, "PARALLEL_FROM_BYTES", 0 if forked else 1 << 62)
    decided: list[bool] = []
    can_fork = restore_reader._can_fork

    def recorded(source: Any) -> bool:
        decided.append(can_fork(source))
        return decided[-1]

    monkeypatch.setattr(restore_reader, "_can_fork", recorded)
    yield str(request.param)
    assert all(decided) if forked else not any(decided)  # each restore read as named


def restore(engine: Engine, path: Path, dry_run: bool = False) -> Any:
    return run_import(engine, path, profile=None, order=None, dry_run=dry_run)


def edit(path: Path, sheet: str, changes: dict[tuple[int, str], Any],
         append: list[dict[str, Any]] | None = None) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    for (row, column), value in changes.items():
        ws.cell(row=row, column=header.index(column) + 1).value = value
    for values in append or []:
        ws.append([values.get(h) for h in header])
    book.save(path)


def row_of(path: Path, sheet: str, row: int) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[1]]
    return dict(zip(header, [c.value for c in ws[row]], strict=True))


def nothing_written(engine: Engine) -> bool:
    rows = register_rows(engine)
    return not any(rows.values())


def test_the_restore_writes_everything_and_its_audit_trail_replays_to_it(
        demo_engine: Engine, demo_export: Path, empty_engine: Engine, tmp_path: Path) -> None:
    report = restore(empty_engine, demo_export)
    assert report.written and not report.problems
    assert register_rows(empty_engine) == register_rows(demo_engine)
    again = tmp_path / "again.xlsx"
    run_export(empty_engine, again, today=TODAY)
    assert sheet_data(again) == sheet_data(demo_export)
    with session_scope(empty_engine, write=False) as session:
        verdict = verify_trail(session, [])
    assert verdict.events > 0 and verdict.records > 0 and not verdict.problems, \
        verdict.problems[:3]


def test_a_dry_run_is_the_same_restore_rolled_back(demo_export: Path, empty_engine: Engine,
                                                   empty_template: Path, tmp_path: Path) -> None:
    dry = restore(empty_engine, demo_export, dry_run=True)
    assert not dry.written and not dry.problems
    assert nothing_written(empty_engine)
    with session_scope(empty_engine, write=False) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    other = open_register(f"sqlite:///{copy_register(empty_template, tmp_path / 'o.sqlite')}")
    real = restore(other, demo_export)
    other.dispose()
    assert {k: v.new for k, v in dry.counts.items()} == {k: v.new for k, v in real.counts.items()}


def test_a_repeated_id_is_located_at_both_rows(demo_export: Path, empty_engine: Engine) -> None:
    first = row_of(demo_export, "Providers", 2)
    edit(demo_export, "Providers", {}, append=[first | {"Legal name": "Another Name Ltd"}])
    report = restore(empty_engine, demo_export)
    assert not report.written and nothing_written(empty_engine)
    [problem] = report.problems
    assert (problem.sheet, problem.header) == ("Providers", "ID")
    # the workbook holds numbers as doubles (openpyxl reads 1.0); the message names 1
    assert f"ID {int(first['ID'])} is also on Providers row 2" in problem.reason


def test_a_clause_given_twice_is_a_located_problem(demo_export: Path, empty_engine: Engine) -> None:
    first = row_of(demo_export, "Agreement clauses", 2)
    edit(demo_export, "Agreement clauses", {}, append=[first | {"ID": None, "Note": "again"}])
    report = restore(empty_engine, demo_export)
    assert not report.written and nothing_written(empty_engine)
    [problem] = report.problems
    assert (problem.sheet, problem.header) == ("Agreement clauses", "Clause")
    assert "is also on Agreement clauses row 2; each may appear once" in problem.reason


def test_a_reference_to_a_record_the_file_lacks_is_located(demo_export: Path,
                                                          empty_engine: Engine) -> None:
    edit(demo_export, "Supplies", {(3, "Provider ID"): 9999})
    report = restore(empty_engine, demo_export)
    assert not report.written and nothing_written(empty_engine)
    # (the records referring to that supply are then another provider's: named too)
    problem = report.problems[0]
    assert (problem.sheet, problem.row, problem.header) == ("Supplies", 3, "Provider ID")
    assert "refers to provider ID 9999, which is neither in the register nor on the " \
           "Providers sheet" in problem.reason


def test_a_reference_to_another_providers_record_is_located(demo_export: Path,
                                                           empty_engine: Engine) -> None:
    agreement = row_of(demo_export, "Agreements", 2)
    supplies = openpyxl.load_workbook(demo_export)["Supplies"]
    header = [c.value for c in supplies[1]]
    other = next(r for r in supplies.iter_rows(min_row=2, values_only=True)
                 if r[header.index("Provider ID")] != agreement["Provider ID"])
    supply = other[header.index("ID")]
    edit(demo_export, "Agreements", {(2, "Supply ID"): supply})
    report = restore(empty_engine, demo_export)
    assert not report.written and nothing_written(empty_engine)
    [problem] = report.problems
    assert (problem.sheet, problem.row, problem.header) == ("Agreements", 2, "Supply ID")
    assert f"supply {int(supply)} belongs to provider " \
           f"{int(other[header.index('Provider ID')])}, not to provider " \
           f"{int(agreement['Provider ID'])}" in problem.reason


def test_an_approval_with_a_critical_item_open_is_refused_at_its_row(
        demo_export: Path, empty_engine: Engine) -> None:
    critical = next(item.number for item in DUE_DILIGENCE_CHECKLIST if item.critical)
    book = openpyxl.load_workbook(demo_export)
    answers = book["Checklist answers"]
    header = [c.value for c in answers[1]]
    row = next(r for r in answers.iter_rows(min_row=2)
               if r[header.index("Checklist item")].value == critical)
    review = row[header.index("Assessment ID")].value
    row[header.index("Status")].value = "Open"
    assessments = book["Assessments"]
    a_header = [c.value for c in assessments[1]]
    at = next(r for r in assessments.iter_rows(min_row=2)
              if r[a_header.index("ID")].value == review)
    at[a_header.index("Outcome")].value = "Approved"
    at[a_header.index("Why it is approved with critical checklist items open")].value = None
    book.save(demo_export)
    report = restore(empty_engine, demo_export)
    assert not report.written and nothing_written(empty_engine)
    assert any(p.sheet == "Assessments" and p.row == at[0].row and p.header == "Outcome"
               and "cannot approve" in p.reason for p in report.problems), report.problems


def test_without_clause_and_checklist_sheets_they_are_derived_as_every_door_does(
        demo_engine: Engine, demo_export: Path, empty_engine: Engine) -> None:
    book = openpyxl.load_workbook(demo_export)
    for title in ("Agreement clauses", "Checklist answers"):
        del book[title]
    book.save(demo_export)
    edit(demo_export, "Assessments", {}, append=[{"Provider ID": 1}])  # an undated live review
    report = restore(empty_engine, demo_export)
    assert report.written and not report.problems, report.problems[:3]
    restored, original = register_rows(empty_engine), register_rows(demo_engine)
    assert restored["provider"] == original["provider"]
    # every agreement gets its clauses as the form gives them (the demo's were edited since)
    assert sorted({r[1] for r in restored["agreement_clause"]}) == sorted(
        {r[1] for r in original["agreement_clause"]})
    new_review = max(r[0] for r in restored["assessment"])
    with session_scope(empty_engine, write=False) as session:
        assert verify_trail(session, []).problems == []
        checklist = session.scalars(select(ChecklistAnswer).where(
            ChecklistAnswer.assessment_id == new_review)).all()
    assert sorted(a.item for a in checklist) == [i.number for i in DUE_DILIGENCE_CHECKLIST]


def without_cell_references(path: Path, member: str) -> None:
    """The workbook with the sheet's cells written without their ``r`` (as some programs
    write them): the marks reader leaves such a sheet to the whole-sheet reader."""
    with zipfile.ZipFile(path) as source:
        parts = {info: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts.items():
            if info.filename == member:
                data = re.sub(rb'(<c\b[^>]*?) r="[A-Z]+\d+"', rb"\1", data)
            target.writestr(info, data)


@pytest.mark.parametrize("resaved", [False, True],
                         ids=["as demo_export", "cells without references"])
def test_reminder_marks_are_restored_whichever_program_saved_the_file(
        demo_engine: Engine, tmp_path: Path, empty_engine: Engine, resaved: bool) -> None:
    with session_scope(demo_engine) as session:
        ident = current_reminders(session, TODAY)[0].uid
        snooze_reminder(session, ident=ident, until=date.today() + timedelta(days=30),
                        reason="waiting for the supplier", today=TODAY,
                        actor=current_actor(session))
        [marked] = session.scalars(select(ReminderAction)).all()
        key = marked.key
    out = tmp_path / "marked.xlsx"
    run_export(demo_engine, out, today=TODAY)
    facts = inspect_xlsx(out)
    member = next(m for m, name in facts.sheet_members.items() if name == REMINDERS_SHEET)
    if resaved:
        without_cell_references(out, member)
    scanned = reminder_mark_rows(out, member)
    if resaved:
        assert scanned is None
    else:
        assert scanned is not None
        rows, total = scanned
        assert [r[1][0] for r in rows] == ["Key", key]  # the header and the marked row
        assert total == facts.sheet_rows[member]
    report = restore(empty_engine, out)
    assert report.written and not report.problems, report.problems[:3]
    assert report.counts["reminder_mark"].new == 1
    with session_scope(empty_engine, write=False) as session:
        [mark] = session.scalars(select(ReminderAction)).all()
    assert (mark.key, mark.reason) == (key, "waiting for the supplier")


def test_copied_clauses_are_the_rows_and_events_each_agreement_would_derive(
        demo_export: Path, empty_engine: Engine, empty_template: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Agreements after the first of their kind get their clause rows as SQLite's copy of
    the first's (derived_rows.ClauseCopies): the rows, their IDs and every event are
    those of each agreement's own derivation."""
    from tracker.app.derived_rows import ClauseCopies

    book = openpyxl.load_workbook(demo_export)
    del book["Agreement clauses"]
    book.save(demo_export)
    sheet = openpyxl.load_workbook(demo_export)["Agreements"]
    header = [c.value for c in sheet[1]]
    given = [dict(zip(header, [c.value for c in row], strict=True))
             for row in sheet.iter_rows(min_row=2)]
    assert len({a["Kind"] for a in given}) > 1
    edit(demo_export, "Agreements", {}, append=[  # each again, without its ID
        a | {"ID": None, "Title": f"again {n}"} for n, a in enumerate(given * 2)])
    copied = restore(empty_engine, demo_export)
    assert copied.written and not copied.problems, copied.problems[:3]
    derived = open_register(f"sqlite:///{copy_register(empty_template, tmp_path / 'd.sqlite')}")
    calls: list[int] = []

    def derive_each(self: ClauseCopies, record_id: int, *_: Any) -> bool:
        calls.append(record_id)
        return False

    monkeypatch.setattr(ClauseCopies, "copied", derive_each)
    try:
        each = restore(derived, demo_export)
        assert each.written and not each.problems, each.problems[:3]
        assert calls  # the generic path was taken
        assert register_rows(empty_engine) == register_rows(derived)
        clauses = register_rows(empty_engine)["agreement_clause"]
        assert len({r[1] for r in clauses}) > len({a["Kind"] for a in given})  # copies

        def events(engine: Engine) -> list[tuple[Any, ...]]:
            with engine.connect() as connection:
                table = AuditEvent.__table__.c  # type: ignore[attr-defined]
                return [(e, i, re.sub(r'"(created|updated)_at":"[^"]*"', "", after or ""))
                        for e, i, after in connection.execute(select(
                            table.entity, table.entity_id, table.after).order_by(table.id))]
        assert events(empty_engine) == events(derived)
        with session_scope(empty_engine, write=False) as session:
            assert verify_trail(session, []).problems == []
    finally:
        derived.dispose()
