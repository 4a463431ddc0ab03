"""The export: a workbook people can read and filter, CSV files Excel opens, formula
neutralisation, and the round trip through the import (same data out as in)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import col

from tracker.app import pipeline as svc
from tracker.app.exports import run_export
from tracker.app.imports import run_import
from tracker.domain.enums import AgreementKind
from tracker.errors import TrackerError
from tracker.sheets import writers
from tracker.sheets.layout import MANIFEST_SHEET, SUMMARY_SHEET, entity_sheets
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.models import AuditEvent, Provider

from .conftest import TODAY
from .helpers import copy_register, register_rows, sheet_data

EmptyRegister = Callable[..., Engine]


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Engine]:
    engine = open_register(f"sqlite:///{demo_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def empty_register(empty_template: Path) -> Iterator[EmptyRegister]:
    """``empty_register(folder, name)``: an empty register of its own in that folder."""
    engines: list[Engine] = []

    def make(where: Path, name: str = "empty.sqlite") -> Engine:
        engines.append(open_register(f"sqlite:///{copy_register(empty_template, where / name)}"))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def import_file(engine: Engine, path: Path, dry_run: bool = False) -> Any:
    return run_import(engine, path, profile=None, order=None, dry_run=dry_run)


# --- the workbook a person opens ---------------------------------------------------------

def test_the_workbook_has_a_sheet_per_entity_with_headers_filters_dates_and_drop_downs(
        demo: Engine, tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    result = run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    titles = [s.title for s in entity_sheets()]
    assert book.sheetnames[0] == SUMMARY_SHEET
    assert book.sheetnames[1:1 + len(titles)] == titles
    assert "Reminders" in book.sheetnames and "Settings" in book.sheetnames
    assert book[MANIFEST_SHEET].sheet_state == "hidden"
    agreements = book["Agreements"]
    header = [c.value for c in agreements[1]]
    assert header[:3] == ["ID", "Provider ID", "Provider"]
    assert agreements["A1"].font.b and agreements.freeze_panes == "D2"
    assert header[-1] == "Version"  # so an old workbook cannot revert newer changes
    last = openpyxl.utils.get_column_letter(len(header))
    assert agreements.auto_filter.ref == f"A1:{last}{result.rows['Agreements'] + 1}"
    expires = agreements.cell(row=2, column=header.index("Expires on") + 1)
    assert expires.is_date and expires.number_format == "yyyy-mm-dd"
    kind_column = openpyxl.utils.get_column_letter(header.index("Kind") + 1)
    [check] = [d for d in agreements.data_validations.dataValidation
               if str(d.sqref).startswith(f"{kind_column}2")]
    assert check.type == "list" and check.formula1.startswith("Lists!$")
    letter = check.formula1.split("$")[1]
    listed = [c.value for c in book["Lists"][letter][1:] if c.value is not None]
    assert listed == [kind.label for kind in AgreementKind]
    with session_scope(demo, write=False) as session:
        first = session.get(Provider, agreements.cell(row=2, column=2).value)
        assert first is not None and agreements.cell(row=2, column=3).value == first.legal_name
    with session_scope(demo, write=False) as session:
        assert result.rows["Providers"] == session.scalar(select(func.count()).select_from(
            Provider))


def test_formula_text_is_neutralised_and_numbers_stay_numbers(
        engine: Engine, tmp_path: Path, empty_register: EmptyRegister) -> None:
    hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
               "'quoted already"]
    numbers_as_text = ["-42", "-12.50"]  # not formulas: written as they are
    with session_scope(engine) as session:
        provider = svc.providers.create(session=session, actor="t",
                                        data={"legal_name": "=cmd|' /C calc'!A0"})
        for text in hostile + numbers_as_text:
            svc.supplies.create(session=session, actor="t", data={
                "provider_id": provider.id, "name": text, "people_concerned": 1200,
                "sampling_illegal_pct": 0.5})
    out = tmp_path / "hostile.xlsx"
    run_export(engine, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    supplies = book["Supplies"]
    header = [c.value for c in supplies[1]]
    names = [r[header.index("Name of the data set or model")] for r in
             supplies.iter_rows(min_row=2, values_only=True)]
    assert names == ["'" + t for t in hostile] + numbers_as_text
    people = [r[header.index("Number of people concerned")] for r in
              supplies.iter_rows(min_row=2, values_only=True)]
    assert people == [1200] * len(names)
    run_export(engine, tmp_path / "csv", as_csv=True, today=TODAY)
    written = (tmp_path / "csv" / "supplies.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    assert b"'=HYPERLINK" in written and b",1200," in written
    # ... and the import gives back the original text
    restored = empty_register(tmp_path)
    assert import_file(restored, out).written
    with session_scope(restored, write=False) as session:
        stored = [s.name for s in svc.supplies.list(session=session)]
        assert stored == hostile + numbers_as_text
        assert svc.providers.get(session=session, record_id=1).legal_name.startswith("=cmd")


# --- the round trip ------------------------------------------------------------------------

@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx", "csv"])
def test_the_demo_round_trips_through_an_empty_register(
        demo: Engine, tmp_path: Path, as_csv: bool, empty_register: EmptyRegister) -> None:
    first = tmp_path / ("first" if as_csv else "first.xlsx")
    second = tmp_path / ("second" if as_csv else "second.xlsx")
    run_export(demo, first, as_csv=as_csv, today=TODAY)
    restored = empty_register(tmp_path)
    report = import_file(restored, first)
    assert report.written and not report.problems
    run_export(restored, second, as_csv=as_csv, today=TODAY)
    assert sheet_data(second) == sheet_data(first)
    assert register_rows(restored) == register_rows(demo)
    again = import_file(restored, second)  # importing the same data again changes nothing
    assert not again.written and not again.problems
    assert all(c.new == c.changed == 0 for c in again.counts.values())


def test_a_provider_file_holds_that_provider_alone_and_restores(
        demo: Engine, tmp_path: Path, empty_register: EmptyRegister) -> None:
    with session_scope(demo, write=False) as session:
        provider = session.scalars(select(Provider).where(
            col(Provider.legal_name) == "WebHarvest Analytics Ltd")).one()
        pid = provider.id
    out = tmp_path / "webharvest.xlsx"
    result = run_export(demo, out, provider_id=pid, today=TODAY)
    assert result.rows["Providers"] == 1 and "Gaps" in result.rows
    book = openpyxl.load_workbook(out, read_only=True)
    for title in ("Supplies", "Agreements", "Assessments", "Reminders"):
        header = next(book[title].iter_rows(max_row=1, values_only=True))
        ids = {r[header.index("Provider ID")] for r in
               book[title].iter_rows(min_row=2, values_only=True)}
        assert ids <= {pid}
    summary = {r[0]: r[1] for r in book[SUMMARY_SHEET].iter_rows(values_only=True)}
    assert "WebHarvest Analytics Ltd" in summary["Contents"]
    restored = empty_register(tmp_path)
    assert import_file(restored, out).written
    assert register_rows(restored)["provider"] == [
        r for r in register_rows(demo)["provider"] if r[0] == pid]


def test_a_long_sheet_continues_on_numbered_sheets_and_files(
        demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        empty_register: EmptyRegister) -> None:
    assert writers.ROWS_PER_SHEET < 1_048_576  # Excel's limit, and the import's is lower
    monkeypatch.setattr(writers, "ROWS_PER_SHEET", 100)
    out = tmp_path / "split.xlsx"
    run_export(demo, out, today=TODAY)
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert {"Checklist answers", "Checklist answers (2)", "Checklist answers (4)"} <= set(names)
    run_export(demo, tmp_path / "split-csv", as_csv=True, today=TODAY)
    files = {p.name for p in (tmp_path / "split-csv").iterdir()}
    assert {"checklist-answers.csv", "checklist-answers-(4).csv"} <= files
    for source, name in ((out, "restored.sqlite"), (tmp_path / "split-csv", "csv.sqlite")):
        restored = empty_register(tmp_path, name)
        assert import_file(restored, source).written
        assert register_rows(restored) == register_rows(demo)


# --- importing the export back -------------------------------------------------------------

def _edit(path: Path, sheet: str, changes: dict[tuple[int, str], Any],
          append: list[dict[str, Any]] | None = None) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    for (row, column), value in changes.items():
        ws.cell(row=row, column=header.index(column) + 1).value = value  # None clears
    for values in append or []:
        ws.append([values.get(h) for h in header])
    book.save(path)


def test_editing_the_export_and_importing_it_back_updates_by_id(demo: Engine,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "edit.xlsx"
    run_export(demo, out, today=TODAY)
    with session_scope(demo, write=False) as session:
        before = svc.providers.get(session=session, record_id=2)
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    _edit(out, "Providers", {(3, "Legal name"): "WebHarvest Analytics Limited",
                             (3, "Contact name"): None},
          append=[{"Legal name": "Brand New Data GmbH",
                   "Country of establishment (ISO 3166-1 alpha-2)": "DE", "Risk tier": "High"}])
    report = import_file(demo, out)
    assert report.written and not report.problems, report.problems
    assert (report.counts["provider"].new, report.counts["provider"].changed) == (1, 1)
    with session_scope(demo, write=False) as session:
        after = svc.providers.get(session=session, record_id=2)
        assert after.legal_name == "WebHarvest Analytics Limited"  # renamed, same record
        assert after.contact_name is None and before.contact_name is not None
        assert after.version == before.version + 1
        added = session.scalars(select(Provider).where(
            col(Provider.legal_name) == "Brand New Data GmbH")).one()
        assert added.country == "DE" and added.risk_tier == "high"
        events = session.scalar(select(func.count()).select_from(AuditEvent))
        assert events == (events_before or 0) + 2


def test_bad_cells_are_named_and_nothing_is_written(demo: Engine, tmp_path: Path) -> None:
    out = tmp_path / "bad.xlsx"
    run_export(demo, out, today=TODAY)
    _edit(out, "Agreements", {(2, "Kind"): "handshake", (3, "Provider ID"): 9999,
                              (4, "Expires on"): "31/02/2027"})
    snapshot = register_rows(demo)
    report = import_file(demo, out)
    assert not report.written
    reasons = [str(p) for p in report.problems]
    assert any("Agreements, row 2, column F (Kind)" in r and "handshake" in r for r in reasons)
    assert any("row 3" in r and "Provider ID" in r and "9999" in r for r in reasons)
    assert any("row 4" in r and "Expires on" in r for r in reasons)
    assert register_rows(demo) == snapshot


def test_another_registers_export_is_refused_by_a_register_holding_records(
        demo: Engine, tmp_path: Path, empty_register: EmptyRegister) -> None:
    out = tmp_path / "theirs.xlsx"
    run_export(demo, out, today=TODAY)
    other = empty_register(tmp_path, "other.sqlite")
    with session_scope(other) as session:
        svc.providers.create(session=session, actor="t", data={"legal_name": "Ours Ltd"})
    snapshot = register_rows(other)
    report = import_file(other, out)
    assert not report.written
    assert "exported from another register" in str(report.problems[0])
    assert register_rows(other) == snapshot


def test_export_refuses_a_wrong_target_and_leaves_no_partial_file(demo: Engine,
                                                                  tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match=r"\.xlsx"):
        run_export(demo, tmp_path / "register.ods", today=TODAY)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(TrackerError, match="other files"):
        run_export(demo, busy, as_csv=True, today=TODAY)
    assert sorted(p.name for p in busy.iterdir()) == ["notes.txt"]
    assert not list(tmp_path.glob(".*"))  # no temporary file or folder was left beside them


def test_reminder_marks_travel_with_the_export(demo: Engine, tmp_path: Path,
                                               empty_register: EmptyRegister) -> None:
    from tracker.app.reminders import current_reminders, snooze_reminder

    with session_scope(demo) as session:
        due = [r for r in current_reminders(session, TODAY) if r.status.value == "overdue"][0]
        snooze_reminder(session, ident=due.uid, until=date(2027, 1, 10),
                        reason="waiting for the signed DPA", today=TODAY, actor="t")
    out = tmp_path / "marks.xlsx"
    run_export(demo, out, today=TODAY)
    restored = empty_register(tmp_path)
    assert import_file(restored, out).written
    with session_scope(restored, write=False) as session:
        mine = [r for r in current_reminders(session, TODAY) if r.key == due.key]
        assert mine and mine[0].status.value == "snoozed"
        assert mine[0].snoozed_until == date(2027, 1, 10)


# --- generated registers ----------------------------------------------------------------

AWKWARD = st.sampled_from(["", "=", "+", "-", "@", "'", "=SUM(A1)", "-12.5", "@@"])
ALPHABET = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n")
LETTERS = st.sampled_from(["数据", "科技有限公司", "😀", "Müller", "ǅ", "\u200b", " ", "a"])


@st.composite
def awkward_text(draw: st.DrawFn, max_size: int = 60) -> str:
    body = draw(st.text(ALPHABET, max_size=max_size))
    return draw(AWKWARD) + draw(LETTERS) + body


@st.composite
def long_note(draw: st.DrawFn) -> str:
    unit = draw(awkward_text(max_size=20)) or "x"
    return (unit * (20_000 // len(unit) + 1))[:draw(st.integers(1, 20_000))]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(providers=st.lists(st.tuples(awkward_text(), awkward_text(), long_note(),
                                    st.sampled_from([None, "CN", "DE", "US"]),
                                    st.sampled_from(["low", "high", None])),
                          min_size=1, max_size=4))
def test_generated_registers_round_trip_exactly(tmp_path_factory: pytest.TempPathFactory,
                                               empty_register: EmptyRegister,
                                               providers: list[tuple[Any, ...]]) -> None:
    from tracker.errors import ValidationFailed

    where = tmp_path_factory.mktemp("gen")
    source = empty_register(where, "source.sqlite")
    with session_scope(source) as session:
        for name, title, note, country, tier in providers:
            try:
                provider = svc.providers.create(session=session, actor="t", data={
                    "legal_name": name, "notes": note, "country": country, "risk_tier": tier})
            except ValidationFailed:
                continue  # a name that is blank once trimmed: not a record anyone can enter
            supply = svc.supplies.create(session=session, actor="t", data={
                "provider_id": provider.id, "name": title.strip() or "x", "description": note,
                "people_concerned": len(note)})
            svc.agreements.create(session=session, actor="t", data={
                "provider_id": provider.id, "supply_id": supply.id, "kind": "dpa",
                "title": title.strip() or None, "expires_on": date(2027, 1, 1)})
            svc.evidence.create(session=session, actor="t", data={
                "provider_id": provider.id, "location": name, "supports": note[:2000],
                "supply_id": supply.id})
            svc.reminders.create(session=session, actor="t", data={
                "provider_id": provider.id, "title": name, "due_on": date(2027, 2, 1),
                "notes": note[:4000]})
    for as_csv in (False, True):
        first = where / ("first-csv" if as_csv else "first.xlsx")
        second = where / ("second-csv" if as_csv else "second.xlsx")
        run_export(source, first, as_csv=as_csv, today=TODAY)
        restored = empty_register(where, f"restored-{as_csv}.sqlite")
        report = import_file(restored, first)
        assert not report.problems, report.problems[:3]
        run_export(restored, second, as_csv=as_csv, today=TODAY)
        assert sheet_data(second) == sheet_data(first)
        assert register_rows(restored) == register_rows(source)


def test_reminders_derived_a_range_of_providers_at_a_time_are_the_whole_registers(
        demo: Engine) -> None:
    from tracker.app.reminders import current_reminders, reminders_by_provider

    with session_scope(demo) as session:
        svc.reminders.create(session=session, actor="t", data={
            "title": "Renew the register's own insurance", "due_on": date(2026, 12, 1)})
        whole = current_reminders(session, TODAY)
        chunked = list(reminders_by_provider(session, TODAY, chunk=3))
    assert sorted(whole) == sorted(chunked) and len(chunked) == len(whole)
    order = [(r.provider_id or 0, r.due_on) for r in chunked]
    assert order == sorted(order)
    assert chunked[0].provider_id is None


def test_a_tampered_export_is_refused_with_every_problem_located(demo: Engine,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "tampered.xlsx"
    run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    providers = book["Providers"]
    providers.append([1, "Duplicate of the first ID"])  # an ID already on row 2
    appended = providers.max_row
    settings_sheet = book["Settings"]
    for row in settings_sheet.iter_rows(min_row=2):
        if row[0].value == "reminder_lead_days":
            row[1].value = "[90, -3]"
    book["Own reminders"]["A1"].value = None  # header gone: which column is the ID?
    book.save(out)
    snapshot = register_rows(demo)
    report = import_file(demo, out)
    reasons = [str(p) for p in report.problems]
    assert not report.written
    assert any(f"Providers, row {appended}" in r and "also on Providers row 2" in r
               for r in reasons)
    assert any(r.startswith("Settings, row") and "reminder_lead_days" in r for r in reasons)
    assert any("Own reminders" in r and "'ID' column is missing" in r for r in reasons)
    assert register_rows(demo) == snapshot


def test_a_newer_export_format_is_refused(demo: Engine, tmp_path: Path,
                                          empty_register: EmptyRegister) -> None:
    out = tmp_path / "future.xlsx"
    run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    for row in book[MANIFEST_SHEET].iter_rows(min_row=2):
        if row[0].value == "format_version":
            row[1].value = 99
    book.save(out)
    report = import_file(empty_register(tmp_path), out)
    assert not report.written and "format 99" in str(report.problems[0])


def test_csv_problems_name_the_file(demo: Engine, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    run_export(demo, out, as_csv=True, today=TODAY)
    path = out / "transfers.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("Origin country")] = "Atlantis"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = import_file(demo, out)
    assert not report.written
    assert str(report.problems[0]).startswith("transfers.csv (Transfers), row 2, column")
    assert "Atlantis" in str(report.problems[0])


def test_clearing_a_mark_in_the_register_it_came_from_removes_it(demo: Engine,
                                                                 tmp_path: Path) -> None:
    from tracker.app.reminders import current_reminders, snooze_reminder

    with session_scope(demo) as session:
        due = [r for r in current_reminders(session, TODAY) if r.status.value == "overdue"][0]
        snooze_reminder(session, ident=due.uid, until=date(2027, 1, 10), reason="waiting",
                        today=TODAY, actor="t")
    out = tmp_path / "marks.xlsx"
    run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    sheet = book["Reminders"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == due.key:
            row[header.index("Marked")].value = None
    book.save(out)
    report = import_file(demo, out)
    assert report.written and report.counts["reminder_mark"].changed == 1
    with session_scope(demo, write=False) as session:
        again = [r for r in current_reminders(session, TODAY) if r.key == due.key][0]
        assert again.status.value == "overdue"


def test_without_its_manifest_the_exports_derived_sheets_are_not_read_as_records(
        demo: Engine, tmp_path: Path, empty_register: EmptyRegister) -> None:
    out = tmp_path / "stripped.xlsx"
    run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    del book[MANIFEST_SHEET]
    book.save(out)
    report = import_file(empty_register(tmp_path), out, dry_run=True)
    left_out = " ".join(report.left_out_sheets)
    for derived in ("Summary", "Reminders", "Settings", "Lists"):
        assert f"{derived} (derived" in left_out
    assert not any(p.sheet == "Reminders" for p in report.problems)


def test_the_export_is_one_snapshot_while_someone_else_writes(
        demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = open_register(str(demo.url))
    original = writers._write_sheet

    def write_then_interfere(book: Any, data: Any, lists: Any) -> int:
        written = original(book, data, lists)
        if data.title == SUMMARY_SHEET:  # another program adds a provider meanwhile
            with session_scope(other) as session:
                svc.providers.create(session=session, actor="t",
                                     data={"legal_name": "Written during the export"})
        return written

    monkeypatch.setattr(writers, "_write_sheet", write_then_interfere)
    out = tmp_path / "snapshot.xlsx"
    result = run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out, read_only=True)
    names = [r[1] for r in book["Providers"].iter_rows(min_row=2, values_only=True)]
    assert "Written during the export" not in names
    assert result.rows["Providers"] == len(names) == 20  # with the cases of issue 14
    with session_scope(demo, write=False) as session:
        assert session.scalar(select(func.count()).select_from(Provider)) == 21


def test_approving_through_the_workbook_passes_the_approval_gate(demo: Engine,
                                                                 tmp_path: Path) -> None:
    from tracker.domain.checklists import DUE_DILIGENCE_CHECKLIST

    critical = next(item.number for item in DUE_DILIGENCE_CHECKLIST if item.critical)
    out = tmp_path / "gate.xlsx"
    run_export(demo, out, today=TODAY)
    _edit(out, "Assessments", {(2, "Outcome"): "Rejected"})
    assert import_file(demo, out).written
    run_export(demo, out, today=TODAY, force=True)
    book = openpyxl.load_workbook(out)
    answers = book["Checklist answers"]
    header = [c.value for c in answers[1]]
    for row in answers.iter_rows(min_row=2):
        if (row[header.index("Assessment ID")].value == 1
                and row[header.index("Checklist item")].value == critical):
            row[header.index("Status")].value = "Open"
    book.save(out)
    _edit(out, "Assessments", {(2, "Outcome"): "Approved"})
    report = import_file(demo, out)
    assert not report.written
    assert any("Assessments, row 2" in str(p) and "cannot approve" in str(p)
               for p in report.problems), report.problems
    _edit(out, "Assessments", {
        (2, "Why it is approved with critical checklist items open"): "Board accepted risk"})
    assert import_file(demo, out).written


def test_a_csv_directory_always_holds_exactly_one_export(
        demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        empty_register: EmptyRegister) -> None:
    out = tmp_path / "csv"
    run_export(demo, out, provider_id=6, as_csv=True, today=TODAY)  # with gaps.csv
    assert "gaps.csv" in {p.name for p in out.iterdir()}
    with monkeypatch.context() as patched:
        patched.setattr(writers, "ROWS_PER_SHEET", 100)
        run_export(demo, out, as_csv=True, today=TODAY, force=True)  # checklist-answers-(4)
    assert "checklist-answers-(4).csv" in {p.name for p in out.iterdir()}
    run_export(demo, out, as_csv=True, today=TODAY, force=True)  # the whole register
    names = {p.name for p in out.iterdir()}
    assert "gaps.csv" not in names and not any("(" in n for n in names)
    restored = empty_register(tmp_path)
    assert import_file(restored, out).written
    assert register_rows(restored) == register_rows(demo)


def test_new_rows_typed_into_the_workbook_get_their_defaults_and_problems_their_header(
        demo: Engine, tmp_path: Path) -> None:
    out = tmp_path / "typed.xlsx"
    run_export(demo, out, today=TODAY)
    _edit(out, "Evidence", {}, append=[{"Provider ID": 2, "Path or URI": "contracts/new.pdf"}])
    country = "Country of establishment (ISO 3166-1 alpha-2)"
    _edit(out, "Providers", {(2, country): "Atlantis"})
    report = import_file(demo, out)
    assert [(p.row, p.header) for p in report.problems] == [(2, country)]
    _edit(out, "Providers", {(2, country): "CN"})
    report = import_file(demo, out)
    assert report.written and report.counts["evidence"].new == 1
    with session_scope(demo, write=False) as session:
        added = [e for e in svc.evidence.list(session=session)
                 if e.location == "contracts/new.pdf"]
        assert added and added[0].added_at is not None and added[0].kind == "other"


def test_a_clause_added_twice_is_a_located_problem_not_a_database_error(
        demo: Engine, tmp_path: Path) -> None:
    out = tmp_path / "twice.xlsx"
    run_export(demo, out, today=TODAY)
    book = openpyxl.load_workbook(out)
    clauses = book["Agreement clauses"]
    header = [c.value for c in clauses[1]]
    first = [c.value for c in clauses[2]]
    copy = dict(zip(header, first, strict=True)) | {"ID": None, "Note": "again"}
    clauses.append([copy[h] for h in header])
    appended = clauses.max_row
    book.save(out)
    snapshot = register_rows(demo)
    report = import_file(demo, out)
    assert not report.written
    [problem] = report.problems
    assert problem.sheet == "Agreement clauses" and problem.header == "Clause"
    assert "is also on Agreement clauses row 2" in problem.reason and problem.row == appended
    assert register_rows(demo) == snapshot


def test_a_record_may_refer_only_to_records_of_its_own_provider(demo: Engine,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "mixed.xlsx"
    run_export(demo, out, today=TODAY)
    _edit(out, "Agreements", {(2, "Supply ID"): 2})  # agreement 1 is provider 1's
    report = import_file(demo, out)
    assert not report.written
    [problem] = report.problems
    assert (problem.sheet, problem.row, problem.header) == ("Agreements", 2, "Supply ID")
    assert "supply 2 belongs to provider 2, not to provider 1" in problem.reason


# --- CSV safe in every locale; control characters shown, not fatal ----------------------------

LOCALE_BYPASSES = ["x;=1+1;", "＝1+1", "＋cmd|' /C calc'!A0", "a|@SUM(1)", "a\t=1",
                   "note\n-2+3", "a; \"=1+1\"", "ok,=HYPERLINK(\"http://x\")", "x;'=quoted",
                   "－2+3", "＠SUM(A1)"]
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _starts_a_formula(field: str) -> bool:
    from tracker.sheets.formula import PLAIN_NUMBER

    stripped = field.lstrip(' "')
    return stripped.startswith(FORMULA_STARTERS) and not PLAIN_NUMBER.fullmatch(stripped)


def test_the_csv_export_starts_no_formula_whatever_the_separator_and_round_trips(
        engine: Engine, tmp_path: Path, empty_register: EmptyRegister) -> None:
    with session_scope(engine) as session:
        provider = svc.providers.create(session=session, actor="t",
                                        data={"legal_name": "Acme;=1+1 Ltd",
                                              "notes": "\n".join(LOCALE_BYPASSES)})
        for text in LOCALE_BYPASSES:
            svc.supplies.create(session=session, actor="t", data={
                "provider_id": provider.id, "name": text, "people_concerned": 1200,
                "sampling_illegal_pct": 0.5})
    out = tmp_path / "csv"
    run_export(engine, out, as_csv=True, today=TODAY)
    for file in sorted(out.iterdir()):
        written = file.read_bytes().decode("utf-8-sig")
        for delimiter in ",;\t|":
            fields = [f for row in csv.reader(written.splitlines(keepends=True),
                                              delimiter=delimiter) for f in row]
            fields += [f for line in written.splitlines() for f in line.split(delimiter)]
            dangerous = [f for f in fields if _starts_a_formula(f)]
            assert not dangerous, (file.name, repr(delimiter), dangerous[:3])
    with session_scope(engine, write=False) as session:  # a name is one line: as stored
        stored = [s.name for s in svc.supplies.list(session=session)]
    restored = empty_register(tmp_path)
    assert import_file(restored, out).written
    with session_scope(restored, write=False) as session:
        assert [s.name for s in svc.supplies.list(session=session)] == stored
        [back] = svc.providers.list(session=session)
        assert back.legal_name == "Acme;=1+1 Ltd"
        assert back.notes == "\n".join(LOCALE_BYPASSES)  # line breaks and all


@pytest.mark.parametrize("as_csv", [False, True], ids=["xlsx", "csv"])
def test_a_control_character_in_old_data_is_exported_visibly(
        demo: Engine, demo_path: Path, tmp_path: Path, as_csv: bool) -> None:
    import sqlite3

    planted = "<script>alert(1)</script> \x1b]52;c;SGVsbG8=\x07"
    connection = sqlite3.connect(demo_path)
    connection.execute("UPDATE setting SET value = ? WHERE key = 'organisation_name'",
                       (f'"{planted}"'.replace("\x1b", "\\u001b").replace("\x07", "\\u0007"),))
    connection.execute("UPDATE provider SET notes = ? WHERE id = 4", (planted,))
    connection.commit()
    connection.close()
    out = tmp_path / ("csv" if as_csv else "export.xlsx")
    run_export(demo, out, as_csv=as_csv, today=TODAY)
    if as_csv:
        texts = [file.read_bytes().decode("utf-8-sig") for file in out.iterdir()]
    else:
        book = openpyxl.load_workbook(out, read_only=True)
        texts = [str(v) for sheet in book.worksheets
                 for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        book.close()
    assert not any("\x1b" in t or "\x07" in t for t in texts)
    assert sum("<script>alert(1)</script> \\x1b]52;c;SGVsbG8=\\x07" in t for t in texts) >= 2


def test_codes_have_their_text_beside_them_and_reminders_go_by_date(
        demo: Engine, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tracker.domain.checklists import ALL_CLAUSES, CHECKLIST_BY_NUMBER

    out = tmp_path / "register.xlsx"
    run_export(demo, out, today=TODAY)
    book = load_workbook(out, read_only=True)

    def rows(title: str) -> list[dict[str, object]]:
        sheet = list(book[title].iter_rows(values_only=True))
        header = [str(h) for h in sheet[0]]
        return [dict(zip(header, row, strict=False)) for row in sheet[1:] if any(row)]

    clauses = rows("Agreement clauses")
    assert clauses and all(r["Clause text"] == ALL_CLAUSES[str(r["Clause"])].text
                           and r["Article"] == ALL_CLAUSES[str(r["Clause"])].article
                           for r in clauses)
    answers = rows("Checklist answers")
    # A number is written as a double ("7.0"), which openpyxl reads back as a float.
    assert answers and all(
        r["Question"] == CHECKLIST_BY_NUMBER[int(float(str(r["Checklist item"])))].text
        for r in answers)
    assert {r["Critical"] for r in answers} == {"critical", None}
    due = [r["Due on"] for r in rows("Reminders")]
    assert len(due) > 10 and due == sorted(due)  # type: ignore[type-var]
