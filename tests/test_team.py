"""Team mode on PostgreSQL (issue 16): roles the server enforces, every change signed with
its database login (psql changes too), an audit trail no login but the owner can touch,
and two people at once. Against the server `scripts/dev.py test` starts; logins are made
per pytest-xdist worker (roles are cluster-wide, databases are per worker)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from tracker.app import team
from tracker.app.imports import run_import
from tracker.app.register import Register
from tracker.cli import main
from tracker.errors import StaleVersion
from tracker.store.audit import verify_chain
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.team import AccessRefused

from .test_postgres import PG_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(PG_URL is None, reason="no PostgreSQL server: scripts/dev.py test "
                                              "starts one (scripts/pg.py) where it can"),
]
SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "solo")


def login(name: str) -> str:
    return f"{name}_{WORKER}"


def as_login(url: str, name: str) -> str:
    return make_url(url).set(username=name).render_as_string(hide_password=False)


def raw(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """A plain psycopg connection, as psql would make: nothing of the tracker's in it."""
    parsed = make_url(url)
    return psycopg.connect(dbname=parsed.database, user=parsed.username,
                           host=str(parsed.query.get("host", "")), autocommit=True)


@pytest.fixture(scope="module")
def team_url() -> Iterator[str]:
    """One team register for this module (its own database, per worker: the other
    PostgreSQL tests drop their schema between tests), with an editor, a viewer and an
    admin. Set up once (~1.5 s); each test asserts on what it adds."""
    assert PG_URL is not None
    url = make_url(PG_URL)
    name = f"{url.database}_team_{WORKER}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    database = url.set(database=name).render_as_string(hide_password=False)
    setup = team.init_team(database)
    assert setup.created and "provider" in setup.tables and "audit_event" not in setup.tables
    for person, role in (("alice", "editor"), ("victor", "viewer"), ("ada", "admin")):
        team.grant(database, login(person), role, create=True)
    yield database


def engine_of(url: str, name: str) -> Engine:
    return open_register(as_login(url, name))


def events(url: str) -> list[tuple[int, str, str, str, str | None]]:
    with raw(url) as connection:
        return [(int(str(r[0])), str(r[1]), str(r[2]), str(r[3]), None if r[4] is None
                 else str(r[4])) for r in connection.execute(
            "SELECT id, actor, action, entity, after FROM audit_event ORDER BY id")]


def verify(url: str) -> list[str]:
    engine = open_register(url)
    try:
        with session_scope(engine, write=False) as session:
            return [str(p) for p in Register(engine).verify_audit(None).problems] + \
                [str(p) for p in verify_chain(session)[1]]
    finally:
        engine.dispose()


def test_init_is_idempotent_and_lists_who_holds_what(team_url: str) -> None:
    again = team.init_team(team_url)
    assert not again.created and again.tables == team.init_team(team_url).tables
    held = {m.login: m.role for m in team.members(team_url)}
    assert held[login("alice")] == "editor" and held[login("victor")] == "viewer"
    assert held[login("ada")] == "admin" and "owner" in held.values()
    team.grant(team_url, login("victor"), "editor")  # a new role replaces the old one
    assert {m.login: m.role for m in team.members(team_url)}[login("victor")] == "editor"
    team.grant(team_url, login("victor"), "viewer")
    with pytest.raises(Exception, match="no login"):
        team.grant(team_url, login("nobody"), "viewer")


def test_a_viewer_reads_but_the_server_refuses_its_writes(
        team_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    owner = Register(open_register(team_url))
    provider = owner.create("provider", {"legal_name": "Acme Data"})
    viewer = Register(engine_of(team_url, login("victor")))
    try:
        access = viewer.access()
        assert access is not None and access.role == "viewer" and not access.edit
        assert viewer.access_note is not None and "victor" in viewer.access_note
        assert viewer.get("provider", int(str(provider.id))) is not None  # reads
        with pytest.raises(AccessRefused, match="^read-only access: the database login"):
            viewer.update("provider", int(str(provider.id)), {"notes": "x"},
                          expected_version=1)
    finally:
        viewer.close()
        owner.close()
    # The command line: one line, exit 2, nothing changed.
    url = as_login(team_url, login("victor"))
    assert main(["edit", "provider", str(provider.id), "notes=x", "--db", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tracker: read-only access:")
    # Not the program's doing: the server refuses the viewer's SQL too.
    with raw(url) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute("UPDATE provider SET notes = 'psql'")


def test_settings_need_an_admin(team_url: str) -> None:
    editor = Register(engine_of(team_url, login("alice")))
    admin = Register(engine_of(team_url, login("ada")))
    try:
        with pytest.raises(AccessRefused, match="settings needs the tracker_admin role"):
            editor.change_setting("reminder_lead_days", "[60,30,7]")
        assert admin.change_setting("reminder_lead_days", "[60,30,7]") == [60, 30, 7]
        access = admin.access()
        assert access is not None and access.settings and access.role == "admin"
    finally:
        editor.close()
        admin.close()


def test_an_editor_is_audited_under_its_login_whatever_it_claims(
        team_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_USER", "mallory")
    editor = Register(engine_of(team_url, login("alice")))
    try:
        created = editor.create("provider", {"legal_name": "Acme Data"})
        editor.update("provider", int(str(created.id)), {"notes": "checked"},
                      expected_version=1)
    finally:
        editor.close()
    trail = events(team_url)
    assert [e[1] for e in trail[-2:]] == [login("alice")] * 2
    assert not any("mallory" in e[1] for e in trail)
    # A hand-written event cannot claim another author either: the login is appended.
    with raw(as_login(team_url, login("alice"))) as connection:
        connection.execute("INSERT INTO audit_event (at, actor, action, entity, entity_id, "
                           "after, prev_hash, hash) VALUES (now(), 'postgres', 'update', "
                           "'provider', '1', '{}', 'x', 'y')")
    assert events(team_url)[-1][1] == f"postgres ({login('alice')})"
    assert verify(team_url) == []


def test_a_change_made_with_psql_is_audited_and_verifies(team_url: str) -> None:
    editor = Register(engine_of(team_url, login("alice")))
    try:
        created = editor.create("provider", {"legal_name": "Acme Data"})
    finally:
        editor.close()
    count = len(events(team_url))
    with raw(as_login(team_url, login("alice"))) as connection:
        connection.execute(f"UPDATE provider SET notes = 'behind its back' "
                           f"WHERE id = {created.id}")
        connection.execute("INSERT INTO reminder (title, due_on, version, created_at, "
                           "updated_at) VALUES ('call DPO', '2027-01-05', 1, now(), now())")
    trail = events(team_url)
    assert len(trail) == count + 2
    _, actor, action, entity, after = trail[-2]
    assert (actor, action, entity) == (f"direct SQL ({login('alice')})", "update", "provider")
    assert json.loads(str(after)) == {"notes": "behind its back"}
    assert trail[-1][2:4] == ("insert", "reminder")
    assert verify(team_url) == []  # chain written inside the database, replay agrees
    # The database hashes exactly as Python does, whatever the text: quotes, backslashes,
    # controls psql lets through, CJK, an emoji, U+2028.
    nasty = 'say "hi"\\ \n\t\x01\x1f 北京 \U0001f600 \u2028 end'
    with raw(as_login(team_url, login("alice"))) as connection:
        connection.execute("UPDATE provider SET notes = %s WHERE id = %s", (nasty, created.id))
    assert json.loads(str(events(team_url)[-1][4])) == {"notes": nasty}
    assert verify(team_url) == []


def test_audit_rows_cannot_be_changed_but_by_the_owner_and_verify_catches_the_owner(
        team_url: str) -> None:
    editor = Register(engine_of(team_url, login("alice")))
    try:
        editor.create("provider", {"legal_name": "Acme Data"})
    finally:
        editor.close()
    alice = as_login(team_url, login("alice"))
    for statement in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event",
                      "TRUNCATE audit_event", "UPDATE audit_head SET count = 0"):
        with raw(alice) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(statement)
    # Even a login someone wrongly granted UPDATE is refused, by the trigger.
    with raw(team_url) as connection:
        connection.execute(f"GRANT UPDATE, DELETE ON audit_event TO {login('alice')}")
    with raw(alice) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege,
                                                 match="cannot be changed"):
        connection.execute("UPDATE audit_event SET actor = 'x'")
    with raw(team_url) as connection:
        connection.execute(f"REVOKE UPDATE, DELETE ON audit_event FROM {login('alice')}")
    assert verify(team_url) == []
    with raw(team_url) as connection:  # the owner can; the chain shows it
        actor = connection.execute("SELECT actor FROM audit_event WHERE id = 1").fetchone()
        connection.execute("UPDATE audit_event SET actor = 'mallory' WHERE id = 1")
        assert any("event 1" in problem for problem in verify(team_url))
        assert actor is not None
        connection.execute("UPDATE audit_event SET actor = %s WHERE id = 1", (actor[0],))
    assert verify(team_url) == []


def test_two_editors_and_an_import_at_once_lose_nothing(team_url: str) -> None:
    start = len(events(team_url))
    first = Register(engine_of(team_url, login("alice")))
    second = Register(engine_of(team_url, login("ada")))
    try:
        created = first.create("provider", {"legal_name": "Acme Data"})
        record = int(str(created.id))
        first.update("provider", record, {"notes": "alice"}, expected_version=1)
        with pytest.raises(StaleVersion):  # ada edited version 1 too: refused, not lost
            second.update("provider", record, {"notes": "ada"}, expected_version=1)
        # An import started while an edit is open waits for it, then keeps it.
        finished: list[float] = []
        with session_scope(first.engine) as session:
            from tracker.app import pipeline

            pipeline.providers.update(session=session, record_id=record,
                                      changes={"notes": "edited during the import"},
                                      expected_version=2, actor="alice")
            def import_sample() -> None:
                run_import(second.engine, SAMPLE, profile=None, order=None, dry_run=False)
                finished.append(time.monotonic())

            importer = threading.Thread(target=import_sample)
            importer.start()
            time.sleep(0.8)
            assert not finished, "the import did not wait for the open edit"
            committed = time.monotonic()
        importer.join(timeout=30)
        assert finished and finished[0] >= committed
        stored = first.get("provider", record)
        assert getattr(stored, "notes") == "edited during the import"
    finally:
        first.close()
        second.close()
    trail = events(team_url)
    assert [e[0] for e in trail] == list(range(1, len(trail) + 1))  # one chain, no fork
    assert {e[1] for e in trail[start:] if e[3] == "provider"} >= {login("alice"),
                                                                   login("ada")}
    assert verify(team_url) == []


def test_the_command_line_team_section(team_url: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "list", "--db", team_url]) == 0
    listed = capsys.readouterr().out
    assert f"{login('alice')}" in listed and "editor" in listed and "owner" in listed
    url = as_login(team_url, login("alice"))
    assert main(["add", "provider", "legal_name=Acme Data", "--db", url]) == 0
    capsys.readouterr()
    assert main(["audit", "log", "--db", as_login(team_url, login("victor"))]) == 0
    assert login("alice") in capsys.readouterr().out
    assert main(["team", "grant", login("ada"), "admin", "--db",
                 as_login(team_url, login("victor"))]) == 2
    assert "cannot grant roles" in capsys.readouterr().err


async def test_the_tui_offers_a_viewer_no_changes(team_url: str) -> None:
    """The screens ask the server what the login may do: a viewer gets no change keys and
    a line saying why; an editor (every other UI test's case) gets them all."""
    from textual.widgets import Input, Static

    from tracker.ui.app import ReadOnlyBanner, TrackerApp
    from tracker.ui.screens.record_form import RecordForm

    from .conftest import TODAY

    editor = Register(engine_of(team_url, login("alice")))
    try:
        assert editor.access_note is None and editor.may_edit
    finally:
        editor.close()
    engine = engine_of(team_url, login("victor"))
    app = TrackerApp(engine=engine, today=TODAY, start="providers")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert not app.offers_changes
            banners = [str(b.render()) for b in app.screen.query(ReadOnlyBanner)]
            assert banners and banners[0].startswith("read-only access: the database login "
                                                     f"{login('victor')} is a viewer")
            shown = {b.action for _, b, enabled, _ in app.screen.active_bindings.values()
                     if enabled}
            assert "new" not in shown and "import_register" not in shown
            assert "switch_mode('dashboard')" in shown  # reading is all there
            await pilot.press("n")
            await pilot.pause()
            assert not isinstance(app.screen, RecordForm)
            # A form opened anyway (the command palette): the server refuses the save.
            form = RecordForm(app.register, "provider")
            await app.push_screen(form)
            await pilot.pause()
            form.query_one("#input-legal_name", Input).value = "Viewer Co"
            await pilot.press("ctrl+s")
            await pilot.pause()
            said = str(form.query_one("#form-banner", Static).render())
            assert said.startswith("read-only access: the database login"), said
    finally:
        engine.dispose()


def test_concurrent_writers_never_fork_the_chain(team_url: str) -> None:
    """Two logins writing at once through raw connections (each change audited by the
    database): the head row's lock serialises the appends, the chain stays one line."""
    editor = Register(engine_of(team_url, login("alice")))
    try:
        ids = [int(str(editor.create("provider", {"legal_name": f"Race {n}"}).id))
               for n in range(2)]
    finally:
        editor.close()
    start = len(events(team_url))
    failures: list[BaseException] = []

    def write(person: str, record: int) -> None:
        try:
            with raw(as_login(team_url, login(person))) as connection:
                for n in range(15):
                    with connection.transaction():
                        connection.execute("UPDATE provider SET notes = %s WHERE id = %s",
                                           (f"{person} {n}", record))
        except BaseException as err:  # reported below, in the test's thread
            failures.append(err)

    threads = [threading.Thread(target=write, args=(person, record))
               for person, record in zip(("alice", "ada"), ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    trail = events(team_url)
    assert len(trail) == start + 30
    assert [e[0] for e in trail] == list(range(1, len(trail) + 1))
    assert verify(team_url) == []
