"""A sheet read in pieces of a few rows (``PieceReader``, the streamed restore's reader)
gives the rows, numbers and values the whole-sheet read gives: the tracker's own export,
and workbooks laid out as Excel and openpyxl write them (text inline and in a shared-strings
table, dates, a used area away from A1, rows longer than a piece, the 1904 date system)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from tracker.app.exports import run_export
from tracker.sheets.readers import PieceReader, XlsxSource


def filled(rows: Iterable[tuple[int, list[Any]]]) -> list[tuple[int, list[Any]]]:
    """The rows holding a value, each without its trailing blanks (the pieces' widths
    differ: a blank past a piece's last column is not read)."""
    kept = []
    for number, row in rows:
        cells = list(row)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells:
            kept.append((number, cells))
    return kept


def same_rows(path: Path) -> list[str]:
    """The sheets read the same both ways (asserted), with more than one piece."""
    source = XlsxSource(path)
    try:
        names = source.names()
        for name in names:
            whole = filled(enumerate(source.rows(name), start=1))
            assert filled(source.numbered_rows(name)) == whole, name
        return names
    finally:
        source.close()


def with_shared_strings(path: Path) -> None:
    """The workbook at ``path`` rewritten as Excel writes text: each cell's text an index
    into one shared-strings table (openpyxl 3.1 writes its text inline)."""
    import re
    import zipfile
    from xml.sax.saxutils import escape, unescape

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    table: dict[str, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        text = unescape(match[2].decode())
        index = table.setdefault(text, len(table))
        return match[1] + b' t="s"><v>' + str(index).encode() + b"</v></c>"

    for name in [n for n in parts if n.startswith("xl/worksheets/")]:
        parts[name] = re.sub(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t[^>]*>'
                             rb"(.*?)</t></is></c>", shared, parts[name], flags=re.S)
    assert table, "no inline text to share"
    items = "".join(f"<si><t xml:space=\"preserve\">{escape(text)}</t></si>"
                    for text in table)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schem'
        f'as.openxmlformats.org/spreadsheetml/2006/main" count="{len(table)}" uniqueCount='
        f'"{len(table)}">{items}</sst>').encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.openxmlform'
        b'ats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"'
        b"/></Relationships>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/v'
        b'nd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PieceReader, "PIECE_ROWS", 3)
    monkeypatch.setattr(PieceReader, "PIECE_BYTES", 700)


@pytest.mark.usefixtures("small_pieces")
def test_the_exports_sheets_read_in_pieces_are_the_whole_read(
        demo_engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    run_export(demo_engine, out, today=date(2026, 11, 25))
    assert "Providers" in same_rows(out)


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize(("date1904", "shared"), [(False, False), (True, False),
                                                  (False, True)])
def test_a_workbook_as_excel_writes_it_read_in_pieces(tmp_path: Path, date1904: bool,
                                                      shared: bool) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Register"
    if date1904:
        book.epoch = datetime(1904, 1, 1)
    sheet["C3"] = "Supplier"  # the used area starts at C3
    for row in range(4, 40):
        sheet.cell(row, 3, f"Acme {row} & Söhne <GmbH>")
        sheet.cell(row, 4, row * 1.5)
        sheet.cell(row, 5, date(2025, 1, row % 28 + 1))
        sheet.cell(row, 6, datetime(2025, 2, 3, 4, 5, row))
        sheet.cell(row, 7, row % 2 == 0)
    sheet.cell(20, 8, "x" * 2_000)  # a row longer than a piece
    sheet.cell(60, 1, "after blank rows")
    book.save(tmp_path / "book.xlsx")
    if shared:
        with_shared_strings(tmp_path / "book.xlsx")
    same_rows(tmp_path / "book.xlsx")
    source = XlsxSource(tmp_path / "book.xlsx")
    try:
        rows = dict(source.numbered_rows("Register"))
    finally:
        source.close()
    assert rows[4][2:7] == ["Acme 4 & Söhne <GmbH>", 6.0, date(2025, 1, 5),
                            datetime(2025, 2, 3, 4, 5, 4), True]
    assert rows[60][0] == "after blank rows" and rows[20][7] == "x" * 2_000


def test_rows_without_numbers_are_read_whole(tmp_path: Path) -> None:
    """A writer that leaves out the rows' numbers: a piece could not tell where it starts,
    so the sheet is read whole."""
    book = Workbook()
    book.active.append(["Supplier"])
    book.active.append(["Acme"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    member = "xl/worksheets/sheet1.xml"
    parts[member] = parts[member].replace(b'<row r="1"', b"<row").replace(b'<row r="2"',
                                                                         b"<row")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    source = XlsxSource(path)
    try:
        assert PieceReader.open(source, member) is None
        assert filled(source.numbered_rows("Sheet")) == [(1, ["Supplier"]), (2, ["Acme"])]
    finally:
        source.close()
