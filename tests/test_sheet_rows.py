"""A workbook sheet read a row at a time (``SheetRows``) gives the rows the whole-sheet
read gives, however the sheet is laid out, and indexes like a list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from tracker.sheets.readers import SheetRows, XlsxSource


def book_with(path: Path, cells: dict[str, object]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Register"
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)
    return path


@pytest.mark.parametrize("cells", [
    {},  # an empty sheet
    {"A1": "Supplier name", "B1": "Country", "A2": "Acme", "B2": "DE"},
    {"C3": "Supplier", "D4": 1, "E5": date(2025, 1, 2), "C6": "tail"},  # starts at C3
    {"B1": "x", "A300": "far below the kept head", "D300": 2.5},
])
def test_streamed_rows_are_the_whole_sheet_read(tmp_path: Path,
                                                cells: dict[str, object]) -> None:
    path = book_with(tmp_path / "book.xlsx", cells)
    source = XlsxSource(path)
    try:
        whole = source.sheet("Register")
        streamed = source.sheet("Register", streamed=True)
    finally:
        source.close()
    assert whole is not None and streamed is not None
    assert isinstance(streamed.rows, SheetRows)
    rows = list(whole.rows)
    assert list(streamed.rows) == rows and len(streamed.rows) == len(rows)
    assert list(streamed.rows) == rows  # a second pass gives them again
    for index in range(-len(rows), len(rows)):
        assert streamed.rows[index] == rows[index]
    assert streamed.rows[1:4] == rows[1:4] and streamed.rows[250:] == rows[250:]
    with pytest.raises(IndexError):
        streamed.rows[len(rows)]
