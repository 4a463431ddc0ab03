"""The reminders screen: grouped, snoozed through a form, completed, reviews recorded."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Select, Static

from tracker.app.register import Register
from tracker.domain.enums import ReminderStatus
from tracker.ui.app import TrackerApp
from tracker.ui.screens.complete import CompleteForm
from tracker.ui.screens.record_form import RecordForm
from tracker.ui.screens.reminders import RemindersScreen
from tracker.ui.screens.snooze import SnoozeForm

from ..conftest import TODAY
from .conftest import SIZE
from .helpers import paste_into, settle, type_into


def rows(app: TrackerApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#reminders-table", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def goto(app: TrackerApp, pilot: Any, uid: str) -> None:
    table = app.screen.query_one("#reminders-table", DataTable)
    index = table.get_row_index(uid)
    table.move_cursor(row=index)
    await pilot.pause()


async def test_grouped_by_when_due(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(demo_app.screen, RemindersScreen)
        headings = [r[0] for r in rows(demo_app) if r[5] == ""]
        assert [h.replace("[b]", "").replace("[/b]", "") for h in headings] == [
            "Overdue", "This week", "This month", "Later"]
        overdue = [r for r in rows(demo_app) if r[1] == "Overdue"]
        assert overdue and all(r[0] < TODAY.isoformat() for r in overdue)
        summary = str(demo_app.screen.query_one("#reminders-summary", Static).render())
        assert summary.strip().startswith(f"{len(overdue)} overdue")


async def test_snooze_then_complete(demo_app: TrackerApp, demo_engine: Any) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await goto(demo_app, pilot, "user-1")
        assert "Why:" in str(demo_app.screen.query_one("#reminder-detail", Static).render())
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(demo_app.screen, SnoozeForm)
        await type_into(pilot, "#input-until", "2026-11-01")
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = str(demo_app.screen.query_one("#error-until", Static).render())
        assert "after today" in errors
        await type_into(pilot, "#input-until", "2026-12-10")
        await paste_into(pilot, "#input-reason", "vendor on holiday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, RemindersScreen)
        assert "user-1" not in [r[5] for r in rows(demo_app)]
        await goto(demo_app, pilot, "user-2")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(demo_app.screen, CompleteForm)  # asks what was done
        await pilot.press(*"called them", "enter")
        await settle(pilot)
        assert "user-2" not in [r[5] for r in rows(demo_app)]
    states = {r.uid: r for r in Register(demo_engine).reminders(TODAY)}
    assert states["user-1"].status == ReminderStatus.SNOOZED
    assert states["user-2"].status == ReminderStatus.DONE
    events = Register(demo_engine).audit_log(limit=3)
    assert any("called them" in str(event.after) for event in events), "the note is kept"


async def test_completing_a_review_opens_the_review_form(demo_app: TrackerApp,
                                                         demo_engine: Any) -> None:
    review = next(r for r in Register(demo_engine).reminders(TODAY)
                  if r.kind.value == "provider_review" and r.status == ReminderStatus.OVERDUE)
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await goto(demo_app, pilot, review.uid)
        await pilot.press("c")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RecordForm) and form.entity == "assessment"
        assert form.query_one("#input-assessed_on", Input).value == TODAY.isoformat()
        form.query_one("#input-outcome", Select).value = "approved"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, RemindersScreen)
    after = next(r for r in Register(demo_engine).reminders(TODAY) if r.uid == review.uid)
    assert after.due_on > TODAY
