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
