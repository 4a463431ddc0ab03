#!/usr/bin/env python3
"""Start and stop a throwaway PostgreSQL server for the tests (standard library only).

    python3 scripts/pg.py start DIR   # prints the SQLAlchemy URL on success
    python3 scripts/pg.py stop DIR

Installs Debian's postgresql package when no server is found and we are root (CI runs as
root on a clean machine); initdb refuses root, so the cluster runs as the `postgres` user.
The server listens only on a Unix socket inside DIR: nothing on the network.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    runner = shutil.which("runuser")
    return [runner, "-u", "postgres", "--", *args] if runner else ["su", "postgres", "-c",
                                                                    " ".join(args)]


def start(directory: Path) -> int:
    bin_dir = _bin()
    if bin_dir is None and os.geteuid() == 0 and shutil.which("apt-get"):
        # A fresh machine may have empty package lists: update them once and retry.
        for attempt in ([], ["apt-get", "update", "-qq"]):
            if attempt:
                subprocess.run(attempt, check=False, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            bin_dir = _bin()
            if bin_dir is not None:
                break
    if bin_dir is None:
        print("no PostgreSQL server available", file=sys.stderr)
        return 1
    data, socket = directory / "data", directory / "socket"
    directory.mkdir(parents=True, exist_ok=True)
    socket.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
        shutil.chown(socket, "postgres")
    steps = [
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "--no-sync", "-E", "UTF8"],
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w", "-o",
         f"-k {socket} -c listen_addresses='' -c fsync=off", "start"],
        [str(bin_dir / "createdb"), "-h", str(socket), "-U", "postgres", "tracker"],
    ]
    for step in steps:
        result = subprocess.run(_as_postgres(step), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            print(f"{Path(step[0]).name} failed: {result.stderr.strip()}", file=sys.stderr)
            return 1
    print(f"postgresql+psycopg://postgres@/tracker?host={socket}")
    return 0


def stop(directory: Path) -> int:
    bin_dir = _bin()
    if bin_dir is not None and (directory / "data").exists():
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(directory / "data"),
                                     "-m", "immediate", "stop"]),
                       capture_output=True, check=False)
    shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in {"start", "stop"}:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(start(Path(sys.argv[2])) if sys.argv[1] == "start" else stop(Path(sys.argv[2])))
