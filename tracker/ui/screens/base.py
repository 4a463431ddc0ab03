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


# issue 16 team: the screens' actions that change the register, hidden (with their keys)
# from a database login the server would refuse them to (a tracker_viewer).
WRITE_ACTIONS = frozenset({"new", "edit", "archive", "snooze", "complete", "import_register",
                           "new_provider"})


class TrackerScreen(Screen[None]):
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """False hides a change's key from the footer and disables it for a login that may
        not write (the server refuses it anyway: this only spares the person the attempt)."""
        if action in WRITE_ACTIONS and not self.tracker.offers_changes:
            return False
        return True

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
