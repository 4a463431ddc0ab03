"""Import speed: a 100,000-row, 15-column register sheet (Latin and Chinese text, real and
text dates, booleans; one provider, its main agreement and its last review per row, as
officers keep them). Times the bare readers and the whole import (read, map, validate,
write, audit) in one run and prints the ratios, then checks the audit trail the import wrote
(its hash chain, walked in full). Target (issue 18): import <= 5x python-calamine's bare read
of the same file, peak memory under 300 MB, audit trail intact.

    .venv/bin/python -m benchmarks.bench_import [--rows 100000]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADERS = ["供应商名称", "Country", "Risk tier", "Role", "Status", "Contact", "Email", "Notes",
           "Agreement type", "签署日期", "到期日", "Auto-renew", "Last review", "Next review",
           "Review outcome"]
WORDS = ["Data", "Vision", "Speech", "数据", "科技", "智能", "Müller", "Nord", "Lab", "信息"]


def make_sheet(path: Path, rows: int, seed: int = 3) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(["Supplier register (benchmark)"])
    sheet.append([])
    sheet.append(HEADERS)
    base = date(2026, 1, 1)
    for i in range(rows):
        signed = base - timedelta(days=rng.randint(30, 900))
        expiry = signed + timedelta(days=rng.randint(365, 1500))
        last = base - timedelta(days=rng.randint(0, 700))
        sheet.append([
            f"{rng.choice(WORDS)} {rng.choice(WORDS)} Co {i}", rng.choice(["CN", "德国", "US",
                                                                          "France", "GB"]),
            rng.choice(["high", "Medium", "低", "critical"]),
            rng.choice(["processor", "licensor", "Independent controller"]),
            rng.choice(["active", "prospective"]), f"Contact {i}", f"c{i}@example.com",
            rng.choice(["", "备注 note", "renewal under discussion"]),
            rng.choice(["Data licence", "DPA", "NDA"]), signed,
            expiry.strftime("%Y-%m-%d"), rng.choice(["是", "否", "yes", "no"]), last,
            (last + timedelta(days=365)).isoformat(), rng.choice(["Approved", "通过"])])
    book.save(path)


def child(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; returns (seconds, peak MB of that process).

    The peak is VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started
    from a big parent would report the parent's size; VmHWM belongs to the new program."""
    wrapped = ("import time\nstarted = time.perf_counter()\n" + code +
               "\nhwm = [line for line in open('/proc/self/status') if "
               "line.startswith('VmHWM')][0].split()[1]\n"
               "print(time.perf_counter() - started, int(hwm) / 1024)")
    done = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the measured code failed:\n{done.stderr[-3000:]}")
    out = done.stdout.split()
    return float(out[-2]), float(out[-1])


def chain(db: Path) -> tuple[int, int]:
    """Walk the audit chain the import wrote: (events checked, problems)."""
    from sqlmodel import Session

    from tracker.store.audit import verify_chain
    from tracker.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        checked, problems = verify_chain(session)
    engine.dispose()
    return checked, len(problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "register.xlsx"
        started = time.perf_counter()
        make_sheet(sheet, args.rows)
        print(f"sheet: {args.rows:,} rows x {len(HEADERS)} columns, "
              f"{sheet.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - started:.1f}"
              " s")
        calamine, calamine_mb = child(
            "import python_calamine as c\n"
            f"c.CalamineWorkbook.from_path({str(sheet)!r}).get_sheet_by_index(0).to_python()")
        openpyxl_s, openpyxl_mb = child(
            "import defusedxml, openpyxl\n"
            f"wb = openpyxl.load_workbook({str(sheet)!r}, read_only=True)\n"
            "for row in wb.worksheets[0].iter_rows(values_only=True): pass\nwb.close()")
        db = Path(tmp) / "r.sqlite"
        imported, import_mb = child(
            "from pathlib import Path\nfrom tracker.store.migrate import create_register\n"
            "from tracker.app.imports import run_import\n"
            f"engine = create_register('sqlite:///{db}')\n"
            "started = time.perf_counter()\n"
            f"report = run_import(engine, Path({str(sheet)!r}), profile=None, order=None, "
            "dry_run=False)\nassert report.written and not report.problems, report.problems[:3]")
        checked, broken = chain(db)
        again, _ = child(
            "from pathlib import Path\nfrom tracker.store.migrate import open_register\n"
            "from tracker.app.imports import run_import\n"
            f"engine = open_register('sqlite:///{db}')\n"
            "started = time.perf_counter()\n"
            f"report = run_import(engine, Path({str(sheet)!r}), profile=None, order=None, "
            "dry_run=False)\nassert not report.written and not report.problems")
    print(f"python-calamine bare read:       {calamine:6.2f} s  peak {calamine_mb:5.0f} MB")
    print(f"openpyxl read-only + defusedxml: {openpyxl_s:6.2f} s  peak {openpyxl_mb:5.0f} MB"
          f"  ({openpyxl_s / calamine:.1f}x calamine)")
    print(f"tracker import (first time):     {imported:6.2f} s  peak {import_mb:5.0f} MB"
          f"  ({imported / calamine:.1f}x calamine; target <= 5x, < 300 MB: "
          f"{'met' if imported <= 5 * calamine and import_mb < 300 else 'missed'})")
    print(f"audit trail after the import: {checked:,} events, "
          f"{'intact' if not broken else f'{broken} problem(s)'}")
    print(f"tracker import (again, no change): {again:4.2f} s  ({again / calamine:.1f}x calamine)")
    print(f"import vs openpyxl read alone: {openpyxl_s / imported:.1f}x faster")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(benchmark process itself: peak {peak:.0f} MB)")


if __name__ == "__main__":
    main()
