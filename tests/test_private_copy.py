"""A workbook is read in several passes (the header search, the pieces of each sheet, a
failure's diagnosis). Every pass reads the one private copy the guard checked: a file saved
again during an import is never read, unchecked, nor mixed with the first file's rows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tracker.app import imports
from tracker.app.imports import run_import
from tracker.sheets.readers import PieceReader, PieceRows, XlsxSource
from tracker.store.engine import session_scope
from tracker.store.models import Provider

from .sheets_helpers import write_xlsx

HEADER = ["Provider legal name", "Country"]


def register_rows(prefix: str, count: int) -> list[list[Any]]:
    return [HEADER, *([f"{prefix} {n:03d} Ltd", "DE"] for n in range(count))]


def save_again(path: Path, rows: list[list[Any]], *, in_place: bool) -> None:
    """The file saved again: written over in place (the same inode, as ``cp`` does) or
    written aside and renamed over it (as Excel saves)."""
    aside = write_xlsx(path.with_name("aside.xlsx"), rows)
    if in_place:
        path.write_bytes(aside.read_bytes())
        aside.unlink()
    else:
        os.replace(aside, path)


@pytest.mark.parametrize("in_place", [True, False])
def test_pieces_come_from_the_checked_copy_when_the_file_is_saved_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_place: bool) -> None:
    monkeypatch.setattr(PieceReader, "PIECE_ROWS", 4)  # many pieces, read one after another
    path = write_xlsx(tmp_path / "register.xlsx", register_rows("First", 30))
    source = XlsxSource(path)
    try:
        sheet = source.sheet("Register", streamed=True)
        assert sheet is not None and isinstance(sheet.rows, PieceRows)
        names = []
        for number, row in enumerate(sheet.rows, start=1):
            if number == 6:  # a piece in: the file changes under the import
                save_again(path, register_rows("Second", 40), in_place=in_place)
            names.append(row[0])
        again = [row[0] for row in sheet.rows]  # a later pass, after the change
    finally:
        source.close()
    expected = ["Provider legal name", *(f"First {n:03d} Ltd" for n in range(30))]
    assert names == expected
    assert again == expected


def test_the_private_copy_is_removed_on_close(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", register_rows("First", 3))
    source = XlsxSource(path)
    copy = source.path
    assert copy != path and copy.name == path.name and copy.exists()
    source.close()
    assert not copy.exists() and not copy.parent.exists()
    assert path.exists()


def test_an_import_writes_the_first_file_when_it_is_saved_again_before_the_rows_are_read(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the header search and the plan's pass over every row, the file is replaced
    by another register: the import writes the file it checked, every row of it, and
    none of the other's."""
    monkeypatch.setattr(PieceReader, "PIECE_ROWS", 5)
    path = write_xlsx(tmp_path / "register.xlsx", register_rows("First", 250))
    planned = getattr(imports, "plan_import")

    def plan_after_saving_again(*args: Any, **kwargs: Any) -> Any:
        save_again(path, register_rows("Second", 260), in_place=True)
        return planned(*args, **kwargs)

    monkeypatch.setattr(imports, "plan_import", plan_after_saving_again)
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.written and not report.problems
    with session_scope(engine) as session:
        names = sorted(session.exec(select(Provider.legal_name)).all())
    assert names == [f"First {n:03d} Ltd" for n in range(250)]
