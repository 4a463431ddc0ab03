"""Home: the shape of the register at a glance, and what changed lately."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from tracker.domain.enums import ProviderStatus, RiskTier, TransferExemption, TransferMechanism
from tracker.store.register import RegisterSummary
from tracker.ui.formatting import audit_diff
from tracker.ui.screens.base import TrackerScreen


def _label(value: str) -> str:
    for enum_cls in (TransferMechanism, TransferExemption, RiskTier, ProviderStatus):
        try:
            return enum_cls(value).label
        except ValueError:
            continue
    return value


class DashboardScreen(TrackerScreen):
    class SummaryLoaded(Message):
        """The register's counts arrived."""

        def __init__(self, summary: RegisterSummary) -> None:
            super().__init__()
            self.summary = summary

    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="dashboard"):
            with Vertical(classes="panel", id="panel-providers"):
                yield Static("[b]Providers[/b]", classes="panel-title")
                yield Static("loading…", id="providers-summary")
            with Vertical(classes="panel", id="panel-supplies"):
                yield Static("[b]Supplies and transfers[/b]", classes="panel-title")
                yield Static("loading…", id="supplies-summary")
            with Vertical(classes="panel wide", id="panel-changes"):
                yield Static("[b]Recent changes[/b]", classes="panel-title")
                yield DataTable(id="recent-changes", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Dashboard"
        self.query_one("#recent-changes", DataTable).add_columns("When", "Who", "What",
                                                                 "Change")
        self.load_summary()

    def on_screen_resume(self) -> None:
        self.load_summary()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load_summary(self) -> None:
        self.post_message(self.SummaryLoaded(self.register.summary(recent=12)))

    def on_dashboard_screen_summary_loaded(self, message: SummaryLoaded) -> None:
        s = message.summary
        total = sum(s.providers_by_status.values())
        tiers = [f"{_label(t):<10} {s.providers_by_tier.get(t, 0):>5}"
                 for t in [*(m.value for m in RiskTier), "unset"] if s.providers_by_tier.get(t)]
        statuses = [f"{_label(k):<12} {n:>5}" for k, n in sorted(s.providers_by_status.items())]
        self.query_one("#providers-summary", Static).update(
            f"{total} providers\n\n[u]By risk tier[/u]\n" + "\n".join(tiers)
            + "\n\n[u]By status[/u]\n" + "\n".join(statuses))
        mechanisms = [f"{_label(k)[:34]:<34} {n:>4}"
                      for k, n in sorted(s.transfers_by_mechanism.items())]
        self.query_one("#supplies-summary", Static).update(
            f"{s.supplies_total} supplies\n{s.supplies_with_pi} hold personal information\n"
            f"{s.supplies_with_sensitive_pi} hold sensitive PI\n\n[u]Transfers by mechanism[/u]\n"
            + ("\n".join(mechanisms) or "none"))
        table = self.query_one("#recent-changes", DataTable)
        table.clear()
        for event in s.recent_changes:
            table.add_row(event.at.strftime("%Y-%m-%d %H:%M"), event.actor,
                          f"{event.action.value} {event.entity} {event.entity_id}",
                          audit_diff(event.before, event.after)[:90])
