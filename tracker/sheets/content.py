"""What an export is made of, as the writers see it: sheets of typed rows and the scope they
cover. Plain data, so the writers (file formats) need nothing from the register."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker.sheets.layout import Column


@dataclass
class SheetData:
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[list[Any]]
    hidden: bool = False
    records: bool = False  # a record sheet: frozen panes, filter, drop-downs
    freeze_columns: int = 0  # columns kept in view when scrolling right
    title_row: bool = False  # the first row is a title, not column headers


@dataclass
class ExportScope:
    provider_id: int | None = None
    provider_name: str | None = None

    @property
    def label(self) -> str:
        if self.provider_id is None:
            return "the whole register"
        return f"the due-diligence file of {self.provider_name} (provider ID {self.provider_id})"


@dataclass
class ExportContent:
    sheets: list[SheetData]
    scope: ExportScope
