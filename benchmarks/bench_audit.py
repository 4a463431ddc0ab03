"""Audit verification at scale: a register of 100,000 providers imported from a register
sheet (each row a provider, its main agreement and its last review: ~300,000 records, their
events, and the clause checklists of the DPAs among them, derived and summarised in their
agreements' events). Times, each in a fresh interpreter with its own peak memory (VmHWM):

- the plain chain walk (hashes and head: what `tracker audit verify` did before the replay),
- the replay of every event against every record, on its own,
- the whole `tracker audit verify` (chain, replay, the anchors in the backups directory).

    .venv/bin/python -m benchmarks.bench_audit [--rows 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.bench_import import child, make_sheet

SESSION = ("from sqlmodel import Session\nfrom tracker.store.engine import make_engine\n"
           "engine = make_engine('sqlite:///{db}')\nsession = Session(engine)\n"
           "started = time.perf_counter()\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheet, db = Path(tmp) / "register.xlsx", Path(tmp) / "register.sqlite"
        started = time.perf_counter()
        make_sheet(sheet, args.rows)
        imported, _ = child(
            "from pathlib import Path\nfrom tracker.store.migrate import create_register\n"
            "from tracker.app.imports import run_import\n"
            f"engine = create_register('sqlite:///{db}')\n"
            f"report = run_import(engine, Path({str(sheet)!r}), profile=None, order=None, "
            "dry_run=False)\nassert report.written and not report.problems, report.problems[:3]")
        counts = _counts(db)
        print(f"register: {args.rows:,} providers, {counts[0]:,} records, {counts[1]:,} events "
              f"(made in {time.perf_counter() - started:.1f} s, import {imported:.1f} s)")
        chain, chain_mb = child(
            SESSION.format(db=db) + "from tracker.store.audit import verify_chain\n"
            "checked, problems = verify_chain(session)\nassert not problems, problems[:3]")
        replay, replay_mb = child(
            SESSION.format(db=db) + "from tracker.store.replay import replay_register\n"
            "outcome = replay_register(session)\n"
            "assert not outcome.problems, [str(p) for p in outcome.problems[:3]]")
        verify, verify_mb = child(
            "from pathlib import Path\nfrom tracker.app.register import Register\n"
            "from tracker.store.engine import make_engine\n"
            f"register = Register(make_engine('sqlite:///{db}'))\n"
            "started = time.perf_counter()\n"
            f"verdict = register.verify_audit(backups=Path({tmp!r}) / 'no-backups')\n"
            "assert not verdict.problems, [str(p) for p in verdict.problems[:3]]")
    print(f"chain walk (hashes and head):     {chain:6.2f} s  peak {chain_mb:5.0f} MB")
    print(f"replay against every record:      {replay:6.2f} s  peak {replay_mb:5.0f} MB  "
          f"({replay / chain:.2f}x the chain walk)")
    print(f"tracker audit verify (all of it): {verify:6.2f} s  peak {verify_mb:5.0f} MB  "
          f"({verify / chain:.2f}x the chain walk)")


def _counts(db: Path) -> tuple[int, int]:
    import sqlite3

    from tracker.domain.registry import INSERT_ORDER

    with sqlite3.connect(db) as connection:
        records = sum(connection.execute(f"SELECT count(*) FROM {entity}").fetchone()[0]
                      for entity in INSERT_ORDER)
        events = connection.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    connection.close()
    return int(records), int(events)


if __name__ == "__main__":
    main()
