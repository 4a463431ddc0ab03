"""Write an export's sheets as an xlsx workbook (openpyxl write-only: rows are streamed to
the file, so memory stays flat however large the register) or as one CSV per sheet.

Both write to a temporary file beside the target and rename it into place: a failed export
leaves no half-written file and never replaces a good one.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator
from copy import copy
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from tracker.domain.enums import CitedEnum
from tracker.domain.text import CONTROL_CHARACTERS
from tracker.errors import TrackerError
from tracker.sheets import limits
from tracker.sheets.content import ExportContent, SheetData
from tracker.sheets.formula import neutralize
from tracker.sheets.layout import LISTS_SHEET, Column, part_title, sheet_file_name, title_of_file

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


@contextlib.contextmanager
def _replacing(target: Path, suffix: str) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed over it only when writing succeeded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=suffix,
                                    dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o600)  # it holds personal data: the owner decides who gets it
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _text(value: str, sheet: str, row: int, column: Column) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise TrackerError(f"{sheet}, row {row}, column {column.header}: the text holds a "
                           "control character a spreadsheet cannot carry; edit that record "
                           "and export again")
    return neutralize(value)


# --- xlsx ---------------------------------------------------------------------------------

def write_xlsx(content: ExportContent, path: Path) -> dict[str, int]:
    """Returns the number of data rows written per sheet title."""
    from openpyxl import Workbook

    with _replacing(path, ".xlsx") as temporary:
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
                cells.append(_text(value, data.title, total + 1, column))
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

def write_csv(content: ExportContent, directory: Path) -> dict[str, int]:
    """One UTF-8 file with a byte-order mark per sheet (Excel then reads Chinese text right).
    Refuses a directory holding anything but an earlier export's files, and removes those of
    them this export did not write (a part file of a longer register, a provider's Gaps), so
    the directory always holds exactly one export."""
    directory.mkdir(parents=True, exist_ok=True)
    strangers = sorted(p.name for p in directory.iterdir() if title_of_file(p.name) is None)
    if strangers:
        raise TrackerError(f"{directory} holds other files ({', '.join(strangers[:5])}); "
                           "export CSV files to an empty directory")
    written: dict[str, int] = {}
    files: set[str] = set()
    for data in content.sheets:
        rows = iter(data.rows)
        count, part, more = 0, 1, True
        while more:
            title = part_title(data.title, part)
            files.add(sheet_file_name(title))
            with _replacing(directory / sheet_file_name(title), ".csv") as temporary:
                with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\r\n")
                    writer.writerow([c.header for c in data.columns])
                    more = False
                    for index, row in enumerate(rows):
                        count += 1
                        writer.writerow([_csv_value(v, title, index + 2, c)
                                         for v, c in zip(row, data.columns, strict=True)])
                        if index + 1 == ROWS_PER_SHEET:
                            more = True
                            break
            part += 1
        written[data.title] = count
    for stale in directory.iterdir():
        if stale.name not in files:
            stale.unlink()  # an earlier export's file (only those are left: see above)
    return written


def _csv_value(value: Any, sheet: str, row: int, column: Column) -> Any:
    if value is None:
        return ""
    if isinstance(value, Enum):  # before str: the enums are StrEnums
        return value.label if isinstance(value, CitedEnum) else value.value
    if isinstance(value, str):
        return _text(value, sheet, row, column)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value
