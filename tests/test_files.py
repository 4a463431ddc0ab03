"""Every file written atomically (tracker/files.py): private, whole or not at all, never over
an existing file unless asked, never through a symlink, one clear line when the disk is full,
and a SQLite backup that is a complete register or nothing."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tracker import files
from tracker.cli import main
from tracker.errors import TrackerError
from tracker.files import TargetExists
from tracker.store import sqlite as store_sqlite


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if files.MARK in p.name)


@pytest.fixture
def open_umask() -> object:
    """The most permissive umask: a file still comes out 0600."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_a_file_is_written_private_and_whole(tmp_path: Path, open_umask: object) -> None:
    target = tmp_path / "deeper" / "report.md"
    target.parent.mkdir()
    files.write_bytes(target, b"# report\n")
    assert target.read_bytes() == b"# report\n"
    assert _mode(target) == 0o600
    assert _leftovers(target.parent) == []


def test_an_existing_file_is_refused_without_force_and_replaced_with_it(tmp_path: Path) -> None:
    target = tmp_path / "calendar.ics"
    files.write_bytes(target, b"first")
    with pytest.raises(TargetExists, match=r"calendar\.ics already exists; pass --force"):
        files.write_bytes(target, b"second")
    assert target.read_bytes() == b"first"
    files.write_bytes(target, b"second", force=True)
    assert target.read_bytes() == b"second" and _mode(target) == 0o600
    assert _leftovers(tmp_path) == []


def test_the_refusal_is_atomic_when_the_name_appears_during_the_write(tmp_path: Path) -> None:
    """No check-then-rename race: a file made while the content is written is kept."""
    target = tmp_path / "r.html"
    with pytest.raises(TargetExists), files.replacing(target) as temporary:
        temporary.write_bytes(b"mine")
        target.write_bytes(b"someone else's")
    assert target.read_bytes() == b"someone else's"
    assert _leftovers(tmp_path) == []


def test_a_symlink_at_the_target_is_never_followed(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"do not touch")
    link = tmp_path / "report.md"
    link.symlink_to(precious)
    with pytest.raises(TargetExists):
        files.write_bytes(link, b"new")
    assert precious.read_bytes() == b"do not touch"
    files.write_bytes(link, b"new", force=True)
    assert not link.is_symlink() and link.read_bytes() == b"new"  # the link was replaced
    assert precious.read_bytes() == b"do not touch"  # not what it pointed to
    dangling = tmp_path / "dangling.ics"
    dangling.symlink_to(tmp_path / "nowhere" / "x.ics")
    with pytest.raises(TargetExists):
        files.write_bytes(dangling, b"x")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(("code", "said"), [
    (errno.ENOSPC, "the disk is full: {path} not written; nothing changed"),
    (errno.EDQUOT, "the disk quota is used up: {path} not written; nothing changed"),
    (errno.EACCES, "no permission to write {path}: not written; nothing changed"),
    (errno.EROFS, "{path} is on a read-only file system: not written; nothing changed"),
])
def test_a_failing_disk_is_one_line_and_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, said: str) -> None:
    target = tmp_path / "report.html"
    files.write_bytes(target, b"the good one")
    real_write = os.write

    def failing_write(fd: int, data: object) -> int:
        if files.MARK in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(TrackerError) as raised:
        files.write_bytes(target, b"x" * 100_000, force=True)
    assert str(raised.value) == said.format(path=target)
    assert "\n" not in str(raised.value)
    assert target.read_bytes() == b"the good one"
    assert _leftovers(tmp_path) == []


def test_a_disk_that_fills_at_fsync_leaves_the_target_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delayed allocation: the writes succeed and the space runs out when they are synced."""
    target = tmp_path / "export.xlsx"
    monkeypatch.setattr(os, "fsync", _raises(errno.ENOSPC))
    with pytest.raises(TrackerError, match="^the disk is full: .*export.xlsx not written"):
        with files.replacing(target) as temporary:
            temporary.write_bytes(b"PK...")
    assert not target.exists() and _leftovers(tmp_path) == []


def _raises(code: int) -> Callable[..., None]:
    def fail(*_args: object) -> None:
        raise OSError(code, os.strerror(code))
    return fail


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(ZeroDivisionError), files.replacing(target, force=True) as temporary:
        temporary.write_bytes(b"half")
        _ = 1 / 0
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_stale_temporaries_go_only_when_no_writer_holds_them(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "backup.sqlite"
    dead = tmp_path / f".backup.sqlite{files.MARK}dead.tmp"
    dead.write_bytes(b"left by a kill")
    Path(f"{dead}-journal").write_bytes(b"its journal")
    dead_dir = tmp_path / f".backup.sqlite{files.MARK}dead.tmpdir"
    dead_dir.mkdir()
    (dead_dir / "providers.csv").write_bytes(b"id\r\n")
    alive = tmp_path / f".backup.sqlite{files.MARK}alive.tmp"
    alive.write_bytes(b"being written")
    young = tmp_path / f".backup.sqlite{files.MARK}young.tmp"
    young.write_bytes(b"just created, not locked yet")
    other = tmp_path / f".other.sqlite{files.MARK}dead.tmp"
    other.write_bytes(b"another target's")
    hour_ago = time.time() - 3600
    for path in (dead, dead_dir, alive, other):
        os.utime(path, (hour_ago, hour_ago))
    with alive.open("rb") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)  # its writer is alive
        files.write_bytes(target, b"new")
    assert sorted(_leftovers(tmp_path)) == sorted([alive.name, young.name, other.name])


# --- a directory (the CSV export) ------------------------------------------------------------

def _fill(directory: Path, *names: str) -> None:
    for name in names:
        fd = files.create_private(directory / name)
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{name}\n")


def test_a_directory_takes_its_name_whole(tmp_path: Path, open_umask: object) -> None:
    target = tmp_path / "export"
    with files.replacing_directory(target) as building:
        _fill(building, "a.csv", "b.csv")
        assert not target.exists()  # nothing under the name while it is built
    assert sorted(p.name for p in target.iterdir()) == ["a.csv", "b.csv"]
    assert _mode(target) == 0o700 and _mode(target / "a.csv") == 0o600
    with pytest.raises(TargetExists, match="pass --force"):
        with files.replacing_directory(target) as building:
            _fill(building, "c.csv")
    assert sorted(p.name for p in target.iterdir()) == ["a.csv", "b.csv"]
    with files.replacing_directory(target, force=True) as building:
        _fill(building, "c.csv")
    assert sorted(p.name for p in target.iterdir()) == ["c.csv"]  # swapped, the old removed
    assert _leftovers(tmp_path) == []


def test_an_empty_directory_is_filled_and_a_failed_build_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "export"
    target.mkdir()
    with pytest.raises(RuntimeError), files.replacing_directory(target) as building:
        _fill(building, "a.csv")
        raise RuntimeError("killed half-way")
    assert list(target.iterdir()) == [] and _leftovers(tmp_path) == []
    with files.replacing_directory(target) as building:  # empty: nothing to lose
        _fill(building, "a.csv")
    assert [p.name for p in target.iterdir()] == ["a.csv"]


def test_a_symlinked_directory_is_replaced_as_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.txt").write_text("keep")
    link = tmp_path / "export"
    link.symlink_to(elsewhere)
    with pytest.raises(TargetExists):
        with files.replacing_directory(link) as building:
            _fill(building, "a.csv")
    with files.replacing_directory(link, force=True) as building:
        _fill(building, "a.csv")
    assert not link.is_symlink() and [p.name for p in link.iterdir()] == ["a.csv"]
    assert (elsewhere / "mine.txt").read_text() == "keep"


# --- the SQLite backup ---------------------------------------------------------------------

def _count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


def test_the_backup_hook_marks_the_copy_before_it_takes_its_name(
        engine: Engine, db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite"
    seen: list[bool] = []

    def prepare(copy: sqlite3.Connection) -> None:
        seen.append(target.exists())
        copy.execute("CREATE TABLE copy_mark (note TEXT)")
        copy.execute("INSERT INTO copy_mark VALUES ('a copy')")

    store_sqlite.backup(engine, target, prepare=prepare)
    assert seen == [False]
    assert _count(target, "SELECT count(*) FROM copy_mark") == 1
    assert _count(db_path, "SELECT count(*) FROM sqlite_master WHERE name = 'copy_mark'") == 0
    assert _mode(target) == 0o600 and _leftovers(tmp_path) == []


def test_a_backup_that_fills_the_disk_is_one_line_and_leaves_no_file(
        engine: Engine, tmp_path: Path) -> None:
    """A real SQLITE_FULL: the copy may not grow beyond its size when the hook writes."""
    target = tmp_path / "copy.sqlite"

    def prepare(copy: sqlite3.Connection) -> None:
        pages = copy.execute("PRAGMA page_count").fetchone()[0]
        copy.execute(f"PRAGMA max_page_count = {pages}")
        copy.execute("CREATE TABLE filler (x BLOB)")
        copy.execute("INSERT INTO filler VALUES (zeroblob(1000000))")

    with pytest.raises(TrackerError) as raised:
        store_sqlite.backup(engine, target, prepare=prepare)
    assert str(raised.value) == f"the disk is full: {target} not written; nothing changed"
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_forced_backup_never_replaces_the_register_and_drops_a_stale_wal(
        engine: Engine, db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="is the register being copied"):
        store_sqlite.backup(engine, db_path, force=True)
    target = tmp_path / "copy.sqlite"
    target.write_bytes(b"an old backup")
    Path(f"{target}-wal").write_bytes(b"its stale write-ahead log")
    store_sqlite.backup(engine, target, force=True)
    assert not Path(f"{target}-wal").exists()  # else SQLite would replay it into the copy
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_cli_backup_refuses_an_existing_copy_in_one_line_and_force_replaces_it(
        engine: Engine, db_path: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "copy.sqlite"
    assert main(["--db", str(db_path), "backup", "--to", str(target)]) == 0
    before = target.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db_path), "backup", "--to", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{target} already exists; pass --force" in err
    assert target.read_bytes() == before
    assert main(["--db", str(db_path), "backup", "--to", str(target), "--force"]) == 0
