"""Every reminder, grouped by when it is due, each one key from its provider, a snooze or
its completion. The dates and states come from tracker.reminders, not from here."""

from __future__ import annotations

from datetime import date, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from tracker.domain.enums import AssessmentKind, ReminderStatus
from tracker.domain.text import search_key
from tracker.errors import TrackerError
from tracker.reminders.derive import DerivedReminder
from tracker.ui.footer import FittedFooter
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.complete import CompleteForm
from tracker.ui.screens.snooze import SnoozeForm
from tracker.ui.table import RegisterTable
from tracker.ui.text import plain, styled

GROUPS = (("overdue", "Overdue"), ("week", "This week"), ("month", "This month"),
          ("later", "Later"), ("closed", "Snoozed and done"))


def group_of(reminder: DerivedReminder, today: date) -> str:
    if reminder.status in {ReminderStatus.SNOOZED, ReminderStatus.DONE}:
        return "closed"
    if reminder.status == ReminderStatus.OVERDUE:
        return "overdue"
    if reminder.due_on <= today + timedelta(days=7):
        return "week"
    if reminder.due_on <= today + timedelta(days=30):
        return "month"
    return "later"


class RemindersScreen(TrackerScreen):
    BINDINGS = [
        Binding("s", "snooze", "Snooze", id="reminders.snooze"),
        Binding("c", "complete", "Complete", id="reminders.complete"),
        Binding("x", "toggle_closed", "Snoozed/done", id="reminders.closed"),
        Binding("slash", "filter", "Filter", key_display="/", id="reminders.filter"),
    ]

    class Loaded(Message):
        """Reminders derived from the register arrived."""

        def __init__(self, reminders: list[DerivedReminder]) -> None:
            super().__init__()
            self.reminders = reminders

    def __init__(self) -> None:
        super().__init__()
        self.show_closed = False
        self.by_key: dict[str, DerivedReminder] = {}
        self.all: list[DerivedReminder] = []
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="reminders-summary")
        yield Input(placeholder="/ filter: provider, what, why (enter opens a single match)",
                    id="reminders-filter", compact=True)
        yield RegisterTable(id="reminders-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="reminder-detail")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Reminders"
        self.query_one(DataTable).add_columns("Due", "Status", "Provider", "What", "Why",
                                              "Id")
        self.query_one(DataTable).focus()
        self.query_one("#reminders-filter", Input).display = False
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="reminders", exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.Loaded(self.register.reminders(self.today)))

    def on_reminders_screen_loaded(self, message: Loaded) -> None:
        self.all = message.reminders
        self._show_rows()

    def _matches(self) -> list[DerivedReminder]:
        words = search_key(self.text).split()
        return [r for r in self.all if all(w in search_key(
            f"{r.provider_name} {r.kind.label} {r.subject} {r.why} {r.action} {r.uid}")
            for w in words)]

    def _show_rows(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self.by_key = {}
        grouped: dict[str, list[DerivedReminder]] = {key: [] for key, _ in GROUPS}
        for reminder in self._matches():
            grouped[group_of(reminder, self.today)].append(reminder)
        for key, title in GROUPS:
            rows = grouped[key]
            if key == "closed" and not self.show_closed:
                continue
            table.add_row(plain(title, "bold"), plain(str(len(rows)), "bold"), "", "", "", "",
                          key=f"group-{key}")
            for reminder in rows:
                self.by_key[reminder.uid] = reminder
                status = reminder.status.label + (
                    f" to {reminder.snoozed_until.isoformat()}" if reminder.snoozed_until else "")
                table.add_row(plain(reminder.due_on.isoformat()), plain(status),
                              plain((reminder.provider_name or "—")[:32]),
                              plain(f"{reminder.kind.label}: {reminder.subject}"[:60]),
                              plain((reminder.why + (f" ⚠ {reminder.note}" if reminder.note
                                                     else ""))[:120]),
                              plain(reminder.uid), key=reminder.uid)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        counts = {key: len(grouped[key]) for key, _ in GROUPS}
        self.query_one("#reminders-summary", Static).update(
            f" {counts['overdue']} overdue · {counts['week']} this week · {counts['month']} this "
            f"month · {counts['later']} later · {counts['closed']} snoozed or done "
            f"({'shown' if self.show_closed else 'x shows them'})")

    def selected(self) -> DerivedReminder | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.by_key.get(str(key)) if key else None

    @on(DataTable.RowHighlighted)
    def _explain(self) -> None:
        reminder = self.selected()
        detail = self.query_one("#reminder-detail", Static)
        if reminder is None:
            detail.update("")
            return
        detail.update(styled(
            (reminder.kind.label, "bold"), f" — {reminder.subject}"
            f"{' — ' + reminder.provider_name if reminder.provider_name else ''}\n"
            f"Why: {reminder.why}\nDo: {reminder.action}   Source: {reminder.article or '—'}"
            + (f"\n⚠ {reminder.note}" if reminder.note else "")))

    @on(DataTable.RowSelected)
    def _open(self) -> None:
        reminder = self.selected()
        if reminder is not None and reminder.provider_id is not None:
            self.tracker.open_provider(reminder.provider_id)

    def _reload(self) -> None:
        self.load()

    # -- filtering -------------------------------------------------------------------
    def action_filter(self) -> None:
        field = self.query_one("#reminders-filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#reminders-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.text = event.value
        self._show_rows()

    @on(Input.Submitted, "#reminders-filter")
    def _filter_done(self) -> None:
        table = self.query_one(DataTable)
        table.focus()
        matches = self._matches()
        if len(matches) == 1 and self.text.strip():
            key = matches[0].uid
            for index, row_key in enumerate(table.rows):
                if row_key.value == key:
                    table.move_cursor(row=index)
            self._open()

    def key_escape(self) -> None:
        field = self.query_one("#reminders-filter", Input)
        if self.focused is field:
            self.query_one(DataTable).focus()
        elif self.text:
            field.value = ""
            field.display = False

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.load()

    def action_snooze(self) -> None:
        reminder = self.selected()
        if reminder is None:
            return

        def done(snoozed: bool | None) -> None:
            if snoozed:
                self.notify(f"Snoozed: {reminder.subject}")
                self.load()

        self.app.push_screen(SnoozeForm(self.register, reminder, self.today), done)

    def action_complete(self) -> None:
        reminder = self.selected()
        if reminder is None:
            return
        if reminder.is_review and reminder.provider_id is not None:
            # Completing a review reminder means recording the review.
            try:
                reviewer = self.register.actor()
            except TrackerError as err:  # a TRACKER_USER that cannot be recorded
                self.notify(str(err), severity="error", timeout=10)
                return
            self.tracker.edit_record(
                "assessment", None,
                preset={"provider_id": reminder.provider_id,
                        "kind": AssessmentKind.DUE_DILIGENCE.value},
                initial={"assessed_on": self.today, "reviewer": reviewer},
                on_saved=lambda _row: self._reload())
            return

        def done(said: str | None) -> None:
            if said:
                self.notify(said)
                self.load()

        self.app.push_screen(CompleteForm(self.register, reminder, self.today), done)
