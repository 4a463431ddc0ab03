"""A table painted between adding rows and measuring them draws the rows at their width
afterwards, not cut to the header's (Textual's DataTable kept the early lines). The table's
idle is called here, not waited for: in a quiet test a pilot's pause brings other redraws that
hide the stale lines, which a loaded suite did not (reminders-120x36)."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tracker.ui.table import RegisterTable

DATE = "2026-12-15"


class OneTable(App[None]):
    def __init__(self, table: DataTable[Any]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


async def _drawn_after_an_early_paint(table: DataTable[Any]) -> list[str]:
    async with OneTable(table).run_test(size=(80, 10)) as pilot:
        table.add_columns("Due", "What")
        await pilot.pause()
        for _ in range(3):
            table.add_row(DATE, "a reminder's subject, longer than its header")
        table.move_cursor(row=0)
        early = [table.render_line(y).text for y in range(4)]  # the screen's paint
        assert DATE not in "".join(early), "the early paint is before the measurement"
        await table._on_idle(events.Idle())  # its idle: the rows measured
        return [table.render_line(y).text for y in range(4)]


@pytest.mark.asyncio
async def test_rows_drawn_before_measuring_are_redrawn_at_their_width() -> None:
    drawn = await _drawn_after_an_early_paint(RegisterTable(cursor_type="row"))
    assert all(DATE in line for line in drawn[1:]), drawn
