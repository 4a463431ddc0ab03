"""Write an export's sheets as an xlsx workbook or as one CSV per sheet.

The workbook is written by rust_xlsxwriter (through its Python binding rvgsrust-xlsxwriter)
in constant-memory mode: each row goes to the sheet's temporary file as it is written, so
memory stays flat however large the register, and the XML and deflate work runs in Rust.
openpyxl's write-only writer, which this replaced, spent 82% of a large export building
XML in Python (issue 19; benchmarks/bench_export.py prints both on the same cells). Every
style is one shared format object made once per workbook, set on the column where it
applies, so a record sheet's rows go out in one call each with nothing made per cell.

Both are written atomically (tracker/files.py): the workbook to a private temporary file
beside the target, the CSV files into a temporary directory beside it, fsynced and then put
in place, so a failed or killed export leaves no half-written file or torn directory under
the target's name; an existing target is replaced only when asked to (``force``).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tracker import files
from tracker.domain.enums import CitedEnum
from tracker.errors import TrackerError
from tracker.sheets import limits
from tracker.sheets.content import ExportContent, SheetData
from tracker.sheets.formula import FORMULA_STARTS, neutralize, neutralize_csv
from tracker.sheets.layout import (
    LISTS_SHEET,
    Column,
    part_title,
    sheet_file_name,
    title_of_file,
)

EXCEL_MAX_ROWS = 1_048_576
# Data rows a sheet (or CSV file) holds before the rest goes on "Title (2)": what the import
# reads in one sheet (tracker/sheets/limits.py), well under Excel's own limit, so every
# export can be imported back.
ROWS_PER_SHEET = min(EXCEL_MAX_ROWS, limits.MAX_ROWS) - 1
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
HEADER_FILL = "24476B"
# Excel shows a boolean as TRUE/FALSE whatever its format; LibreOffice shows it as a number
# unless the format says otherwise, so the format spells it out for both.
BOOL_FORMAT = '"TRUE";"TRUE";"FALSE"'
# The header row keeps the default height (its text wraps): a row height set in
# rust_xlsxwriter's constant-memory mode made its close() hold ~1.5x the sheets' XML in
# memory (10,000 providers: 131 -> 224 MB; 100,000: 922 MB against 300), and on a sheet
# with no rows wrote the header row twice, which the import refuses.


def _text(value: str) -> str:
    # The common case first, at C speed: a printable text (so no control character) with no
    # apostrophe and no formula start is left as it is by both steps below.
    if value.isprintable() and "'" not in value and not value.startswith(FORMULA_STARTS):
        return value
    # A control character (old data, raw SQL) is shown, not refused: XML cannot carry it,
    # and one odd character must not stop the whole export.
    return neutralize(files.shown_in_file(value))


# --- xlsx ---------------------------------------------------------------------------------

# int is not here: a workbook holds numbers as doubles, exact only up to 2**53 (see _other)
_PLAIN = frozenset({float, bool, date, datetime, type(None)})
_EXACT_IN_A_DOUBLE = 2**53
_EXCEL_FIRST, _EXCEL_LAST = 1900, 9999  # the years Excel's date serials cover
EXCEL_MAX_TEXT = 32_767
Lists = dict[type[CitedEnum], tuple[str, int]]


def write_xlsx(content: ExportContent, path: Path, *, force: bool = False) -> dict[str, int]:
    """Returns the number of data rows written per sheet title."""
    from rvgsrust_xlsxwriter import Workbook

    with files.replacing(path, force=force) as temporary:
        book = _Book(Workbook(str(temporary)))
        lists = _enum_lists(content)
        written: dict[str, int] = {}
        for data in content.sheets:
            written[data.title] = _write_sheet(book, data, lists)
        _write_lists(book, lists)
        book.workbook.close()
    return written


class _Book:
    """The workbook and its formats, each made once: every cell that shares a look shares
    one format object (rust_xlsxwriter keeps one style record per format)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.header = self._format(bold=True, color="#FFFFFF", fill="#" + HEADER_FILL,
                                   wrap=True)
        self.title = self._format(bold=True, size=14, color="#" + HEADER_FILL)
        self.day = self._format(number=DATE_FORMAT)
        self.stamp = self._format(number=DATETIME_FORMAT)
        self.flag = self._format(number=BOOL_FORMAT)
        self.grouped = self._format(number="#,##0")

    def _format(self, *, bold: bool = False, size: float | None = None,
                color: str | None = None, fill: str | None = None, wrap: bool = False,
                number: str | None = None) -> Any:
        made = self.workbook.add_format()
        if bold:
            made.set_bold()
        if size is not None:
            made.set_font_size(size)
        if color is not None:
            made.set_font_color(color)
        if fill is not None:
            made.set_pattern("solid")
            made.set_background_color(fill)
        if wrap:
            made.set_text_wrap()
            made.set_vertical_align("vcenter")
        if number is not None:
            made.set_num_format(number)
        return made

    def column_format(self, column: Column) -> Any | None:
        """The format a column's cells take from the column itself."""
        if column.kind == "date":
            return self.day
        if column.kind == "datetime":
            return self.stamp
        if column.kind == "bool":
            return self.flag
        if column.grouped:
            return self.grouped
        return None

    def value_format(self, value: Any, column: Column) -> Any | None:
        """The format of one cell of a sheet whose columns hold mixed values (the Summary,
        the manifest): by the value's type, then by the column."""
        if isinstance(value, bool):
            return self.flag
        if isinstance(value, datetime):
            return self.stamp
        if isinstance(value, date):
            return self.day
        if isinstance(value, int) and column.grouped:
            return self.grouped
        return None


def _letter(index: int) -> str:
    """The column letter of a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _enum_lists(content: ExportContent) -> Lists:
    """Each enum a drop-down needs -> (its column letter on the Lists sheet, its length)."""
    found: Lists = {}
    for data in content.sheets:
        for column in data.columns:
            if column.enum is not None and column.enum not in found:
                found[column.enum] = (_letter(len(found) + 1), len(column.enum))
    return found


def _write_lists(book: _Book, lists: Lists) -> None:
    sheet = book.workbook.add_worksheet(LISTS_SHEET, constant_memory=True)
    sheet.hide()
    enums = list(lists)
    sheet.write_row(0, 0, [e.__name__ for e in enums])
    members = [list(e) for e in enums]
    for index in range(max((len(m) for m in members), default=0)):
        sheet.write_row(index + 1, 0,
                        [m[index].label if index < len(m) else None for m in members])


def _start_sheet(book: _Book, data: SheetData, title: str, lists: Lists) -> Any:
    from rvgsrust_xlsxwriter import DataValidation

    sheet = book.workbook.add_worksheet(title, constant_memory=True)
    if data.hidden:
        sheet.hide()
    # Printed (or turned into a PDF): landscape, as wide as the page, header on every page.
    sheet.set_landscape()
    sheet.set_paper_size(9)  # A4
    # As wide as the page when that stays legible; a wide record sheet spreads over pages.
    sheet.set_print_fit_to_pages(max(1, round(sum(c.width for c in data.columns) / 200)), 0)
    sheet.set_repeat_rows(0, 0)
    for index, column in enumerate(data.columns):
        sheet.set_column_width(index, column.width)
        if data.records and (shared := book.column_format(column)) is not None:
            sheet.set_column_format(index, shared)
    if data.records:
        sheet.freeze_panes(1, data.freeze_columns)
        for index, column in enumerate(data.columns):
            if column.enum is None:
                continue
            letter, length = lists[column.enum]
            check = DataValidation()
            check.allow_list_formula(f"{LISTS_SHEET}!${letter}$2:${letter}${length + 1}")
            check.ignore_blank(True)
            check.show_error_message(True)
            check.set_error_title(column.header[:32])
            check.set_error_message("Choose one of the values in the drop-down list.")
            sheet.add_data_validation(1, index, EXCEL_MAX_ROWS - 1, index, check)
    sheet.write_row(0, 0, [c.header for c in data.columns],
                    book.title if data.title_row else book.header)
    return sheet


def _write_sheet(book: _Book, data: SheetData, lists: Lists) -> int:
    part = 1
    sheet = _start_sheet(book, data, data.title, lists)
    rows_here = total = 0
    last = len(data.columns) - 1
    columns = data.columns
    write_row = sheet.write_row
    for row in data.rows:
        if rows_here == ROWS_PER_SHEET:
            if data.records:
                sheet.autofilter(0, 0, rows_here, last)
            part += 1
            sheet = _start_sheet(book, data, part_title(data.title, part), lists)
            write_row = sheet.write_row
            rows_here = 0
        total += 1
        rows_here += 1
        if data.records:
            # A record sheet's columns each hold one kind of value, formatted by the column.
            cells = [_text(v) if type(v) is str else v if type(v) in _PLAIN else _other(v)
                     for v in row]
            try:
                write_row(rows_here, 0, cells)
            except ValueError:  # rare: see _within_excel (the row is written again whole)
                write_row(rows_here, 0, [_within_excel(v) for v in cells])
            continue
        for index, (value, column) in enumerate(zip(row, columns, strict=True)):
            cell = _within_excel(_text(value) if type(value) is str else value
                                 if type(value) in _PLAIN else _other(value))
            if cell is not None:
                sheet.write(rows_here, index, cell, book.value_format(cell, column))
    if data.records:
        sheet.autofilter(0, 0, rows_here, last)
    return total


def _within_excel(value: Any) -> Any:
    """A value as a workbook can hold it. A date outside what Excel counts (1900-9999: one
    stored before the register's bounds, or behind its back) is written as its ISO text,
    so the export still runs and shows it; a text over Excel's 32,767 characters is cut
    there, as openpyxl's writer did (the register's own fields are far shorter)."""
    if isinstance(value, date) and not _EXCEL_FIRST <= value.year <= _EXCEL_LAST:
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, str) and len(value) > EXCEL_MAX_TEXT:
        return value[:EXCEL_MAX_TEXT]
    return value


def _other(value: Any) -> Any:
    """A value that is not a plain str, number, bool, date or None: an enum is written as
    its label (a StrEnum is a str, so this comes first), any other str subclass as text."""
    if isinstance(value, Enum):
        return value.label if isinstance(value, CitedEnum) else value.value
    if isinstance(value, str):
        return _text(value)
    if type(value) is int and abs(value) > _EXACT_IN_A_DOUBLE:
        # as a number it would come back rounded (12345678901234567 -> ...568) and the
        # round trip would change the register; as its digits it comes back exact
        return str(value)
    return value


# --- CSV ----------------------------------------------------------------------------------

def write_csv(content: ExportContent, directory: Path, *,
              force: bool = False) -> dict[str, int]:
    """One UTF-8 file with a byte-order mark per sheet (Excel then reads Chinese text right),
    built whole in a temporary directory and then put in place, so the directory always holds
    exactly one complete export. An existing directory is replaced only with ``force``, and
    only when it holds nothing but an earlier export's files."""
    _refuse_strangers(directory)
    written: dict[str, int] = {}
    with files.replacing_directory(directory, force=force) as temporary:
        for data in content.sheets:
            rows = iter(data.rows)
            count, part, more = 0, 1, True
            while more:
                title = part_title(data.title, part)
                fd = files.create_private(temporary / sheet_file_name(title))
                with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\r\n")
                    writer.writerow([c.header for c in data.columns])
                    more = False
                    for index, row in enumerate(rows):
                        count += 1
                        writer.writerow([_csv_value(v, line_start=not n)
                                         for n, v in enumerate(row)])
                        if index + 1 == ROWS_PER_SHEET:
                            more = True
                            break
                part += 1
            written[data.title] = count
    return written


def _refuse_strangers(directory: Path) -> None:
    """A directory is replaced whole, so one that holds anything but an export's files (a
    home folder given by mistake) is never replaced, even with ``force``. A symlink at the
    target is replaced itself, so what it points to does not matter."""
    if directory.is_symlink() or not directory.is_dir():
        return
    strangers = sorted(p.name for p in directory.iterdir() if title_of_file(p.name) is None)
    if strangers:
        raise TrackerError(f"{directory} holds other files ({', '.join(strangers[:5])}); "
                           "export CSV files to a new or empty directory")


def _csv_value(value: Any, *, line_start: bool = False) -> Any:
    if value is None:
        return ""
    if isinstance(value, Enum):  # before str: the enums are StrEnums
        return value.label if isinstance(value, CitedEnum) else value.value
    if isinstance(value, str):
        # Neutralised at every place a spreadsheet may start a cell, whatever separator its
        # locale splits on (tracker/sheets/formula.py).
        return neutralize_csv(files.shown_in_file(value), line_start=line_start)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value
