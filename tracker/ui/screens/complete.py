"""Mark a reminder done, with a note of what was done (it goes to the audit trail with the
completion): "renewed, new certificate filed as evidence 14"."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tracker.app.register import Register
from tracker.errors import TrackerError
from tracker.reminders.derive import DerivedReminder
from tracker.ui.text import plain


class CompleteForm(ModalScreen[str | None]):
    """Dismisses with the service's confirmation, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="complete.cancel")]

    def __init__(self, register: Register, reminder: DerivedReminder, today: date) -> None:
        super().__init__()
        self.register, self.reminder, self.today = register, reminder, today

    def compose(self) -> ComposeResult:
        with Vertical(id="complete-dialog", classes="dialog"):
            yield Label(plain(f"Mark done: {self.reminder.kind.label} — "
                              f"{self.reminder.subject}"), id="form-title")
            yield Label(plain(f"To do was: {self.reminder.action}"), classes="field-hint shown")
            yield Static("", id="form-banner")
            with Horizontal(classes="field-row"):
                yield Label("What was done (note)", classes="field-label")
                yield Input(placeholder="optional; enter marks it done", id="input-note",
                            compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Done (enter)", variant="primary", id="save", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#input-note", Input).focus()

    def on_input_submitted(self) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        note = self.query_one("#input-note", Input).value.strip() or None
        try:
            said = self.register.complete(self.reminder.uid, today=self.today, note=note)
        except TrackerError as err:
            banner = self.query_one("#form-banner", Static)
            banner.update(plain(str(err)))
            banner.set_class(True, "bad")
            banner.display = True
            return
        self.dismiss(said)
