"""Open a register at its newest schema: create it, upgrade it (after a backup), or refuse
one written by a newer program. Alembic's scripts live in the top-level ``schema/``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from tracker.errors import SchemaError
from tracker.resources import schema_dir
from tracker.store import sqlite
from tracker.store.engine import is_sqlite, make_engine

# Shipped in the package (tracker.schema); Alembic needs it as a real folder.
SCHEMA_DIR = schema_dir()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCHEMA_DIR))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None, "schema/versions holds no migration"
    return head


def backup_before_upgrade(engine: Engine, url: str, revision: str) -> Path | None:
    path = sqlite.database_path(url)
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}.bak")
    sqlite.backup(engine, target)
    return target


def open_register(url: str, on_upgrade: Callable[[str], None] | None = None) -> Engine:
    """An engine on a register at the newest schema; ``on_upgrade`` hears what was done."""
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        backup = upgrade_register(engine, url)
        if on_upgrade is not None and before is not None and before != head_revision(engine):
            on_upgrade(f"upgraded the register's schema from {before} to "
                       f"{head_revision(engine)}; the old file was copied to {backup}")
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_register(engine: Engine, url: str) -> Path | None:
    """Bring the schema to head; returns the backup made first, if any."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = head_revision(engine)
    current = current_revision(engine)
    if current == head:
        return None
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise SchemaError(
            f"this register has schema {current}, which is newer than this program "
            f"(it knows up to {head}); install a newer tracker to open it")
    if current is None and inspect(engine).get_table_names():
        raise SchemaError("this database holds tables but no tracker schema version: "
                          "it is not a tracker register")
    backup = backup_before_upgrade(engine, url, current) if current is not None else None
    command.upgrade(alembic_config(engine), "head")
    return backup


__all__ = ["open_register", "upgrade_register", "current_revision", "head_revision",
           "is_sqlite"]
