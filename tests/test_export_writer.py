"""The export's workbook writer (rust_xlsxwriter in constant-memory mode, issue 19): what a
person opening the file sees (styles, frozen panes, drop-downs, print setup, hidden sheets)
as openpyxl and python-calamine read it, and the Reminders sheet sorted in spilled runs
giving exactly what one sort gives."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine

from tracker import files
from tracker.app import export_content
from tracker.app.exports import run_export
from tracker.domain.enums import AgreementKind
from tracker.sheets.content import ExportContent, ExportScope, SheetData
from tracker.sheets.formula import neutralize
from tracker.sheets.layout import LISTS_SHEET, MANIFEST_SHEET, REMINDERS_SHEET, Column
from tracker.sheets.writers import BOOL_FORMAT, HEADER_FILL, _text, write_xlsx

from .conftest import TODAY
from .helpers import sheet_data

COLUMNS = (Column("ID", "id", "id", 8), Column("Name", "name", "text", 40),
           Column("Kind", "kind", "enum", 20, enum=AgreementKind),
           Column("Signed on", "signed_on", "date", 12),
           Column("Checked at", "checked_at", "datetime", 20),
           Column("Sensitive", "sensitive", "bool", 10),
           Column("People", "people", "int", 12, grouped=True))


def _content(rows: list[list[object]]) -> ExportContent:
    return ExportContent(sheets=[
        SheetData("Summary", (Column("Item", None, "text", 30), Column("", None, "text", 90)),
                  [["Exported at", datetime(2026, 11, 25, 9, 30)], ["As of", TODAY],
                   ["Flag", True]], title_row=True),
        SheetData("Things", COLUMNS, rows, records=True, freeze_columns=2),
        SheetData("Empty", COLUMNS, [], records=True, freeze_columns=2),
        SheetData(MANIFEST_SHEET, (Column("Item", None, "text", 34),
                                   Column("Value", None, "text", 90)),
                  [["format", "x"], ["format_version", 2]], hidden=True),
    ], scope=ExportScope())


ROWS: list[list[object]] = [
    [1, "=cmd|' /C calc'!A0", AgreementKind.DPA, date(2026, 1, 31),
     datetime(2026, 2, 1, 13, 45, 59), True, 1_200_000],
    [2, "上海标注 & <b>", None, None, None, False, None],
]


def test_the_workbook_keeps_styles_panes_drop_downs_print_setup_and_hidden_sheets(
        tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    written = write_xlsx(_content(ROWS), out)
    assert written == {"Summary": 3, "Things": 2, "Empty": 0, MANIFEST_SHEET: 2}
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Things", "Empty", MANIFEST_SHEET, LISTS_SHEET]
    assert book[MANIFEST_SHEET].sheet_state == "hidden"
    assert book[LISTS_SHEET].sheet_state == "hidden"
    things = book["Things"]
    head = things["A1"]
    assert head.value == "ID" and head.font.b and head.alignment.wrap_text
    assert head.fill.fgColor.rgb.endswith(HEADER_FILL)
    title = book["Summary"]["A1"]
    assert title.font.sz == 14 and title.font.b and title.fill.fill_type is None
    assert things.freeze_panes == "C2" and things.auto_filter.ref == "A1:G3"
    assert things.row_dimensions[1].height is None  # see writers: no set height
    assert things.page_setup.orientation == "landscape" and things.page_setup.paperSize == 9
    assert things.page_setup.fitToHeight == 0 and things.sheet_properties.pageSetUpPr.fitToPage
    assert things.print_title_rows == "$1:$1"  # the header on every printed page
    assert things.column_dimensions["B"].width == pytest.approx(40, abs=1)
    [check] = things.data_validations.dataValidation
    assert (check.type, str(check.sqref)) == ("list", "C2:C1048576")
    assert check.formula1 == f"{LISTS_SHEET}!$A$2:$A${len(AgreementKind) + 1}"
    assert [c.value for c in book[LISTS_SHEET]["A"]] == ["AgreementKind"] + [
        k.label for k in AgreementKind]
    first = list(things[2])
    assert [c.value for c in first] == [
        1, "'=cmd|' /C calc'!A0", AgreementKind.DPA.label, datetime(2026, 1, 31),
        datetime(2026, 2, 1, 13, 45, 59), True, 1_200_000]
    assert first[3].number_format == "yyyy-mm-dd"
    assert first[4].number_format == "yyyy-mm-dd hh:mm:ss"
    assert first[5].number_format == BOOL_FORMAT and first[6].number_format == "#,##0"
    assert things["B3"].value == "上海标注 & <b>" and things["C3"].value is None
    assert all(c.data_type != "f" for row in things.iter_rows() for c in row)
    summary = book["Summary"]
    assert summary["B2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert summary["B3"].number_format == "yyyy-mm-dd"
    assert summary["B4"].number_format == BOOL_FORMAT


def test_an_empty_record_sheet_holds_its_header_once(tmp_path: Path) -> None:
    """rust_xlsxwriter's constant-memory mode writes a last row with a set height twice,
    which the import refuses: so no row is given a height."""
    out = tmp_path / "w.xlsx"
    write_xlsx(_content([]), out)
    with zipfile.ZipFile(out) as archive:
        xml = archive.read("xl/worksheets/sheet3.xml").decode()
    assert xml.count('<row r="1"') == 1
    book = openpyxl.load_workbook(out)
    assert [c.value for c in book["Empty"][1]] == [c.header for c in COLUMNS]
    assert book["Empty"].max_row == 1


def test_python_calamine_reads_what_openpyxl_reads(tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    write_xlsx(_content(ROWS), out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Things").to_python()
    assert rows[0] == [c.header for c in COLUMNS]
    assert rows[1] == [1.0, "'=cmd|' /C calc'!A0", AgreementKind.DPA.label, date(2026, 1, 31),
                       datetime(2026, 2, 1, 13, 45, 59), True, 1_200_000.0]
    assert rows[2][:3] == [2.0, "上海标注 & <b>", ""]


def test_reminders_sorted_in_spilled_runs_are_the_ones_one_sort_gives(
        demo_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = tmp_path / "whole.xlsx"
    run_export(demo_engine, whole, today=TODAY)
    monkeypatch.setattr(export_content, "REMINDER_RUN", 7)  # the demo's: several runs
    monkeypatch.setattr(export_content, "_BLOCK", 3)
    spilled_files: list[object] = []
    spill = export_content._spill

    def counted(rows: list[list[object]]) -> object:
        spilled_files.append(rows)
        return spill(rows)

    monkeypatch.setattr(export_content, "_spill", counted)
    runs = tmp_path / "runs.xlsx"
    run_export(demo_engine, runs, today=TODAY)
    assert len(spilled_files) > 2
    expected, got = sheet_data(whole), sheet_data(runs)
    assert len(expected[REMINDERS_SHEET]) > 7 * 2
    assert got == expected  # the Summary's counts among them


def test_what_a_workbook_cannot_hold_is_written_as_text_or_cut_not_a_crash(
        tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    odd = [[3, "x" * 40_000, None, date(1899, 12, 31), datetime(10000 - 1, 12, 31), None,
            None], [4, "after", None, date(1, 1, 1), None, None, None]]
    assert write_xlsx(_content(odd), out)["Things"] == 2
    things = openpyxl.load_workbook(out)["Things"]
    assert things["B2"].value == "x" * 32_767  # Excel's limit, as openpyxl's writer cut it
    assert things["D2"].value == "1899-12-31" and things["E2"].value == datetime(9999, 12, 31)
    assert [things["B3"].value, things["D3"].value] == ["after", "0001-01-01"]


@given(st.text(alphabet=st.sampled_from(
    list("ab 上'\"=+-@;,|\t\r\n\x00\x1b\x7f\x85\u2028\u202e＝＋－＠12.") + ["\x9f"]),
    max_size=8))
def test_the_fast_path_for_plain_text_writes_what_the_full_rules_write(text: str) -> None:
    assert _text(text) == neutralize(files.shown_in_file(text))


def test_a_count_beyond_a_doubles_precision_comes_back_exact(demo_engine: Engine,
                                                             tmp_path: Path) -> None:
    """A workbook holds numbers as doubles, exact to 2**53: a larger count is written as its
    digits, so importing the export back changes nothing (it used to round the last digit
    and record an update)."""
    from tracker.app.imports import run_import

    big = 12_345_678_901_234_567
    with demo_engine.begin() as connection:  # as a register written before the door bounded it
        connection.exec_driver_sql("UPDATE supply SET us_persons = ? WHERE id = 1", (big,))
    out = tmp_path / "big.xlsx"
    run_export(demo_engine, out, today=TODAY)
    report = run_import(demo_engine, out, profile=None, order=None, dry_run=True)
    assert not report.problems
    assert {e: c for e, c in report.counts.items() if c.changed} == {}
