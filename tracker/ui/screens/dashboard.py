"""Home: the shape of the register at a glance, and what changed lately."""

from __future__ import annotations

from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from tracker.app.register import RegisterSummary
from tracker.checks.rules import Gap, Severity
from tracker.domain.enums import (
    ProviderStatus,
    ReminderStatus,
    RiskTier,
    TransferExemption,
    TransferMechanism,
)
from tracker.formatting import audit_diff
from tracker.reminders.derive import DerivedReminder
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.text import plain, styled


def _label(value: str) -> str:
    for enum_cls in (TransferMechanism, TransferExemption, RiskTier, ProviderStatus):
        try:
            return enum_cls(value).label
        except ValueError:
            continue
    return value


class DashboardScreen(TrackerScreen):
    provider_of: dict[str, int | None] = {}

    class SummaryLoaded(Message):
        """The register's counts arrived."""

        def __init__(self, summary: RegisterSummary, reminders: list[DerivedReminder],
                     gaps: list[Gap]) -> None:
            super().__init__()
            self.summary = summary
            self.reminders = reminders
            self.gaps = gaps

    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="dashboard"):
            with Vertical(classes="panel", id="panel-providers"):
                yield Static("[b]Providers[/b]", classes="panel-title")
                yield Static("loading…", id="providers-summary")
            with Vertical(classes="panel", id="panel-supplies"):
                yield Static("[b]Supplies and transfers[/b]", classes="panel-title")
                yield Static("loading…", id="supplies-summary")
            with Vertical(classes="panel wide", id="panel-reminders"):
                yield Static("[b]Reminders[/b]", classes="panel-title",
                             id="reminders-title")
                yield DataTable(id="dashboard-reminders", cursor_type="row",
                                zebra_stripes=True)
            with Vertical(classes="panel wide", id="panel-changes"):
                yield Static("[b]Recent changes[/b]", classes="panel-title")
                yield DataTable(id="recent-changes", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Dashboard"
        self.query_one("#recent-changes", DataTable).add_columns("When", "Who", "What",
                                                                 "Change")
        self.query_one("#dashboard-reminders", DataTable).add_columns(
            "Due", "Status", "Provider", "What")
        self.load_summary()

    def on_screen_resume(self) -> None:
        self.load_summary()

    @on(DataTable.RowSelected, "#dashboard-reminders")
    def _open_provider(self, event: DataTable.RowSelected) -> None:
        provider_id = self.provider_of.get(str(event.row_key.value))
        if provider_id is not None:
            self.tracker.open_provider(provider_id)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load_summary(self) -> None:
        reminders = [r for r in self.register.reminders(self.today)
                     if r.status == ReminderStatus.OVERDUE or (
                         r.status in {ReminderStatus.DUE, ReminderStatus.UPCOMING}
                         and r.due_on <= self.today + timedelta(days=30))]
        self.post_message(self.SummaryLoaded(self.register.summary(recent=12,
                                                                   today=self.today),
                                             reminders,
                                             self.register.gaps(self.today)))

    def on_dashboard_screen_summary_loaded(self, message: SummaryLoaded) -> None:
        s = message.summary
        total = sum(s.providers_by_status.values())
        tiers = [f"{_label(t)} {s.providers_by_tier.get(t, 0)}"
                 for t in [*(m.value for m in RiskTier), "unset"] if s.providers_by_tier.get(t)]
        statuses = [f"{_label(k)} {n}" for k, n in sorted(s.providers_by_status.items())]
        by_severity = {sev: sum(g.severity == sev for g in message.gaps) for sev in Severity}
        gap_line = " · ".join(f"{n} {sev.value}" for sev, n in by_severity.items() if n)
        self.query_one("#providers-summary", Static).update(styled(
            f"{total} providers\n", ("Risk tier", "underline"), "  " + " · ".join(tiers),
            "\n", ("Status", "underline"), "     " + " · ".join(statuses),
            "\n", ("Open gaps", "underline"),
            f"  {gap_line or 'none'} (each provider's Gaps tab)"))
        mechanisms = [f"{n} × {_label(k)}" for k, n in sorted(s.transfers_by_mechanism.items())]
        self.query_one("#supplies-summary", Static).update(styled(
            f"{s.supplies_total} supplies · {s.supplies_with_pi} hold personal information · "
            f"{s.supplies_with_sensitive_pi} sensitive\n", ("Transfers", "underline"),
            " " + ("; ".join(mechanisms) or "none"),
            "\n", ("Questionnaires", "underline"),  # issue 15 questionnaires
            f" {s.questionnaires_outstanding} awaiting the supplier's answers"
            + (f", {s.questionnaires_overdue} overdue" if s.questionnaires_overdue else "")))
        overdue = sum(r.status == ReminderStatus.OVERDUE for r in message.reminders)
        self.query_one("#reminders-title", Static).update(
            f"[b]Reminders[/b]  {overdue} overdue · {len(message.reminders) - overdue} due in "
            "the next 30 days   (r: all reminders)")
        due_table = self.query_one("#dashboard-reminders", DataTable)
        due_table.clear()
        self.provider_of = {r.uid: r.provider_id for r in message.reminders}
        for reminder in message.reminders:
            due_table.add_row(plain(reminder.due_on.isoformat()), plain(reminder.status.label),
                              plain((reminder.provider_name or "—")[:34]),
                              plain(f"{reminder.kind.label}: {reminder.subject}"[:70]),
                              key=reminder.uid)
        table = self.query_one("#recent-changes", DataTable)
        table.clear()
        for event in s.recent_changes:
            table.add_row(plain(event.at.strftime("%Y-%m-%d %H:%M")), plain(event.actor),
                          plain(f"{event.action} {event.entity} {event.entity_id}"),
                          plain(audit_diff(event.before, event.after)[:90]))
