"""The whole register's gaps at 100,000 providers (what `tracker check` and the dashboard's
count compute), each figure beside its floor measured in the same run, and the ratio:

- cold: the gaps of every provider, from nothing (GapCache's first call), against the floor
  of the rules alone on the loaded records plus a raw sqlite3 fetch of the same tables;
  target ratio <= 2;
- the dashboard's count after one change written through the application layer: < 100 ms;
- the same count with nothing changed, and after the date passes the earliest valid-until;
- `tracker check --json` as a process, against a process that fetches every table with
  sqlite3; target ratio <= 6.

    .venv/bin/python -m benchmarks.bench_gaps [--providers 100000] [--db EXISTING.sqlite]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.make_register import make_register
from benchmarks.processes import fetch_every_table, line, tracker_command
from tracker.app.gaps import GapCache, attach_reminders, load_records, organisation
from tracker.app.register import Register
from tracker.app.reminders import reminder_policy
from tracker.checks.rules import provider_gaps
from tracker.gcpause import gc_paused
from tracker.store.engine import session_scope

TODAY = date(2026, 11, 25)
TABLES = ("provider", "supply", "legal_basis", "agreement", "agreement_clause", "transfer",
          "assessment", "evidence", "review_trigger", "checklist_answer")


def raw_fetch(path: Path) -> float:
    started = time.perf_counter()
    with sqlite3.connect(path) as db:
        for table in TABLES:
            db.execute(f"SELECT * FROM {table}").fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="an existing register (from make_register)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite"
        if args.db is None:
            make_register(path, args.providers)
        run(path)


def run(path: Path) -> None:
    register = Register.open(f"sqlite:///{path}")
    engine = register.engine
    # the floor: the rules alone on loaded records, plus a raw fetch of the same tables
    fetch = raw_fetch(path)
    with session_scope(engine, write=False) as session, gc_paused():
        records = load_records(session, organisation(session))
        attach_reminders(records, reminder_policy(session), TODAY)
        started = time.perf_counter()
        found = sum(len(provider_gaps(r, TODAY)) for r in records.values())
        rules = time.perf_counter() - started
    del records
    floor = fetch + rules
    print(f"register: {path}; {found:,} provider gaps; rules alone {rules:.2f} s, "
          f"raw fetch {fetch:.2f} s")
    cache = GapCache()
    with session_scope(engine, write=False) as session:
        started = time.perf_counter()
        gaps = cache.gaps(session, TODAY)
        cold = time.perf_counter() - started
    print(f"gaps: {len(gaps):,}")
    line("whole-register gaps, cold", cold, floor, "<= 2x")
    del gaps, cache
    started = time.perf_counter()
    count = register.gap_count(TODAY)  # the register's own cache, cold
    line("dashboard count, first", time.perf_counter() - started, floor, "—")
    started = time.perf_counter()
    register.gap_count(TODAY)
    line("dashboard count, nothing changed", time.perf_counter() - started, None, "< 0.05 s")
    provider = register.get("provider", 2)
    register.update("provider", 2, {"risk_tier": None if provider.values["risk_tier"]
                                    else "low"}, expected_version=int(provider.version))
    started = time.perf_counter()
    after = register.gap_count(TODAY)
    line("dashboard count after one change", time.perf_counter() - started, None, "< 0.1 s")
    started = time.perf_counter()
    listed = register.gaps(TODAY)
    line("the gap list after that change", time.perf_counter() - started, None, "—")
    print(f"count {count:,} -> {after:,} (list {len(listed):,}); recomputed "
          f"{register._gap_cache.recomputed} provider(s)")
    moved = register._gap_cache.earliest_until
    started = time.perf_counter()
    register.gap_count(moved)
    line(f"count on {moved.isoformat()} (earliest valid-until)",
         time.perf_counter() - started, None, "—")
    print(f"  recomputed {register._gap_cache.recomputed:,} provider(s) whose gaps may change")
    register.close()
    comparison = fetch_every_table(path)
    command = tracker_command(path, "check", "--json", "--today", TODAY.isoformat())
    line("`tracker check --json` as a process", command, comparison, "<= 6x")
    print(f"  (comparison: a Python process fetching every table with sqlite3, "
          f"{comparison:.2f} s)")


if __name__ == "__main__":
    main()
