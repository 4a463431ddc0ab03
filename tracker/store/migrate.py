"""Open a register at its newest schema (upgrading it after a backup), refuse what is not a
register this program can use, and create a new one on purpose (``tracker init``).
Alembic's scripts live in the top-level ``schema/``."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tracker import files
from tracker.errors import NoRegister, SchemaError, TrackerError
from tracker.resources import schema_dir
from tracker.store import sqlite
from tracker.store.engine import check_url, is_sqlite, make_engine, where

if TYPE_CHECKING:  # Alembic (~0.2 s to import) is imported only to create or upgrade a
    # register: opening one at head reads its revision with one query (``known_revisions``)
    from alembic.config import Config

# Shipped in the package (tracker.schema); Alembic needs it as a real folder.
SCHEMA_DIR = schema_dir()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCHEMA_DIR))
    config.attributes["engine"] = engine
    return config


def _upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


# A migration's identity as Alembic's script template writes it (schema/script.py.mako).
_REVISION_LINE = re.compile(r"^(down_revision|revision) = ['\"]?([^'\"\n]*?)['\"]?\s*$", re.M)


@cache
def known_revisions() -> tuple[str, ...]:
    """Every schema revision this program ships, oldest first, read from the migration
    files' ``revision`` and ``down_revision`` lines rather than through Alembic's script
    directory (which imports Alembic and every migration). The chain is linear; a test
    holds this to Alembic's own ``walk_revisions`` and head."""
    parent: dict[str, str | None] = {}
    for script in (SCHEMA_DIR / "versions").glob("*.py"):
        found: dict[str, str] = {m[1]: m[2] for m in
                                 _REVISION_LINE.finditer(script.read_text("utf-8"))}
        if "revision" in found:
            down = found.get("down_revision")
            parent[found["revision"]] = None if down in (None, "None") else down
    children = {down: rev for rev, down in parent.items()}
    chain: list[str] = []
    revision = children.get(None)
    while revision is not None:
        chain.append(revision)
        revision = children.get(revision)
    assert chain and len(chain) == len(parent), "schema/versions is not one linear chain"
    return tuple(chain)


def current_revision(engine: Engine) -> str | None:
    """The register's schema revision (Alembic's ``alembic_version`` row), or None."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:  # Alembic's branches: this program's history is one line
        raise SchemaError(
            f"{where(engine)} records {len(rows)} schema versions at once ("
            + ", ".join(sorted(str(r[0]) for r in rows)) + "): a branched history this "
            "program never writes; restore it from a backup or open it with the program "
            "that wrote it")
    return str(rows[0][0]) if rows else None


def head_revision(engine: Engine | None = None) -> str:
    """The newest schema revision this program ships (``engine``: kept for callers)."""
    return known_revisions()[-1]


def backup_before_upgrade(engine: Engine, url: str, revision: str) -> Path | None:
    path = sqlite.database_path(url)
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}.bak")
    sqlite.backup(engine, target)
    return target


# Tables every tracker register has held since its first schema: they tell a register whose
# schema version this program does not know (a newer tracker's) from another program's.
TRACKER_TABLES = frozenset({"provider", "setting", "audit_event", "audit_head"})


def open_register(url: str, on_upgrade: Callable[[str], None] | None = None, *,
                  read_only: bool = False) -> Engine:
    """An engine on the register at ``url``, at the newest schema; ``on_upgrade`` hears what
    was done. Never creates one (``create_register`` does): a missing file, an empty file
    or database, or another program's database is refused in one line.

    The register opens read-only when asked (``read_only``) or when it cannot be written
    (``sqlite.why_read_only``); a read-only register is never migrated, so one at an older
    schema is refused, saying so, rather than upgraded or read by the wrong schema.

    A SQLite register reached through a symlink is the file it points to: SQLite keeps its
    -wal and -shm beside that file, so the checks here look there too."""
    check_url(url)
    path = sqlite.database_path(url)
    why: str | None = None
    if path is not None:
        if path.is_symlink():
            path = path.resolve()
            url = make_url(url).set(database=str(path)).render_as_string(
                hide_password=False)
        sqlite.check_register_file(path)
        if not sqlite.has_pending_wal(path):  # else its tables may all be in the -wal yet
            # Looked at before the first real connection, which would switch the file to
            # WAL: a file that is not a register is refused without being written.
            _refuse_unless_register(str(path), sqlite.table_names(path), file=True)
        why = sqlite.why_read_only(path)
    if why is None and read_only:
        why = "opened read-only"
    engine = make_engine(url, read_only=why)
    try:
        before = _usable_revision(engine)
        head = head_revision(engine)
        if before != head:
            if why is not None:
                raise SchemaError(
                    f"the register at {where(engine)} has schema {before}, older than this "
                    f"program's {head}, and cannot be upgraded read-only ({why}); open a "
                    "writable copy once to upgrade it")
            try:
                backup = upgrade_register(engine, url)
            except DBAPIError as err:  # issue 16 team: a login that does not own the tables
                if engine.dialect.name != "postgresql" or "permission denied" not in \
                        str(err.orig) and "must be owner" not in str(err.orig):
                    raise
                raise SchemaError(
                    f"the register at {where(engine)} has schema {before}, older than this "
                    f"program's {head}, and this login may not upgrade it: its owner runs "
                    "`tracker team init` (or any tracker command) once to upgrade it") from None
            if on_upgrade is not None:
                on_upgrade(f"upgraded the register's schema from {before} to {head}"
                           + (f"; the old file was copied to {backup}" if backup else ""))
    except BaseException:
        engine.dispose()
        raise
    return engine


def _refuse_unless_register(where: str, tables: set[str], *, file: bool) -> None:
    """Refuse, saying what it is, a database whose tables are not a tracker register's."""
    if not tables:
        if not file:
            raise NoRegister(where)
        raise SchemaError(f"{where} is an empty SQLite database, not a tracker register")
    if "alembic_version" not in tables:
        raise SchemaError(f"{where} holds tables but no tracker schema version: it is not a "
                          "tracker register")
    if not TRACKER_TABLES <= tables:
        raise SchemaError(f"{where} holds another program's tables: it is not a tracker "
                          "register")


def _usable_revision(engine: Engine) -> str:
    """The schema revision of a database that holds a register this program can use (at
    head or older); anything else is refused with what it is."""
    if engine.dialect.name == "postgresql":  # issue 16 team
        with engine.connect() as connection:
            login, usable = connection.execute(text(
                "SELECT session_user, has_schema_privilege(current_schema(), 'USAGE')")).one()
        if not usable:  # its tables are hidden from it: not "no register"
            raise TrackerError(f"no access: the database login {login} may not read the "
                               f"register at {where(engine)} (it holds no tracker role there);"
                               " a tracker admin grants one with `tracker team grant`")
    _refuse_unless_register(where(engine), set(inspect(engine).get_table_names()),
                            file=sqlite.database_path(str(engine.url)) is not None)
    current = current_revision(engine)
    if current is None:
        raise SchemaError(f"{where(engine)} holds tables but no tracker schema version: "
                          "it is not a tracker register")
    if current not in known_revisions():
        raise SchemaError(
            f"this register has schema {current}, which is newer than this program "
            f"(it knows up to {head_revision(engine)}); install a newer tracker to open it")
    return current


def _holds_register(path: Path) -> bool:
    """Whether the SQLite file at ``path`` holds a tracker register, of any schema."""
    try:
        sqlite.check_register_file(path)
        return TRACKER_TABLES <= sqlite.table_names(path)
    except (TrackerError, OSError, sqlite3.Error):
        return False


def upgrade_register(engine: Engine, url: str) -> Path | None:
    """Bring an existing register's schema to head (``open_register`` checked that it is
    one this program can upgrade); returns the backup made first, if any."""
    current = current_revision(engine)
    if current is None or current == head_revision(engine):
        return None
    backup = backup_before_upgrade(engine, url, current)
    _upgrade_to_head(engine)
    _cover_every_table(engine)
    return backup


def _cover_every_table(engine: Engine) -> None:
    """issue 16 team: on PostgreSQL, a table a migration after 0009 added gets the audit
    triggers (migration 0009 installed them on the tables there were), and on a team
    register its grants, like the others."""
    if engine.dialect.name != "postgresql":
        return
    from tracker.store import team

    with engine.begin() as connection:
        team.install_audit(connection)
        if team.is_team_register(connection):
            team.grant_privileges(connection)


def create_register(url: str, *, fill: Callable[[Engine], None] | None = None) -> Engine:
    """A new register at ``url``, migrated to head, then given its first records by
    ``fill`` (the demo's); an engine on it.

    A SQLite register is built whole in a private temporary file beside its name and takes
    the name only when complete (tracker/files.py), so a kill leaves no half-made register
    and an existing file is never written into. A PostgreSQL database must be empty."""
    check_url(url)
    path = sqlite.database_path(url)
    if path is None:
        engine = make_engine(url)
        try:
            tables = inspect(engine).get_table_names()
            if tables:
                raise SchemaError(
                    f"{where(engine)} already holds "
                    + ("a register" if current_revision(engine) else "other tables")
                    + "; `tracker init` creates a new register only, nothing was changed")
            _upgrade_to_head(engine)
            _cover_every_table(engine)
            if fill is not None:
                fill(engine)
        except BaseException:
            engine.dispose()
            raise
        return engine
    if os.path.lexists(path):
        what = "a register" if _holds_register(path) else "a file that is not a register"
        raise SchemaError(f"there is already {what} at {path}; `tracker init` creates a new "
                          "register only, nothing was changed")
    try:
        with files.replacing(path, companions=files.SQLITE_COMPANIONS) as temporary:
            building = make_engine(f"sqlite:///{temporary}")
            try:
                _upgrade_to_head(building)
                if fill is not None:
                    fill(building)
            finally:
                building.dispose()  # the last connection checkpoints the -wal into the file
    except files.TargetExists:
        raise SchemaError(f"{path} was created by someone else meanwhile; nothing was "
                          "changed") from None
    return open_register(url)


__all__ = ["open_register", "create_register", "upgrade_register", "current_revision",
           "head_revision", "is_sqlite"]
