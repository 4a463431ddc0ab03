"""Control characters are refused at every door and never reach a terminal raw.

Refused (tracker.domain.text): C0 controls but tab/LF/CR, DEL, C1 controls, bidi embeddings,
overrides and isolates. Each door is tried as a user meets it: the application layer the
forms use, the command line, the environment's TRACKER_USER, the import. The output side is
tried on a register edited behind the program's back with raw SQL, as an old register or a
hostile one may be."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tracker.app.register import Register
from tracker.cli import main
from tracker.errors import TrackerError, ValidationFailed

from .conftest import TODAY
from .sheets_helpers import write_xlsx

# Characters the door refused only after this change: C1 (CSI, OSC, NEL) and bidi controls.
NEWLY_REFUSED = ["\x9b", "\x9d", "\x85", "\u202e", "\u202a", "\u2066", "\u2069"]
# What must never reach a terminal raw: every refused character.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stored(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(sql).fetchall()
    connection.close()
    return rows


# --- the write pipeline: every record field ------------------------------------------------

@pytest.mark.parametrize("character", NEWLY_REFUSED)
def test_a_record_field_with_a_c1_or_bidi_control_is_refused_naming_it(
        register: Register, db_path: Path, character: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        register.create("provider", {"legal_name": "Acme", "country": "DE",
                                     "notes": f"signed{character}by us"})
    [error] = failure.value.errors
    assert error.field == "notes"
    assert f"U+{ord(character):04X} at character 7" in error.message
    assert stored(db_path, "SELECT * FROM provider") == []
    # what is refused is controls, not scripts: right-to-left text with its marks (U+200F
    # reorders nothing around it), Chinese, emoji and line breaks in notes still enter
    name = "مرحبا\u200f 数据 🚀"
    row = register.create("provider", {"legal_name": name, "country": "AE",
                                       "notes": "第一行\n第二行"})
    assert (row.legal_name, row.notes) == (name, "第一行\n第二行")


def test_names_and_titles_are_one_line_notes_keep_their_lines(register: Register) -> None:
    provider = register.create("provider", {"legal_name": "Acme\nData Ltd", "country": "DE",
                                            "notes": "line one\nline two"})
    supply = register.create("supply", {"provider_id": provider.id, "name": "Speech \r\n set",
                                        "description": "a\nb"})
    agreement = register.create("agreement", {"provider_id": provider.id, "kind": "nda",
                                              "title": "NDA\n2026", "governing_law": "DE"})
    reminder = register.create("reminder", {"title": "Chase\u2028audit", "due_on": TODAY,
                                            "notes": "x\ny"})
    assert (provider.legal_name, provider.notes) == ("Acme Data Ltd", "line one\nline two")
    assert (supply.name, supply.description) == ("Speech set", "a\nb")
    assert (agreement.title, reminder.title, reminder.notes) == ("NDA 2026", "Chase audit",
                                                                 "x\ny")


def test_the_command_lines_add_refuses_a_bidi_override(
        db_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(db_path, capsys, "add", "provider", "legal_name=Invoice\u202etxt.exe",
                         "country=DE")
    assert status == 2
    assert "legal_name: contains control characters (U+202E at character 8)" in err
    assert err.count("\n") == 1 and "\u202e" not in err
    assert stored(db_path, "SELECT legal_name FROM provider") == []


# --- settings and the display name ----------------------------------------------------------

@pytest.mark.parametrize(("key", "value", "problem"), [
    ("organisation_name", "Lumina\x1b]52;c;cHduZWQ=\x07", "U+001B"),
    ("organisation_name", '"Lumina\\u009b31m"', "U+009B"),  # the JSON form of the value
    ("organisation_dpo", "Li Wei\u202e", "U+202E"),
    ("organisation_name", "Lumina\nOK: audit trail intact", "must be one line"),
    ("display_name.tester", "Li\u2066Wei", "U+2066"),
    ("display_name.tester", "Li\nWei", "must be one line"),
    ("display_name.te\x1bster", "Li Wei", "U+001B"),
])
def test_a_setting_with_a_control_character_or_a_line_break_is_refused(
        db_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str], key: str,
        value: str, problem: str) -> None:
    status, _, err = run(db_path, capsys, "settings", "set", key, value)
    assert status == 2 and problem in err
    assert err.count("\n") == 1 and not RAW.search(err)
    assert stored(db_path, "SELECT key FROM setting WHERE key LIKE 'display_name%' "
                           "OR key LIKE 'organisation%'") == []


# --- the actor from the environment ---------------------------------------------------------

@pytest.mark.parametrize("user", ["eve\x1b[2J", "eve\u202e", "eve\nOK", "e" * 101])
def test_a_tracker_user_that_cannot_be_recorded_is_a_clear_error(
        db_path: Path, engine: Engine, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, user: str) -> None:
    monkeypatch.setenv("TRACKER_USER", user)
    status, _, err = run(db_path, capsys, "add", "provider", "legal_name=Acme", "country=DE")
    assert status == 2
    assert err.startswith("tracker: TRACKER_USER ") and "plain user name" in err
    assert err.count("\n") == 1 and not RAW.search(err)
    assert stored(db_path, "SELECT legal_name FROM provider") == []
    assert stored(db_path, "SELECT actor FROM audit_event WHERE actor LIKE 'eve%'") == []


def test_the_os_user_name_is_checked_too(engine: Engine,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_USER")
    monkeypatch.setenv("LOGNAME", "mallory\x9b")
    with pytest.raises(TrackerError, match=r"the OS user name .*U\+009B"):
        Register(engine).create("provider", {"legal_name": "Acme", "country": "DE"})


def test_a_display_name_stored_before_the_door_refused_it_is_recorded_escaped(
        db_path: Path, engine: Engine) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO setting (key, value, version, updated_at) "
                           "VALUES ('display_name.tester', ?, 1, '2026-01-01 00:00:00')",
                           (json.dumps("Li\x1b[2JWei"),))
    connection.close()
    Register(engine).create("provider", {"legal_name": "Acme", "country": "DE"})
    assert stored(db_path, "SELECT DISTINCT actor FROM audit_event") == [
        ("Li\\x1b[2JWei (tester)",)]


# --- reasons, notes and events --------------------------------------------------------------

@pytest.fixture
def with_reminders(db_path: Path, engine: Engine) -> dict[str, str]:
    register = Register(engine)
    provider = register.create("provider", {"legal_name": "Acme", "country": "DE"})
    mine = register.create("reminder", {"provider_id": provider.id, "title": "Chase",
                                        "due_on": TODAY + timedelta(days=3)})
    return {"own": f"user-{mine.id}", "review": f"review-{provider.id}",
            "provider": str(provider.id)}


def test_snooze_reasons_completion_notes_overrides_and_event_notes_are_refused(
        db_path: Path, with_reminders: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    until = (max(TODAY, date.today()) + timedelta(days=30)).isoformat()
    today = ("--today", TODAY.isoformat())
    attempts = [
        ("reason", ["reminders", "snooze", with_reminders["own"], "--until", until,
                    "--reason", "legal \u202enegotiating", *today]),
        ("note", ["reminders", "done", with_reminders["own"], "--note", "ok\x9b2J", *today]),
        ("note", ["reminders", "done", with_reminders["review"], "--outcome",
                      "approved", "--note", "fine\u2067", *today]),
        ("approval_override", ["reminders", "done", with_reminders["review"], "--outcome",
                               "approved", "--override", "CEO said so\x85", *today]),
        ("note", ["event", with_reminders["provider"], "breach", "--on", "2026-03-01",
                  "--note", "bucket \u202aexposed"]),
    ]
    for field, args in attempts:
        status, _, err = run(db_path, capsys, *args)
        assert status == 2, args
        assert f"{field}: contains control characters" in err, err
        assert err.count("\n") == 1 and not RAW.search(err)
    assert stored(db_path, "SELECT * FROM reminder_action") == []
    assert stored(db_path, "SELECT * FROM assessment") == []
    assert stored(db_path, "SELECT * FROM review_trigger") == []


def test_a_snooze_reason_through_the_application_layer_is_named_by_field(
        register: Register, with_reminders: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as failure:
        register.snooze(with_reminders["own"], until=date.today() + timedelta(days=30),
                        reason="\u2066wait", today=TODAY)
    assert [e.field for e in failure.value.errors] == ["reason"]


# --- the import -----------------------------------------------------------------------------

def test_an_import_cell_with_a_c1_or_bidi_control_is_a_located_problem(
        db_path: Path, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", [
        ["Supplier name", "Country", "Notes"],
        ["Fine Co", "FR", "ok"],
        ["Acme\u202e", "DE", "ok"],
        ["Beta", "DE", "csi \x9b31m"]])
    status, out, _ = run(db_path, capsys, "import", str(path))
    assert status == 1
    assert "Register, row 3, column A (Supplier name)" in out
    assert "Register, row 4, column C (Notes)" in out
    assert out.count("contains control characters") == 2
    assert not RAW.search(out)
    assert stored(db_path, "SELECT legal_name FROM provider") == []  # not even Fine Co


# --- output: a register edited behind the program's back ------------------------------------

HOSTILE_NAME = "数据 Evil\x1b]52;c;cHduZWQ=\x07 Ltd\u202e\n 2026-01-01 00:00 OK \x9b2J"


@pytest.fixture
def tampered(db_path: Path, engine: Engine) -> Path:
    """Records written through the program, then given hostile text with raw SQL."""
    register = Register(engine)
    provider = register.create("provider", {"legal_name": "Acme", "country": "DE"})
    register.create("reminder", {"provider_id": provider.id, "title": "Chase",
                                 "due_on": TODAY + timedelta(days=3)})
    register.change_setting("organisation_name", "Lumina")
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE provider SET legal_name = ?", (HOSTILE_NAME,))
        connection.execute("UPDATE reminder SET title = ?", (HOSTILE_NAME,))
        connection.execute("UPDATE audit_event SET actor = ?, after = ?",
                           (HOSTILE_NAME, json.dumps({"legal_name": HOSTILE_NAME})))
        connection.execute("UPDATE setting SET value = ? WHERE key = 'organisation_name'",
                           (json.dumps(HOSTILE_NAME, ensure_ascii=False),))
    connection.close()
    return db_path


SHOWN = "\\x1b]52;c;cHduZWQ=\\x07 Ltd\\u202e\\n"
SHOWN_AS_JSON = "\\u001b]52;c;cHduZWQ=\\u0007 Ltd\\u202e\\n"


@pytest.mark.parametrize(("args", "lines", "shown"), [
    (("providers",), 1, SHOWN),
    (("audit", "log"), 3, SHOWN),
    (("reminders", "--today", TODAY.isoformat()), 2, SHOWN),  # the review, the own one
    (("check", "--today", TODAY.isoformat()), None, SHOWN),
    (("settings", "list"), None, SHOWN_AS_JSON),
])
def test_listings_escape_what_raw_sql_stored(
        tampered: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
        lines: int | None, shown: str) -> None:
    _, out, err = run(tampered, capsys, *args)
    assert not RAW.search(out) and not RAW.search(err)
    assert shown in out
    assert "数据" in out  # escaping is for controls, not for Chinese
    if lines is not None:  # a line break in a name cannot forge a line of its own
        assert len(out.splitlines()) == lines
    assert not any(line.startswith(" 2026-01-01") for line in out.splitlines())


@pytest.mark.parametrize("args", [("providers", "--json"),
                                  ("reminders", "--json", "--today", TODAY.isoformat())])
def test_json_escapes_controls_as_unicode_escapes_and_keeps_chinese(
        tampered: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    _, out, _ = run(tampered, capsys, *args)
    assert not RAW.search(out) and "\u2028" not in out
    assert "\\u202e" in out and "\\u009b" in out and "数据" in out
    listed = json.loads(out)
    assert HOSTILE_NAME in [row.get("legal_name", row.get("subject")) for row in listed]


def test_the_one_line_error_escapes_what_it_quotes(
        db_path: Path, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    hostile = tmp_path / "register\x1b]0;owned\x07\ntracker: all clear.xlsx"
    hostile.write_bytes(b"not a workbook")
    status, out, err = run(db_path, capsys, "import", str(hostile))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and not RAW.search(err)
    assert "\\x1b]0;owned\\x07\\ntracker: all clear.xlsx" in err


def test_the_import_report_escapes_headers_and_file_names(
        db_path: Path, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reg\u202eister.csv"
    path.write_text("Supplier name,Country,Extra\x1b[31m\u202e\nAcme,DE,x\n", encoding="utf-8")
    status, out, err = run(db_path, capsys, "import", str(path), "--dry-run")
    assert status == 0
    assert not RAW.search(out) and not RAW.search(err)
    assert "Extra\\x1b[31m\\u202e" in out and "reg\\u202eister" in out


def test_a_display_name_stored_raw_with_a_control_character_does_not_stop_writes(
        register: Register, db_path: Path) -> None:
    from tracker.store.audit import os_user

    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO setting (key, value, version, updated_at) "
                           "VALUES (?, ?, 1, '2026-01-01')",
                           (f"display_name.{os_user()}", '"Ann\x1b[31m"'))
    connection.close()
    assert register.actor() == f"Ann\\x1b[31m ({os_user()})"
