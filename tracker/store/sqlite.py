"""Everything that only SQLite needs, in one place, so the rest runs on PostgreSQL too.

Why each pragma: WAL lets the TUI read while an import writes; synchronous=NORMAL is safe
under WAL and 32x faster for single-row commits (MEASURED.md); foreign keys are off by
default in SQLite and must be switched on per connection; the busy timeout makes a second
writer wait instead of failing at once. Write transactions begin IMMEDIATE so two writers
serialize at BEGIN rather than failing half-way on a lock upgrade; reads begin
deferred and never wait for a writer (WAL).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, make_url

BUSY_TIMEOUT_MS = 10_000
# Execution option set by ``session_scope(write=True)``.
WRITE_OPTION = "tracker_write"


def database_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (SQLite gives the -wal and
    -shm files the same mode), before SQLite would create it with the umask's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def configure(engine: Engine) -> None:
    """Install the per-connection pragmas and the IMMEDIATE transaction start."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Reads begin deferred, so a backup or a screen refresh never waits on a writer.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another name")
    create_private_file(target)
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        raw.close()
