"""The same register on PostgreSQL: migrations, services, integrity, audit, import and
reminders, against a real server that `python3 scripts/dev.py test` starts (scripts/pg.py).
Skipped, with the reason, where no server could be started."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import SQLModel

from tracker.app import pipeline as svc
from tracker.app.demo import build_demo
from tracker.app.imports import run_import
from tracker.app.register import Register
from tracker.app.reminders import current_reminders
from tracker.cli import main
from tracker.errors import IntegrityRefused, StaleVersion
from tracker.store.audit import verify_chain
from tracker.store.engine import session_scope
from tracker.store.migrate import (
    create_register,
    current_revision,
    head_revision,
    open_register,
)

from .conftest import TODAY
from .helpers import full_register, register_rows, sheet_data

PG_URL = os.environ.get("TRACKER_TEST_PG_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(PG_URL is None, reason="no PostgreSQL server: scripts/dev.py test "
                                              "starts one (scripts/pg.py) where it can"),
]
SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The server's database, or under pytest-xdist one database per worker on the same
    server (tracker_gw0, tracker_gw1, ...), so workers never share a schema."""
    assert PG_URL is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return PG_URL
    url = make_url(PG_URL)
    name = f"{url.database}_{worker}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": name}).first() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def empty_pg(pg_url: str) -> str:
    """The worker's database with nothing in it: no register."""
    admin = create_engine(pg_url)
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    admin.dispose()
    return pg_url


@pytest.fixture
def pg(empty_pg: str) -> Iterator[Engine]:
    engine = create_register(empty_pg)
    yield engine
    engine.dispose()


def test_migrations_reach_head_and_match_the_models(pg: Engine) -> None:
    assert current_revision(pg) == head_revision(pg)
    with pg.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_services_integrity_and_the_audit_chain(pg: Engine) -> None:
    with session_scope(pg) as session:
        ids = full_register(session)
    with pytest.raises(IntegrityRefused), session_scope(pg) as session:
        svc.providers.delete(session=session, record_id=ids["provider"], expected_version=1,
                             actor="t")
    with pytest.raises(IntegrityError), pg.begin() as connection:
        connection.execute(text("DELETE FROM provider"))
    register = Register(pg)
    register.update("provider", ids["provider"], {"notes": "first"}, expected_version=1)
    with pytest.raises(StaleVersion):
        register.update("provider", ids["provider"], {"notes": "second"}, expected_version=1)
    with session_scope(pg, write=False) as session:
        checked, problems = verify_chain(session)
    assert checked > 10 and problems == []
    with pg.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = 3"))
    with session_scope(pg, write=False) as session:
        assert any("event 3" in str(p) for p in verify_chain(session)[1])


def test_import_is_idempotent(pg: Engine) -> None:
    first = run_import(pg, SAMPLE, profile=None, order=None, dry_run=False)
    assert first.written and first.counts["provider"].new == 6
    again = run_import(pg, SAMPLE, profile=None, order=None, dry_run=False)
    assert not again.written and again.counts["agreement"].unchanged == 5
    with session_scope(pg, write=False) as session:
        assert verify_chain(session)[1] == []


def test_reminders_match_the_sqlite_register(pg: Engine, demo_path: Path) -> None:
    with session_scope(pg) as session:
        build_demo(session, TODAY)
    lite = open_register(f"sqlite:///{demo_path}")
    try:
        with session_scope(lite, write=False) as session:
            expected = [(r.uid, r.due_on, r.status) for r in current_reminders(session, TODAY)]
    finally:
        lite.dispose()
    with session_scope(pg, write=False) as session:
        actual = [(r.uid, r.due_on, r.status) for r in current_reminders(session, TODAY)]
    assert actual == expected and len(actual) > 40


def test_an_export_restores_into_postgresql_and_exports_the_same(
        pg: Engine, demo_path: Path, tmp_path: Path) -> None:
    from tracker.app.exports import run_export

    lite = open_register(f"sqlite:///{demo_path}")
    run_export(lite, tmp_path / "first.xlsx", today=TODAY)
    report = run_import(pg, tmp_path / "first.xlsx", profile=None, order=None, dry_run=False)
    assert report.written and not report.problems
    run_export(pg, tmp_path / "second.xlsx", today=TODAY)
    assert sheet_data(tmp_path / "second.xlsx") == sheet_data(tmp_path / "first.xlsx")
    assert register_rows(pg) == register_rows(lite)
    with session_scope(pg) as session:  # the id sequences moved past the restored ids
        added = svc.providers.create(session=session, actor="t", data={"legal_name": "Next"})
        assert added.id == 1 + max(r[0] for r in register_rows(lite)["provider"])


def test_an_empty_database_holds_no_register_until_init(
        empty_pg: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = make_url(empty_pg).render_as_string(hide_password=True)
    assert main(["--db", empty_pg, "check"]) == 2
    assert capsys.readouterr().err == (f"tracker: no register at {shown}; create one with "
                                       "`tracker init`\n")
    assert main(["--db", empty_pg, "init"]) == 0
    assert main(["--db", empty_pg, "init"]) == 2
    assert "already holds a register" in capsys.readouterr().err
    assert main(["--db", empty_pg, "check"]) == 0


def test_a_register_opened_read_only_refuses_writes_and_so_does_the_server(
        pg: Engine, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = make_url(pg_url).render_as_string(hide_password=True)
    assert main(["--db", pg_url, "--read-only", "add", "provider", "legal_name=X"]) == 2
    assert capsys.readouterr().err == (f"tracker: the register at {shown} is read-only "
                                       "(opened read-only); nothing was changed\n")
    reader = open_register(pg_url, read_only=True)
    try:
        with pytest.raises(DBAPIError, match="read-only transaction"), \
                reader.begin() as connection:
            connection.execute(text("UPDATE setting SET version = version + 1"))
    finally:
        reader.dispose()


def test_an_old_workbook_cannot_revert_later_work_on_postgresql(pg: Engine,
                                                                 tmp_path: Path) -> None:
    register = Register(pg)
    assert register.import_file(SAMPLE, profile=None, order=None, dry_run=False).written
    pid = int(register.resolve_provider("WebHarvest").id)
    register.export(tmp_path / "old.xlsx", today=TODAY)
    current = register.get("provider", pid)
    register.update("provider", pid, {"risk_tier": "high"},
                    expected_version=int(current.version))
    again = register.import_file(SAMPLE, profile=None, order=None, dry_run=False)
    restored = register.import_file(tmp_path / "old.xlsx", profile=None, order=None,
                                    dry_run=False)
    assert [c.header for c in again.conflicts] == ["风险等级"]
    assert not restored.problems and not restored.conflicts
    assert register.get("provider", pid).risk_tier == "high"


def test_the_gap_and_reminder_caches_follow_writes_on_postgresql(pg: Engine) -> None:
    """The caches follow the head the database itself moves (its trigger chains the
    events): after a write, a restore and a setting they equal a cold computation."""
    from tracker.app.gaps import register_gaps

    with session_scope(pg) as session:
        build_demo(session, TODAY)
    register = Register(pg)

    def same() -> None:
        with session_scope(pg, write=False) as session:
            cold, reminders = register_gaps(session, TODAY), current_reminders(session, TODAY)
        assert register.gaps(TODAY) == cold and register.gap_count(TODAY) == len(cold)
        assert register.reminders(TODAY) == reminders

    same()
    provider = register.get("provider", 1)
    register.update("provider", 1, {"risk_tier": None}, expected_version=int(provider.version))
    same()
    register.archive("provider", 1, expected_version=int(provider.version) + 1)
    same()
    register.restore("provider", 1, expected_version=int(provider.version) + 2)
    same()
    register.change_setting("review_cadence_months.low", "6")
    same()
