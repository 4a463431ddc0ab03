"""Export speed and memory (issue 19): a register of 100,000 providers with their related
records (a supply and its legal basis, an agreement and a due-diligence review each,
evidence and transfers for half of them; ~500,000 records and ~450,000 derived reminders)
exported to one workbook, and to CSV files. Each run is a fresh interpreter, so its peak
memory is its own. Prints, all measured in this one run:

- the export as a library call (``run_export``) and as the command a user runs
  (``tracker export``, a whole process: start-up, imports, the register's opening);
- the comparison: openpyxl's write-only writer writing the same cells (the export's own,
  read back sheet by sheet with python-calamine; only the writing is timed, no database,
  no styles), and the ratio (target: the export at most 0.5x of it, peak under 300 MB);
- XlsxWriter's constant-memory mode on the same cells, when it is installed (it is not a
  dependency: it is printed as the other writer measured before rust_xlsxwriter was chosen).

    .venv/bin/python -m benchmarks.bench_export [--providers 100000] [--restore]

--restore also imports the workbook into an empty register and times that
(benchmarks/bench_restore.py measures the restore on its own).
--round-trip imports the workbook back into the register it came from, once as exported
(nothing changed since) and once after 1,000 providers were edited in the register: the
rebase (tracker.app.rebase) reads only the events after the export, so the two should
take about the same time.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_import import child
from benchmarks.make_register import make_register

TODAY = "2026-11-25"
TARGET_RATIO = 0.5
TARGET_MB = 300

# The export's cells, read back one sheet at a time (calamine gives "" for an empty cell:
# written as nothing, as the export writes it), then written by another writer: only the
# writing is timed, so the comparison holds no database, derivation or styling work.
_SAME_CELLS = """
from python_calamine import CalamineWorkbook
source = CalamineWorkbook.from_path({out!r})
spent = 0.0
{open}
for name in source.sheet_names:
    rows = [[None if v == "" else v for v in row]
            for row in source.get_sheet_by_name(name).to_python(skip_empty_area=False)]
    begun = time.perf_counter()
{write}
    spent += time.perf_counter() - begun
    del rows
begun = time.perf_counter()
{close}
spent += time.perf_counter() - begun
started = time.perf_counter() - spent  # the wrapper prints the time since `started`
"""
_OPENPYXL = {
    "open": "from openpyxl import Workbook\nbook = Workbook(write_only=True)",
    "write": "    sheet = book.create_sheet(name)\n    for row in rows:\n"
             "        sheet.append(row)",
    "close": "book.save({floor!r})"}
_XLSXWRITER = {
    "open": "import xlsxwriter\nbook = xlsxwriter.Workbook({floor!r}, "
            "{{'constant_memory': True}})",
    "write": "    sheet = book.add_worksheet(name)\n    for index, row in enumerate(rows):\n"
             "        sheet.write_row(index, 0, row)",
    "close": "book.close()"}


def same_cells(writer: dict[str, str], out: Path, floor: Path) -> tuple[float, float]:
    parts = {key: text.format(floor=str(floor)) for key, text in writer.items()}
    return child(_SAME_CELLS.format(out=str(out), **parts))


def command(args: list[str]) -> tuple[float, float]:
    """A whole ``tracker`` process as a user runs it: (seconds, peak MB of that process)."""
    tracker = shutil.which("tracker", path=str(Path(sys.executable).parent)) or "tracker"
    return child(
        "import os, subprocess, sys\n"
        f"process = subprocess.Popen({[tracker, *args]!r})\n"
        "_, status, usage = os.wait4(process.pid, 0)\n"
        "assert status == 0, status\n"
        "spent = time.perf_counter() - started\n"
        "print(spent, usage.ru_maxrss / 1024)\nsys.exit(0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--restore", action="store_true")
    parser.add_argument("--round-trip", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "register.sqlite"
        started = time.perf_counter()
        counts = make_register(db, args.providers, supplies=True)
        print(f"register: {counts}, made in {time.perf_counter() - started:.1f} s")
        out = Path(tmp) / "export.xlsx"
        exported, export_mb = child(
            "from pathlib import Path\nfrom datetime import date\n"
            "from tracker.store.migrate import open_register\n"
            "from tracker.app.exports import run_export\n"
            f"engine = open_register('sqlite:///{db}')\nstarted = time.perf_counter()\n"
            f"result = run_export(engine, Path({str(out)!r}), "
            f"today=date.fromisoformat({TODAY!r}))\n"
            "import json, sys\nprint(json.dumps(result.rows), file=sys.stderr)")
        cells = _cells(out)
        size = out.stat().st_size / 1e6
        process, process_mb = command(["--db", str(db), "export", "--today", TODAY,
                                       str(Path(tmp) / "command.xlsx")])
        floor, floor_mb = same_cells(_OPENPYXL, out, Path(tmp) / "openpyxl.xlsx")
        other = same_cells(_XLSXWRITER, out, Path(tmp) / "xlsxwriter.xlsx") \
            if importlib.util.find_spec("xlsxwriter") else None
        csv_s, csv_mb = child(
            "from pathlib import Path\nfrom datetime import date\n"
            "from tracker.store.migrate import open_register\n"
            "from tracker.app.exports import run_export\n"
            f"engine = open_register('sqlite:///{db}')\nstarted = time.perf_counter()\n"
            f"run_export(engine, Path({str(Path(tmp) / 'csv')!r}), as_csv=True, "
            f"today=date.fromisoformat({TODAY!r}))")
        print(f"workbook: {size:.1f} MB, {cells[1]:,} rows, {cells[0]:,} cells")
        print(f"openpyxl write-only, the same cells:  {floor:6.1f} s  peak {floor_mb:5.0f} MB"
              "  (the comparison; peak includes the sheet read back)")
        if other is not None:
            print(f"XlsxWriter constant_memory, same:     {other[0]:6.1f} s  peak "
                  f"{other[1]:5.0f} MB  ({other[0] / floor:.2f}x openpyxl)")
        for label, seconds, mb in (("export to xlsx (run_export)", exported, export_mb),
                                   ("`tracker export` as a process", process, process_mb)):
            ratio = seconds / floor
            verdict = "met" if ratio <= TARGET_RATIO and mb <= TARGET_MB else "MISSED"
            print(f"{label + ':':37} {seconds:6.1f} s  peak {mb:5.0f} MB  = {ratio:.2f}x "
                  f"openpyxl (target <= {TARGET_RATIO}x, < {TARGET_MB} MB: {verdict})")
        print(f"export to CSV:                        {csv_s:6.1f} s  peak {csv_mb:5.0f} MB  "
              f"({csv_s / exported:.2f}x the xlsx export)")
        if args.restore:
            restored, restore_mb = child(
                "from pathlib import Path\nfrom tracker.store.migrate import create_register\n"
                "from tracker.app.imports import run_import\n"
                f"engine = create_register('sqlite:///{Path(tmp) / 'restored.sqlite'}')\n"
                "started = time.perf_counter()\n"
                f"report = run_import(engine, Path({str(out)!r}), profile=None, order=None,"
                " dry_run=False)\nassert report.written, report.problems[:3]")
            print(f"import it into an empty register: {restored:6.1f} s  peak "
                  f"{restore_mb:5.0f} MB")
        if args.round_trip:
            _round_trip(db, out)


_REIMPORT = ("from pathlib import Path\nfrom tracker.store.migrate import open_register\n"
             "from tracker.app.imports import run_import\n"
             "engine = open_register('sqlite:///{db}')\nstarted = time.perf_counter()\n"
             "report = run_import(engine, Path({out!r}), profile=None, order=None, "
             "dry_run=True)\nassert not report.problems, report.problems[:3]\n"
             "import sys\nprint(len(report.conflicts), file=sys.stderr)")


def _round_trip(db: Path, out: Path) -> None:
    code = _REIMPORT.format(db=db, out=str(out))
    unchanged, unchanged_mb = child(code)
    edited = 1000
    started = time.perf_counter()
    child("from tracker.app.register import Register\n"
          f"register = Register.open('sqlite:///{db}')\n"
          f"for pid in range(1, {edited} + 1):\n"
          "    current = register.get('provider', pid)\n"
          "    register.update('provider', pid, {'contact_name': f'Edited {pid}'},\n"
          "                    expected_version=int(current.version))")
    print(f"edited {edited:,} providers in the register in "
          f"{time.perf_counter() - started:.1f} s")
    rebased, rebased_mb = child(code)
    print(f"old export back into its register (dry run), nothing changed since: "
          f"{unchanged:6.1f} s  peak {unchanged_mb:5.0f} MB")
    print(f"the same after {edited:,} providers changed since:           "
          f"{rebased:6.1f} s  peak {rebased_mb:5.0f} MB  ({rebased / unchanged:.2f}x)")


def _cells(path: Path) -> tuple[int, int]:
    """(cells, rows) of every sheet, counted from the sheet XML without loading it."""
    import re
    import zipfile

    cells = rows = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                with archive.open(name) as member:
                    for chunk in iter(lambda m=member: m.read(1 << 20), b""):
                        cells += chunk.count(b"<c ")
                        rows += len(re.findall(rb"<row ", chunk))
    return cells, rows


if __name__ == "__main__":
    main()
