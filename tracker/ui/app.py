"""The tracker's Textual app: modes for the main screens, and the few helpers every screen
uses to open forms and confirm archiving. Rules live in the application layer and the
domain, not here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Engine
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from tracker import __version__
from tracker.app.register import Register
from tracker.errors import TrackerError
from tracker.gcpause import long_lived_process
from tracker.ui.commands import TrackerCommands
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.text import plain, shown

if TYPE_CHECKING:  # the forms' wording (tracker.app.forms: the field specs, value parsing,
    # the import's column plan) is imported when a record is saved or archived, not at launch
    from tracker.app.views import RecordView

# The main screens, imported when first shown: a launch imports only the one it opens on
# (the provider file, the import and the forms bring in most of the application layer).
def _dashboard() -> Screen[Any]:
    from tracker.ui.screens.dashboard import DashboardScreen

    return DashboardScreen()


def _providers() -> Screen[Any]:
    from tracker.ui.screens.providers import ProvidersScreen

    return ProvidersScreen()


def _reminders() -> Screen[Any]:
    from tracker.ui.screens.reminders import RemindersScreen

    return RemindersScreen()


class ReadOnlyBanner(Static):
    """The line above every screen of a read-only register: why nothing can be saved."""


# The app's one-letter moves to another screen: held back while a screen says so (the
# import screen once a file is previewed: focus on a button, a letter typed for a profile
# name must not leave it); Esc leaves, asking first when column choices would be lost.
# ("quit_app" is the letter q; Textual's own ctrl+q quits whatever a screen holds.)
NAVIGATION_ACTIONS = frozenset({"switch_mode", "import_register", "export_register",
                                "quit_app"})


class TrackerApp(App[None]):
    CSS_PATH = "tracker.tcss"
    TITLE = "Tracker"
    SUB_TITLE = "due diligence on data and model providers"
    COMMANDS = App.COMMANDS | {TrackerCommands}
    MODES: ClassVar[dict[str, Any]] = {"dashboard": _dashboard,
                                       "providers": _providers,
                                       "reminders": _reminders}
    DEFAULT_MODE = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "switch_mode('dashboard')", "Dashboard", id="app.dashboard"),
        Binding("p", "switch_mode('providers')", "Providers", id="app.providers"),
        Binding("r", "switch_mode('reminders')", "Reminders", id="app.reminders"),
        Binding("i", "import_register", "Import", id="app.import"),
        Binding("E", "export_register", "Export", key_display="E", id="app.export"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("t", "toggle_theme", "Theme", show=False, id="app.theme"),
        # vi keys in every table (a focused input takes them as text)
        Binding("j", "table_cursor('down')", "Down", show=False, id="app.down"),
        Binding("k", "table_cursor('up')", "Up", show=False, id="app.up"),
        Binding("g", "table_cursor('top')", "First row", show=False, id="app.top"),
        Binding("G", "table_cursor('bottom')", "Last row", key_display="G", show=False,
                id="app.bottom"),
        Binding("q", "quit_app", "Quit", id="app.quit"),
    ]

    def __init__(self, *, engine: Engine, today: date, label: str | None = None,
                 start: str = "dashboard") -> None:
        if start not in self.MODES:
            raise ValueError(f"unknown screen {start!r}; choose from {', '.join(self.MODES)}")
        # App.__init__ reads DEFAULT_MODE to pick the first screen; an instance value lets
        # `start` choose it without changing the class.
        self.DEFAULT_MODE = start  # type: ignore[misc]
        super().__init__()
        long_lived_process()  # a GC freeze collects right before it (tracker/gcpause.py)
        self.register = Register(engine)
        self.today = today
        self.label = label
        self.register_kind = self.register.kind()
        self._access_note = self.register.access_note  # issue 16 team: asked once

    def on_mount(self) -> None:
        self.sub_title = self.label or f"tracker {__version__}"
        if self.register.read_only is not None or self.access_note is not None:
            self.screen_change_signal.subscribe(self, self._show_read_only)
            self._show_read_only(self.screen)

    # -- issue 16 team: what this database login may do, as the server says ----------------
    @property
    def access_note(self) -> str | None:
        """Why a login the server would refuse changes to is offered none (a viewer)."""
        return self._access_note

    @property
    def offers_changes(self) -> bool:
        return self.access_note is None

    async def action_quit_app(self) -> None:
        """The letter q: held while a screen holds work (NAVIGATION_ACTIONS), unlike
        ctrl+q."""
        await self.action_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from tracker.ui.screens.base import WRITE_ACTIONS

        if action in WRITE_ACTIONS and not self.offers_changes:
            return False
        if action in NAVIGATION_ACTIONS and getattr(self.screen, "holds_keys", False):
            return False  # a stray letter (focus on a button) must not throw the work away
        return True

    # -- which register is open, on every screen ----------------------------------------
    def format_title(self, title: str, sub_title: str) -> Content:
        """The screen's title, then the register it shows: its name (the file's, or the
        PostgreSQL database's), a DEMO badge on a demo register and READ-ONLY on one that
        cannot be written. The name is data: plain Content, never markup."""
        parts: list[str | Content | tuple[str, str]] = [
            super().format_title(title, sub_title), (" · ", "dim"),
            Content(shown(self.register.name))]
        if self.register_kind == "demo":
            parts += [" ", (" DEMO ", "bold reverse")]
        if self.register.read_only is not None or self.access_note is not None:
            parts += [" ", (" READ-ONLY ", "bold reverse")]
        return Content.assemble(*parts)

    def _show_read_only(self, screen: Screen[Any]) -> None:
        if isinstance(screen, ModalScreen) or screen.query(ReadOnlyBanner):
            return
        note = (f"read-only: {self.register.read_only}; nothing can be saved"
                if self.register.read_only is not None else str(self.access_note))
        banner = ReadOnlyBanner(plain(note))
        screen.mount(banner, before=0 if screen.children else None)

    # -- navigation ------------------------------------------------------------------
    def open_provider(self, provider_id: int) -> None:
        from tracker.ui.screens.provider_detail import ProviderDetailScreen

        self.push_screen(ProviderDetailScreen(provider_id))

    def action_help(self) -> None:
        from tracker.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_table_cursor(self, where: str) -> None:
        table = self.focused
        if not isinstance(table, DataTable) or not table.row_count:
            return
        row = {"down": table.cursor_row + 1, "up": table.cursor_row - 1, "top": 0,
               "bottom": table.row_count - 1}[where]
        table.move_cursor(row=max(0, min(row, table.row_count - 1)))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_import_register(self) -> None:
        from tracker.ui.screens.importing import ImportScreen

        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen())

    def action_export_register(self) -> None:
        self.export(None, None)

    def action_receive_answers(self) -> None:  # issue 15 questionnaires
        """Receive a returned supplier questionnaire (its file names the provider)."""
        from tracker.ui.screens.questionnaire import ReceiveAnswersScreen

        if not isinstance(self.screen, ReceiveAnswersScreen):
            self.push_screen(ReceiveAnswersScreen())

    def export(self, provider_id: int | None, provider_name: str | None) -> None:
        from tracker.ui.screens.exporting import ExportForm

        if not isinstance(self.screen, ExportForm):
            self.push_screen(ExportForm(self.register, self.today, provider_id, provider_name))

    def action_write_reports(self) -> None:
        self.write_reports(["ropa", "ai-act-summary", "cac-explanation"], None)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def write_reports(self, kinds: list[str], provider_id: int | None, *,
                      force: bool = False) -> None:
        """Reports go to the data directory's reports folder, named by kind and date. One
        written earlier (the same day) is replaced only after asking."""
        from tracker.files import TargetExists
        from tracker.locations import reports_dir

        suffix = {"ropa": "xlsx"}
        written, existing = [], []
        for kind in kinds:
            name = f"{kind}-{provider_id}" if provider_id else kind
            out = reports_dir() / f"{name}-{self.today.isoformat()}.{suffix.get(kind, 'html')}"
            try:
                written.append(str(self.register.write_report(kind, out, self.today,
                                                              provider_id, force=force)))
            except TargetExists:
                existing.append((kind, out))
        if written:
            self.call_from_thread(self.notify, "Written: " + ", ".join(written), timeout=12)
        if existing:
            self.call_from_thread(self._ask_to_replace_reports, existing, provider_id)

    def _ask_to_replace_reports(self, existing: list[tuple[str, Path]],
                                provider_id: int | None) -> None:
        def answered(replace: bool | None) -> None:
            if replace:
                self.write_reports([kind for kind, _ in existing], provider_id, force=True)

        paths = ", ".join(str(path) for _, path in existing)
        self.push_screen(ConfirmScreen(f"Already written today: {paths}. Replace "
                                       f"{'them' if len(existing) > 1 else 'it'}?",
                                       confirm_label="Replace"), answered)

    def action_new_provider(self) -> None:
        self.edit_record("provider", None)

    # -- records -----------------------------------------------------------------------
    def edit_record(self, entity: str, record_id: int | None, *,
                    preset: Mapping[str, Any] | None = None,
                    choices: dict[str, list[tuple[str, int]]] | None = None,
                    initial: Mapping[str, Any] | None = None,
                    on_saved: Callable[[RecordView], None] | None = None) -> None:
        """Open the form for a new (``record_id`` None) or existing record."""
        from tracker.ui.screens.record_form import RecordForm
        record = self.register.get(entity, record_id) if record_id is not None else None

        def saved(row: RecordView | None) -> None:
            from tracker.app.forms import saved_sentence

            if row is None:
                return
            self.notify(saved_sentence(row, self._owner_title(row),
                                       created=record_id is None))
            if on_saved is not None:
                on_saved(row)

        self.push_screen(RecordForm(self.register, entity, record=record, preset=preset,
                                    choices=choices, initial=initial), saved)

    def _owner_title(self, row: RecordView) -> str | None:
        """The name of the record ``row`` belongs to (a legal basis's supply, a clause's
        agreement), for a notification in words."""
        from tracker.app.forms import describe_record, owner_reference, record_title

        reference = owner_reference(row.entity_type)
        owner_id = getattr(row, reference[0], None) if reference else None
        if reference is None or owner_id is None:
            return None
        try:
            owner = self.register.get(reference[1], int(owner_id))
        except TrackerError:
            return None
        return record_title(owner) or describe_record(owner)

    def archive_record(self, entity: str, record_id: int, *,
                       on_done: Callable[[], None] | None = None) -> None:
        from tracker.app.forms import describe_record

        record = self.register.get(entity, record_id)
        name = describe_record(record)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.register.archive(entity, record_id,
                                      expected_version=int(getattr(record, "version")))
            except TrackerError as err:
                self.notify(str(err), severity="error", timeout=8)
            else:
                self.notify(f"Archived {entity.replace('_', ' ')}: {name}")
            if on_done is not None:
                on_done()

        self.push_screen(ConfirmScreen(
            f"Archive {entity.replace('_', ' ')} “{name}”?\nIt stays in the register and its "
            "history, hidden from lists; nothing is deleted.", confirm_label="Archive"),
            answered)

    # -- notifications -----------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification of the tracker quotes data (a name, a path, an error about a
        typed value), so none is read as markup, whichever screen sends it and whatever
        ``markup`` says (Widget.notify passes True by default; tracker.ui.text)."""
        super().notify(shown(message), title=shown(title), severity=severity,
                       timeout=timeout, markup=False)

    # -- failures in workers -----------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            message = str(error) if isinstance(error, TrackerError) else \
                f"{type(error).__name__}: {error}"
            self.notify(message, title="Something failed", severity="error", timeout=10)
