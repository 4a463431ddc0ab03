"""Snooze a reminder to a date, with a reason; the service checks both."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tracker.app.register import Register
from tracker.domain.dates import parse_iso_date
from tracker.errors import TrackerError, ValidationFailed
from tracker.formatting import long_date
from tracker.reminders.derive import DerivedReminder
from tracker.ui.screens.record_form import show_message
from tracker.ui.text import plain


class SnoozeForm(ModalScreen[bool]):
    BINDINGS = [Binding("ctrl+s", "save", "Snooze", id="snooze.save"),
                Binding("escape", "cancel", "Cancel", id="snooze.cancel")]

    def __init__(self, register: Register, reminder: DerivedReminder, today: date) -> None:
        super().__init__()
        self.register, self.reminder, self.today = register, reminder, today

    def compose(self) -> ComposeResult:
        with Vertical(id="snooze-dialog", classes="dialog"):
            yield Label(plain(f"Snooze: {self.reminder.kind.label} — {self.reminder.subject}"),
                        id="form-title")
            yield Static("", id="form-banner")
            with Horizontal(classes="field-row"):
                yield Label("Until *", classes="field-label")
                yield Input(placeholder="YYYY-MM-DD", id="input-until", compact=True)
            yield Static("", id="hint-until", classes="field-hint")
            yield Static("", id="error-until", classes="field-error")
            with Horizontal(classes="field-row"):
                yield Label("Reason *", classes="field-label")
                yield Input(id="input-reason", compact=True)
            yield Static("", id="error-reason", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Snooze (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-until", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "input-until":
            hint = self.query_one("#hint-until", Static)
            try:
                understood = parse_iso_date(event.value)
                show_message(hint, f"→ {long_date(understood)}" if understood else "")
            except ValueError as err:
                show_message(hint, str(err))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        for name in ("until", "reason"):
            show_message(self.query_one(f"#error-{name}", Static), "")
        text = self.query_one("#input-until", Input).value
        try:
            until = parse_iso_date(text)
        except ValueError as err:
            show_message(self.query_one("#error-until", Static), str(err))
            return
        if until is None:
            show_message(self.query_one("#error-until", Static), "is required")
            return
        try:
            self.register.snooze(self.reminder.uid, until=until,
                                 reason=self.query_one("#input-reason", Input).value,
                                 today=self.today)
        except ValidationFailed as failure:
            for error in failure.errors:
                show_message(self.query_one(f"#error-{error.field}", Static), error.message)
            return
        except TrackerError as err:
            self.query_one("#form-banner", Static).update(plain(err))
            return
        self.dismiss(True)
