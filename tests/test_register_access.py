"""Which register a command works on, and what it may do there. A path that holds no
register is refused and never created (a typo in --db must not answer "0 gaps"); `tracker
init` creates one on purpose; --demo reaches the demo register; what is not a register is
refused and left as it was; a register that cannot be written opens read-only, where every
read works and every write is one line.

Read-only is tested for real where the machine allows: a file of mode 0444 (honoured even
as root, who could write it), a read-only folder (as root, with the capabilities that let
root write any folder dropped, `capsh`) and read-only media (a read-only bind mount in a
private mount namespace, `unshare`), skipped with the reason where they cannot be had."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tracker.app.register import Register
from tracker.cli import main
from tracker.errors import ReadOnlyRegister
from tracker.locations import default_register, demo_register
from tracker.store import sqlite
from tracker.store.engine import make_engine
from tracker.store.migrate import alembic_config, current_revision, head_revision

from .helpers import copy_demo, copy_register

SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"
Capsys = pytest.CaptureFixture[str]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def no_register(path: Path) -> str:
    return f"tracker: no register at {path}; create one with `tracker init`\n"


def read_only_line(path: Path, why: str) -> str:
    return f"tracker: the register at {path} is read-only ({why}); nothing was changed\n"


# --- no register, no creation --------------------------------------------------------------

READS = [["info"], ["check"], ["reminders"], ["reminders", "--ics", "{out}/r.ics"],
         ["providers"], ["audit", "verify"], ["audit", "log"], ["evidence", "verify"],
         ["report", "ropa", "--out", "{out}/ropa.xlsx"], ["export", "{out}/x.xlsx"],
         ["settings"], ["settings", "get", "reminder_lead_days"],
         ["backup", "--to", "{out}/copy.sqlite"]]
WRITES = [["add", "provider", "legal_name=Typo Ltd"], ["edit", "provider", "1", "notes=x"],
          ["archive", "provider", "1"], ["settings", "set", "organisation_name", "Typo"],
          ["import", str(SAMPLE)], ["event", "Typo", "breach"],
          ["reminders", "snooze", "review-1", "--until", "2027-01-01", "--reason", "later"],
          ["reminders", "done", "review-1"], ["open"], []]


@pytest.mark.parametrize("command_line", READS + WRITES,
                         ids=lambda a: " ".join(a).replace("{out}/", "") or "(no command)")
def test_no_command_creates_a_register_where_there_is_none(
        command_line: list[str], tmp_path: Path, capsys: Capsys) -> None:
    typo = tmp_path / "typo.sqlite"
    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace("{out}", str(out)) for a in command_line]
    assert main(["--db", str(typo), *args]) == 2
    assert capsys.readouterr().err == no_register(typo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing created...
    assert list(out.iterdir()) == []  # ...not even the report or export asked for


def test_your_own_register_must_be_created_first(capsys: Capsys) -> None:
    assert main(["check"]) == 2
    assert capsys.readouterr().err == no_register(default_register())
    assert not default_register().exists()
    assert main(["init"]) == 0
    assert capsys.readouterr().out == f"created a new, empty register at {default_register()}\n"
    assert main(["check"]) == 0


def test_init_creates_a_private_register_at_head_and_never_over_anything(
        tmp_path: Path, capsys: Capsys) -> None:
    path = tmp_path / "new" / "register.sqlite"
    path.parent.mkdir()
    assert main(["init", "--db", str(path)]) == 0
    assert capsys.readouterr().out == f"created a new, empty register at {path}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["register.sqlite"]  # no temp
    engine = make_engine(f"sqlite:///{path}", read_only="test")
    try:
        assert current_revision(engine) == head_revision(engine)
    finally:
        engine.dispose()
    before = digest(path)
    assert main(["--db", str(path), "init"]) == 2
    assert capsys.readouterr().err == (f"tracker: there is already a register at {path}; "
                                       "`tracker init` creates a new register only, nothing "
                                       "was changed\n")
    assert digest(path) == before
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    assert main(["--db", str(notes), "init"]) == 2
    assert "there is already a file that is not a register" in capsys.readouterr().err
    assert notes.read_text() == "mine"


def test_an_init_that_fails_leaves_nothing_behind(tmp_path: Path, capsys: Capsys,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(command, "upgrade", full_disk)
    assert main(["--db", str(tmp_path / "r.sqlite"), "init"]) == 2
    assert capsys.readouterr().err.startswith("tracker: the disk is full")
    assert list(tmp_path.iterdir()) == []


def _other_program_with_alembic(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        connection.execute("INSERT INTO alembic_version VALUES ('a1b2c3')")
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()


def _sqlite_with(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


@pytest.mark.parametrize(("make", "says"), [
    (lambda p: p.write_bytes(b""), "is an empty file, not a tracker register"),
    (lambda p: p.write_text("minutes of the meeting\n"),
     "is not a tracker register (it is not a SQLite database)"),
    (lambda p: _sqlite_with(p, "PRAGMA user_version = 7"),
     "is an empty SQLite database, not a tracker register"),
    (lambda p: _sqlite_with(p, "CREATE TABLE invoices (id INTEGER)"),
     "holds tables but no tracker schema version: it is not a tracker register"),
    (_other_program_with_alembic, "holds another program's tables: it is not a tracker "
                                  "register"),
    (lambda p: p.mkdir(), "is a folder, not a tracker register"),
], ids=["empty file", "text file", "empty database", "other tables", "other alembic",
        "folder"])
def test_what_is_not_a_register_is_refused_and_left_as_it_was(
        make: object, says: str, tmp_path: Path, capsys: Capsys) -> None:
    path = tmp_path / "thing.sqlite"
    make(path)  # type: ignore[operator]
    before = None if path.is_dir() else digest(path)
    for args in (["info"], ["check"], ["add", "provider", "legal_name=X"]):
        assert main(["--db", str(path), *args]) == 2
        assert capsys.readouterr().err == f"tracker: {path} {says}\n"
    if before is not None:  # not a byte changed: not even switched to WAL mode
        assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing.sqlite"]


# --- --demo: the demo register from every command -------------------------------------------

@pytest.fixture
def installed_demo(demo_template: Path) -> Path:
    """The demo register where `tracker demo` keeps it (the hermetic data directory)."""
    demo_register().parent.mkdir(parents=True, exist_ok=True)
    return copy_demo(demo_template, demo_register().parent)


def test_demo_option_reaches_the_demo_and_plain_commands_do_not(installed_demo: Path,
                                                                capsys: Capsys) -> None:
    assert installed_demo == demo_register()
    assert main(["check"]) == 2  # your own register: there is none, and none is made
    assert capsys.readouterr().err == no_register(default_register())
    assert main(["--demo", "check"]) == 1  # the demo has open critical gaps
    assert " critical" in capsys.readouterr().err
    assert main(["info", "--demo"]) == 0
    out = capsys.readouterr().out
    assert f"register:  sqlite:///{installed_demo}" in out and "kind:      demo" in out
    assert main(["--demo", "--db", str(installed_demo), "info"]) == 2
    assert capsys.readouterr().err == ("tracker: --demo and --db each name a register; give "
                                       "one of them\n")
    assert not default_register().exists()


def test_a_missing_demo_says_how_to_write_it(capsys: Capsys) -> None:
    assert main(["--demo", "reminders"]) == 2
    assert capsys.readouterr().err == (f"tracker: no register at {demo_register()}; write it "
                                       "with `tracker demo --no-open`\n")
    assert not demo_register().exists()


# --- read-only registers --------------------------------------------------------------------

@pytest.fixture
def read_only_demo(demo_path: Path) -> Iterator[Path]:
    """A copy of the demo whose file is mode 0444, as an auditor is given it."""
    demo_path.chmod(0o444)
    yield demo_path
    demo_path.chmod(0o600)


def test_a_read_only_file_opens_read_only_for_every_read(read_only_demo: Path,
                                                         tmp_path: Path,
                                                         capsys: Capsys) -> None:
    before = digest(read_only_demo)
    out = tmp_path / "out"
    out.mkdir()

    def run(*args: str) -> int:
        return main(["--db", str(read_only_demo), *args])

    assert run("info") == 0
    assert "access:    read-only (file mode 0444)" in capsys.readouterr().out
    assert run("check") == 1
    assert run("reminders") == 1  # the demo has overdue reminders
    assert run("reminders", "--ics", str(out / "r.ics")) == 0
    assert run("providers", "上海") == 0
    assert run("audit", "verify") == 0
    assert run("audit", "log", "--limit", "3") == 0
    assert run("evidence", "verify") == 1  # the demo's amended contract
    assert run("export", str(out / "x.xlsx")) == 0
    assert run("report", "ai-act-summary", "--out", str(out / "s.md")) == 0
    assert run("settings", "get", "register_kind") == 0
    assert run("backup", "--to", str(out / "copy.sqlite")) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["copy.sqlite", "r.ics", "s.md", "x.xlsx"]
    assert digest(read_only_demo) == before
    # No -wal or -shm left beside it, with its mode, in the way of the next writer.
    assert not list(read_only_demo.parent.glob("demo.sqlite-*"))


@pytest.mark.parametrize("write", [
    ["add", "provider", "legal_name=Audit Probe Ltd"], ["edit", "provider", "1", "notes=x"],
    ["archive", "provider", "1"], ["settings", "set", "organisation_name", "X"],
    ["import", str(SAMPLE)], ["event", "1", "breach"],
    ["reminders", "snooze", "review-1", "--until", "2027-01-01", "--reason", "later"],
    ["reminders", "done", "review-1", "--outcome", "approved"],
], ids=lambda a: " ".join(a[:2]))
def test_every_write_on_a_read_only_register_is_one_line(write: list[str],
                                                        read_only_demo: Path,
                                                        capsys: Capsys) -> None:
    before = digest(read_only_demo)
    assert main(["--db", str(read_only_demo), *write]) == 2
    assert capsys.readouterr().err == read_only_line(read_only_demo, "file mode 0444")
    assert digest(read_only_demo) == before


def test_read_only_on_request_is_enforced_below_the_application_too(
        demo_path: Path, capsys: Capsys) -> None:
    """--read-only on a writable file opens it with SQLite's mode=ro and query_only: even
    raw SQL through the engine cannot write (this works as root too)."""
    before = digest(demo_path)
    assert main(["--db", str(demo_path), "--read-only", "settings", "set",
                 "organisation_name", "X"]) == 2
    assert capsys.readouterr().err == read_only_line(demo_path, "opened read-only")
    register = Register.open(f"sqlite:///{demo_path}", read_only=True)
    try:
        assert register.read_only == "opened read-only"
        with pytest.raises(ReadOnlyRegister):
            register.create("provider", {"legal_name": "Probe Ltd", "country": "GB"})
        with pytest.raises(OperationalError, match="readonly"), \
                register.engine.begin() as connection:
            connection.execute(text("UPDATE provider SET notes = 'raw'"))
        assert register.info().counts["providers"] > 0
    finally:
        register.close()
    assert digest(demo_path) == before


def test_an_older_register_is_not_upgraded_read_only(tmp_path: Path, capsys: Capsys) -> None:
    path = tmp_path / "old.sqlite"
    sqlite.create_private_file(path)
    old = make_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(old), "0001")
    old.dispose()
    path.chmod(0o444)
    before = digest(path)
    assert main(["--db", str(path), "info"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tracker: the register at {path} has schema 0001, older than this "
                          "program's") and "cannot be upgraded read-only (file mode 0444)" in err
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite"]  # no .bak either


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


# Runs `tracker` commands one after another in one new process (one start-up, not one
# each): each command's status, stdout and stderr follow a record separator.
RUNNER = """\
import json, sys
from tracker.cli import main
for args in json.loads(sys.argv[1]):
    code = main(args)
    print(f"\\x1e{code}", flush=True)
    print("\\x1e", file=sys.stderr, flush=True)
"""


def _run(commands: list[list[str]], *, prefix: Sequence[str] = ()) -> list[Ran]:
    """Run the commands in a process of their own, which ``prefix`` wraps (a mount
    namespace, dropped capabilities)."""
    result = subprocess.run([*prefix, sys.executable, "-c", RUNNER, json.dumps(commands)],
                            capture_output=True, text=True, timeout=120, check=False)
    outs, errs = result.stdout.split("\x1e"), result.stderr.split("\x1e")
    assert len(outs) == len(commands) + 1, result.stdout + result.stderr
    ran = []
    for i in range(len(commands)):
        out = outs[i].partition("\n")[2] if i else outs[i]
        code, _, _ = outs[i + 1].partition("\n")
        err = errs[i].removeprefix("\n")
        ran.append(Ran(int(code), out, err))
    return ran


def _bound_by_permissions() -> list[str]:
    """A command prefix under which file permissions apply: as root, drop the capabilities
    that let root write any folder (capsh); others need none. Skipped where it cannot be."""
    if os.geteuid() != 0:
        return []
    if shutil.which("capsh") is None:
        pytest.skip("running as root, and no capsh to drop the right to write any folder")
    return ["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c",
            'exec "$0" "$@"']


def test_a_register_in_a_read_only_folder_is_read_without_its_wal_files(
        empty_template: Path, tmp_path: Path) -> None:
    """SQLite must create -wal and -shm beside a WAL database to read it, which a read-only
    folder forbids: the register is opened immutable, read, and writes are one line. (The
    file itself stays writable: only its folder is not.)"""
    shelf = tmp_path / "shelf"
    path = copy_register(empty_template, shelf / "register.sqlite")
    prefix = _bound_by_permissions()
    shelf.chmod(0o555)
    try:
        info, refused = _run([["--db", str(path), "info"],
                              ["--db", str(path), "add", "provider", "legal_name=X"]],
                             prefix=prefix)
    finally:
        shelf.chmod(0o755)
    why = "its folder is read-only, so SQLite cannot create its -wal and -shm files"
    assert info.code == 0, info.err
    assert f"access:    read-only ({why})" in info.out
    assert (refused.code, refused.err) == (2, read_only_line(path, why))
    assert sorted(p.name for p in shelf.iterdir()) == ["register.sqlite"]


def _on_read_only_media(source: Path, commands: list[list[str]]) -> list[Ran]:
    """Run the commands with ``source`` (a folder) bind-mounted read-only at ``media``
    beside it, in a mount namespace of their own that ends with the process; skipped where
    no namespace can be made."""
    if shutil.which("unshare") is None:
        pytest.skip("no `unshare` to mount a read-only folder")
    media = source.parent / "media"
    media.mkdir(exist_ok=True)
    script = (f'mount --bind "{source}" "{media}" && mount -o remount,bind,ro "{media}" && '
              'exec "$@"')
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    probe = subprocess.run([*unshare, "sh", "-c", script, "sh", "true"], capture_output=True,
                           text=True, timeout=60, check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a read-only folder here: {probe.stderr.strip()}")
    return _run(commands, prefix=[*unshare, "sh", "-c", script, "sh"])


def test_a_register_on_read_only_media_opens_read_only_and_skips_no_pending_change(
        empty_template: Path, tmp_path: Path) -> None:
    """A register on read-only media is read (immutable: no -wal or -shm is needed) and
    refuses writes. Beside it, one whose writer was killed before its checkpoint left
    changes in the -wal: immutable would read the main file without them, and without the
    -shm they cannot be read, so it is refused rather than shown out of date."""
    source = tmp_path / "stick"
    source.mkdir()
    copy_register(empty_template, source / "register.sqlite")
    live = copy_register(empty_template, tmp_path / "live.sqlite")
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE setting SET version = version + 1")
    writer.commit()
    shutil.copy(live, source / "pending.sqlite")
    shutil.copy(f"{live}-wal", source / "pending.sqlite-wal")  # as a kill left them
    writer.close()
    media = tmp_path / "media"
    info, refused, pending = _on_read_only_media(source, [
        ["--db", str(media / "register.sqlite"), "info"],
        ["--db", str(media / "register.sqlite"), "settings", "set", "organisation_name", "X"],
        ["--db", str(media / "pending.sqlite"), "info"]])
    assert info.code == 0, info.err
    assert "access:    read-only (it is on a read-only file system)" in info.out
    assert (refused.code, refused.err) == (
        2, read_only_line(media / "register.sqlite", "it is on a read-only file system"))
    assert pending.code == 2
    assert "pending.sqlite-wal beside it holds changes not yet written into it" in pending.err
