"""A workbook sheet read a row at a time (``SheetRows`` from calamine's copy of the sheet,
``PieceRows`` from its XML in pieces) gives the rows the whole-sheet read gives, however the
sheet is laid out, and indexes like a list."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tracker.sheets.readers import PieceReader, PieceRows, SheetRows, XlsxSource


def book_with(path: Path, cells: dict[str, object], merged: str | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Register"
    for ref, value in cells.items():
        sheet[ref] = value
    if merged:
        sheet.merge_cells(merged)
    book.save(path)
    return path


LAYOUTS: list[dict[str, object]] = [
    {},  # an empty sheet
    {"A1": "Supplier name", "B1": "Country", "A2": "Acme", "B2": "DE"},
    {"C3": "Supplier", "D4": 1, "E5": date(2025, 1, 2), "C6": "tail"},  # starts at C3
    {"B1": "x", "A300": "far below the kept head", "D300": 2.5},
    {"A1": "title", "A4": "Supplier", "B4": "Land", **{f"A{n}": f"P{n}" for n in range(5, 40)},
     "C41": "wider", "A60": "after a gap"},
]


def trimmed(row: list[Any]) -> list[Any]:
    """A row without its trailing blanks (a piece's rows end at its own last column)."""
    cells = list(row)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return cells


@pytest.mark.parametrize("cells", LAYOUTS)
def test_streamed_rows_are_the_whole_sheet_read(tmp_path: Path, cells: dict[str, object],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pieces (a sheet they cannot cut): calamine's rows, exactly."""
    monkeypatch.setattr(PieceReader, "open", classmethod(lambda cls, source, member: None))
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


@pytest.mark.parametrize("pieces", [None, 3])
@pytest.mark.parametrize("cells", LAYOUTS)
def test_piece_rows_are_the_whole_sheet_read(tmp_path: Path, cells: dict[str, object],
                                             pieces: int | None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """In pieces (of a few rows here, so rows fall on both sides of a cut): every row at its
    Excel number with the whole read's values, the merged header cells the whole read
    gives, and indexing like a list."""
    if pieces:
        monkeypatch.setattr(PieceReader, "PIECE_ROWS", pieces)
        monkeypatch.setattr(PieceReader, "PIECE_BYTES", 400)
    path = book_with(tmp_path / "book.xlsx", cells, merged="A1:C1" if cells else None)
    source = XlsxSource(path)  # pieces are read from its private copy: while it is open
    try:
        whole = source.sheet("Register")
        streamed = source.sheet("Register", streamed=True)
        assert whole is not None and streamed is not None
        if not cells:  # no rows: the whole-sheet read decides
            assert list(streamed.rows) == list(whole.rows)
            return
        assert isinstance(streamed.rows, PieceRows)
        assert streamed.merged == whole.merged == [((0, 0), (0, 2))]
        rows = [trimmed(row) for row in whole.rows]
        assert [trimmed(row) for row in streamed.rows] == rows
        assert [trimmed(row) for row in streamed.rows] == rows  # a second pass
        assert len(streamed.rows) == len(rows)
        for index in range(-len(rows), len(rows)):
            assert trimmed(streamed.rows[index]) == rows[index]
        assert [trimmed(r) for r in streamed.rows[2:50]] == rows[2:50]
        with pytest.raises(IndexError):
            streamed.rows[len(rows)]
    finally:
        source.close()
