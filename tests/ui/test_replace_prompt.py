"""The TUI never replaces an existing export or report without asking (the command line's
--force): the confirm dialog appears, "no" leaves the file as it was, "yes" replaces it."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Static

from tracker.ui.app import TrackerApp
from tracker.ui.screens.confirm import ConfirmScreen

from .conftest import SIZE
from .helpers import paste_into, settle


def _age(path: Path) -> None:
    """Date the file back, so a replacement shows in its modification time."""
    os.utime(path, (1_000_000_000, 1_000_000_000))


async def test_an_existing_export_is_replaced_only_after_asking(demo_app: TrackerApp,
                                                                tmp_path: Path) -> None:
    target = tmp_path / "register.xlsx"
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        await paste_into(pilot, "#input-path", str(target))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.is_file()
        _age(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmScreen)
        assert str(target) in str(demo_app.screen.question)
        await pilot.press("n")
        await settle(pilot)
        assert target.stat().st_mtime == 1_000_000_000  # left as it was
        assert "Written" not in str(demo_app.screen.query_one("#export-result",
                                                              Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert target.stat().st_mtime > 1_000_000_000  # replaced
        assert "Written" in str(demo_app.screen.query_one("#export-result", Static).render())


async def test_reports_written_again_the_same_day_are_replaced_only_after_asking(
        demo_app: TrackerApp) -> None:
    from tracker.locations import reports_dir

    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_app.action_write_reports()
        await settle(pilot)
        written = sorted(reports_dir().iterdir())
        assert len(written) == 3
        for path in written:
            _age(path)
        demo_app.action_write_reports()
        await settle(pilot)
        assert isinstance(demo_app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert all(p.stat().st_mtime == 1_000_000_000 for p in written)
        demo_app.action_write_reports()
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert all(p.stat().st_mtime > 1_000_000_000 for p in written)
        assert sorted(reports_dir().iterdir()) == written  # no temporary left beside them
