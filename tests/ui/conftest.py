"""The app built as the CLI builds it, on a fresh demo register or an empty one."""

from __future__ import annotations

import pickle
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.ui.app import TrackerApp

from ..conftest import TODAY
from .snapshot_text import mismatch_report

SIZE = (120, 36)


FROZEN = "2026-11-25 09:00:00.000000"


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool],
                 request: pytest.FixtureRequest) -> Callable[..., bool]:
    """The plugin's compare, which on a mismatch also prints the screen rows that differ
    (shown with the failure): CI's HTML report cannot be opened, and without this a
    failure there says only that some pixel changed."""
    from pytest_textual_snapshot import (  # type: ignore[import-untyped]
        node_to_report_path,
    )

    def compare(*args: Any, **kwargs: Any) -> bool:
        matched = snap_compare(*args, **kwargs)
        if not matched:
            data = pickle.loads(node_to_report_path(request.node).read_bytes())
            expected_svg, actual_svg = data[1], data[2]
            sys.stdout.write(f"snapshot mismatch in {request.node.name}:\n"
                             f"{mismatch_report(expected_svg, actual_svg)}\n")
        return matched
    return compare


@pytest.fixture
def frozen_demo_engine(demo_engine: Engine) -> Engine:
    """The demo with every stored timestamp set to one instant, so screens that show
    timestamps render the same on any day (the audit chain no longer verifies: screens only)."""
    with demo_engine.begin() as connection:
        for table in ("provider", "supply", "legal_basis", "agreement", "agreement_clause",
                      "transfer", "assessment", "checklist_answer", "evidence", "reminder",
                      "review_trigger", "ai_model"):
            connection.exec_driver_sql(
                f"UPDATE {table} SET created_at = ?, updated_at = ?", (FROZEN, FROZEN))
        connection.exec_driver_sql("UPDATE provider SET archived_at = ? "
                                   "WHERE archived_at IS NOT NULL", (FROZEN,))
        connection.exec_driver_sql("UPDATE evidence SET added_at = ?", (FROZEN,))
        connection.exec_driver_sql("UPDATE audit_event SET at = ?", (FROZEN,))
        stamp = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?")
        for event_id, before, after in connection.exec_driver_sql(
                "SELECT id, before, after FROM audit_event").fetchall():
            connection.exec_driver_sql(
                "UPDATE audit_event SET before = ?, after = ? WHERE id = ?",
                (before and stamp.sub("2026-11-25T09:00:00Z", before),
                 after and stamp.sub("2026-11-25T09:00:00Z", after), event_id))
    return demo_engine


@pytest.fixture
def demo_app(demo_engine: Engine) -> TrackerApp:
    return TrackerApp(engine=demo_engine, today=TODAY)


@pytest.fixture
def empty_app(engine: Engine) -> TrackerApp:
    return TrackerApp(engine=engine, today=TODAY)
