"""Every app action in Textual's command palette (ctrl+p)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tracker.ui.app import TrackerApp

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Go to dashboard", "switch_mode('dashboard')", "Counts, reminders and recent changes"),
    ("Go to providers", "switch_mode('providers')", "The providers table"),
    ("Go to reminders", "switch_mode('reminders')", "Everything due, grouped by when"),
    ("New provider", "new_provider", "Open the form for a new provider"),
    ("Import a register", "import_register", "Preview and import an .xlsx or .csv file"),
    ("Export the register", "export_register",
     "A workbook (one sheet per kind of record) or CSV files the import reads back"),
    ("Receive questionnaire answers", "receive_answers",
     "Preview and apply a supplier's returned questionnaire to their pending review"),
    ("Write reports", "write_reports",
     "Record of processing (xlsx), AI Act summary and CAC explanation (html)"),
    ("Show keys", "help", "Every key binding"),
    ("Toggle light / dark theme", "toggle_theme", "Switch between light and dark"),
    ("Quit", "quit", "Leave the tracker"),
)


class TrackerCommands(Provider):
    """The app's actions, and every key binding of the screen the palette was opened over,
    read from the bindings themselves so the palette offers exactly what the keys do."""

    def _app(self) -> TrackerApp:
        from tracker.ui.app import TrackerApp

        return cast(TrackerApp, self.app)

    def _commands(self) -> list[tuple[str, Callable[[], Awaitable[Any]], str]]:
        app = self._app()
        commands: list[tuple[str, Callable[[], Awaitable[Any]], str]] = [
            (name, partial(app.run_action, action), help_text)
            for name, action, help_text in ACTIONS]
        screen = self.screen  # the screen the palette was opened over
        where = type(screen).__name__.removesuffix("Screen")
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description and binding.action:
                key = binding.key_display or binding.key.split(",")[0]
                commands.append((f"{where}: {binding.description}",
                                 partial(screen.run_action, binding.action),
                                 f"key {key} on this screen"))
        return commands

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
