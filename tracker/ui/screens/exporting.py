"""Export from the TUI: the same export as `tracker export`, to a path the user can change,
written by a worker so the screen stays responsive on a large register."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tracker.app.exports import ExportResult
from tracker.app.register import Register
from tracker.errors import TrackerError
from tracker.files import TargetExists
from tracker.locations import exports_dir, given_path, shown_path
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.screens.record_form import show_message
from tracker.ui.text import plain, styled


def default_export_path(today: date, provider_id: int | None) -> Path:
    name = f"provider-{provider_id}" if provider_id is not None else "register"
    return exports_dir() / f"{name}-{today.isoformat()}.xlsx"


class ExportForm(ModalScreen[None]):
    BINDINGS = [Binding("ctrl+s", "export", "Export", id="export.save"),
                Binding("escape", "close", "Close", id="export.close")]

    class Finished(Message):
        """The export ended: written, failed, or refused because the target exists."""

        def __init__(self, result: ExportResult | None, error: str | None,
                     exists: Path | None = None) -> None:
            super().__init__()
            self.result, self.error, self.exists = result, error, exists

    def __init__(self, register: Register, today: date, provider_id: int | None = None,
                 provider_name: str | None = None) -> None:
        super().__init__()
        self.register, self.today = register, today
        self.provider_id, self.provider_name = provider_id, provider_name

    def compose(self) -> ComposeResult:
        what = (f"{self.provider_name}'s due-diligence file" if self.provider_id is not None
                else "the whole register")
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label(plain(f"Export {what}"), id="form-title")
            with Horizontal(classes="field-row"):
                yield Label("Write to", classes="field-label")
                yield Input(shown_path(default_export_path(self.today, self.provider_id)),
                            id="input-path", compact=True)
            yield Static("", id="hint-path", classes="field-hint")
            yield Static("", id="error-path", classes="field-error")
            yield Static("", id="export-result")
            with Horizontal(classes="buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="save")
                yield Button("Close (esc)", id="cancel")

    def on_mount(self) -> None:
        show_message(self.query_one("#hint-path", Static),
                     "A path ending in .xlsx is one workbook; any other path is a directory "
                     "of CSV files (UTF-8, readable by Excel).")
        self.query_one("#input-path", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_export() if event.button.id == "save" else self.action_close()

    def on_input_submitted(self) -> None:
        self.action_export()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        text = self.query_one("#input-path", Input).value.strip()
        if not text:
            show_message(self.query_one("#error-path", Static), "is required")
            return
        show_message(self.query_one("#error-path", Static), "")
        self.query_one("#export-result", Static).update("Exporting …")
        self.query_one("#save", Button).disabled = True
        # Absolute, so the result and a replace question say where, whatever the TUI's
        # working folder (a symlink at the name itself is kept: tracker.locations).
        path = given_path(text, option="the path")
        self.write(path, as_csv=path.suffix.lower() != ".xlsx")

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def write(self, path: Path, *, as_csv: bool, force: bool = False) -> None:
        try:
            result = self.register.export(path, provider_id=self.provider_id, as_csv=as_csv,
                                          today=self.today, force=force)
        except TargetExists as err:  # asked on the screen, like --force on the command line
            self.post_message(self.Finished(None, None, exists=err.path))
            return
        except (TrackerError, OSError) as err:
            self.post_message(self.Finished(None, str(err)))
            return
        self.post_message(self.Finished(result, None))

    def on_export_form_finished(self, message: Finished) -> None:
        self.query_one("#save", Button).disabled = False
        shown = self.query_one("#export-result", Static)
        if message.exists is not None:
            shown.update("")
            self._ask_to_replace(message.exists)
            return
        if message.result is None:
            shown.update("")
            show_message(self.query_one("#error-path", Static), message.error or "failed")
            return
        result = message.result
        records = sum(n for title, n in result.rows.items() if not title.startswith("_"))
        shown.update(styled(("Written", "bold"), f" {result.path} — {len(result.rows)} sheets, "
                            f"{records:,} rows, {result.seconds:.1f} s"))
        # The path has been used: keys pressed now (the app's own E among them) must not
        # edit it. The field selects all its text when focused, so the next printable key
        # would replace the whole path, and ctrl+s would export to that letter.
        self.query_one("#cancel", Button).focus()
        self.notify(f"Exported to {result.path}", timeout=10)

    def _ask_to_replace(self, path: Path) -> None:
        """An existing file or export directory is replaced only when the user says so."""

        def answered(replace: bool | None) -> None:
            if not replace:
                return
            self.query_one("#export-result", Static).update("Exporting …")
            self.query_one("#save", Button).disabled = True
            self.write(path, as_csv=path.suffix.lower() != ".xlsx", force=True)

        self.app.push_screen(ConfirmScreen(f"{path} already exists. Replace it with this "
                                           "export?", confirm_label="Replace"), answered)
