"""Registers shaped as compliance officers really keep them (wave 2): placeholders such as
"n/a" and "TBD" in date columns, ISO timestamps, totals rows and footers under the data,
one sheet per entity linked by the provider's name, and the spellings of one provider's
name across rows. Every fixture is made here, in code, and small."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tracker.app.imports import run_import
from tracker.sheets.values import parse_date
from tracker.store.engine import session_scope
from tracker.store.models import Agreement

from .sheets_helpers import write_xlsx


@pytest.mark.parametrize("text", ["2026-11-30T00:00:00", "2026-11-30T10:30:00Z",
                                  "2026-11-30T10:30:00+08:00", "2026-11-30 10:30"])
def test_an_iso_timestamp_reads_as_its_date(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 30)


def test_placeholders_in_date_columns_read_as_not_known(engine: Engine,
                                                        tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dates.xlsx", [
        ["Provider", "Country", "Agreement type", "Signed", "Expiry"],
        ["Alpha Ltd", "CN", "DPA", "n/a", "TBD"],
        ["Beta Ltd", "CN", "DPA", "2024-01-01", "ongoing"],
        ["Gamma Ltd", "CN", "DPA", "2024-01-01", "-"],
        ["Delta Ltd", "CN", "DPA", "2024-01-01", "长期有效"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        agreements = session.exec(select(Agreement)).all()
        assert len(agreements) == 4
        assert all(a.expires_on is None for a in agreements)
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert again.problems == []
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


def test_a_placeholder_is_still_refused_where_it_is_not_a_value(engine: Engine,
                                                                tmp_path: Path) -> None:
    """"Q4 2025" names no day: refused by its cell, as before."""
    path = write_xlsx(tmp_path / "quarter.xlsx", [
        ["Provider", "Country", "Agreement type", "Expiry"],
        ["Alpha Ltd", "CN", "DPA", "Q4 2025"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value) == (2, "D", "Q4 2025")
