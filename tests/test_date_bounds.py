"""Bounds at the door: a date outside 1900-01-01..2199-12-31, or a review dated in the
future, is refused with its field on every door; and a date already stored out of range
(written before the bounds, or behind the program's back) crashes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from tracker.app.register import Register
from tracker.cli import main
from tracker.domain.dates import EARLIEST, LATEST, date_problem, shift_days, shift_months
from tracker.errors import ValidationFailed
from tracker.ui.app import TrackerApp

from .conftest import TODAY


def _register(tmp_path: Path, name: str = "bounds.sqlite") -> Register:
    return Register.new(f"sqlite:///{tmp_path / name}")


@pytest.mark.parametrize(("name", "value", "refused"), [
    ("expires_on", date(1, 1, 1), True), ("expires_on", date(1899, 12, 31), True),
    ("expires_on", EARLIEST, False), ("expires_on", LATEST, False),
    ("expires_on", date(2200, 1, 1), True), ("expires_on", date(9999, 12, 31), True),
    ("assessed_on", date.today() + timedelta(days=1), True),
    ("assessed_on", date.today(), False), ("next_review_on", date(2190, 1, 1), False),
])
def test_the_bounds(name: str, value: date, refused: bool) -> None:
    assert (date_problem(name, value, date.today()) is not None) is refused


def test_the_register_refuses_an_out_of_range_date_with_its_field(tmp_path: Path) -> None:
    register = _register(tmp_path)
    provider = register.create("provider", {"legal_name": "Far Future Ltd", "country": "DE"})
    with pytest.raises(ValidationFailed) as refusal:
        register.create("agreement", {"provider_id": provider.id, "kind": "dpa",
                                      "expires_on": date(1, 1, 1), "notice_period_days": 30})
    assert [e.field for e in refusal.value.errors] == ["expires_on"]
    assert "0001-01-01 is outside" in refusal.value.errors[0].message
    with pytest.raises(ValidationFailed, match="in the future"):
        register.create("assessment", {"provider_id": provider.id,
                                       "assessed_on": date.today() + timedelta(days=30)})
    assert register.info().counts["agreements"] == 0  # a failed write changes nothing
    assert register.info().counts["assessments"] == 0
    register.close()


def test_the_command_line_refuses_it_naming_the_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite")
    assert main(["--db", db, "init"]) == 0
    assert main(["--db", db, "add", "provider", "legal_name=Far Future Ltd"]) == 0
    code = main(["--db", db, "add", "agreement", "--provider", "Far Future", "kind=dpa",
                 "expires_on=9999-12-31"])
    assert code == 2
    assert "expires_on" in capsys.readouterr().err


def test_an_import_names_the_row_and_column_and_writes_nothing(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Legal name", "Country", "Agreement type", "Expiry date", "Last review date"])
    sheet.append(["Good Data GmbH", "DE", "dpa", date(2027, 1, 31), date(2026, 3, 1)])
    sheet.append(["Odd Data GmbH", "DE", "dpa", date(2300, 1, 1), None])
    sheet.append(["Early Data GmbH", "DE", None, None, date.today() + timedelta(days=3)])
    path = tmp_path / "register.xlsx"
    book.save(path)
    register = _register(tmp_path)
    report = register.import_file(path, profile=None, order=None, dry_run=False)
    problems = [(p.row, p.column, p.reason) for p in report.problems]
    assert [(row, column) for row, column, _ in problems] == [(3, "D"), (4, "E")]
    assert "agreement expires_on: 2300-01-01 is outside" in problems[0][2]
    assert "assessment assessed_on" in problems[1][2] and "future" in problems[1][2]
    assert not report.written and register.info().counts["providers"] == 0
    register.close()


def test_a_restore_refuses_it_too(tmp_path: Path) -> None:
    register = _register(tmp_path)
    provider = register.create("provider", {"legal_name": "Round Trip SA", "country": "FR"})
    register.create("agreement", {"provider_id": provider.id, "kind": "dpa",
                                  "expires_on": date(2027, 5, 1)})
    exported = register.export(tmp_path / "export.xlsx").path
    book = load_workbook(exported)
    sheet = book["Agreements"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Expires on") + 1, value=date(2300, 1, 1))
    book.save(exported)
    report = register.import_file(exported, profile=None, order=None, dry_run=False)
    assert [(p.sheet, p.row, p.header) for p in report.problems] == [
        ("Agreements", 2, "Expires on")]
    assert "2300-01-01 is outside" in report.problems[0].reason
    assert register.get("agreement", 1).expires_on == date(2027, 5, 1)
    book = load_workbook(register.export(tmp_path / "again.xlsx").path)
    sheet = book["Providers"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Archived at (UTC)") + 1,
               value=datetime(2300, 1, 1, 9, 0))
    book.save(tmp_path / "again.xlsx")
    report = register.import_file(tmp_path / "again.xlsx", profile=None, order=None,
                                  dry_run=False)
    assert [(p.sheet, p.header) for p in report.problems] == [("Providers",
                                                               "Archived at (UTC)")]
    assert register.get("provider", 1).archived_at is None
    register.close()


def test_shifts_hold_at_the_ends_of_the_calendar() -> None:
    assert shift_days(date.max, 1) == date.max
    assert shift_days(date.min, -60) == date.min
    assert shift_months(date(9999, 12, 1), 36) == date.max
    assert shift_days(date(2026, 1, 31), 10) == date(2026, 2, 10)
    assert shift_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


STORED_DATES = st.dates(min_value=date.min, max_value=date.max)
DATE_COLUMNS = [("agreement", "expires_on"), ("agreement", "effective_on"),
                ("assessment", "assessed_on"), ("assessment", "next_review_on"),
                ("transfer", "effective_on"), ("transfer", "filing_expires_on"),
                ("evidence", "valid_until"), ("review_trigger", "occurred_on"),
                ("reminder", "due_on")]


@pytest.fixture(scope="module")
def stored_register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    """One record of each dated kind, whose dates the property test overwrites in SQL (as a
    register written before the bounds existed, or edited with psql, would hold them)."""
    register = _register(tmp_path_factory.mktemp("stored"))
    p = register.create("provider", {"legal_name": "Legacy 旧 Ltd", "country": "CN",
                                     "status": "active", "risk_tier": "high"})
    register.create("agreement", {"provider_id": p.id, "kind": "dpa",
                                  "expires_on": date(2027, 1, 1), "notice_period_days": 3650})
    register.create("assessment", {"provider_id": p.id, "assessed_on": date(2025, 1, 1),
                                   "outcome": "pending"})
    register.create("transfer", {"provider_id": p.id, "origin_country": "CN",
                                 "destination_country": "DE",
                                 "mechanism": "cac_security_assessment",
                                 "effective_on": date(2026, 1, 1),
                                 "filing_expires_on": date(2027, 1, 1)})
    register.create("transfer", {"provider_id": p.id, "origin_country": "CN",
                                 "destination_country": "FR",
                                 "mechanism": "cn_standard_contract",
                                 "effective_on": date(2026, 1, 1)})
    register.create("evidence", {"provider_id": p.id, "location": "x.pdf",
                                 "valid_until": date(2027, 1, 1)})
    register.create("review_trigger", {"provider_id": p.id, "kind": "breach",
                                       "occurred_on": date(2026, 1, 1)})
    register.create("reminder", {"provider_id": p.id, "title": "Own",
                                 "due_on": date(2027, 1, 1)})
    return register


def _store(register: Register, values: list[date]) -> None:
    with register.engine.begin() as connection:
        for (table, column), value in zip(DATE_COLUMNS, values, strict=True):
            # the transfer columns: both transfers, so each mechanism's rules meet it
            connection.exec_driver_sql(f"UPDATE {table} SET {column} = ?",
                                       (value.isoformat(),))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(STORED_DATES, min_size=len(DATE_COLUMNS), max_size=len(DATE_COLUMNS)),
       today=st.dates(min_value=EARLIEST, max_value=LATEST))
def test_no_stored_date_crashes_reminders_gaps_or_export(
        stored_register: Register, tmp_path_factory: pytest.TempPathFactory,
        values: list[date], today: date) -> None:
    _store(stored_register, values)
    reminders = stored_register.reminders(today)
    assert all(isinstance(r.due_on, date) for r in reminders)
    stored_register.gaps(today, None)
    stored_register.gaps(today, 1)
    target = tmp_path_factory.mktemp("export") / "register.xlsx"
    assert stored_register.export(target, today=today).rows["Providers"] == 1


async def test_the_tui_opens_on_the_most_extreme_stored_dates(
        stored_register: Register) -> None:
    for values in ([date.min] * len(DATE_COLUMNS), [date.max] * len(DATE_COLUMNS)):
        _store(stored_register, values)
        app = TrackerApp(engine=stored_register.engine, today=TODAY)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            for key in ("r", "p", "enter"):
                await pilot.press(key)
                await pilot.pause()
            assert app.screen is not None and app.return_code is None


def test_an_exported_timestamp_is_read_as_the_utc_instant_it_names() -> None:
    from tracker.sheets.native import _timestamp

    assert _timestamp("2026-11-01T10:00:00+08:00") == datetime(2026, 11, 1, 2, 0,
                                                                tzinfo=UTC)
    assert _timestamp("2026-11-01 10:00:00") == datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="past the last date"):
        _timestamp("9999-12-31T23:59:59.9")  # rounding it would overflow


def test_a_snooze_read_back_meets_the_snooze_rules(tmp_path: Path) -> None:
    register = _register(tmp_path)
    provider = register.create("provider", {"legal_name": "Snooze SA", "country": "FR",
                                            "status": "active"})
    register.create("agreement", {"provider_id": provider.id, "kind": "dpa",
                                  "expires_on": date.today() + timedelta(days=20)})
    [due] = [r for r in register.reminders(date.today()) if r.kind.value == "agreement_expiry"]
    register.snooze(due.uid, until=date.today() + timedelta(days=10), reason="renewal sent",
                    today=date.today())
    exported = register.export(tmp_path / "marks.xlsx").path
    book = load_workbook(exported)
    sheet = book["Reminders"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == due.key)
    reason = next(h for h in headers if h and "reason" in h.lower())
    until = next(h for h in headers if h and "until" in h.lower())
    row[headers.index(reason)].value = None
    row[headers.index(until)].value = date(2500, 1, 1)
    book.save(exported)
    report = register.import_file(exported, profile=None, order=None, dry_run=False)
    assert not report.written
    assert sorted(p.reason.split(" ")[1] for p in report.problems) == ["2500-01-01", "say"]
    register.close()
