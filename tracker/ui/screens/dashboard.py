"""Home: who is worst (providers by open gaps, critical first), what to do next, the shape
of the register and what changed lately. The ranking and the sentences come from
tracker.app.dashboard; this screen only shows them, in as many rows as the terminal has."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tracker.app.dashboard import ProviderStanding, rank_providers, top_reminders, what_to_do
from tracker.app.register import RegisterSummary
from tracker.checks.rules import Gap, Severity
from tracker.domain.enums import (
    ProviderStatus,
    ReminderStatus,
    RiskTier,
    TransferExemption,
    TransferMechanism,
)
from tracker.formatting import audit_diff, cut
from tracker.reminders.derive import DerivedReminder
from tracker.ui.footer import FittedFooter
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.table import RegisterTable
from tracker.ui.text import plain, styled

# Below this height the panels lose their borders: at 80x24 every table keeps rows.
SMALL_HEIGHT = 30


def _label(value: str) -> str:
    for enum_cls in (TransferMechanism, TransferExemption, RiskTier, ProviderStatus):
        try:
            return enum_cls(value).label
        except ValueError:
            continue
    return value


_cut = cut  # tracker.formatting: one cutting rule for the CLI's lists and the dashboard


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

    def __init__(self) -> None:
        super().__init__()
        self.loaded: DashboardScreen.SummaryLoaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="dashboard"):
            with Vertical(classes="panel", id="panel-providers"):
                yield Static("[b]Providers[/b]", classes="panel-title")
                yield Static("loading…", id="providers-summary")
            with Vertical(classes="panel", id="panel-supplies"):
                yield Static("[b]Supplies and transfers[/b]", classes="panel-title")
                yield Static("loading…", id="supplies-summary")
            with Vertical(classes="panel wide", id="panel-worst"):
                yield Static("[b]Worst first[/b]  providers by open gaps (enter opens)",
                             classes="panel-title", id="worst-title")
                yield RegisterTable(id="worst-providers", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="panel wide", id="panel-reminders"):
                yield Static("[b]What to do next[/b]", classes="panel-title",
                             id="reminders-title")
                yield RegisterTable(id="dashboard-reminders", cursor_type="row",
                                    zebra_stripes=True)
            with Vertical(classes="panel wide", id="panel-changes"):
                yield Static("[b]Recent changes[/b]", classes="panel-title")
                yield RegisterTable(id="recent-changes", cursor_type="none", zebra_stripes=True)
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Dashboard"
        self.load_summary()

    def on_screen_resume(self) -> None:
        self.load_summary()

    def on_resize(self) -> None:
        self.set_class(self.size.height < SMALL_HEIGHT, "small")
        if self.loaded is not None:
            self._show(self.loaded)

    @on(DataTable.RowSelected, "#dashboard-reminders")
    def _open_provider(self, event: DataTable.RowSelected) -> None:
        provider_id = self.provider_of.get(str(event.row_key.value))
        if provider_id is not None:
            self.tracker.open_provider(provider_id)

    @on(DataTable.RowSelected, "#worst-providers")
    def _open_worst(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.tracker.open_provider(int(event.row_key.value))

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load_summary(self) -> None:
        self.post_message(self.SummaryLoaded(self.register.summary(recent=12,
                                                                   today=self.today),
                                             self.register.reminders(self.today),
                                             self.register.gaps(self.today)))

    def on_dashboard_screen_summary_loaded(self, message: SummaryLoaded) -> None:
        self.loaded = message
        self._show(message)

    # -- showing -------------------------------------------------------------------
    def _show(self, message: SummaryLoaded) -> None:
        s = message.summary
        total = sum(s.providers_by_status.values())
        tiers = [f"{_label(t)} {s.providers_by_tier.get(t, 0)}"
                 for t in [*(m.value for m in RiskTier), "unset"] if s.providers_by_tier.get(t)]
        statuses = [f"{_label(k)} {n}" for k, n in sorted(s.providers_by_status.items())]
        by_severity = {sev: sum(g.severity == sev for g in message.gaps) for sev in Severity}
        gap_line = " · ".join(f"{n} {sev.value}" for sev, n in by_severity.items() if n)
        if self.has_class("small"):
            # one line each: at 80x24 the rows below are what matters
            self.query_one("#providers-summary", Static).update(styled(
                f"{total} providers · ", ("gaps", "underline"), f" {gap_line or 'none'}"))
            transfers = sum(s.transfers_by_mechanism.values())
            self.query_one("#supplies-summary", Static).update(plain(
                f"{s.supplies_total} supplies · {s.supplies_with_pi} personal · "
                f"{s.supplies_with_sensitive_pi} sensitive · {transfers} transfers"))
        else:
            self._show_totals(message, total, tiers, statuses, gap_line)
        self._show_worst(rank_providers(message.gaps, message.reminders))
        self._show_reminders(top_reminders(message.reminders, self.today))
        self._show_changes(message)

    def _show_totals(self, message: SummaryLoaded, total: int, tiers: list[str],
                     statuses: list[str], gap_line: str) -> None:
        s = message.summary
        self.query_one("#providers-summary", Static).update(styled(
            f"{total} providers\n", ("Risk tier", "underline"), "  " + " · ".join(tiers),
            "\n", ("Status", "underline"), "     " + " · ".join(statuses),
            "\n", ("Open gaps", "underline"), f"  {gap_line or 'none'}"))
        mechanisms = [f"{n} × {_label(k)}" for k, n in sorted(s.transfers_by_mechanism.items())]
        self.query_one("#supplies-summary", Static).update(styled(
            f"{s.supplies_total} supplies · {s.supplies_with_pi} hold personal information · "
            f"{s.supplies_with_sensitive_pi} sensitive\n", ("Transfers", "underline"),
            " " + ("; ".join(mechanisms) or "none"),
            "\n", ("Questionnaires", "underline"),  # issue 15 questionnaires
            f" {s.questionnaires_outstanding} awaiting the supplier's answers"
            + (f", {s.questionnaires_overdue} overdue" if s.questionnaires_overdue else "")))

    def _width(self, table_id: str) -> int:
        """The room a table has for its text columns (the screen's, before the first
        layout), less cell padding."""
        width = self.query_one(f"#{table_id}", DataTable).size.width or self.size.width - 4
        return max(width - 2, 40)

    def _show_worst(self, ranked: list[ProviderStanding]) -> None:
        table = self.query_one("#worst-providers", DataTable)
        table.clear(columns=True)
        width = self._width("worst-providers")
        name_width = max(width - 33 - 10 - 2, 16)  # four columns, cell padding, scrollbar
        table.add_column("Provider", width=name_width, key="provider")
        table.add_column("Critical", width=8, key="critical")
        table.add_column("High", width=5, key="high")
        table.add_column("All", width=4, key="all")
        table.add_column("Next review", width=11, key="review")
        for standing in ranked:
            table.add_row(plain(_cut(standing.name, name_width)),
                          plain(str(standing.critical) if standing.critical else "–",
                                "bold red" if standing.critical else ""),
                          plain(str(standing.high) if standing.high else "–"),
                          plain(str(standing.total)),
                          plain(standing.next_review.isoformat() if standing.next_review
                                else "–"),
                          key=str(standing.provider_id))
        worst = ranked[0] if ranked else None
        line = f"  {len(ranked)} providers with open gaps" + (
            f"; first: {worst.name} ({worst.gaps_text()})" if worst else "")
        self.query_one("#worst-title", Static).update(styled(
            ("Worst first", "bold"), _cut(line, width - 12)))

    def _show_reminders(self, reminders: list[DerivedReminder]) -> None:
        overdue = sum(r.status == ReminderStatus.OVERDUE for r in reminders)
        self.query_one("#reminders-title", Static).update(styled(
            ("What to do next", "bold"), f"  {overdue} overdue · {len(reminders) - overdue} "
            "due in the next 30 days   (r: all reminders)"))
        table = self.query_one("#dashboard-reminders", DataTable)
        table.clear(columns=True)
        width = self._width("dashboard-reminders")
        todo_width = max(width - 10 - 4 - 2, 24)
        table.add_column("Due", width=10, key="due")
        table.add_column("What to do", width=todo_width, key="todo")
        self.provider_of = {r.uid: r.provider_id for r in reminders}
        for reminder in reminders:
            late = reminder.status == ReminderStatus.OVERDUE
            table.add_row(plain(reminder.due_on.isoformat(), "bold red" if late else ""),
                          plain(_cut(what_to_do(reminder, self.today), todo_width)),
                          key=reminder.uid)

    def _show_changes(self, message: SummaryLoaded) -> None:
        table = self.query_one("#recent-changes", DataTable)
        table.clear(columns=True)
        width = self._width("recent-changes")
        narrow = width < 100
        when_width = 11 if narrow else 16
        who_width = 12 if narrow else 24
        what_width = 18 if narrow else 24
        change_width = max(width - when_width - who_width - what_width - 8 - 2, 16)
        table.add_column("When", width=when_width)
        table.add_column("Who", width=who_width)
        table.add_column("What", width=what_width)
        table.add_column("Change", width=change_width)
        for event in message.summary.recent_changes:
            stamp = event.at.strftime("%m-%d %H:%M" if narrow else "%Y-%m-%d %H:%M")
            table.add_row(plain(stamp), plain(_cut(event.actor, who_width)),
                          plain(_cut(f"{event.action} {event.entity} {event.entity_id}",
                                     what_width)),
                          plain(_cut(audit_diff(event.before, event.after), change_width)))
