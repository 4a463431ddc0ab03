#!/usr/bin/env python3
"""Set up the project's virtual environment and run one task in it.

Why a script and not a Makefile: the quick start must work on a machine that has only
python3, so the setup itself is written in the standard library.

    python3 scripts/dev.py demo   # set up, then open the TUI on the demo register
    python3 scripts/dev.py test   # set up, then ruff, mypy, import-linter and pytest
    python3 scripts/dev.py test -n 0 tests/test_cli.py   # arguments go to pytest
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"


def _pyproject_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the project with its dev extras, once per pyproject change."""
    if not (BIN / "python").exists():
        print("Creating .venv ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _pyproject_digest():
        return
    print("Installing tracker and its dependencies into .venv ...", file=sys.stderr)
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", f"{ROOT}[dev]"],
        check=True,
    )
    STAMP.write_text(_pyproject_digest())


def start_postgres(directory: Path) -> str | None:
    """A throwaway PostgreSQL server for tests/test_postgres.py, or None (they then skip)."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "pg.py"), "start",
                             str(directory)], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"PostgreSQL tests will be skipped: {result.stderr.strip()}", file=sys.stderr)
        return None
    return result.stdout.strip()


def ensure_browser() -> None:
    """Headless Chromium and chromedriver for tests/test_serve.py (scripts/browser.py
    installs Debian's packages where it can); without them that test is skipped."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "browser.py")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(f"The browser test will be skipped: {result.stderr.strip()}", file=sys.stderr)


def _shown(step: list[str]) -> str:
    return " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step))


def run_tests(extra: list[str]) -> int:
    # mypy is the one slow check (~20 s of one core on a clean clone, which has no
    # .mypy_cache) and the others never wait on it: it runs beside the browser check, the
    # PostgreSQL start, ruff, import-linter and pytest, whose workers leave a core idle
    # while they collect, wait between key presses and finish their last tests. Its output
    # is shown after pytest's, and the command fails if it fails.
    mypy = [str(BIN / "mypy")]
    print(f"$ {_shown(mypy)}  (in the background; its report follows pytest's)",
          file=sys.stderr, flush=True)
    typing = subprocess.Popen(mypy, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        code = _run_checks_and_pytest(extra)
    except BaseException:  # e.g. ctrl+c in pytest: mypy's report is no longer wanted
        typing.kill()
        typing.wait()
        raise
    report, _ = typing.communicate()
    print(f"$ {_shown(mypy)}", file=sys.stderr, flush=True)
    sys.stdout.write(report)
    sys.stdout.flush()
    return code or typing.returncode


def _run_checks_and_pytest(extra: list[str]) -> int:
    steps = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "lint-imports")],
        # One pytest-xdist worker per CPU and one more: the screen tests wait between key
        # presses and the others on SQLite's fsyncs, so a core is often idle with one
        # worker on it. Measured here on 2 cores, one after another on a quiet machine:
        # 2 workers 206 s, 3 workers 173 s, 4 workers 176 s. Each worker has its own
        # register templates and its own PostgreSQL database (tests/test_postgres.py).
        # Work stealing: a worker that runs out takes tests queued for another, so a few
        # long tests left on one worker at the end do not leave a core idle.
        # Given after the defaults, `-n 0` runs everything in one process (e.g. for --pdb).
        [str(BIN / "python"), "-m", "pytest", "-n", str((os.cpu_count() or 1) + 1),
         "--dist", "worksteal", *extra],
    ]
    ensure_browser()
    with tempfile.TemporaryDirectory(prefix="tracker-pg-") as pg_dir:
        url = start_postgres(Path(pg_dir))
        env = {**os.environ, **({"TRACKER_TEST_PG_URL": url} if url else {})}
        try:
            for step in steps:
                print(f"$ {_shown(step)}", file=sys.stderr, flush=True)
                code = subprocess.run(step, cwd=ROOT, env=env).returncode
                if code != 0:
                    return code
        finally:
            if url:
                subprocess.run([sys.executable, str(ROOT / "scripts" / "pg.py"), "stop",
                                pg_dir], capture_output=True)
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    task, rest = argv[0], argv[1:]
    if task == "setup":
        return 0
    if task == "test":
        return run_tests(rest)
    os.execv(str(BIN / "tracker"), [str(BIN / "tracker"), "demo", *rest])
    return 0  # unreachable: execv replaces this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
