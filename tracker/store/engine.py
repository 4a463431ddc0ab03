"""Engine creation from a URL. SQLite gets its pragmas from ``store.sqlite``; any other
backend (PostgreSQL) is used as SQLAlchemy gives it.

An engine never creates a database: a register is created once, on purpose, by
``store.migrate.create_register`` (``tracker init``). An engine on a register that must not be
written carries the reason (``read_only_reason``), and every write transaction is refused
with it before it begins (``session_scope``): one check for every door."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from tracker.errors import ReadOnlyRegister, TrackerError
from tracker.store import sqlite, team

# Execution option that holds why an engine's register is read-only (absent: writable).
READ_ONLY_OPTION = "tracker_read_only"


# The PostgreSQL advisory lock a program's write transaction holds (issue 16 team): any
# fixed number, the same for every tracker ("trak" in ASCII).
WRITE_LOCK_KEY = 0x7472616B

# The backends a register can live on; any other URL is a person's mistake, not a bug.
BACKENDS = frozenset({"sqlite", "postgresql"})


def check_url(url: str) -> None:
    """Refuse, in one line, a URL this program cannot open a register at: one SQLAlchemy
    cannot read, of another backend (``bogus://``, ``mysql://``), or naming a driver that
    is not installed. Its password is never shown."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        scheme = url.partition("://")[0]
        raise TrackerError(f"cannot use {scheme}://…: not a SQLite file or a PostgreSQL "
                           "URL") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in BACKENDS:
        raise TrackerError(f"cannot use {shown}: not a SQLite file or a PostgreSQL URL")
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError):
        raise TrackerError(f"cannot use {shown}: its driver {parsed.get_driver_name()!r} "
                           "is not installed") from None


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, read_only: str | None = None) -> Engine:
    """An engine for ``url``, read-only when ``read_only`` says why. A SQLite file must
    exist: it is opened by URI (``sqlite.connector``), never created."""
    check_url(url)
    options: dict[str, Any] = {READ_ONLY_OPTION: read_only} if read_only else {}
    if is_sqlite(url):
        path = sqlite.database_path(url)
        extra: dict[str, Any] = {}
        if path is not None:
            extra["creator"] = sqlite.connector(path, read_only=read_only is not None)
        engine = create_engine(url, poolclass=NullPool, execution_options=options,
                               connect_args={"check_same_thread": False}, **extra)
        sqlite.configure(engine, read_only=read_only is not None)
        return engine
    # PostgreSQL: the server refuses writes too, whatever a caller does.
    connect_args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
    return create_engine(url, pool_pre_ping=True, execution_options=options,
                         connect_args=connect_args)


def where(engine: Engine) -> str:
    """The register as a person names it: its file, or its URL without the password."""
    path = sqlite.database_path(str(engine.url))
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def read_only_reason(engine: Engine) -> str | None:
    """Why the register behind ``engine`` may not be written, or None when it may."""
    reason = engine.get_execution_options().get(READ_ONLY_OPTION)
    return str(reason) if reason else None


def ensure_writable(engine: Engine) -> None:
    """Refuse a write on a read-only register, in one line, before anything is done."""
    reason = read_only_reason(engine)
    if reason is not None:
        raise ReadOnlyRegister(where(engine), reason)


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back whole on any error.

    ``write=True`` takes SQLite's write lock at BEGIN, so the version check and the write
    that follows it cannot interleave with another program's; use ``write=False`` for reads.
    A write on a read-only register is refused here, before the transaction begins.
    """
    if write:
        ensure_writable(engine)
    bind = engine.execution_options(**{sqlite.WRITE_OPTION: True}) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            if write and engine.dialect.name == "postgresql":
                # issue 16 team: one writer of the program at a time per register, as
                # SQLite's write lock gives: an import started while someone saves waits
                # for the save and then reads what it wrote (the rebase sees it), and a
                # save after an import finds the new version (a located conflict). Any
                # login may take it; psql writers are serialised by row locks and the
                # audit head's lock instead.
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                {"key": WRITE_LOCK_KEY})
            yield session
            session.commit()
        except DBAPIError as err:
            session.rollback()
            if team.permission_denied(err) is None:
                raise
            # PostgreSQL refused a privilege the login lacks (tracker.store.team): one line
            # naming the login and what it may not do, not a driver's traceback.
            try:
                login: str | None = team.session_login(session.connection())
            except DBAPIError:
                login = None
            raise team.refusal(err, login, write=write) from None
        except BaseException:
            session.rollback()
            raise
