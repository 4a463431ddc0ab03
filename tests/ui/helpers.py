"""Driving the app with Textual's Pilot, shared by the UI test modules."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tracker.ui.app import TrackerApp


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Clear the input and type ``text`` into it one key at a time."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


async def paste_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Clear the input and paste ``text`` into it, as a terminal delivers a paste (one
    event), for long values such as file paths where typing each key adds only time."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    widget.post_message(events.Paste(text))
    await pilot.pause()
    assert widget.value == text, f"{selector} holds {widget.value!r} after the paste"


def table_names(app: TrackerApp) -> list[str]:
    table = app.screen.query_one("#providers-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
