"""Export, edit in Excel, import back: only what the workbook changed is applied, and nothing
anyone changed in the register since the export is reverted (tracker.app.rebase)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tracker.app.imports import ImportReport
from tracker.app.rebase import Since, rebase
from tracker.app.register import Register
from tracker.cli import main
from tracker.domain.enums import ReminderStatus

from .conftest import TODAY


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Register]:
    register = Register.open(f"sqlite:///{demo_path}")
    yield register
    register.close()


def _export(register: Register, path: Path) -> Path:
    register.export(path, today=TODAY)
    return path


def _import(register: Register, path: Path, dry_run: bool = False) -> ImportReport:
    return register.import_file(path, profile=None, order=None, dry_run=dry_run)


def _cells(path: Path, sheet: str, record_id: int, changes: dict[str, Any]) -> int:
    """Set cells of the row holding ``record_id``; returns that row's number."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == record_id:
            for name, value in changes.items():
                row[header.index(name)].value = value
            book.save(path)
            return int(row[0].row)
    raise AssertionError(f"no row with ID {record_id} on {sheet}")


def _column_letter(path: Path, sheet: str, header: str) -> str:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    names = [c.value for c in next(ws.iter_rows(max_row=1))]
    return str(openpyxl.utils.get_column_letter(names.index(header) + 1))


def _change(register: Register, entity: str, record_id: int, **values: Any) -> None:
    current = register.get(entity, record_id)
    register.update(entity, record_id, values, expected_version=int(current.version))


def test_an_old_export_imported_back_keeps_what_changed_in_the_register_since(
        demo: Register, tmp_path: Path) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    supply = demo.provider_file(2)
    assert supply is not None and supply.supplies
    supply_id = int(supply.supplies[0].id)
    # After the export, someone else works in the register...
    _change(demo, "provider", 2, contact_name="Someone Newer")
    current = demo.get("supply", supply_id)
    demo.archive("supply", supply_id, expected_version=int(current.version))
    # ...while the officer renames provider 2 in the old workbook.
    _cells(out, "Providers", 2, {"Legal name": "WebHarvest Analytics Limited"})

    report = _import(demo, out)

    assert report.written and not report.problems and not report.conflicts, (
        report.problems, report.conflicts)
    provider = demo.get("provider", 2)
    assert provider.legal_name == "WebHarvest Analytics Limited"  # the workbook's edit
    assert provider.contact_name == "Someone Newer"  # the register's later edit stands
    assert demo.get("supply", supply_id).archived_at is not None  # still archived
    assert report.counts["provider"].changed == 1
    assert report.counts["supply"].changed == 0


def test_a_field_changed_on_both_sides_is_a_located_conflict_and_the_register_wins(
        demo: Register, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    exported = demo.get("provider", 2)
    _change(demo, "provider", 2, contact_name="Register Side")
    row = _cells(out, "Providers", 2, {"Contact name": "Workbook Side",
                                       "Legal name": "Renamed In Excel Ltd"})

    preview = _import(demo, out, dry_run=True)
    assert not preview.written and len(preview.conflicts) == 1
    [conflict] = preview.conflicts
    assert (conflict.sheet, conflict.row, conflict.header) == ("Providers", row,
                                                               "Contact name")
    assert conflict.column == _column_letter(out, "Providers", "Contact name")
    assert "'Register Side'" in conflict.reason and "'Workbook Side'" in conflict.reason
    assert repr(exported.contact_name) in conflict.reason  # what the workbook was given

    code = main(["--db", str(demo.engine.url.database), "import", str(out)])
    printed = capsys.readouterr()
    assert code == 1  # written, but with a finding the officer must look at
    assert "1 conflict(s)" in printed.out and f"Providers, row {row}" in printed.out
    provider = demo.get("provider", 2)
    assert provider.contact_name == "Register Side"
    assert provider.legal_name == "Renamed In Excel Ltd"  # the row's other edit applied


def test_importing_the_same_old_export_twice_changes_nothing_the_second_time(
        demo: Register, tmp_path: Path) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    _change(demo, "provider", 3, notes="checked by phone")
    _cells(out, "Providers", 3, {"Contact name": "New Contact"})
    first = _import(demo, out)
    assert first.written and first.counts["provider"].changed == 1
    second = _import(demo, out)
    assert not second.written and not second.conflicts
    provider = demo.get("provider", 3)
    assert (provider.notes, provider.contact_name) == ("checked by phone", "New Contact")


def test_reminder_marks_and_settings_set_after_the_export_survive_it(
        demo: Register, tmp_path: Path) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    overdue = [r for r in demo.reminders(TODAY) if r.status == ReminderStatus.OVERDUE]
    demo.snooze(overdue[0].uid, until=date(2027, 1, 20), reason="supplier on holiday",
                today=TODAY)
    demo.change_setting("reminder_lead_days", "[60, 14]")

    report = _import(demo, out)

    assert not report.problems and not report.conflicts
    again = {r.key: r for r in demo.reminders(TODAY)}[overdue[0].key]
    assert again.status == ReminderStatus.SNOOZED
    assert demo.setting("reminder_lead_days") == [60, 14]


def test_a_mark_changed_on_both_sides_is_a_conflict(demo: Register, tmp_path: Path) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    overdue = [r for r in demo.reminders(TODAY) if r.status == ReminderStatus.OVERDUE][0]
    demo.snooze(overdue.uid, until=date(2027, 1, 20), reason="register side", today=TODAY)
    book = openpyxl.load_workbook(out)
    ws = book["Reminders"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == overdue.key:
            row[header.index("Marked")].value = "done"
            row[header.index("Mark reason")].value = "workbook side"
    book.save(out)

    report = _import(demo, out)

    assert [c.sheet for c in report.conflicts] == ["Reminders"]
    assert "register side" in report.conflicts[0].reason
    assert {r.key: r for r in demo.reminders(TODAY)}[overdue.key].status == \
        ReminderStatus.SNOOZED


@pytest.mark.parametrize("shift", [5, -100])
def test_a_version_the_register_never_had_is_refused(demo: Register, tmp_path: Path,
                                                     shift: int) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    version = int(demo.get("provider", 2).version)
    row = _cells(out, "Providers", 2, {"Version": version + shift, "Contact name": "X"})
    report = _import(demo, out)
    assert not report.written
    assert [(p.sheet, p.row, p.header) for p in report.problems] == [
        ("Providers", row, "Version")]
    assert demo.get("provider", 2).contact_name != "X"


def test_an_export_from_before_record_versions_is_rebased_by_its_time(
        demo: Register, tmp_path: Path) -> None:
    """Format 1 carried no versions: the manifest's export time tells what came later."""
    out = _export(demo, tmp_path / "format1.xlsx")
    book = openpyxl.load_workbook(out)
    manifest = book["_tracker"]
    for row in list(manifest.iter_rows(min_row=2)):
        if row[0].value == "format_version":
            row[1].value = 1
        if row[0].value == "audit_last_event":
            row[0].value = row[1].value = None
    for ws in book.worksheets:  # format 1 had no Version column on any sheet
        header = [c.value for c in ws[1]]
        if "Version" in header:
            ws.delete_cols(header.index("Version") + 1)
    book.save(out)
    _change(demo, "provider", 2, contact_name="After The Export")
    _cells(out, "Providers", 2, {"Legal name": "Renamed Ltd"})

    report = _import(demo, out)

    assert report.written and not report.problems, report.problems
    provider = demo.get("provider", 2)
    assert (provider.legal_name, provider.contact_name) == ("Renamed Ltd", "After The Export")


@pytest.mark.parametrize(("workbook", "register", "exported", "applied", "collided"), [
    # the workbook kept the exported value: the register's newer value stands
    ({"a": "old"}, {"a": "new"}, {"a": "old"}, {}, []),
    # only the workbook changed it
    ({"a": "mine"}, {"a": "old"}, {}, {"a": "mine"}, []),
    # both changed it alike: nothing to do
    ({"a": "same"}, {"a": "same"}, {"a": "old"}, {}, []),
    # both changed it differently: a collision, nothing applied
    ({"a": "mine"}, {"a": "theirs"}, {"a": "old"}, {}, ["a"]),
    # a date as the event stores it (ISO text) meets the typed date
    ({"d": date(2027, 1, 1)}, {"d": date(2027, 6, 1)}, {"d": "2027-01-01"}, {}, []),
])
def test_rebase_applies_only_the_workbooks_own_changes(
        workbook: dict[str, Any], register: dict[str, Any], exported: dict[str, Any],
        applied: dict[str, Any], collided: list[str]) -> None:
    result, collisions = rebase(workbook, register, Since(exported=exported))
    assert result == applied
    assert [c.field for c in collisions] == collided


def test_rebase_without_an_event_treats_every_difference_as_a_collision() -> None:
    _, collisions = rebase({"a": "mine", "b": "same"}, {"a": "theirs", "b": "same"}, None)
    assert [(c.field, c.register, c.workbook) for c in collisions] == [("a", "theirs",
                                                                        "mine")]


def test_a_restored_copy_is_a_register_of_its_own_and_cannot_overwrite_its_origin(
        demo: Register, empty_template: Path, tmp_path: Path) -> None:
    from .helpers import copy_register

    copy = Register.open(f"sqlite:///{copy_register(empty_template, tmp_path / 'copy.sqlite')}")
    try:
        restored = _import(copy, _export(demo, tmp_path / "origin.xlsx"))
        assert restored.written and not restored.problems
        _change(copy, "provider", 2, contact_name="Edited In The Copy")
        from_copy = _export(copy, tmp_path / "from-copy.xlsx")
    finally:
        copy.close()
    report = _import(demo, from_copy)
    assert not report.written
    assert "another register" in report.problems[0].reason
    assert demo.get("provider", 2).contact_name != "Edited In The Copy"


# --- a workbook that is not the tracker's export, imported again --------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"


@pytest.fixture
def imported(register: Register) -> Register:
    """The sample register imported once into an empty register."""
    first = _import(register, SAMPLE)
    assert first.written and not first.problems
    return register


def _provider_id(register: Register, name: str) -> int:
    return int(register.resolve_provider(name).id)


def test_the_same_workbook_imported_again_does_not_undo_a_later_edit(
        imported: Register, capsys: pytest.CaptureFixture[str]) -> None:
    pid = _provider_id(imported, "WebHarvest")
    _change(imported, "provider", pid, risk_tier="high")  # the sample says critical

    code = main(["--db", str(imported.engine.url.database), "import", str(SAMPLE)])

    printed = capsys.readouterr().out
    assert code == 1
    assert "1 conflict(s)" in printed and "risk_tier" in printed and "'high'" in printed
    assert imported.get("provider", pid).risk_tier == "high"


def test_a_workbook_cell_changed_to_a_value_never_held_is_applied(
        imported: Register, tmp_path: Path) -> None:
    pid = _provider_id(imported, "WebHarvest")
    _change(imported, "provider", pid, risk_tier="high")
    book = openpyxl.load_workbook(SAMPLE)
    sheet = book.worksheets[0]
    sheet["C6"] = "medium"  # the officer's own, new decision in the workbook
    edited = tmp_path / "edited.xlsx"
    book.save(edited)

    report = _import(imported, edited)

    assert report.written and not report.conflicts and not report.problems
    assert imported.get("provider", pid).risk_tier == "medium"


# --- a workbook whose account of its own export cannot be trusted -------------------------

def _manifest(path: Path, changes: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(path)
    for row in book["_tracker"].iter_rows(min_row=2):
        if row[0].value in changes:
            row[1].value = changes[row[0].value]
    book.save(path)


@pytest.mark.parametrize("changes", [
    {"audit_last_event": 99999},  # beyond the trail
    {"audit_last_event": None, "audit_head_hash": None},  # blanked
    {"exported_at": "2099-01-01T00:00:00"},  # in the future
    {"audit_head_hash": "0" * 64},  # not this register's history
    {"format_version": 1},  # claims to predate the versions it carries
])
def test_an_edited_hidden_sheet_is_refused_rather_than_trusted(
        demo: Register, tmp_path: Path, changes: dict[str, Any]) -> None:
    out = _export(demo, tmp_path / "old.xlsx")
    _change(demo, "provider", 4, notes="a colleague's later note")
    _manifest(out, changes)
    report = _import(demo, out)
    assert not report.written
    assert [p.sheet for p in report.problems] == ["_tracker"]
    assert "Export again" in report.problems[0].reason
    assert demo.get("provider", 4).notes == "a colleague's later note"


def test_an_export_of_a_plain_file_copy_that_went_on_by_itself_is_refused(
        demo: Register, demo_path: Path, tmp_path: Path) -> None:
    """`cp` keeps the register's identity; the copy's trail then forks from the origin's."""
    import shutil

    demo.close()
    copy_path = tmp_path / "copy" / "demo.sqlite"
    copy_path.parent.mkdir()
    shutil.copy(demo_path, copy_path)
    copy = Register.open(f"sqlite:///{copy_path}")
    try:
        _change(copy, "provider", 4, notes="from the copy")
        from_copy = _export(copy, tmp_path / "copy.xlsx")
    finally:
        copy.close()
    origin = Register.open(f"sqlite:///{demo_path}")
    try:
        _change(origin, "provider", 4, notes="the origin's newer note")
        report = _import(origin, from_copy)
        assert not report.written and [p.sheet for p in report.problems] == ["_tracker"]
        assert origin.get("provider", 4).notes == "the origin's newer note"
    finally:
        origin.close()


def test_an_export_without_its_hidden_sheet_is_an_ordinary_workbook_not_a_crash(
        demo: Register, tmp_path: Path) -> None:
    out = _export(demo, tmp_path / "no-manifest.xlsx")
    book = openpyxl.load_workbook(out)
    del book["_tracker"]
    book.save(out)
    report = _import(demo, out, dry_run=True)
    assert not report.written  # read by natural keys now: whatever it finds, no traceback


def test_an_own_csv_export_saved_again_with_semicolons_imports_back(
        demo: Register, tmp_path: Path) -> None:
    import csv

    folder = tmp_path / "csv"
    demo.export(folder, as_csv=True, today=TODAY)
    providers = folder / "providers.csv"
    rows = list(csv.reader(providers.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == "2":
            row[header.index("Contact name")] = "Saved by Excel; EU locale"
    with providers.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)

    report = _import(demo, folder)

    assert report.written and not report.problems, report.problems[:3]
    assert report.counts["provider"].changed == 1
    assert demo.get("provider", 2).contact_name == "Saved by Excel; EU locale"
