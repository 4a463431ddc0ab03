"""Engine creation from a URL. SQLite gets its pragmas from ``store.sqlite``; any other
backend (PostgreSQL) is used as SQLAlchemy gives it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from tracker.store import sqlite


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a missing SQLite file is created readable by its owner only."""
    if is_sqlite(url):
        path = sqlite.database_path(url)
        if path is not None and not path.exists():
            sqlite.create_private_file(path)
        engine = create_engine(url, poolclass=NullPool,
                               connect_args={"check_same_thread": False})
        sqlite.configure(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back whole on any error.

    ``write=True`` takes SQLite's write lock at BEGIN, so the version check and the write
    that follows it cannot interleave with another program's; use ``write=False`` for reads.
    """
    bind = engine.execution_options(**{sqlite.WRITE_OPTION: True}) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
