"""The audit trail catches what it claims to: a change made behind the program's back (raw
SQL on the tables, not on the trail) shows in the replay; a wiped trail on a register that
holds records is refused; a trail cut at its end and patched up shows against an anchor kept
in an export, a backup or an anchor file. And no false alarm on a register used normally.

Each attack is also run through the chain walk alone (``verify_chain``, what ``tracker audit
verify`` was before): it passes there, which is what these tests are about."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tracker.app import pipeline as svc
from tracker.app.register import Register
from tracker.cli import main
from tracker.locations import backups_dir
from tracker.store.audit import AuditProblem, verify_chain
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.replay import (
    RecordTrail,
    TrailEvent,
    births_of,
    compare_record,
    replay,
    same,
)

from .conftest import TODAY
from .helpers import full_register, register_id_of, register_rows

SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"
PROVIDER_KINDS = (("legal_name", "text"), ("state_owned", "bool"), ("risk_tier", "enum"),
                  ("created_at", "datetime"), ("archived_at", "datetime"))


def _problems(register: Register, **kwargs: Path) -> list[str]:
    return [str(p) for p in register.verify_audit(**kwargs).problems]


def _chain_only(engine: Engine) -> list[AuditProblem]:
    with session_scope(engine, write=False) as session:
        return verify_chain(session)[1]


def _raw(path: Path, *statements: str) -> None:
    """Write behind the program's back, as anyone with the file can."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys=OFF")
        for statement in statements:
            connection.execute(statement)
    connection.close()


# --- the comparison itself, without a database -----------------------------------------------

def test_a_field_changed_without_an_event_is_named_with_both_values() -> None:
    trail = replay([TrailEvent(4, "insert", {"legal_name": "Acme", "state_owned": False}),
                    TrailEvent(9, "update", {"legal_name": "Acme Ltd"})], ["legal_name",
                                                                            "state_owned"])
    [problem] = compare_record("provider 12", trail, {"legal_name": "Evil Ltd",
                                                      "state_owned": 0}, PROVIDER_KINDS)
    assert str(problem) == ("provider 12: legal_name is 'Evil Ltd' in the table but the trail "
                            "last recorded 'Acme Ltd' (event 9): changed without an event")


def test_a_record_and_its_trail_must_both_exist_or_both_be_gone() -> None:
    born = replay([TrailEvent(1, "insert", {"legal_name": "A"})], ["legal_name"])
    gone = replay([TrailEvent(1, "insert", {"legal_name": "A"}), TrailEvent(2, "delete", None)],
                  ["legal_name"])
    stored = {"legal_name": "A"}
    assert "added without an event" in str(compare_record("provider 1", None, stored,
                                                          PROVIDER_KINDS)[0])
    assert "deleted without an event" in str(compare_record("provider 1", born, None,
                                                            PROVIDER_KINDS)[0])
    assert compare_record("provider 1", gone, None, PROVIDER_KINDS) == []
    assert "put back without an event" in str(compare_record("provider 1", gone, stored,
                                                             PROVIDER_KINDS)[0])
    updated_only = replay([TrailEvent(7, "update", {"legal_name": "A"})], ["legal_name"])
    assert "no event records its creation" in str(
        compare_record("provider 1", updated_only, stored, PROVIDER_KINDS)[0])


@pytest.mark.parametrize(("kind", "stored", "recorded"), [
    ("bool", 0, False), ("bool", True, True),  # SQLite's 0/1, PostgreSQL's booleans
    ("date", "2026-02-04", "2026-02-04"), ("date", date(2026, 2, 4), "2026-02-04"),
    ("datetime", "2026-12-01 23:26:57.698924", "2026-12-01T23:26:57.698924Z"),
    ("datetime", datetime(2026, 12, 2, 0, 26, 57, 698924, tzinfo=UTC).astimezone(),
     "2026-12-02T00:26:57.698924Z"),
    ("datetime", "2026-12-01 23:26:58.000000", "2026-12-01T23:26:58"),  # a restored stamp
    ("float", 5, 5.0), ("int", 12, 12), ("enum", "high", "high"), ("text", None, None),
])
def test_the_same_value_as_each_backend_and_each_writer_gives_it(kind: str, stored: object,
                                                                 recorded: object) -> None:
    assert same(kind, stored, recorded)


@pytest.mark.parametrize(("kind", "stored", "recorded"), [
    ("bool", 2, True), ("bool", "yes", True), ("int", 12.5, 12), ("date", "2026-2-4",
                                                                  "2026-02-04"),
    ("datetime", "not a time", "2026-12-01T23:26:58Z"), ("text", "", None),
    ("enum", "hihg", "high"),
])
def test_values_that_differ_or_are_not_of_their_kind_are_not_the_same(
        kind: str, stored: object, recorded: object) -> None:
    assert not same(kind, stored, recorded)


def test_derived_children_are_read_from_their_parents_column_wise_summary() -> None:
    summary = {"agreement_clause": {"id": [7, 8], "clause": ["a", "b"], "status": "missing"}}
    found = list(births_of("3", 40, summary))
    assert found == [("agreement_clause", 7, {"agreement_id": 3, "clause": "a",
                                              "status": "missing", "note": None}),
                     ("agreement_clause", 8, {"agreement_id": 3, "clause": "b",
                                              "status": "missing", "note": None})]
    [bad] = births_of("3", 40, {"agreement_clause": {"id": [7, 8], "clause": ["a"]}})
    assert isinstance(bad, AuditProblem) and bad.event_id == 40


def test_a_record_trail_keeps_which_event_recorded_each_field() -> None:
    trail = replay([TrailEvent(1, "insert", {"a": 1, "b": 2}), TrailEvent(5, "update", {"b": 3})],
                   ["a", "b"])
    assert trail == RecordTrail(values={"a": 1, "b": 3}, recorded_by={"b": 5},
                                born=1, first=1, last=5)


# --- attacks on the tables: the chain walk passes, the replay does not -----------------------

@pytest.fixture
def filled(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return full_register(session)


def test_raw_sql_update_of_a_providers_legal_name(engine: Engine, db_path: Path,
                                                  filled: dict[str, int],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _raw(db_path, f"UPDATE provider SET legal_name = 'Evil Ltd' WHERE id = {filled['provider']}")
    assert _chain_only(engine) == []
    assert _problems(Register(engine)) == [
        f"provider {filled['provider']}: legal_name is 'Evil Ltd' in the table but the trail "
        "last recorded 'Acme Data Ltd' (event 1): changed without an event"]
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    assert "changed without an event" in capsys.readouterr().out


def test_raw_sql_delete_of_a_supply(engine: Engine, db_path: Path,
                                    filled: dict[str, int]) -> None:
    with session_scope(engine) as session:
        supply = svc.supplies.create(session=session, data={
            "provider_id": filled["provider"], "name": "Spare corpus"}, actor="t")
    _raw(db_path, f"DELETE FROM supply WHERE id = {supply.id}")
    assert _chain_only(engine) == []
    [problem] = _problems(Register(engine))
    assert problem.startswith(f"supply {supply.id}: the trail last recorded it in event ")
    assert problem.endswith("but it is not in the table: deleted without an event")


def test_raw_sql_insert_of_a_record(engine: Engine, db_path: Path,
                                    filled: dict[str, int]) -> None:
    _raw(db_path, "INSERT INTO provider (legal_name, search_name, status, state_owned, "
                  "foreign_state_access, is_ciio, handles_important_data, version, created_at,"
                  " updated_at) VALUES ('Ghost Co', 'ghost co', 'active', 0, 0, 0, 0, 1, "
                  "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')")
    assert _chain_only(engine) == []
    assert _problems(Register(engine)) == [
        f"provider {filled['provider'] + 1}: is in the table but no event records it: added "
        "without an event"]


def test_raw_sql_edits_of_derived_children_settings_and_marks(demo_path: Path) -> None:
    """The children a DPA or a review arrives with are recorded only in their parent's
    event; settings and reminder marks have events of their own."""
    engine = open_register(f"sqlite:///{demo_path}")
    register = Register(engine)
    [first, *_] = [r for r in register.reminders(TODAY) if not r.is_review]
    register.snooze(first.uid, until=date(2099, 1, 1), reason="negotiating", today=TODAY)
    assert _problems(register) == []
    _raw(demo_path,
         "UPDATE reminder_action SET until = '2199-12-31'",
         "UPDATE agreement_clause SET note = 'x' WHERE id = (SELECT max(id) FROM "
         "agreement_clause)",
         "UPDATE checklist_answer SET status = 'satisfied' WHERE id = (SELECT min(id) FROM "
         "checklist_answer WHERE status = 'open')",
         "UPDATE setting SET value = '\"Evil Models Ltd\"' WHERE key = 'organisation_name'",
         "UPDATE supply SET contains_pi = 2 WHERE id = 1",  # not even a yes/no
         "UPDATE provider SET risk_tier = 'hihg' WHERE id = 1")  # not even an enum value
    assert _chain_only(engine) == []
    problems = _problems(register)
    engine.dispose()
    assert len(problems) == 6
    provider, supply, clause, answer, setting, mark = problems
    assert mark == (f"reminder mark {first.key!r}: until is '2199-12-31' in the table but the "
                    f"trail last recorded '2099-01-01' (event {mark.split('(event ')[1]}")
    assert provider.startswith("provider 1: risk_tier is 'hihg' in the table but the trail ")
    assert supply.startswith("supply 1: contains_pi is 2 in the table but the trail last "
                             "recorded true")
    assert clause.startswith("agreement clause ") and "note is 'x'" in clause
    assert answer.startswith("checklist answer ") and "status is 'satisfied'" in answer
    assert setting.startswith("setting 'organisation_name': value is '\"Evil Models Ltd\"'")


def test_a_wiped_trail_on_a_register_that_holds_records_is_refused(
        engine: Engine, db_path: Path, filled: dict[str, int],
        capsys: pytest.CaptureFixture[str]) -> None:
    _raw(db_path, "DELETE FROM audit_event", "DELETE FROM audit_head")
    assert _chain_only(engine) == []  # "intact: 0 events", before
    [problem] = _problems(Register(engine))
    assert problem.startswith("audit trail: the register holds records (1 provider, 1 supply,")
    assert problem.endswith("but its audit trail is empty: the trail was wiped, or the records "
                            "were written without it")
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    assert "intact" not in capsys.readouterr().out


def test_an_empty_register_with_an_empty_trail_is_intact(register: Register) -> None:
    verdict = register.verify_audit()
    assert (verdict.events, verdict.records, verdict.problems) == (0, 0, [])


def test_a_table_rewritten_wholesale_is_listed_in_part_and_counted(
        engine: Engine, db_path: Path) -> None:
    with session_scope(engine) as session:
        for n in range(30):
            svc.providers.create(session=session, data={"legal_name": f"P{n}"}, actor="t")
    _raw(db_path, "UPDATE provider SET notes = 'rewritten'")
    problems = _problems(Register(engine))
    assert len(problems) == 21
    assert problems[-1] == "audit trail: ... and 10 more problems with provider records"


# --- the end of the trail cut off and the head patched: anchors kept elsewhere ---------------

def _cut_newest(path: Path, events: int) -> None:
    """Delete the newest events, put back what they changed, and copy the surviving hash
    and count into the head: a rewrite the chain, the head and the replay all accept."""
    with sqlite3.connect(path) as connection:
        connection.execute(f"DELETE FROM audit_event WHERE id > (SELECT max(id) - {events} "
                           "FROM audit_event)")
        connection.execute("UPDATE provider SET notes = NULL, version = 1")
        last_id, last_hash = connection.execute(
            "SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        connection.execute("UPDATE audit_head SET last_id = ?, last_hash = ?, count = count - ?",
                           (last_id, last_hash, events))
    connection.close()


def _three_notes(register: Register, provider_id: int) -> None:
    for n in range(3):
        register.update("provider", provider_id, {"notes": f"note {n}"},
                        expected_version=n + 1)


@pytest.mark.parametrize("where", ["xlsx", "csv", "json", "backup", "backups directory"])
def test_deleting_the_newest_events_and_fixing_the_head_fails_against_an_anchor(
        engine: Engine, db_path: Path, tmp_path: Path, filled: dict[str, int],
        where: str, capsys: pytest.CaptureFixture[str]) -> None:
    register = Register(engine)
    _three_notes(register, filled["provider"])
    count = register.verify_audit().events
    anchor: Path | None = None
    if where == "xlsx":
        anchor = register.export(tmp_path / "register.xlsx").path
    elif where == "csv":
        anchor = register.export(tmp_path / "register-csv", as_csv=True).path
    elif where == "json":
        anchor = tmp_path / "anchor.json"
        register.write_anchor(anchor)
    elif where == "backup":
        anchor = register.backup(tmp_path / "copy.sqlite")
    else:
        register.backup(None)  # into the default backups directory, searched by default
    _cut_newest(db_path, 3)
    assert _chain_only(engine) == []
    assert _problems(register, backups=tmp_path / "none") == []  # only an anchor shows it
    args = ["--db", str(db_path), "audit", "verify"] + (["--anchor", str(anchor)] if anchor
                                                         else [])
    assert main(args) == 1
    printed = capsys.readouterr().out
    assert "audit trail: the trail was cut or rewritten after " in printed
    assert f"says event {count} has hash " in printed
    assert f"but the trail holds only {count - 3} events" in printed


def test_an_anchor_from_before_the_cut_still_matches(engine: Engine, db_path: Path,
                                                     tmp_path: Path,
                                                     filled: dict[str, int]) -> None:
    """The anchor vouches for the trail up to its own event, not for what came after."""
    register = Register(engine)
    register.write_anchor(tmp_path / "anchor.json")
    _three_notes(register, filled["provider"])
    _cut_newest(db_path, 3)
    assert _problems(register, anchor_file=tmp_path / "anchor.json") == []


def test_a_rewritten_event_before_the_anchor_fails_against_it(engine: Engine,
                                                              tmp_path: Path,
                                                              filled: dict[str, int]) -> None:
    register = Register(engine)
    anchor = register.write_anchor(tmp_path / "anchor.json")
    register.change_setting("organisation_name", "Lumina")
    _rehash_from(engine, 2)  # rewrite event 2 and every later hash, and the head
    assert _problems(register, backups=tmp_path / "none") == []
    [problem] = _problems(register, anchor_file=tmp_path / "anchor.json")
    assert problem.startswith(f"event {anchor.count}: the trail was cut or rewritten after "
                              f"{anchor.at}: the anchor file anchor.json says event "
                              f"{anchor.count} has hash {anchor.hash[:16]}…, but the trail has ")


def _rehash_from(engine: Engine, first: int) -> None:
    """Change the actor of event ``first`` and recompute every hash from there and the head,
    as someone who knows how the chain is made would."""
    from sqlmodel import col, select

    from tracker.store.audit import event_hash
    from tracker.store.models import AuditEvent, AuditHead

    with session_scope(engine) as session:
        previous = None
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
            if previous is not None:
                event.prev_hash = previous
            if event.id == first:
                event.actor = "mallory"
            if event.id is not None and event.id >= first:
                event.hash = event_hash(event.prev_hash, event.at, event.actor,
                                        str(event.action.value), event.entity, event.entity_id,
                                        event.before, event.after)
            previous = event.hash
        head = session.get(AuditHead, 1)
        assert head is not None and previous is not None
        head.last_hash = previous
    assert _chain_only(engine) == []


def test_an_anchor_of_another_register_is_refused(engine: Engine, db_path: Path,
                                                  demo_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "audit", "verify", "--anchor", str(demo_path)]) == 2
    err = capsys.readouterr().err
    assert "holds no anchor of this register" in err and register_id_of(demo_path) in err


def test_the_anchor_file_is_private_and_not_written_over(engine: Engine, db_path: Path,
                                                         tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    target = tmp_path / "anchor.json"
    assert main(["--db", str(db_path), "audit", "anchor", "--out", str(target)]) == 0
    document = json.loads(target.read_text())
    assert document["register_id"] == register_id_of(db_path)
    assert (document["format"], document["count"]) == ("tracker-audit-anchor", 0)
    assert target.stat().st_mode & 0o777 == 0o600
    assert main(["--db", str(db_path), "audit", "anchor", "--out", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["--db", str(db_path), "audit", "anchor", "--out", str(target), "--force"]) == 0


# --- a backup copy is a register of its own -------------------------------------------------

def test_a_backup_gets_its_own_identity_and_keeps_the_origins_anchor(
        engine: Engine, db_path: Path, tmp_path: Path, filled: dict[str, int]) -> None:
    register = Register(engine)
    before = register.verify_audit().events
    copy = register.backup(tmp_path / "copy.sqlite")
    assert register_id_of(copy) != register_id_of(db_path)
    with sqlite3.connect(copy) as connection:
        [stored] = connection.execute(
            "SELECT value FROM setting WHERE key = 'copied_from'").fetchone()
        head_count = connection.execute("SELECT count FROM audit_head").fetchone()[0]
    connection.close()
    origin = json.loads(stored)
    assert (origin["register_id"], origin["count"]) == (register_id_of(db_path), before)
    assert origin["file"] == str(db_path.resolve())  # which file it is the anchor of
    assert head_count == before + 2  # its new identity and its origin, audited in the copy
    copied = open_register(f"sqlite:///{copy}")
    verdict = Register(copied).verify_audit(backups=tmp_path / "none")
    copied.dispose()
    assert verdict.problems == [] and verdict.events == before + 2
    assert register.verify_audit().problems == []  # the origin is untouched


def test_an_export_of_a_backup_cannot_overwrite_its_origin(engine: Engine, tmp_path: Path,
                                                           filled: dict[str, int]) -> None:
    register = Register(engine)
    copy = register.backup(tmp_path / "copy.sqlite")
    copied = open_register(f"sqlite:///{copy}")
    backup = Register(copied)
    backup.update("provider", filled["provider"], {"legal_name": "Renamed in the copy"},
                  expected_version=1)
    exported = backup.export(tmp_path / "from-copy.xlsx").path
    copied.dispose()
    rows, events = register_rows(engine), register.verify_audit().events
    report = register.import_file(exported, profile=None, order=None, dry_run=False)
    assert not report.written
    assert any("exported from another register" in p.reason for p in report.problems)
    assert register_rows(engine) == rows and register.verify_audit().events == events


# --- a backup of a plain copy is not this register's evidence; reading one changes nothing --

def _edit_note(path: Path, note: str) -> None:
    assert main(["--db", str(path), "edit", "provider", "3", f"notes={note}"]) == 0


@pytest.mark.parametrize("origin_moves_on", [True, False])
def test_a_backup_of_a_plain_copy_changed_on_its_own_is_a_note_not_a_break(
        demo_path: Path, tmp_path: Path, origin_moves_on: bool,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``cp`` makes a second file with the same identity; once it is changed, its trail and
    its backups' anchors go their own way from the fork. The origin is untouched: verify
    must pass (with a note naming the copy), and the copy verifies clean against its own
    backup. Named with --anchor, the same backup still fails: the person vouched for it."""
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(demo_path, copy)
    _edit_note(copy, "on copy")
    assert main(["--db", str(copy), "backup"]) == 0
    [backup] = backups_dir().glob("copy-*.sqlite")
    if origin_moves_on:
        _edit_note(demo_path, "on origin")  # the same event number, another hash
    capsys.readouterr()
    assert main(["--db", str(demo_path), "audit", "verify"]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith("audit trail intact: ")
    assert printed.err.startswith(f"note: the backup {backup.name} does not match this "
                                  "register's trail (it says event ")
    assert f"it is a backup of {copy.resolve()}, another file with this register's " \
        "identity" in printed.err
    assert f"tracker audit verify --anchor {backup}" in printed.err
    assert main(["--db", str(copy), "audit", "verify"]) == 0
    assert f"1 anchor(s) checked (the backup {backup.name})" in capsys.readouterr().out
    assert main(["--db", str(demo_path), "audit", "verify", "--anchor", str(backup)]) == 1
    printed = capsys.readouterr()
    assert "the trail was cut or rewritten after " in printed.out
    assert f"(a backup of {copy.resolve()})" in printed.out


def test_a_byte_copy_in_the_backups_directory_that_disagrees_is_a_note(
        engine: Engine, db_path: Path, tmp_path: Path, filled: dict[str, int],
        capsys: pytest.CaptureFixture[str]) -> None:
    """A byte copy (an old `tracker backup`, or `cp` into the folder) names no file it was
    taken of, so when it disagrees it cannot tell a cut trail from a diverged copy: a note,
    not a problem. The cut is still caught by a backup of this file and by --anchor."""
    register = Register(engine)
    _three_notes(register, filled["provider"])
    backups_dir().mkdir(parents=True)
    byte_copy = shutil.copyfile(db_path, backups_dir() / "by-hand.sqlite")
    _cut_newest(db_path, 3)
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith("audit trail intact: ")
    assert "either the trail was cut or rewritten after " in printed.err
    assert main(["--db", str(db_path), "audit", "verify", "--anchor", str(byte_copy)]) == 1
    # one more event, a `tracker backup`, and that event cut too: the backup names this
    # file, so it binds
    register.update("provider", filled["provider"], {"notes": "x"}, expected_version=1)
    register.backup(backups_dir() / "of-this-file.sqlite")
    _cut_newest(db_path, 1)
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    assert "the backup of-this-file.sqlite says event " in capsys.readouterr().out


def _folder(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_reading_backups_for_their_anchors_leaves_their_folder_as_it_was(
        engine: Engine, db_path: Path, filled: dict[str, int]) -> None:
    """A backup is WAL: an ordinary read-only reader creates its -shm and -wal beside it."""
    register = Register(engine)
    first = register.backup(backups_dir() / "first.sqlite")
    register.change_setting("organisation_name", "Lumina")
    register.backup(backups_dir() / "second.sqlite")
    before = _folder(backups_dir())
    assert sorted(before) == ["first.sqlite", "second.sqlite"]
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    assert main(["--db", str(db_path), "audit", "verify", "--anchor", str(first)]) == 0
    assert _folder(backups_dir()) == before


def test_a_backup_with_changes_still_in_its_wal_is_read_whole_and_left_as_it_was(
        engine: Engine, db_path: Path, filled: dict[str, int],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Someone has the backup open as a register: its newest change is only in its -wal.
    Reading the main file alone would miss it (and could read it half-checkpointed); it is
    read from a private copy with its -wal, and nothing beside it changes."""
    register = Register(engine)
    backup = register.backup(backups_dir() / "open.sqlite")
    count = register.verify_audit().events
    connection = sqlite3.connect(backup)
    try:
        stored = json.loads(connection.execute(
            "SELECT value FROM setting WHERE key = 'copied_from'").fetchone()[0])
        connection.execute("UPDATE setting SET value = ? WHERE key = 'copied_from'",
                           (json.dumps({**stored, "count": count + 5}),))
        connection.commit()
        assert Path(f"{backup}-wal").stat().st_size > 0  # the change is in the -wal only
        before = _folder(backups_dir())
        assert main(["--db", str(db_path), "audit", "verify"]) == 1
        assert (f"the backup open.sqlite says event {count + 5} has hash "
                in capsys.readouterr().out)
        assert _folder(backups_dir()) == before
    finally:
        connection.close()


# --- no false alarm on a register used as people use it -------------------------------------

def test_the_demo_verifies_clean(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(demo_path), "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("audit trail intact: ") and "records match" in out


def test_a_register_used_every_way_verifies_clean(engine: Engine, tmp_path: Path) -> None:
    """Form edits, archive and restore, an import and its second run, snoozes and
    completions, settings, an export edited and imported back, a restore into an empty
    register of both formats, and a backup: every record matches its trail."""
    import openpyxl

    register = Register(engine)
    register.import_file(SAMPLE, profile=None, order=None, dry_run=False)
    register.import_file(SAMPLE, profile=None, order=None, dry_run=False)
    with session_scope(engine) as session:
        ids = full_register(session)
    provider = register.get("provider", ids["provider"])
    register.update("provider", ids["provider"], {"notes": "checked", "risk_tier": "low"},
                    expected_version=int(provider.version))
    archived = register.archive("supply", ids["supply"], expected_version=1)
    register.restore("supply", ids["supply"], expected_version=int(archived.version))
    register.change_setting("organisation_name", "Lumina Models Ltd")
    register.change_setting("reminder_lead_days", "[60, 14]")
    register.change_setting("display_name.tester", "Test Er")
    reminders = [r for r in register.reminders(TODAY) if not r.is_review]
    register.snooze(reminders[0].uid, until=date(2099, 1, 1), reason="negotiating",
                    today=TODAY)
    register.complete(reminders[1].uid, today=TODAY, note="renewed")
    assert _problems(register) == []
    workbook = register.export(tmp_path / "register.xlsx").path
    book = openpyxl.load_workbook(workbook)
    sheet = book["Providers"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Notes") + 1).value = "edited in Excel"
    sheet.append([None, "Brand New Co", "DE"])
    book.save(tmp_path / "edited.xlsx")
    edited = register.import_file(tmp_path / "edited.xlsx", profile=None, order=None,
                                  dry_run=False)
    assert edited.written and not edited.problems
    csv_dir = register.export(tmp_path / "register-csv", as_csv=True).path
    register.backup(None)
    assert _problems(register) == []
    for source, name in ((workbook, "from-xlsx.sqlite"), (csv_dir, "from-csv.sqlite")):
        from tracker.store.migrate import create_register

        restored = create_register(f"sqlite:///{tmp_path / name}")
        report = Register(restored).import_file(source, profile=None, order=None,
                                                dry_run=False)
        assert report.written and not report.problems
        assert _problems(Register(restored), backups=tmp_path / "none") == []
        restored.dispose()


# --- PostgreSQL: its own types (booleans, dates, aware timestamps) give no false alarm ------

PG_URL = os.environ.get("TRACKER_TEST_PG_URL")


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Engine]:
    """An empty register on the test server, in this worker's own database (the one
    tests/test_postgres.py uses too: tests in one worker run one after another)."""
    from sqlalchemy import create_engine, make_url

    from tracker.store.migrate import create_register

    assert PG_URL is not None
    url = make_url(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = url.set(database=f"{url.database}_{worker}")
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": url.database}).first() is None:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    admin = create_engine(rendered)
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    admin.dispose()
    engine = create_register(rendered)
    yield engine
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(PG_URL is None, reason="no PostgreSQL server: scripts/dev.py test starts "
                                           "one (scripts/pg.py) where it can")
def test_the_replay_on_postgresql(pg: Engine, tmp_path: Path) -> None:
    with session_scope(pg) as session:
        full_register(session)  # every entity, a DPA's clauses among them
    register = Register(pg)
    register.import_file(SAMPLE, profile=None, order=None, dry_run=False)
    archived = register.archive("provider", 2, expected_version=1)
    register.restore("provider", 2, expected_version=int(archived.version))
    register.change_setting("organisation_name", "Lumina")
    exported = register.export(tmp_path / "register.xlsx").path
    assert register.verify_audit(exported).problems == []
    # Raw SQL is audited by the database's own trigger (issue 16): named, and replayed.
    with pg.begin() as connection:
        connection.execute(text("UPDATE provider SET notes = 'raw' WHERE id = 2"))
        connection.execute(text("UPDATE setting SET value = '\"Raw\"' "
                                "WHERE key = 'organisation_name'"))
    assert register.verify_audit().problems == []
    assert [e.actor for e in register.audit_log(limit=2)] == ["direct SQL (postgres)"] * 2
    # With the triggers switched off (only a superuser can), the replay still finds it.
    with pg.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text("UPDATE provider SET state_owned = NOT state_owned, "
                                "archived_at = now() WHERE id = 2"))
    problems = [str(p) for p in register.verify_audit().problems]
    assert [p.split(" is ")[0] for p in problems] == ["provider 2: state_owned",
                                                       "provider 2: archived_at"]
