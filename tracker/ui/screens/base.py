"""What every screen of the tracker shares: access to the register and to today, and its
workers' failures reported as the app reports its own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from textual.screen import Screen
from textual.worker import Worker

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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker.StateChanged does not bubble: without this a screen's failed load would
        leave it empty and say nothing."""
        self.tracker.on_worker_state_changed(event)
