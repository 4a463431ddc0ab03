"""Storage: migrations, file safety, SQLite settings, integrity and backups."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from tracker.app import pipeline as svc
from tracker.cli import main
from tracker.errors import SchemaError
from tracker.store import sqlite
from tracker.store.engine import make_engine, session_scope
from tracker.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    known_revisions,
    open_register,
)

from .helpers import full_register


def test_new_register_is_at_head_and_matches_the_models(fresh_engine: Engine) -> None:
    assert current_revision(fresh_engine) == head_revision(fresh_engine)
    with fresh_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_the_revisions_read_from_the_migration_files_are_alembics(engine: Engine) -> None:
    """Opening a register compares its revision with the head read from schema/versions'
    own lines, without Alembic: that reading must give Alembic's chain and head exactly,
    or a register would be upgraded, or refused, by the wrong schema."""
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert known_revisions() == tuple(reversed(
        [s.revision for s in scripts.walk_revisions()]))
    assert head_revision(engine) == scripts.get_current_head()


def test_opening_a_register_at_head_imports_no_alembic(engine: Engine, db_path: Path) -> None:
    """Alembic costs ~0.2 s of every command's start: a register already at head is opened
    (its revision checked) without importing it."""
    engine.dispose()
    code = ("import sys; from tracker.store.migrate import open_register; "
            f"open_register({f'sqlite:///{db_path}'!r}).dispose(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_register_file_is_private_and_in_wal_mode(fresh_engine: Engine, db_path: Path) -> None:
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    with fresh_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_database_refuses_orphans_even_from_raw_sql(engine: Engine) -> None:
    with session_scope(engine) as session:
        ids = full_register(session)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("DELETE FROM provider WHERE id = :id"),
                           {"id": ids["provider"]})


def test_older_register_is_upgraded_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    sqlite.create_private_file(path)
    old = make_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(old), "0001")
    with old.begin() as connection:
        connection.execute(text(
            "INSERT INTO provider (legal_name, state_owned, foreign_state_access, status, is_ciio,"
            " handles_important_data, version, created_at, updated_at) VALUES"
            " ('MÜLLER Daten GmbH', 0, 0, 'active', 0, 0, 1, '2025-01-01', '2025-01-01')"))
    old.dispose()
    messages: list[str] = []
    engine = open_register(f"sqlite:///{path}", on_upgrade=messages.append)
    try:
        assert current_revision(engine) == head_revision(engine)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT search_name FROM provider")).scalar() == \
                "müller daten gmbh"
    finally:
        engine.dispose()
    [backup] = list(tmp_path.glob("old.sqlite.before-upgrade-0001-*.bak"))
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT legal_name FROM provider").fetchone() == (
            "MÜLLER Daten GmbH",)
    assert f"from 0001 to {head_revision(engine)}" in messages[0]
    assert str(backup) in messages[0]


def test_newer_register_is_refused(engine: Engine, db_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    with pytest.raises(SchemaError, match="newer than this program"):
        open_register(f"sqlite:///{db_path}")
    assert main(["--db", str(db_path), "info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tracker: this register has schema 0999") and "Traceback" not in err


def test_a_database_that_is_not_a_register_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(SchemaError, match="not a tracker register"):
        open_register(f"sqlite:///{path}")


def test_a_file_that_is_not_a_database_gets_one_line(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"these are not the pages you are looking for" * 100)
    assert main(["--db", str(path), "info"]) == 2
    err = capsys.readouterr().err
    assert err == f"tracker: {path} is not a tracker register (it is not a SQLite database)\n"


def test_backup_is_consistent_while_another_writer_is_mid_transaction(
        engine: Engine, db_path: Path, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        full_register(session)
    target = tmp_path / "copy.sqlite"
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE provider SET notes = 'uncommitted'")
    try:
        assert main(["--db", str(db_path), "backup", "--to", str(target)]) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    restored = open_register(f"sqlite:///{target}")
    try:
        with session_scope(restored) as session:
            [provider] = svc.providers.list(session=session)
            assert provider.notes is None
            assert len(svc.agreements.list(session=session)) == 1
    finally:
        restored.dispose()
    assert main(["--db", str(db_path), "backup", "--to", str(target)]) == 2


@pytest.mark.parametrize(("write", "other_writer_blocked"), [(True, True), (False, False)])
def test_write_sessions_take_the_lock_at_begin_and_reads_do_not(
        engine: Engine, db_path: Path, write: bool, other_writer_blocked: bool) -> None:
    with session_scope(engine, write=write) as session:
        session.exec(text("SELECT count(*) FROM provider"))  # type: ignore[call-overload]
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            if other_writer_blocked:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            else:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
        finally:
            other.close()


def test_a_register_with_two_schema_versions_is_refused_as_branched(engine: Engine,
                                                                     db_path: Path) -> None:
    """Alembic can record two heads at once; this program's history is one line, so such a
    register is refused in its own words, not called "not a tracker register"."""
    engine.dispose()
    with sqlite3.connect(db_path) as connection:
        connection.execute("INSERT INTO alembic_version VALUES ('0010')")
    connection.close()
    with pytest.raises(SchemaError, match=r"records 2 schema versions at once \(0010, "
                                          r"\w+\): a branched history"):
        open_register(f"sqlite:///{db_path}")
