"""The streamed ``--json`` of reminders and gaps (``tracker.cli.records_json``) must print
byte for byte what ``out_json`` prints for the list of their dicts: scripts diff it, and
the README documents it as that JSON."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest

from tracker.checks.rules import Gap, Severity
from tracker.cli import records_json
from tracker.cli.output import out_json
from tracker.cli.records_json import reminder_fields, write_gaps, write_reminders
from tracker.domain.enums import ReminderKind, ReminderStatus
from tracker.reminders.derive import DerivedReminder

ODD = ["plain", "数据 \"quoted\" \\ back", "line\nbreak\ttab\x1b esc \x7f del \x85 nel",
       "\u2028 \u2029 \u2066 \u2069 \u009f \u00a0 \u200b \u202e", "},{", "",
       "ascii \x7f del only"]


def reminder_json(r: DerivedReminder) -> dict[str, Any]:
    """A reminder's record in ``--json``, as the README documents it (the dict the command
    printed through ``out_json`` before the output was streamed)."""
    subject, why, action = r.texts
    kind, title, article, secondary = reminder_fields(r.kind)
    return {"uid": r.uid, "key": f"{r.uid}@{r.due_on.isoformat()}", "kind": kind,
            "title": title, "due_on": r.due_on.isoformat(), "status": r.status.value,
            "provider_id": r.provider_id, "provider": r.provider_name, "subject": subject,
            "why": why, "action": action, "article": article,
            "secondary_source": secondary, "note": r.note,
            "snoozed_until": r.snoozed_until.isoformat() if r.snoozed_until else None}


def _texts(source: Any) -> tuple[str, str, str]:
    return f"subject {source}", f"why {source}\n", f"action {source}\u202e"


def _reminders() -> list[DerivedReminder]:
    kinds, statuses = list(ReminderKind), list(ReminderStatus)
    return [DerivedReminder(
        uid=f"agreement-{i}-{text}", kind=kinds[i % len(kinds)],
        due_on=date(2026, 1, 1 + i % 28), provider_id=None if i % 5 == 0 else i,
        provider_name=text, render=_texts, source=text,
        status=statuses[i % len(statuses)],
        snoozed_until=date(2026, 3, 1) if i % 3 == 0 else None,
        note=None if i % 2 else text) for i, text in enumerate(ODD * 7)]


def _gaps() -> list[Gap]:
    severities = list(Severity)
    return [Gap(rule=f"rule-{text}", severity=severities[i % len(severities)], article=text,
                provider_id=i, provider=text, subject=text, why=text, fix=text,
                entity="agreement" if i % 2 else "provider",
                entity_id=None if i % 3 else i, secondary_source=bool(i % 2))
            for i, text in enumerate(ODD * 3)]


def _printed(value: Any, capsys: pytest.CaptureFixture[str]) -> str:
    out_json(value)
    return capsys.readouterr().out


@pytest.mark.parametrize("chunk", [1, 2, 2_000])
def test_reminders_are_written_as_out_json_prints_their_dicts(
        chunk: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_json, "_CHUNK", chunk)
    reminders = _reminders()
    expected = _printed([reminder_json(r) for r in reminders], capsys)
    written = io.StringIO()
    write_reminders(reminders, written)
    assert written.getvalue() == expected
    assert "\\u202e" in expected and "\\u007f" in expected  # the escapes were exercised


@pytest.mark.parametrize("chunk", [1, 5, 2_000])
def test_gaps_are_written_as_out_json_prints_their_dicts(
        chunk: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_json, "_CHUNK", chunk)
    gaps = _gaps()
    expected = _printed([g.as_dict() for g in gaps], capsys)
    written = io.StringIO()
    write_gaps(gaps, written)
    assert written.getvalue() == expected


def test_none_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    written = io.StringIO()
    write_reminders([], written)
    write_gaps([], written)
    assert written.getvalue() == _printed([], capsys) * 2


def test_a_stream_with_a_binary_buffer_gets_the_same_bytes(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout is written through its binary buffer (after what its text layer holds): the
    bytes are the UTF-8 of what out_json prints, and text written before stays first."""
    monkeypatch.setattr(records_json, "_CHUNK", 3)
    gaps = _gaps()
    expected = "before\n" + _printed([g.as_dict() for g in gaps], capsys)
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    stream.write("before\n")  # held in the text layer until flushed
    write_gaps(gaps, stream)
    assert raw.getvalue() == expected.encode()
