"""Workbooks and CSV files the import tests write, hostile ones included."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, title: str = "Register",
               epoch1904: bool = False) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    if epoch1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        book.epoch = CALENDAR_MAC_1904
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def rewrite_member(path: Path, member: str, change: Any) -> Path:
    """Rewrite one part of a workbook's zip with ``change(bytes) -> bytes``."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data) if info.filename == member else data)
    source.close()
    path.write_bytes(buffer.getvalue())
    return path
