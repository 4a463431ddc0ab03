"""The providers screen under load: time from launch to the first painted page of the
providers table, and from a filter keystroke to the updated table, on the demo register and
on a generated register of 100,000 providers. Targets on a 2-core machine: first paint under
1 s, filter update under 100 ms at 100,000 providers.

    .venv/bin/python -m benchmarks.bench_tui [--providers 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.make_register import make_register

FIRST_PAINT_TARGET = 1.0
FILTER_TARGET = 0.100
# Filters a person types: a rare name fragment, a common syllable, a CJK term, a country.
FILTER_TERMS = ("4242", "data", "科技", "de")


async def measure(path: Path) -> tuple[float, list[float], int]:
    from textual.widgets import DataTable

    from tracker.store.migrate import open_register
    from tracker.ui.app import TrackerApp
    from tracker.ui.screens.providers import ProvidersScreen

    started = time.perf_counter()
    engine = open_register(f"sqlite:///{path}")
    app = TrackerApp(engine=engine, today=date(2026, 11, 25), start="providers")
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.screen.query_one("#providers-table", DataTable)
        while table.row_count == 0:
            await asyncio.sleep(0.002)
        await pilot.pause()
        first_paint = time.perf_counter() - started
        screen = app.screen
        assert isinstance(screen, ProvidersScreen)
        total = screen.total
        latencies = []
        for term in FILTER_TERMS:
            screen.query_one("#filter").focus()
            for text in (term[:-1], term):  # the keystroke measured is the last one
                screen.query_one("#filter").value = text  # type: ignore[attr-defined]
            typed = time.perf_counter()
            while not (screen.filter.text == term and screen.shown_filter == screen.filter):
                await asyncio.sleep(0.001)
            await pilot.pause()
            latencies.append(time.perf_counter() - typed)
    engine.dispose()
    return first_paint, latencies, total


def report(name: str, first_paint: float, latencies: list[float], total: int) -> None:
    worst = max(latencies)
    print(f"{name}: {total:,} providers")
    print(f"  launch → first paint of the table: {first_paint * 1000:.0f} ms "
          f"(target {FIRST_PAINT_TARGET * 1000:.0f} ms, "
          f"ratio {first_paint / FIRST_PAINT_TARGET:.2f})")
    print("  filter keystroke → updated table: "
          + ", ".join(f"{t!r} {s * 1000:.0f} ms" for t, s in zip(FILTER_TERMS, latencies,
                                                                 strict=True)))
    print(f"  median {statistics.median(latencies) * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
          f"(target {FILTER_TARGET * 1000:.0f} ms, ratio {worst / FILTER_TARGET:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100_000)
    args = parser.parse_args()
    from tracker.app.demo import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.sqlite"
        write_demo(demo, today=date(2026, 11, 25))
        report("demo register", *asyncio.run(measure(demo)))
        big = Path(tmp) / "big.sqlite"
        make_register(big, args.providers)
        report("generated register", *asyncio.run(measure(big)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
