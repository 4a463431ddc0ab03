"""Team mode on PostgreSQL, as the ``tracker team`` commands use it: set a register up for
several people (schema, audit triggers, the three roles and their grants), give a login a
role, list who holds what. The SQL and why it is so: ``tracker.store.team``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError

from tracker.errors import TrackerError
from tracker.store import team
from tracker.store.engine import is_sqlite, where
from tracker.store.migrate import create_register, open_register
from tracker.store.team import Access, Member


@dataclass(frozen=True, slots=True)
class TeamSetup:
    location: str
    created: bool  # a new register, or an existing one set up (again)
    tables: list[str]  # the business tables the triggers and grants cover
    owner: str


def _postgres_only(url: str) -> None:
    if is_sqlite(url):
        raise TrackerError("team mode needs a PostgreSQL register (--db "
                           "postgresql+psycopg://…): a SQLite file has no logins or roles; "
                           "its readers are whoever can open the file")


def init_team(url: str, on_upgrade: Callable[[str], None] | None = None) -> TeamSetup:
    """Create the register at ``url`` by the migrations if the database is empty (or
    upgrade the one there), then install the audit triggers on every business table and
    the roles with their grants. Run by the database owner; running it again changes
    nothing but what is missing (a table a later migration added)."""
    _postgres_only(url)
    from tracker.store.engine import make_engine

    probe = make_engine(url)
    try:
        empty = not inspect(probe).get_table_names()
    finally:
        probe.dispose()
    engine = create_register(url) if empty else open_register(url, on_upgrade=on_upgrade)
    try:
        with engine.begin() as connection:
            tables = team.install_audit(connection)
            owner = team.session_login(connection)
        _with_retry(engine, team.create_group_roles)
        with engine.begin() as connection:
            team.grant_privileges(connection)
        return TeamSetup(where(engine), empty, tables, owner)
    except DBAPIError as err:
        if team.permission_denied(err) is not None or "must be owner" in str(err.orig):
            raise TrackerError(f"team init must be run by the database's owner (or a login "
                               f"with CREATEROLE that owns the register's tables): "
                               f"{str(err.orig).splitlines()[0]}") from None
        raise
    finally:
        engine.dispose()


def _with_retry(engine: Engine, step: Callable[..., None], attempts: int = 5) -> None:
    """Role changes are cluster-wide catalog writes: two registers on one server set up
    at once may collide ("tuple concurrently updated"); the second simply tries again."""
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                step(connection)
            return
        except DBAPIError as err:
            if attempt == attempts - 1 or "concurrently" not in str(err.orig):
                raise
            time.sleep(0.1 * (attempt + 1))


def _team_engine(url: str) -> Engine:
    _postgres_only(url)
    engine = open_register(url)
    with engine.connect() as connection:
        if not team.is_team_register(connection):
            engine.dispose()
            raise TrackerError(f"{where(engine)} is not set up for a team yet; its owner runs "
                               "`tracker team init` first")
    return engine


def grant(url: str, login: str, role: str, *, create: bool = False,
          password: str | None = None) -> str:
    """Give ``login`` exactly the tracker role ``role`` (see ``store.team.grant_login``)."""
    engine = _team_engine(url)
    try:
        with engine.begin() as connection:
            return team.grant_login(connection, login, role, create=create, password=password)
    except DBAPIError as err:
        if team.permission_denied(err) is not None:
            raise TrackerError(f"cannot grant roles as this login: "
                               f"{str(err.orig).splitlines()[0]} (a tracker admin or the "
                               "database owner grants roles; creating a login needs "
                               "CREATEROLE)") from None
        raise
    finally:
        engine.dispose()


def revoke(url: str, login: str) -> bool:
    engine = _team_engine(url)
    try:
        with engine.begin() as connection:
            return team.revoke_login(connection, login)
    finally:
        engine.dispose()


def members(url: str) -> list[Member]:
    engine = _team_engine(url)
    try:
        with engine.connect() as connection:
            return team.members(connection)
    finally:
        engine.dispose()


def roles() -> list[tuple[str, str, str]]:
    """(name, group role, what it may do) of each tracker role."""
    return list(team.iter_roles())


def access_of(engine: Engine) -> Access | None:
    """What the login behind ``engine`` may do, as the server says; None on SQLite (whoever
    can open the file may do anything the file's permissions allow)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return team.access(connection)


def explain_refusal(err: BaseException) -> str | None:
    """One line for a refusal of the server that reached no session (the connection
    itself, a read while opening), or None when ``err`` is not one."""
    detail = str(getattr(err, "orig", err))
    if "CONNECT privilege" in detail or "permission denied for database" in detail:
        return ("no access: PostgreSQL refused this login the register's database (it holds "
                "no tracker role there); a tracker admin grants one with `tracker team "
                "grant LOGIN viewer|editor|admin`")
    if isinstance(err, DBAPIError) and team.permission_denied(err) is not None:
        return str(team.refusal(err, None, write=False))
    return None
