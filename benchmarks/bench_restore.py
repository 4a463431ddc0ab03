"""Restore speed and memory: the export of a register of N providers (every kind of record,
~7 records and ~4.5 reminders per provider) imported into an empty register, by today's
code and by the restore before issue 19 (``--baseline``, a commit), in the same run.

The earlier restore is run from that commit's own ``tracker`` package, extracted with
``git archive`` into a temporary folder and put first on the child's path (the same
interpreter and libraries); each restore runs in a fresh interpreter, so its peak memory
(VmHWM) is its own. The export is written once, by today's export code, and both restores
read the same file. Target (issue 19): today's restore <= 0.5x the earlier one, peak
<= 300 MB, flat in the register's size (run it at two sizes: ``--providers 20000 100000``).

    .venv/bin/python -m benchmarks.bench_restore [--providers 20000 100000] [--baseline REF]
        [--no-baseline] [--dry-run]
"""

from __future__ import annotations

import argparse
import subprocess
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from benchmarks.bench_import import chain, child
from benchmarks.make_register import make_register

BASELINE = "6db3fa43292db9cb0dca69fb6f0f1ef0358a18ff"  # main before issue 19's restore
REPO = Path(__file__).resolve().parent.parent

_RESTORE = (
    "import sys\n{path}"
    "from pathlib import Path\nfrom tracker.store.migrate import create_register\n"
    "from tracker.app.imports import run_import\nimport tracker\n"
    "assert tracker.__file__.startswith({root!r}), tracker.__file__\n"
    "engine = create_register('sqlite:///{db}')\n"
    "started = time.perf_counter()\n"
    "report = run_import(engine, Path({out!r}), profile=None, order=None, dry_run={dry})\n"
    "assert report.written != {dry} and not report.problems, report.problems[:3]\n"
    # the forked reader (tracker.app.restore_reader), when there was one: its peak, the
    # pages it shares with the writer counted too
    "import resource\nPath({peak!r}).write_text(str(resource.getrusage("
    "resource.RUSAGE_CHILDREN).ru_maxrss / 1024))\n")


def extract(ref: str, into: Path) -> Path:
    """``ref``'s tracker package as an installed one is laid out (schema/ and imports/
    inside it, as pyproject.toml maps them into the wheel)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "tracker", "schema",
                              "imports"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "schema").rename(into / "tracker" / "schema")
    (into / "imports").rename(into / "tracker" / "imports")
    return into


def restore(out: Path, db: Path, *, code_root: Path | None, dry: bool = False
            ) -> tuple[float, float, float]:
    """(seconds, the restoring process's peak MB, its forked reader's peak MB or 0)."""
    path = "" if code_root is None else f"sys.path.insert(0, {str(code_root)!r})\n"
    root = str(code_root or REPO / "tracker")
    peak = db.with_suffix(".reader-peak")
    seconds, mb = child(_RESTORE.format(path=path, root=root, db=db, out=str(out), dry=dry,
                                        peak=str(peak)))
    return seconds, mb, float(peak.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--baseline", default=BASELINE,
                        help="the commit whose restore is compared (default: before issue 19)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--dry-run", action="store_true", help="also time a dry run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = None if args.no_baseline else extract(args.baseline, Path(tmp) / "baseline")
        rows: list[str] = []
        for providers in args.providers:
            db = Path(tmp) / f"register-{providers}.sqlite"
            started = time.perf_counter()
            counts = make_register(db, providers, supplies=True)
            out = Path(tmp) / f"export-{providers}.xlsx"
            child("from pathlib import Path\nfrom datetime import date\n"
                  "from tracker.store.migrate import open_register\n"
                  "from tracker.app.exports import run_export\n"
                  f"engine = open_register('sqlite:///{db}')\n"
                  f"run_export(engine, Path({str(out)!r}), today=date(2026, 11, 25))")
            print(f"{providers:,} providers: register {counts} and its export "
                  f"({out.stat().st_size / 1e6:.1f} MB) made in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
            target = Path(tmp) / f"restored-{providers}.sqlite"
            now_s, now_mb, reader_mb = restore(out, target, code_root=None)
            checked, broken = chain(target)
            print(f"  restore (this code):     {now_s:7.1f} s  peak {now_mb:5.0f} MB  audit "
                  f"trail {checked:,} events, {'intact' if not broken else 'BROKEN'}; "
                  f"its forked reader's peak {reader_mb:.0f} MB (shared pages counted)",
                  flush=True)
            if args.dry_run:
                dry_s, dry_mb, _ = restore(out, Path(tmp) / f"dry-{providers}.sqlite",
                                        code_root=None, dry=True)
                print(f"  the same, dry run:       {dry_s:7.1f} s  peak {dry_mb:5.0f} MB",
                      flush=True)
            line = (f"{providers:,} providers: restore {now_s:.1f} s, peak {now_mb:.0f} MB, "
                    f"its reader's {reader_mb:.0f} MB (target <= 300 MB each: "
                    f"{'met' if max(now_mb, reader_mb) <= 300 else 'missed'})")
            if base is not None:
                old_s, old_mb, _ = restore(out, Path(tmp) / f"old-{providers}.sqlite",
                                        code_root=base)
                print(f"  restore ({args.baseline[:10]}): {old_s:7.1f} s  peak {old_mb:5.0f} "
                      f"MB", flush=True)
                line += (f"; before: {old_s:.1f} s, peak {old_mb:.0f} MB; ratio "
                         f"{now_s / old_s:.2f}x (target <= 0.5x: "
                         f"{'met' if now_s <= 0.5 * old_s else 'missed'})")
            rows.append(line)
            for used in (db, target):
                used.unlink(missing_ok=True)
        print("\n".join(rows))


if __name__ == "__main__":
    main()
