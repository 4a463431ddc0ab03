"""The dashboard ranks (issue 17): its first provider is the one with the most critical
gaps, with its count, at 120x36 and at 80x24; Enter opens it; the providers table has Gaps
and Next review columns and sorts risk tiers by severity."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tracker.app.register import Register
from tracker.ui.app import TrackerApp
from tracker.ui.screens.provider_detail import ProviderDetailScreen

from ..conftest import TODAY
from .helpers import settle


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_first_provider_has_the_most_critical_gaps(demo_app: TrackerApp,
                                                             demo_engine: Any,
                                                             size: tuple[int, int]) -> None:
    gaps = Register(demo_engine).gaps(TODAY)
    critical = Counter(g.provider_id for g in gaps if g.severity == "critical")
    worst_id, most = critical.most_common(1)[0]
    async with demo_app.run_test(size=size) as pilot:
        await settle(pilot)
        table = demo_app.screen.query_one("#worst-providers", DataTable)
        first = table.get_row_at(0)
        assert str(first[1]) == str(most)
        assert table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value == str(worst_id)
        assert table.row_count >= 3, "at 80x24 there is room for more than one"
        assert all(c.width >= 4 for c in table.columns.values())
        todo = demo_app.screen.query_one("#dashboard-reminders", DataTable)
        assert todo.row_count and str(todo.get_row_at(0)[1]).startswith("Record a ")
        assert min(c.width for c in todo.columns.values()) >= 10
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(demo_app.screen, ProviderDetailScreen)
        assert demo_app.screen.provider_id == worst_id


async def test_providers_table_sorts_tiers_by_severity(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        table = demo_app.screen.query_one("#providers-table", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:3] == ["Legal name", "Gaps", "Next review"]
        await pilot.press("s", "s")  # legal name ↓, ↑, then risk tier
        await settle(pilot)
        tiers = [str(table.get_row_at(i)[3]) for i in range(table.row_count)]
        order = ["Critical", "High", "Medium", "Low", "–"]
        assert tiers == sorted(tiers, key=order.index) and "Low" in tiers
        review = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert any(date.fromisoformat(r) for r in review if r != "–")
