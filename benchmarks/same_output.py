"""Whether two checkouts print the same ``--json`` for the same register: the sha256 of
``tracker reminders --json`` and ``tracker check --json`` run by each one's Python (a
faster writer must not change a byte scripts diff).

    .venv/bin/python -m benchmarks.same_output REGISTER.sqlite OLD_CHECKOUT [--today DATE]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path


def digest(python: str, cwd: Path, register: Path, *args: str) -> str:
    printed = subprocess.run([python, "-m", "tracker", "--db", str(register), *args],
                             cwd=cwd, capture_output=True, check=False).stdout
    return hashlib.sha256(printed).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("register", type=Path)
    parser.add_argument("old", type=Path, help="the other checkout (with its own .venv)")
    parser.add_argument("--today", default="2026-11-25")
    args = parser.parse_args()
    same = True
    for command in ("reminders", "check"):
        argv = (command, "--json", "--today", args.today)
        old = digest(str(args.old / ".venv/bin/python"), args.old, args.register, *argv)
        new = digest(sys.executable, Path.cwd(), args.register, *argv)
        print(f"{command:<10} old {old[:16]}  new {new[:16]}  {'same' if old == new else 'DIFFER'}")
        same = same and old == new
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
