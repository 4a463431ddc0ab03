"""What each main screen looks like, pinned as SVG snapshots (pytest-textual-snapshot).
After an intended change to a screen: `pytest tests/ui/test_snapshots.py --snapshot-update`
and review the SVG diff like any contract change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine
from textual.pilot import Pilot

from tracker.ui.app import TrackerApp

from ..conftest import TODAY
from .helpers import settle

SnapCompare = Callable[..., bool]


def app_on(engine: Engine, start: str = "dashboard") -> TrackerApp:
    return TrackerApp(engine=engine, today=TODAY, label="demo register", start=start)


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)
    return run


def test_dashboard(snap_compare: SnapCompare, frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine), terminal_size=(120, 36),
                        run_before=keys())


def test_providers_at_80x24(snap_compare: SnapCompare, frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine, "providers"), terminal_size=(80, 24),
                        run_before=keys())


def test_provider_detail_agreements(snap_compare: SnapCompare,
                                    frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine, "providers"), terminal_size=(120, 36),
                        run_before=keys("slash", *"nordic", "enter",
                                        "right_square_bracket", "right_square_bracket"))


def test_reminders(snap_compare: SnapCompare, frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine, "reminders"), terminal_size=(120, 36),
                        run_before=keys())


def test_new_agreement_form(snap_compare: SnapCompare, frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine, "providers"), terminal_size=(100, 34),
                        run_before=keys("slash", *"aleph", "enter",
                                        "right_square_bracket", "right_square_bracket", "n"))
