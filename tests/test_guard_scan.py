"""The guard's fast scans (literal-first searches) find what the full patterns find: the
same refusals, measured in benchmarks/bench_restore.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tracker.sheets import guard
from tracker.sheets.guard import FileRefused, inspect_xlsx

CASES = [b'<c r="A1"/>', b'<c r="XFD1048576"/>', b'<c\tr="ABC12"/>', b'<c xr="ABC12"/>',
         b'<c xr="ABC1"/><c r="AAB2"/>', b'r="ZZZ9"', b'<c r="AB1"/><c r="ab1"/>',
         b'<c foo_r="QQQ1"/> <c r="QQQ2">', b'<c r="AAA"/>']


@pytest.mark.parametrize("data", CASES)
def test_the_wide_cell_search_matches_the_full_pattern(data: bytes) -> None:
    fast, full = guard._wide_cell(data), guard.WIDE_CELL.search(data)
    assert (fast and (fast.start(), fast[1], fast[2])) == (full and (full.start(), full[1],
                                                                     full[2]))


def workbook(path: Path, sheet_xml: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/'
                         'spreadsheetml/2006/main"><sheets/></workbook>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_a_row_given_twice_is_refused_with_or_without_a_prefix(tmp_path: Path,
                                                               prefix: str) -> None:
    rows = "".join(f'<{prefix}row r="{n}"><{prefix}c r="A{n}"><{prefix}v>1</{prefix}v>'
                   f"</{prefix}c></{prefix}row>" for n in (1, 2, 2))
    path = workbook(tmp_path / "twice.xlsx", f"<{prefix}worksheet><{prefix}sheetData>{rows}"
                    f"</{prefix}sheetData></{prefix}worksheet>".encode())
    with pytest.raises(FileRefused, match="holds row 2 twice"):
        inspect_xlsx(path)


def test_rows_are_counted_and_a_far_column_refused(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{n}"><c r="B{n}"><v>1</v></c></row>' for n in range(1, 40))
    path = workbook(tmp_path / "ok.xlsx", f"<worksheet><sheetData>{rows}</sheetData>"
                    "</worksheet>".encode())
    assert inspect_xlsx(path).sheet_rows["xl/worksheets/sheet1.xml"] == 39
    far = workbook(tmp_path / "far.xlsx", b'<worksheet><sheetData><row r="1"><c r="ZZZ1">'
                   b"<v>1</v></c></row></sheetData></worksheet>")
    with pytest.raises(FileRefused, match="has a cell at ZZZ1"):
        inspect_xlsx(far)
