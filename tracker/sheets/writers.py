"""Write an export's sheets as an xlsx workbook (openpyxl write-only: rows are streamed to
the file, so memory stays flat however large the register) or as one CSV per sheet.

Both are written atomically (tracker/files.py): the workbook to a private temporary file
beside the target, the CSV files into a temporary directory beside it, fsynced and then put
in place, so a failed or killed export leaves no half-written file or torn directory under
the target's name; an existing target is replaced only when asked to (``force``).
"""

from __future__ import annotations

import csv
from copy import copy
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tracker import files
from tracker.domain.enums import CitedEnum
from tracker.errors import TrackerError
from tracker.sheets import limits
from tracker.sheets.content import ExportContent, SheetData
from tracker.sheets.formula import neutralize, neutralize_csv
from tracker.sheets.layout import LISTS_SHEET, part_title, sheet_file_name, title_of_file

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
HEADER_HEIGHT = 45  # points: three lines of a wrapped header


def _text(value: str) -> str:
    # A control character (old data, raw SQL) is shown, not refused: XML cannot carry it,
    # and one odd character must not stop the whole export.
    return neutralize(files.shown_in_file(value))


# --- xlsx ---------------------------------------------------------------------------------

def write_xlsx(content: ExportContent, path: Path, *, force: bool = False) -> dict[str, int]:
    """Returns the number of data rows written per sheet title."""
    from openpyxl import Workbook

    with files.replacing(path, force=force) as temporary:
        book = Workbook(write_only=True)
        lists = _enum_lists(content)
        written: dict[str, int] = {}
        for data in content.sheets:
            written[data.title] = _write_sheet(book, data, lists)
        _write_lists(book, lists)
        book.save(temporary)
    return written


def _enum_lists(content: ExportContent) -> dict[type[CitedEnum], tuple[str, int]]:
    """Each enum a drop-down needs -> (its column letter on the Lists sheet, its length)."""
    from openpyxl.utils import get_column_letter

    found: dict[type[CitedEnum], tuple[str, int]] = {}
    for data in content.sheets:
        for column in data.columns:
            if column.enum is not None and column.enum not in found:
                found[column.enum] = (get_column_letter(len(found) + 1), len(column.enum))
    return found


def _write_lists(book: Any, lists: dict[type[CitedEnum], tuple[str, int]]) -> None:
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    enums = list(lists)
    sheet.append([e.__name__ for e in enums])
    members = [list(e) for e in enums]
    for index in range(max((len(m) for m in members), default=0)):
        sheet.append([m[index].label if index < len(m) else None for m in members])


class _Styles:
    """Cell templates made once per sheet: styling each cell anew costs a style lookup."""

    def __init__(self, sheet: Any) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        self.cell_type = WriteOnlyCell
        self.sheet = sheet
        header = WriteOnlyCell(sheet, value="")
        header.font = Font(bold=True, color="FFFFFF")
        header.fill = PatternFill("solid", fgColor=HEADER_FILL)
        header.alignment = Alignment(wrap_text=True, vertical="center")
        self.header = header._style
        day = WriteOnlyCell(sheet, value=None)
        day.number_format = DATE_FORMAT
        self.day = day._style
        stamp = WriteOnlyCell(sheet, value=None)
        stamp.number_format = DATETIME_FORMAT
        self.stamp = stamp._style
        flag = WriteOnlyCell(sheet, value=None)
        flag.number_format = BOOL_FORMAT
        self.flag = flag._style
        grouped = WriteOnlyCell(sheet, value=None)
        grouped.number_format = "#,##0"
        self.grouped = grouped._style
        title = WriteOnlyCell(sheet, value=None)
        title.font = Font(bold=True, size=14, color=HEADER_FILL)
        self.title = title._style

    def cell(self, value: Any, style: Any) -> Any:
        made = self.cell_type(self.sheet, value=value)
        made._style = copy(style)
        return made


def _start_sheet(book: Any, data: SheetData, title: str,
                 lists: dict[type[CitedEnum], tuple[str, int]]) -> tuple[Any, _Styles]:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = book.create_sheet(title)
    if data.hidden:
        sheet.sheet_state = "hidden"
    styles = _Styles(sheet)
    # Printed (or turned into a PDF): landscape, as wide as the page, header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    # As wide as the page when that stays legible; a wide record sheet spreads over pages.
    sheet.page_setup.fitToWidth = max(1, round(sum(c.width for c in data.columns) / 200))
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    for index, column in enumerate(data.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    if data.records:
        sheet.freeze_panes = f"{get_column_letter(data.freeze_columns + 1)}2"
        for index, column in enumerate(data.columns, start=1):
            if column.enum is None:
                continue
            letter, length = lists[column.enum]
            check = DataValidation(
                type="list", formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${length + 1}",
                allow_blank=True, showErrorMessage=True, errorTitle=column.header[:32],
                error="Choose one of the values in the drop-down list.")
            letter_here = get_column_letter(index)
            check.add(f"{letter_here}2:{letter_here}{EXCEL_MAX_ROWS}")
            sheet.data_validations.append(check)
    if data.records:
        sheet.row_dimensions[1].height = HEADER_HEIGHT
    if data.title_row:
        sheet.append([styles.cell(c.header, styles.title) for c in data.columns])
    else:
        sheet.append([styles.cell(c.header, styles.header) for c in data.columns])
    return sheet, styles


def _write_sheet(book: Any, data: SheetData,
                 lists: dict[type[CitedEnum], tuple[str, int]]) -> int:
    from openpyxl.utils import get_column_letter

    part = 1
    sheet, styles = _start_sheet(book, data, data.title, lists)
    rows_here = total = 0
    last = get_column_letter(len(data.columns))
    for row in data.rows:
        if rows_here == ROWS_PER_SHEET:
            if data.records:
                sheet.auto_filter.ref = f"A1:{last}{rows_here + 1}"
            part += 1
            sheet, styles = _start_sheet(book, data, part_title(data.title, part), lists)
            rows_here = 0
        total += 1
        rows_here += 1
        cells: list[Any] = []
        for value, column in zip(row, data.columns, strict=True):
            if value is None:
                cells.append(None)
            elif isinstance(value, Enum):  # before str: the enums are StrEnums
                cells.append(value.label if isinstance(value, CitedEnum) else value.value)
            elif isinstance(value, str):
                cells.append(_text(value))
            elif isinstance(value, bool):
                cells.append(styles.cell(value, styles.flag))
            elif isinstance(value, datetime):
                cells.append(styles.cell(value, styles.stamp))
            elif isinstance(value, date):
                cells.append(styles.cell(value, styles.day))
            elif column.grouped:
                cells.append(styles.cell(value, styles.grouped))
            else:
                cells.append(value)
        sheet.append(cells)
    if data.records:
        sheet.auto_filter.ref = f"A1:{last}{rows_here + 1}"
    return total


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
