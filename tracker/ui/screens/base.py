"""What every screen of the tracker shares: access to the register and to today."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from tracker.app.register import Register

if TYPE_CHECKING:
    from tracker.ui.app import TrackerApp


class TrackerScreen(Screen[None]):
    @property
    def tracker(self) -> TrackerApp:
        from tracker.ui.app import TrackerApp

        return cast(TrackerApp, self.app)

    @property
    def register(self) -> Register:
        return self.tracker.register

    @property
    def today(self) -> date:
        return self.tracker.today
