"""Every app action in Textual's command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tracker.ui.app import TrackerApp

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Go to dashboard", "switch_mode('dashboard')", "Counts, reminders and recent changes"),
    ("Go to providers", "switch_mode('providers')", "The providers table"),
    ("Go to reminders", "switch_mode('reminders')", "Everything due, grouped by when"),
    ("New provider", "new_provider", "Open the form for a new provider"),
    ("Import a register", "import_register", "Preview and import an .xlsx or .csv file"),
    ("Write reports", "write_reports",
     "Record of processing (xlsx), AI Act summary and CAC explanation (html)"),
    ("Show keys", "help", "Every key binding"),
    ("Toggle light / dark theme", "toggle_theme", "Switch between light and dark"),
    ("Quit", "quit", "Leave the tracker"),
)


class TrackerCommands(Provider):
    def _app(self) -> TrackerApp:
        from tracker.ui.app import TrackerApp

        return cast(TrackerApp, self.app)

    async def discover(self) -> Hits:
        for name, action, help_text in ACTIONS:
            yield DiscoveryHit(name, partial(self._app().run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in ACTIONS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name),
                          partial(self._app().run_action, action), help=help_text)
