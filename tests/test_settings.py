"""Shared settings: defaults, checked changes, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from tracker.cli import main
from tracker.domain.settings import SettingError, parse_setting
from tracker.store.models import AuditEvent
from tracker.store.settings import all_settings, get_setting, set_setting


def test_defaults_follow_the_domain(session: Session) -> None:
    values = all_settings(session)
    assert values["review_cadence_months.critical"] == 12
    assert values["review_cadence_months.medium"] == 24
    assert values["review_cadence_months.low"] == 36
    assert values["reminder_lead_days"] == [90, 30, 7]


def test_change_is_stored_and_audited(session: Session) -> None:
    set_setting(session, "review_cadence_months.critical", 6, actor="dpo")
    assert get_setting(session, "review_cadence_months.critical") == 6
    event = session.scalars(select(AuditEvent).where(col(AuditEvent.entity) == "setting")).one()
    assert (event.entity_id, json.loads(event.before or ""), json.loads(event.after or "")) == (
        "review_cadence_months.critical", {"value": 12}, {"value": 6})


@pytest.mark.parametrize(("key", "text", "message"), [
    ("review_cadence_months.low", "0", "from 1 to 120"),
    ("review_cadence_months.low", "twelve", "whole number"),
    ("reminder_lead_days", "[90, -1]", "list of whole numbers"),
    ("colour", "blue", "unknown setting 'colour'"),
])
def test_bad_values_are_refused(key: str, text: str, message: str) -> None:
    with pytest.raises(SettingError, match=message):
        parse_setting(key, text)


def test_lead_days_are_sorted_and_deduplicated() -> None:
    assert parse_setting("reminder_lead_days", "[7, 90, 30, 7]") == [90, 30, 7]


@pytest.mark.usefixtures("engine")  # a register at db_path
def test_settings_command(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "settings", "set", "reminder_lead_days", "[60,14]"]) == 0
    assert main(["--db", str(db_path), "settings", "get", "reminder_lead_days"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "[60, 14]"
    assert main(["settings", "--db", str(db_path), "set", "review_cadence_months.low", "x"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("tracker: review_cadence_months.low must be a whole number of months "
                           "from 1 to 120")
