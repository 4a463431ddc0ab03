"""Driving the app with Textual's Pilot, shared by the UI test modules."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tracker.ui.app import TrackerApp


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str,
                timeout: float = 10.0) -> None:
    """Wait for ``condition`` (what the test waits for, not a guess of how long it takes),
    then settle; fails saying ``what`` did not happen."""
    deadline = monotonic() + timeout
    while not condition():
        assert monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        await pilot.pause(0.01)
    await settle(pilot)


async def filter_shown(pilot: Pilot[Any]) -> None:
    """Wait until the providers table shows what the filter holds (a keystroke's filter
    runs after a short debounce while the index is built)."""
    from tracker.ui.screens.providers import ProvidersScreen

    def shown() -> bool:
        screen = pilot.app.screen
        return (not isinstance(screen, ProvidersScreen)
                or (not screen._typing and screen.shown_filter == screen.filter))
    await until(pilot, shown, "the table to show the filter")


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
