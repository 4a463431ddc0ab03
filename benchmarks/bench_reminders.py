"""Deriving every reminder for a register of 100,000 providers with 300,000 dated records,
each figure beside its floor or comparison measured in the same run, and the ratio:

- the first derivation (load + derive, as ``Register.reminders`` does it) against the floor:
  a raw sqlite3 fetch of the same columns, one 12-field tuple per reminder, and the sort;
  target ratio <= 1.5;
- a repeat with nothing changed (kept against the audit trail's head): < 50 ms;
- `tracker reminders --json` as a process against a Python process that fetches every
  table with sqlite3; target ratio <= 2.5.

    .venv/bin/python -m benchmarks.bench_reminders [--providers 100000] [--runs 3]
                                                   [--db EXISTING.sqlite]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from operator import itemgetter
from pathlib import Path

from benchmarks.make_register import make_register
from benchmarks.processes import fetch_every_table, line, tracker_command
from tracker.app.register import Register
from tracker.app.reminders import load_register_dates, reminder_policy
from tracker.gcpause import gc_paused
from tracker.reminders.derive import derive_reminders
from tracker.store.engine import session_scope

TODAY = date(2026, 11, 25)
# The columns the loader reads (tracker.app.reminders._load), fetched raw.
QUERIES = (
    "SELECT id, legal_name, risk_tier, status, archived_at, is_ciio, handles_important_data"
    " FROM provider ORDER BY id",
    "SELECT id, provider_id, kind, title, expires_on, notice_period_days, auto_renewal"
    " FROM agreement WHERE archived_at IS NULL ORDER BY id",
    "SELECT id, provider_id, kind, outcome, assessed_on, next_review_on, retain_until"
    " FROM assessment WHERE archived_at IS NULL ORDER BY id",
    "SELECT id, provider_id, kind, location, valid_until FROM evidence"
    " WHERE archived_at IS NULL ORDER BY id",
    "SELECT id FROM supply WHERE contains_sensitive_pi = TRUE OR contains_minors_data = TRUE",
    "SELECT id, provider_id, origin_country, destination_country, mechanism, count_year,"
    " people_non_sensitive, people_sensitive, effective_on, filed_on, filing_number,"
    " filing_expires_on, exemption, on_negative_list, supply_id FROM transfer"
    " WHERE archived_at IS NULL ORDER BY id",
    "SELECT id, provider_id, kind, occurred_on, note, reported_on FROM review_trigger"
    " ORDER BY id",
    "SELECT id, provider_id, title, due_on, notes FROM reminder ORDER BY id",
    "SELECT key, state, until, reason FROM reminder_action ORDER BY key",
)


def floor(path: Path, reminders: int) -> float:
    """Raw fetch + one tuple per reminder + the sort, under a paused GC as the job runs."""
    with gc_paused():
        started = time.perf_counter()
        with sqlite3.connect(path) as db:
            rows = [row for sql in QUERIES for row in db.execute(sql).fetchall()]
        n = len(rows) or 1
        # the sort key scattered as due dates are (a sorted input would cost nothing)
        made = [(rows[i % n][0], rows[i % n][1], (i * 7919) % reminders, i, "", None, None,
                 None, None, None, None, None) for i in range(reminders)]
        made.sort(key=itemgetter(2))
        seconds = time.perf_counter() - started
    del made, rows
    gc.collect()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="an existing register (from make_register)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite"
        if args.db is None:
            counts = make_register(path, args.providers)
            print(f"register: {counts['providers']:,} providers, {counts['dated records']:,} "
                  "dated records")
        run(path, args.runs)


def run(path: Path, runs: int) -> None:
    firsts, floors, loads, derives = [], [], [], []
    count = 0
    for _ in range(runs):
        register = Register.open(f"sqlite:///{path}")
        started = time.perf_counter()
        count = len(register.reminders(TODAY))  # a new Register: nothing kept yet
        firsts.append(time.perf_counter() - started)
        # the same derivation in its two phases, for the breakdown
        started = time.perf_counter()
        with session_scope(register.engine, write=False) as session:
            data = load_register_dates(session)
            policy = reminder_policy(session)
        loaded = time.perf_counter()
        derived = derive_reminders(data, policy, TODAY)
        loads.append(loaded - started)
        derives.append(time.perf_counter() - loaded)
        del derived, data
        repeat_started = time.perf_counter()
        register.reminders(TODAY)
        repeat = time.perf_counter() - repeat_started
        register.close()
        gc.collect()
        floors.append(floor(path, count))
    first, base = statistics.median(firsts), statistics.median(floors)
    print(f"reminders derived: {count:,}")
    print("runs (first derivation / floor): "
          + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(firsts, floors, strict=True)))
    print(f"  of which load {statistics.median(loads):.2f} s + derive "
          f"{statistics.median(derives):.2f} s (medians)")
    line("reminders, first derivation (median)", first, base, "<= 1.5x")
    line("reminders, repeated with nothing changed", repeat, None, "< 0.05 s")
    comparison = fetch_every_table(path)
    command = tracker_command(path, "reminders", "--json", "--today", TODAY.isoformat())
    line("`tracker reminders --json` as a process", command, comparison, "<= 2.5x")
    print(f"  (comparison: a Python process fetching every table with sqlite3, "
          f"{comparison:.2f} s)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
