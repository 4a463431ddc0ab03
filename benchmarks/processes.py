"""Timing whole processes, for the targets that hold for a command as a person runs it: the
comparison is a Python process that fetches every table of the same register with sqlite3
(start-up, the driver and the rows: what any command must at least pay)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

FETCH_EVERY_TABLE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tables = [n for n, in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
rows = sum(len(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
"""


def timed_process(argv: list[str]) -> float:
    """Seconds for ``argv`` to run to its end, its output thrown away (as a pipe would)."""
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def fetch_every_table(path: Path) -> float:
    return timed_process([sys.executable, "-c", FETCH_EVERY_TABLE, str(path)])


def tracker_command(path: Path, *args: str) -> float:
    return timed_process([sys.executable, "-m", "tracker", "--db", str(path), *args])


def line(label: str, figure: float, floor: float | None, target: str) -> None:
    """One figure beside its floor (measured in the same run), their ratio and the target."""
    ratio = f"ratio {figure / floor:5.2f}" if floor else "          "
    shown = f"{floor:8.3f} s" if floor is not None else "         —"
    print(f"{label:<46} {figure:8.3f} s   floor {shown}   {ratio}   target {target}")
