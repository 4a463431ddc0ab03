"""A key that opens a screen is never typed into it, and the key pressed after an export does
not edit the path it was written to: the field keeps the default path, and exporting again
asks before replacing (instead of writing a CSV folder named after the key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tracker.locations import shown_path
from tracker.ui.app import TrackerApp
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.screens.exporting import ExportForm, default_export_path
from tracker.ui.screens.importing import ImportScreen

from ..conftest import TODAY
from .conftest import SIZE
from .helpers import settle


async def test_the_export_key_pressed_again_leaves_the_default_path(
        demo_app: TrackerApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where a path typed by mistake ("E") would be written
    default = str(default_export_path(TODAY, None))
    shown = shown_path(default_export_path(TODAY, None))
    assert shown.startswith("~/")  # the field shows it under the home folder
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(2):
            await pilot.press("E")
            await pilot.pause()
            assert isinstance(demo_app.screen, ExportForm)
            assert demo_app.screen.query_one("#input-path", Input).value == shown
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmScreen)  # the same file again: asked
        assert default in str(demo_app.screen.question)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")  # closes the form
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        assert demo_app.screen.query_one("#input-path", Input).value == shown
    assert Path(default).is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg-data") == [
        "demo-evidence", "demo.sqlite"]  # no "E" folder beside them


async def test_the_import_key_is_not_typed_into_the_import_screen(
        demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(2):
            await pilot.press("i")
            await pilot.pause()
            assert isinstance(demo_app.screen, ImportScreen)
            assert demo_app.screen.query_one("#import-file", Input).value == ""
            await pilot.press("escape")
            await pilot.pause()
