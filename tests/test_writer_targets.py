"""Where a command writes is the name the user gave, in a folder that exists, of a register
named on purpose: a symlink at the target is refused like any existing name (replaced
itself with --force, never written through), a missing folder is one line (only the
program's own folders are created, 0700), an empty --db or an unusable URL is a user error,
and a setting stored with a raw control character still reads. All through the CLI."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.locations import backups_dir, data_dir, default_register
from tracker.store.sqlite import SQLITE_HEADER

Capsys = pytest.CaptureFixture[str]

# Each writer, given its target: the arguments after --db REGISTER (None: it names the
# register itself, and needs no register to exist).
WRITERS: dict[str, tuple[str, list[str] | None]] = {
    "backup": ("copy.sqlite", ["backup", "--to", "{}"]),
    "report": ("ropa.html", ["report", "ropa", "--out", "{}"]),
    "ics": ("reminders.ics", ["reminders", "--ics", "{}"]),
    "export": ("register.xlsx", ["export", "{}"]),
    "csv": ("csv-export", ["export", "--csv", "{}"]),
    "anchor": ("anchor.json", ["audit", "anchor", "--out", "{}"]),
    "init": ("new.sqlite", None),
    "demo": ("demo-copy.sqlite", None),
}


def _argv(writer: str, register: Path, target: Path) -> list[str]:
    _, args = WRITERS[writer]
    if args is None:
        command = ["init"] if writer == "init" else ["demo", "--no-open"]
        return ["--db", str(target), *command]
    return ["--db", str(register), *[a.replace("{}", str(target)) for a in args]]


def test_a_symlink_at_the_backup_target_is_refused_by_its_own_name_and_replaced_with_force(
        demo_path: Path, tmp_path: Path, capsys: Capsys) -> None:
    precious = tmp_path / "tgt.txt"
    precious.write_text("precious\n")
    link = tmp_path / "link.sqlite"
    link.symlink_to(precious.name)
    assert main(["--db", str(demo_path), "backup", "--to", str(link)]) == 2
    assert capsys.readouterr().err == (f"tracker: {link} already exists; pass --force to "
                                       "replace it\n")
    assert main(["--db", str(demo_path), "backup", "--to", str(link), "--force"]) == 0
    assert capsys.readouterr().out == f"{link}\n"
    assert not link.is_symlink() and link.read_bytes().startswith(SQLITE_HEADER)
    assert precious.read_text() == "precious\n"  # never written through the link


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_dangling_symlink_at_any_target_is_refused_and_nothing_is_created_where_it_points(
        writer: str, demo_path: Path, tmp_path: Path, capsys: Capsys) -> None:
    name, _ = WRITERS[writer]
    pointed = tmp_path / "elsewhere" / name
    pointed.parent.mkdir()
    link = tmp_path / name
    link.symlink_to(pointed)
    assert main(_argv(writer, demo_path, link)) == 2
    err = capsys.readouterr().err
    assert str(link) in err and str(pointed) not in err, err
    assert not pointed.exists() and link.is_symlink()
    assert list(pointed.parent.iterdir()) == []


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_missing_folder_is_one_line_naming_it_and_is_never_created(
        writer: str, demo_path: Path, tmp_path: Path, capsys: Capsys) -> None:
    name, _ = WRITERS[writer]
    typo = tmp_path / "no\x1b[31msuch"  # an escape in the name is shown, not sent
    assert main(_argv(writer, demo_path, typo / name)) == 2
    shown = str(tmp_path / "no\\x1b[31msuch")
    assert capsys.readouterr().err == (f"tracker: no folder {shown}; create it first "
                                       f"({name} not written)\n")
    assert not typo.exists()


def test_only_the_programs_own_folders_are_created_and_private(demo_path: Path,
                                                               capsys: Capsys) -> None:
    assert not data_dir().exists()
    assert main(["--db", str(demo_path), "backup"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == backups_dir() and written.is_file()
    for folder in (data_dir(), backups_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_empty_db_is_a_user_error_and_an_empty_tracker_db_is_unset(
        demo_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    for command in (["check"], ["init"], ["demo", "--no-open"], ["backup"]):
        assert main(["--db", "", *command]) == 2, command
        assert capsys.readouterr().err == ("tracker: --db is empty: give a file name, or "
                                           "leave --db out\n")
    assert main(["--db", str(demo_path), "backup", "--to", ""]) == 2
    assert capsys.readouterr().err == ("tracker: --to is empty: give a file name, or leave "
                                       "--to out\n")
    assert not default_register().exists() and not data_dir().exists()
    monkeypatch.setenv("TRACKER_DB", "")
    assert main(["check"]) == 2  # as if unset: your own register, which does not exist yet
    assert "no register at " + str(default_register()) in capsys.readouterr().err


@pytest.mark.parametrize(("url", "message"), [
    ("bogus://x", "cannot use bogus://x: not a SQLite file or a PostgreSQL URL"),
    ("mysql://u:secret@host/db",
     "cannot use mysql://u:***@host/db: not a SQLite file or a PostgreSQL URL"),
    ("postgresql+nosuchdriver://u:secret@host/db",
     "cannot use postgresql+nosuchdriver://u:***@host/db: its driver 'nosuchdriver' is not "
     "installed"),
    ("://x", "cannot use ://…: not a SQLite file or a PostgreSQL URL"),
])
def test_a_url_of_an_unusable_backend_is_a_user_error_without_its_password(
        url: str, message: str, capsys: Capsys) -> None:
    for command in (["check"], ["init"]):
        assert main(["--db", url, *command]) == 2
        assert capsys.readouterr().err == f"tracker: {message}\n"


def test_a_setting_stored_with_a_raw_control_character_still_reads_and_is_shown_escaped(
        demo_path: Path, tmp_path: Path, capsys: Capsys) -> None:
    with sqlite3.connect(demo_path) as connection:  # as an older version or raw SQL left it
        connection.execute("UPDATE setting SET value = ? WHERE key = 'organisation_name'",
                           ('"org\x1b[31m\u202e"',))
    connection.close()
    db = ["--db", str(demo_path)]
    assert main([*db, "settings", "get", "organisation_name"]) == 0
    assert capsys.readouterr().out == '"org\\u001b[31m\\u202e"\n'
    assert main([*db, "settings", "list"]) == 0
    listed = capsys.readouterr().out
    assert '"org\\u001b[31m\\u202e"' in listed and "\x1b" not in listed
    assert main([*db, "report", "ropa", "--out", str(tmp_path / "r.md")]) == 0
    assert "org\\\\x1b\\[31m\\\\u202e" in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert main([*db, "export", str(tmp_path / "e.xlsx")]) == 0
    capsys.readouterr()
    assert main([*db, "settings", "set", "organisation_name", "Lumina"]) == 0
    assert main([*db, "settings", "get", "organisation_name"]) == 0
    assert capsys.readouterr().out.endswith('"Lumina"\n')
