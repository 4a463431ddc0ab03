"""The register's tables: Textual's DataTable, with rows drawn at their measured widths.

DataTable measures new rows on its next idle, but keeps the lines it drew before that in a
cache whose key does not change when the columns widen. A screen repainted between adding
rows and the table's idle (a loaded machine, a worker's rows arriving mid-frame) then kept
showing every column cut to its header's width ("202" for a date) until the cursor moved:
a full parallel suite caught the reminders table so. Dropping the drawn lines whenever the
measurement changes a width makes the next paint draw what the rows hold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class RegisterTable(DataTable[Any]):
    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = self._measured_widths()
        super()._update_dimensions(new_rows)
        if self._measured_widths() != widths:
            self._clear_caches()
            self.refresh()

    def _measured_widths(self) -> list[int]:
        return [column.content_width for column in self.ordered_columns]
