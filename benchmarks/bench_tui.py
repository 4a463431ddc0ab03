"""The providers screen under load: time from launch to the first painted page of the
providers table, and from a filter keystroke to the updated table, on the demo register and
on a generated register of 100,000 providers (issue 19). Targets on a 2-core machine: first
paint ≤ 0.5 s; a keystroke ≤ 60 ms median, ≤ 100 ms worst. The floor, measured in the same
run, is the in-memory index alone answering the same keystrokes (first page and count), so
the ratio to it says what the screen itself adds.

"Launch" starts before the register is opened (the engine, the schema check, the app built)
and ends at the first frame that holds the table's rows: the moment the screen's compositor
hands a frame to the driver (``App._display``), which the benchmark turns into the bytes a
terminal would be sent, as the terminal driver does. (Before, it ended after a Pilot pause,
which waits until the process is idle: up to a second of the threads building the index
and the gaps after the page was already on screen.) The same launch is also timed as a
whole process, from before Python starts to that frame (imports included), beside a bare
process that imports Textual and paints a one-row table: the floor of any Textual app here.

Each keystroke of each term is timed (the term typed a character at a time), twice: right
after the first paint, while the index is built and the register's gaps are computed in
threads beside it (what a person who types at once meets), and once the screen has settled.

    .venv/bin/python -m benchmarks.bench_tui [--providers 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.make_register import make_register

FIRST_PAINT_TARGET = 0.5
MEDIAN_TARGET = 0.060
WORST_TARGET = 0.100
# Filters a person types: a rare name fragment, a common syllable, a CJK term, a country.
FILTER_TERMS = ("4242", "data", "科技", "de")


def keystrokes() -> list[str]:
    """What the filter holds after each keystroke: every prefix of every term, and the
    empty filter again between terms (the whole register back)."""
    typed: list[str] = []
    for term in FILTER_TERMS:
        typed.extend(term[:n] for n in range(1, len(term) + 1))
        typed.append("")
    return typed


@dataclass
class Run:
    total: int = 0
    first_paint: float = 0.0
    process_paint: float = 0.0
    process_floor: float = 0.0
    index_ready: float = 0.0
    settled: float = 0.0
    early: list[float] = field(default_factory=list)
    early_count: list[float] = field(default_factory=list)
    steady: list[float] = field(default_factory=list)
    steady_count: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    floor_count: list[float] = field(default_factory=list)


async def _type(app: object, texts: list[str]) -> tuple[list[float], list[float]]:
    """Each keystroke's time to the table updated (its first page painted), and to the
    count of matches shown after it."""
    from tracker.ui.screens.providers import ProvidersScreen

    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ProvidersScreen)
    pilot_pause = asyncio.sleep
    table, counted = [], []
    screen.query_one("#filter").focus()
    for text in texts:
        screen.query_one("#filter").value = text  # type: ignore[attr-defined]
        typed = time.perf_counter()
        while not (screen.filter.text == text and screen.shown_filter == screen.filter):
            await pilot_pause(0.0005)
        await pilot_pause(0)  # the paint the page asked for
        table.append(time.perf_counter() - typed)
        while screen.total is None:
            await pilot_pause(0.0005)
        counted.append(time.perf_counter() - typed)
        await pilot_pause(0.05)  # a person's pace: the next key comes later
    return table, counted


def watch_first_paint(app: Any, painted: list[float]) -> None:
    """Record in ``painted`` the moment of the first frame that shows the providers table
    with rows in it, the frame turned into what a terminal would be sent (a headless app
    composes every frame but writes none)."""
    from textual._compositor import CompositorUpdate
    from textual.widgets import DataTable

    from tracker.ui.screens.providers import ProvidersScreen

    display = app._display

    def displayed(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if painted or renderable is None or not isinstance(screen, ProvidersScreen):
            return
        tables = screen.query("#providers-table")
        if tables and tables.first(DataTable).row_count:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            painted.append(time.perf_counter())

    app._display = displayed


async def measure(path: Path) -> Run:
    from tracker.app.queries import ProviderFilter
    from tracker.store.migrate import open_register
    from tracker.ui.app import TrackerApp
    from tracker.ui.screens.providers import ProvidersScreen

    run = Run()
    started = time.perf_counter()
    engine = open_register(f"sqlite:///{path}")
    app = TrackerApp(engine=engine, today=date(2026, 11, 25), start="providers")
    painted: list[float] = []
    watch_first_paint(app, painted)
    async with app.run_test(size=(120, 36)) as pilot:
        while not painted:
            await asyncio.sleep(0.002)
        run.first_paint = painted[0] - started
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProvidersScreen)
        run.total = screen.total or 0
        run.early, run.early_count = await _type(app, keystrokes())
        index = app.register.provider_index
        while not index.ready:
            await asyncio.sleep(0.01)
        run.index_ready = time.perf_counter() - started
        while screen.standings is None:
            await asyncio.sleep(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        run.settled = time.perf_counter() - started
        run.steady, run.steady_count = await _type(app, keystrokes())
        first = screen._first_page()
        for text in keystrokes():  # the floor: the index alone, the same keystrokes
            begun = time.perf_counter()
            matches = index.search(ProviderFilter(text=text))
            matches.rows(0, first)
            run.floor.append(time.perf_counter() - begun)
            matches.total()
            run.floor_count.append(time.perf_counter() - begun)
    engine.dispose()
    return run


# The launch as a process: Python started, the app imported and run on the register, the
# time of the first painted frame printed (wall clock, comparable across processes).
_PROCESS = """
import asyncio, os, sys, time
from datetime import date
from benchmarks.bench_tui import watch_first_paint
from tracker.store.migrate import open_register
from tracker.ui.app import TrackerApp

async def main():
    engine = open_register(f"sqlite:///{sys.argv[1]}")
    app = TrackerApp(engine=engine, today=date(2026, 11, 25), start="providers")
    painted = []
    watch_first_paint(app, painted)
    async with app.run_test(size=(120, 36)):
        while not painted:
            await asyncio.sleep(0.002)
        print(time.time() - (time.perf_counter() - painted[0]), flush=True)
        os._exit(0)  # the index and gaps threads need not finish

asyncio.run(main())
"""
# The floor of any Textual app as a process: import Textual, paint a one-row table.
_FLOOR = """
import asyncio, time
from textual.app import App
from textual.widgets import DataTable

class Floor(App[None]):
    def compose(self):
        yield DataTable()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_column("Legal name")
        table.add_row("a provider")

async def main():
    app = Floor()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        print(time.time(), flush=True)
        app.exit()

asyncio.run(main())
"""


def process_seconds(code: str, *args: str, runs: int = 3) -> float:
    """The median time from before the process starts to the moment it prints."""
    times = []
    for _ in range(runs):
        begun = time.time()
        done = subprocess.run([sys.executable, "-c", code, *args], check=True,
                              capture_output=True, text=True)
        times.append(float(done.stdout.split()[0]) - begun)
    return statistics.median(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report(name: str, run: Run) -> None:
    print(f"{name}: {run.total:,} providers")
    print(f"  launch → first paint of the table: {_ms(run.first_paint)} "
          f"(target {_ms(FIRST_PAINT_TARGET)}, ratio {run.first_paint / FIRST_PAINT_TARGET:.2f});"
          f" index built {_ms(run.index_ready)}, gaps shown {_ms(run.settled)} after launch")
    print(f"  as a process (Python started, imports included), median of 3: "
          f"{_ms(run.process_paint)}; a bare Textual process painting a one-row table "
          f"{_ms(run.process_floor)}; ratio {run.process_paint / run.process_floor:.2f} "
          f"to that floor, {run.process_paint / FIRST_PAINT_TARGET:.2f} to the target")
    floor = statistics.median(run.floor)
    for label, latencies, counts in (
            ("once settled", run.steady, run.steady_count),
            ("typed at once (index and gaps loading)", run.early, run.early_count)):
        median, worst = statistics.median(latencies), max(latencies)
        print(f"  keystroke → updated table, {label}, {len(latencies)} keystrokes: "
              f"median {_ms(median)} (target {_ms(MEDIAN_TARGET)}, "
              f"ratio {median / MEDIAN_TARGET:.2f}), worst {_ms(worst)} "
              f"(target {_ms(WORST_TARGET)}, ratio {worst / WORST_TARGET:.2f}); "
              f"{median / floor:.1f}x the index's floor; "
              f"count shown: median {_ms(statistics.median(counts))}, worst {_ms(max(counts))}")
    print(f"  floor, the in-memory index alone: first page median {floor * 1000:.1f} ms,"
          f" worst {max(run.floor) * 1000:.1f} ms; with the count median "
          f"{statistics.median(run.floor_count) * 1000:.1f} ms, "
          f"worst {max(run.floor_count) * 1000:.1f} ms")
    steady = dict(zip(keystrokes(), run.steady, strict=True))
    print("  settled, each term's last keystroke: " + ", ".join(
        f"{t!r} {_ms(steady[t])}" for t in FILTER_TERMS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--providers", type=int, default=100_000)
    parser.add_argument("--register", type=Path,
                        help="an existing generated register, instead of writing one")
    args = parser.parse_args()
    from tracker.app.demo import write_demo

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.sqlite"
        write_demo(demo, today=date(2026, 11, 25))
        big = args.register
        if big is None:
            big = Path(tmp) / "big.sqlite"
            make_register(big, args.providers)
        for name, path in (("demo register", demo), ("generated register", big)):
            run = asyncio.run(measure(path))
            run.process_floor = process_seconds(_FLOOR)
            run.process_paint = process_seconds(_PROCESS, str(path))
            report(name, run)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
