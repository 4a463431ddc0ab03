"""Deriving every reminder for a register of 100,000 providers with 300,000 dated records.
Target on a 2-core machine: under 2 s for load + derive. Prints each phase, the total, its
ratio to the target, and peak memory.

    .venv/bin/python -m benchmarks.bench_reminders [--providers 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.make_register import make_register
from tracker.app.reminders import load_register_dates, reminder_policy
from tracker.reminders.derive import derive_reminders
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register

TARGET_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        counts = make_register(path, args.providers)
        print(f"register: {counts['providers']:,} providers, {counts['dated records']:,} "
              "dated records")
        engine = open_register(f"sqlite:///{path}")
        loads, derives, totals = [], [], []
        reminders = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with session_scope(engine, write=False) as session:
                data = load_register_dates(session)
                policy = reminder_policy(session)
            loaded = time.perf_counter()
            reminders = derive_reminders(data, policy, date(2026, 11, 25))
            done = time.perf_counter()
            loads.append(loaded - started)
            derives.append(done - loaded)
            totals.append(done - started)
        engine.dispose()
    total = statistics.median(totals)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"reminders derived: {len(reminders):,}")
    pairs = zip(loads, derives, strict=True)
    print("runs (load + derive): " + ", ".join(f"{a:.2f}+{b:.2f}" for a, b in pairs))
    print(f"load (median of {args.runs}):   {statistics.median(loads):.2f} s")
    print(f"derive (median):        {statistics.median(derives):.2f} s")
    print(f"total (median):         {total:.2f} s   target {TARGET_SECONDS:.1f} s   "
          f"ratio {total / TARGET_SECONDS:.2f} ({'met' if total < TARGET_SECONDS else 'MISSED'})")
    print(f"peak memory (process):  {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
