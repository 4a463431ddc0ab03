"""What each main screen looks like, pinned as SVG snapshots (pytest-textual-snapshot).
After an intended change to a screen: `pytest tests/ui/test_snapshots.py --snapshot-update`
and review the SVG diff like any contract change."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from time import monotonic
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tracker.ui.app import TrackerApp

from ..conftest import TODAY
from .helpers import settle

SnapCompare = Callable[..., bool]


def app_on(engine: Engine, start: str = "dashboard") -> TrackerApp:
    return TrackerApp(engine=engine, today=TODAY, label="demo register", start=start)


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        await steady(pilot)
    return run


async def drain_stack(pilot: Pilot[Any]) -> None:
    """Every message already queued on any screen of the stack handled. Pilot's pause
    drains only the top screen, so a screen under a modal form (the reminders table
    behind "mark done") could still be handling its rows when the snapshot is taken."""
    nodes = [pilot.app, *(node for screen in pilot.app.screen_stack
                          for node in screen.walk_children(with_self=True))]
    for node in nodes:
        done = asyncio.Event()
        if node.call_later(done.set):
            await asyncio.wait_for(done.wait(), timeout=10)


def _tables_measuring(pilot: Pilot[Any]) -> bool:
    """A table on any screen of the stack whose new rows or cells are not measured yet:
    DataTable sizes its columns on its next idle, which a loaded machine reaches later, so
    the reminders table behind a form was once caught with header-wide columns
    (snooze-form-80x24 on a fresh clone)."""
    return any(table._require_update_dimensions or table._updated_cells
               or _narrower_than_its_rows(table)
               for screen in pilot.app.screen_stack for table in screen.query(DataTable))


def _narrower_than_its_rows(table: DataTable[Any]) -> bool:
    """A column still as wide as its header while a cell of the last row is wider: the
    rows are not measured yet, whatever the table's flags say (a full parallel suite caught
    the reminders table so, with the flags clear: reminders-120x36, snooze-form-80x24)."""
    if not table.row_count:
        return False
    from rich.cells import cell_len

    last = table.get_row_at(table.row_count - 1)
    return any(column.auto_width and cell_len(str(cell)) > column.content_width
               for column, cell in zip(table.ordered_columns, last, strict=False))


async def steady(pilot: Pilot[Any]) -> None:
    """No blinking cursor (a snapshot would catch it on or off), and every message the
    workers posted handled (a loaded machine handles them later): settled again until a
    round starts no worker and leaves no timer of the screen's own about to fire (the
    filter's debounce), instead of fixed sleeps that are too long on a quiet machine and
    may be too short on a loaded one."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    seen: set[int] = set()
    # A deadline, not a count of rounds: under a full parallel suite a table behind a modal
    # form reached its idle (where it measures its rows) after fifty rounds had passed, and
    # the snapshot caught it header-wide (snooze-form-80x24, twice in one day).
    deadline = monotonic() + STEADY_SECONDS
    while True:
        await settle(pilot)
        await drain_stack(pilot)
        workers = {id(worker) for worker in pilot.app.workers}
        pending = getattr(pilot.app.screen, "_typing", False) or _tables_measuring(pilot)
        if workers <= seen and not pending:
            break
        assert monotonic() < deadline, (
            f"not steady within {STEADY_SECONDS} s: "
            + ("a table still measuring its rows" if _tables_measuring(pilot)
               else "workers still starting"))
        seen |= workers
        await pilot.pause(0.02)
    await settle(pilot)
    await drain_stack(pilot)


STEADY_SECONDS = 20


def test_provider_detail_agreements(snap_compare: SnapCompare,
                                    frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine, "providers"), terminal_size=(120, 36),
                        run_before=keys("slash", *"nordic", "enter",
                                        "right_square_bracket", "right_square_bracket"))


def test_new_agreement_form(snap_compare: SnapCompare, frozen_demo_engine: Engine) -> None:
    assert snap_compare(app_on(frozen_demo_engine, "providers"), terminal_size=(100, 34),
                        run_before=keys("slash", *"aleph", "enter",
                                        "right_square_bracket", "right_square_bracket", "n"))


# --- every screen and form at 80x24 and 120x36 (issue 17) -------------------------------

SIZES = [(80, 24), (120, 36)]


def calling(open_it: Callable[[TrackerApp], object], *pressed: str
            ) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Steady the screen below, call ``open_it`` on the app (push a screen or a form),
    then press keys."""
    async def run(pilot: Pilot[Any]) -> None:
        await steady(pilot)
        open_it(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()
        await keys(*pressed)(pilot)
    return run


def _form(entity: str, **kwargs: Any) -> Callable[[TrackerApp], object]:
    return lambda app: app.edit_record(entity, None, **kwargs)


def _review(entity: str, record_id: int) -> Callable[[TrackerApp], object]:
    from tracker.ui.screens.review import ReviewScreen

    return lambda app: app.push_screen(ReviewScreen(entity, record_id))


def _reminder_form(kind: str) -> Callable[[TrackerApp], object]:
    from tracker.ui.screens.complete import CompleteForm
    from tracker.ui.screens.snooze import SnoozeForm

    def open_it(app: TrackerApp) -> object:
        reminder = next(r for r in app.register.reminders(TODAY) if r.uid == "user-1")
        form = SnoozeForm if kind == "snooze" else CompleteForm
        return app.push_screen(form(app.register, reminder, TODAY))
    return open_it


SCREENS: dict[str, tuple[str, Callable[[Pilot[Any]], Awaitable[None]]]] = {
    "dashboard": ("dashboard", keys()),
    "providers": ("providers", keys()),
    "reminders": ("reminders", keys()),
    "provider-file": ("providers", calling(lambda app: app.open_provider(13))),
    "provider-gaps": ("providers", calling(lambda app: app.open_provider(6),
                                           "left_square_bracket", "left_square_bracket")),
    "review": ("providers", calling(_review("assessment", 15))),
    "clause-review": ("providers", calling(_review("agreement", 1))),
    "help": ("providers", keys("question_mark")),
    "import": ("dashboard", keys("i")),
    "export": ("dashboard", keys("E")),
    "provider-form": ("providers", calling(_form("provider"))),
    "supply-form": ("providers", calling(_form("supply", preset={"provider_id": 1}))),
    "legal-basis-form": ("providers", calling(_form("legal_basis",
                                                    preset={"supply_id": 1}))),
    "agreement-form": ("providers", calling(_form("agreement", preset={"provider_id": 1}))),
    "transfer-form": ("providers", calling(_form("transfer", preset={"provider_id": 1}))),
    "assessment-form": ("providers", calling(_form("assessment",
                                                   preset={"provider_id": 1}))),
    "evidence-form": ("providers", calling(_form("evidence", preset={"provider_id": 1}))),
    "reminder-form": ("providers", calling(_form("reminder", preset={"provider_id": 1}))),
    "snooze-form": ("reminders", calling(_reminder_form("snooze"))),
    "complete-form": ("reminders", calling(_reminder_form("complete"))),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_and_form(snap_compare: SnapCompare, frozen_demo_engine: Engine,
                               name: str, size: tuple[int, int]) -> None:
    start, run_before = SCREENS[name]
    assert snap_compare(app_on(frozen_demo_engine, start), terminal_size=size,
                        run_before=run_before)
