"""Export speed and memory: a register of 100,000 providers with their related records (a
supply and its legal basis, an agreement and a due-diligence review each, evidence and
transfers for half of them; ~500,000 records and ~450,000 derived reminders) exported to
one workbook, and to CSV files. Each run is a fresh interpreter, so its peak memory is the
export's own. Prints the time, the peak memory (target: under 300 MB) and the ratio to the
floor: openpyxl's write-only mode writing the same number of plain cells with no database.

    .venv/bin/python -m benchmarks.bench_export [--providers 100000] [--restore]

--restore also imports the workbook into an empty register and times that.
--round-trip imports the workbook back into the register it came from, once as exported
(nothing changed since) and once after 1,000 providers were edited in the register: the
rebase (tracker.app.rebase) reads only the events after the export, so the two should
take about the same time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.bench_import import child
from benchmarks.make_register import make_register


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
            f"result = run_export(engine, Path({str(out)!r}), today=date(2026, 11, 25))\n"
            "import json, sys\nprint(json.dumps(result.rows), file=sys.stderr)")
        cells = _cells(out)
        size = out.stat().st_size / 1e6
        floor, floor_mb = child(
            "from openpyxl import Workbook\nbook = Workbook(write_only=True)\n"
            "sheet = book.create_sheet('S')\n"
            f"for i in range({cells[1]}):\n"
            f"    sheet.append(['text value %d' % i] * {max(1, round(cells[0] / cells[1]))})\n"
            f"book.save({str(Path(tmp) / 'floor.xlsx')!r})")
        csv_s, csv_mb = child(
            "from pathlib import Path\nfrom datetime import date\n"
            "from tracker.store.migrate import open_register\n"
            "from tracker.app.exports import run_export\n"
            f"engine = open_register('sqlite:///{db}')\nstarted = time.perf_counter()\n"
            f"run_export(engine, Path({str(Path(tmp) / 'csv')!r}), as_csv=True, "
            "today=date(2026, 11, 25))")
        print(f"workbook: {size:.1f} MB, {cells[1]:,} rows, {cells[0]:,} cells")
        print(f"export to xlsx:  {exported:6.1f} s  peak {export_mb:5.0f} MB  (target < 300 MB)")
        print(f"openpyxl floor:  {floor:6.1f} s  peak {floor_mb:5.0f} MB  (same cell count, "
              f"no database; export = {exported / floor:.2f}x the floor)")
        print(f"export to CSV:   {csv_s:6.1f} s  peak {csv_mb:5.0f} MB  "
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
