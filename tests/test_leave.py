"""A one-shot listing leaves its records to the process's end (``tracker.cli.leave``): the
process must still end as a normal exit would (status, flushed output, ``atexit``), and an
in-process ``main`` (a test, a script) must keep nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import gcpause
from tracker.cli import main

from .conftest import TODAY
from .helpers import copy_register

LEAVING = """
import atexit, sys
from tracker.cli.leave import run_as_process
from tracker.gcpause import keep_until_exit

def command() -> int:
    keep_until_exit(list(range(10)))
    atexit.register(lambda: print("atexit ran", file=sys.stderr))
    sys.stdout.write("buffered, not flushed")
    return 7

run_as_process(command)
"""


def test_a_process_that_keeps_records_ends_as_a_normal_exit_would() -> None:
    result = subprocess.run([sys.executable, "-c", LEAVING], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 7
    assert result.stdout == "buffered, not flushed"
    assert result.stderr == "atexit ran\n"


def test_main_in_process_keeps_nothing(demo_path: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    register = copy_register(demo_path, tmp_path / "r.sqlite")
    for command in (["reminders", "--json"], ["check", "--json"]):
        main(["--db", str(register), *command, "--today", TODAY.isoformat()])
        assert json.loads(capsys.readouterr().out)
    assert not gcpause.kept_any()


def test_the_command_as_a_process_prints_all_and_leaves_no_file_behind(
        demo_path: Path, tmp_path: Path) -> None:
    """The listing closes its register before leaving: no -wal or -shm file stays."""
    register = copy_register(demo_path, tmp_path / "r.sqlite")
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["reminders", "--json"], ["check", "--json"], ["reminders"]):
        result = subprocess.run([sys.executable, "-m", "tracker", "--db", str(register),
                                 *command, "--today", TODAY.isoformat()],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 1, result.stderr  # the demo has overdue work
        if "--json" in command:
            assert json.loads(result.stdout)
        else:
            assert result.stderr.startswith(f"{result.stdout.count(chr(10))} reminders due")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_long_lived_process_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal UI is started by the `tracker` command too: it must free as it goes."""
    monkeypatch.setattr(gcpause, "_kept", [])
    monkeypatch.setattr(gcpause, "_one_shot", True)
    monkeypatch.setattr(gcpause, "_long_lived", True)
    gcpause.keep_until_exit([1, 2, 3])
    assert not gcpause.kept_any()
    monkeypatch.setattr(gcpause, "_long_lived", False)
    gcpause.keep_until_exit([1, 2, 3])
    assert gcpause.kept_any()


def test_a_process_started_with_its_output_closed_still_ends_with_its_status() -> None:
    """`tracker ... >&-`: Python gives it no sys.stdout; leaving must not trip over that."""
    result = subprocess.run([sys.executable, "-c", LEAVING.replace(
        'sys.stdout.write("buffered, not flushed")', "assert sys.stdout is None")],
        stderr=subprocess.PIPE, text=True, check=False,
        preexec_fn=lambda: __import__("os").close(1))
    assert result.returncode == 7
    assert result.stderr == "atexit ran\n"


def test_the_command_with_its_output_closed_says_so_in_one_line(demo_path: Path,
                                                                 tmp_path: Path) -> None:
    register = copy_register(demo_path, tmp_path / "r.sqlite")
    result = subprocess.run([sys.executable, "-m", "tracker", "--db", str(register), "check"],
                            stderr=subprocess.PIPE, text=True, check=False,
                            preexec_fn=lambda: __import__("os").close(1))
    assert result.returncode == 2
    assert result.stderr == ("tracker: standard output is closed; send it to a file or to "
                             "/dev/null\n")
