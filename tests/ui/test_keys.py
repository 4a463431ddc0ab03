"""Keys people expect (issue 17): j/k and g/G in tables, `/` on the reminders and on a
provider's gaps and history, Enter on a single match opens it, Enter on a gap opens the
record to fix, the footer's hints fit 80 columns, help names no class."""

from __future__ import annotations

from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from tracker.ui.app import TrackerApp
from tracker.ui.screens.help import HelpScreen
from tracker.ui.screens.provider_detail import ProviderDetailScreen
from tracker.ui.screens.record_form import RecordForm
from tracker.ui.screens.review import ReviewScreen

from .helpers import settle, until


async def test_vi_keys_move_in_tables(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        table = demo_app.screen.query_one("#providers-table", DataTable)
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g", "j", "j", "k")
        assert table.cursor_row == 1


async def test_slash_filters_reminders_and_enter_opens_a_single_match(
        demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("slash", *"webharvest-iso27001")
        await pilot.pause()
        table = demo_app.screen.query_one("#reminders-table", DataTable)
        shown = [table.get_row_at(i) for i in range(table.row_count)]
        real = [row for row in shown if str(row[5])]
        assert len(real) == 1 and "WebHarvest" in str(real[0][2])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ProviderDetailScreen)


async def test_slash_on_history_and_enter_on_a_gap(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("p", "slash", *"webharvest", "enter")
        await until(pilot, lambda: isinstance(demo_app.screen, ProviderDetailScreen),
                    "the single match to open")
        detail = demo_app.screen
        assert isinstance(detail, ProviderDetailScreen)
        detail.action_tab(-1)  # the last tab: history
        await pilot.pause()
        history = detail.query_one("#table-audit_event", DataTable)
        before = history.row_count
        await pilot.press("slash", *"evidence")
        await pilot.pause()
        assert 0 < history.row_count < before
        assert all("evidence" in " ".join(str(c) for c in history.get_row_at(i))
                   for i in range(history.row_count))
        await pilot.press("escape")
        await pilot.pause()
        assert history.row_count == before
        assert not detail.query_one("#detail-filter", Input).display
        detail.action_tab(-1)  # gaps
        await pilot.pause()
        gaps = detail.query_one("#table-gap", DataTable)
        assert gaps.row_count
        gaps.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(demo_app.screen, RecordForm | ReviewScreen)


async def test_footer_hints_fit_80_columns_and_help_names_no_class(
        demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p", "slash", *"nordic", "enter")
        await until(pilot, lambda: isinstance(demo_app.screen, ProviderDetailScreen),
                    "the single match to open")
        keys = list(demo_app.screen.query(FooterKey))
        assert any(k.key == "question_mark" for k in keys)
        assert all(k.region.right <= 80 for k in keys)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(demo_app.screen, HelpScreen)
        table = demo_app.screen.query_one("#help-table", DataTable)
        where = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert "provider file" in where
        assert not any("Screen" in w or "ProviderDetail" in w for w in where)
