"""Everything that only SQLite needs, in one place, so the rest runs on PostgreSQL too.

Why each pragma: WAL lets the TUI read while an import writes; synchronous=NORMAL is safe
under WAL and 32x faster for single-row commits (MEASURED.md); foreign keys are off by
default in SQLite and must be switched on per connection; the busy timeout makes a second
writer wait instead of failing at once. Write transactions begin IMMEDIATE so two writers
serialize at BEGIN rather than failing half-way on a lock upgrade; reads begin
deferred and never wait for a writer (WAL).

Connections are opened by URI, never by SQLite's default "open or create": ``mode=rw`` for a
register that may be written (a missing file is an error, not a new empty register), and
``mode=ro`` for one that may not (``connector``, ``why_read_only``).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, make_url

from tracker import files
from tracker.errors import NoRegister, SchemaError, TrackerError

BUSY_TIMEOUT_MS = 10_000
# Execution option set by ``session_scope(write=True)``.
WRITE_OPTION = "tracker_write"


def database_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_register_file(path: Path) -> None:
    """Refuse, in one line, a path that cannot hold a register: a missing file (SQLite would
    create it), a folder, an empty file (SQLite would read it as a new database and the
    migrations would write a register into it) or a file that is not a SQLite database."""
    if not path.exists():
        raise NoRegister(str(path))
    if path.is_dir():
        raise SchemaError(f"{path} is a folder, not a tracker register")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if not header and not has_pending_wal(path):
        # (A new WAL database's pages can all still be in its -wal: that one is a database.)
        raise SchemaError(f"{path} is an empty file, not a tracker register")
    if header and header != SQLITE_HEADER:
        raise SchemaError(f"{path} is not a tracker register (it is not a SQLite database)")


def why_read_only(path: Path) -> str | None:
    """Why the register file at ``path`` cannot be written here, or None when it can.

    A file without write permission bits counts as read-only even for root, who could write
    it: someone made it so on purpose (an auditor's copy). A writable file in a folder that
    cannot take new files is read-only too: a WAL database's writer must create its -wal and
    -shm files, unless both are already there and writable."""
    if _on_read_only_media(path):
        return "it is on a read-only file system"
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o222:
        return f"file mode {mode:04o}"
    if not os.access(path, os.W_OK):
        return "no write permission on the file"
    if not _folder_takes_new_files(path) and not all(
            os.access(f"{path}{suffix}", os.W_OK) for suffix in ("-wal", "-shm")):
        return "its folder is read-only, so SQLite cannot create its -wal and -shm files"
    return None


def connector(path: Path, *, read_only: bool) -> Callable[[], sqlite3.Connection]:
    """How to connect to the register file at ``path``, which must exist.

    Read-write is ``mode=rw``, which never creates a missing file. Read-only is ``mode=ro``,
    plus ``immutable=1`` when the file cannot be written here (``why_read_only``), so
    nobody can be changing it. Why: a reader of a WAL database needs its -shm and -wal
    files and creates them when missing; since SQLite 3.22 a read-only connection opens a
    WAL database only if those files exist or can be created, or if it is immutable
    (sqlite.org/wal.html#readonly, walformat.html). On read-only media or in a read-only
    folder they cannot be created; beside a file of mode 0444 they would be left behind
    with its mode, in the way of the next writer. Immutable reads the main file alone,
    without locks or -wal. A -wal that still holds changes (a writer was killed) must not
    be left out silently: it is read the ordinary way, which needs its -shm, and refused
    when that cannot be had. An ordinary file opened read-only on request (``--read-only``)
    is read the ordinary way too: someone may be writing it while it is read."""
    uri = path.absolute().as_uri()  # percent-encodes ?, # and % in the name
    if not read_only:
        uri += "?mode=rw"
    else:
        uri += "?mode=ro"
        if why_read_only(path) is not None:
            if not has_pending_wal(path):
                uri += "&immutable=1"
            elif not (_folder_takes_new_files(path) or Path(f"{path}-shm").exists()):
                raise TrackerError(
                    f"{path} cannot be read here: {path.name}-wal beside it holds changes "
                    f"not yet written into it, and SQLite cannot create the {path.name}-shm "
                    "it needs to read them where nothing can be created; copy the register "
                    "with its -wal file to a writable folder")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return connect


def table_names(path: Path) -> set[str]:
    """The tables of the SQLite file at ``path``, read without a lock and without creating
    its -wal or -shm files (``immutable``): a look, not a use, that writes nothing."""
    uri = f"{path.absolute().as_uri()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            return {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise SchemaError(f"{path} is not a tracker register ({err})") from None


def has_pending_wal(path: Path) -> bool:
    """Whether the -wal beside ``path`` holds pages, which may not be in the file yet."""
    return _size(Path(f"{path}-wal")) > 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _on_read_only_media(path: Path) -> bool:
    if not hasattr(os, "statvfs"):  # pragma: no cover - Windows
        return False
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def _folder_takes_new_files(path: Path) -> bool:
    folder = path.absolute().parent
    return not _on_read_only_media(folder) and os.access(folder, os.W_OK | os.X_OK)


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (SQLite gives the -wal and
    -shm files the same mode), before SQLite would create it with the umask's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def configure(engine: Engine, *, read_only: bool = False) -> None:
    """Install the per-connection pragmas and the IMMEDIATE transaction start. A read-only
    connection keeps the file's journal mode (changing it is a write) and is also
    ``query_only``, so even raw SQL cannot change it."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Reads begin deferred, so a backup or a screen refresh never waits on a writer.
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def backup(engine: Engine, target: Path, *, force: bool = False,
           prepare: Callable[[sqlite3.Connection], None] | None = None) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write.

    The copy is made in a private temporary file beside ``target`` and takes the target's
    name only when complete and fsynced (tracker/files.py): a kill or a full disk never
    leaves a partial register under the backup's name. Without ``force`` an existing target
    is refused; with it the target is replaced (a symlink itself, never what it points to),
    but never by the register being copied. ``prepare`` is called with the open copy after
    the pages are copied and before it is closed and put in place, to mark the copy as one
    (its own identity, an audit anchor); what it writes is committed with the copy."""
    source_path = database_path(str(engine.url))
    if source_path is not None and _same_file(source_path, target):
        raise TrackerError(f"{target} is the register being copied; choose another name")
    with files.replacing(target, force=force, companions=files.SQLITE_COMPANIONS) as temporary:
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            destination = sqlite3.connect(temporary)
            try:
                source.backup(destination)
                if prepare is not None:
                    prepare(destination)
                    destination.commit()
            finally:
                destination.close()  # checkpoints and removes the copy's -wal, if any
        except sqlite3.Error as err:
            if getattr(err, "sqlite_errorcode", None) == SQLITE_FULL:
                raise OSError(errno.ENOSPC, "database or disk is full", str(target)) from err
            raise
        finally:
            raw.close()


SQLITE_FULL = 13  # "database or disk is full": the sqlite3 module does not name it


def _same_file(register: Path, target: Path) -> bool:
    names = {register.resolve(), *(Path(f"{register}{s}").resolve()
                                   for s in files.SQLITE_COMPANIONS)}
    return target.resolve() in names or (target.exists() and register.exists()
                                         and os.path.samefile(register, target))
