#!/usr/bin/env python3
"""Write the README's screenshots (SVG) of the demo register: dashboard, a provider's file,
reminders. Run with the project's environment: .venv/bin/python scripts/screenshots.py"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from tracker.app.demo import write_demo
from tracker.store.migrate import open_register
from tracker.ui.app import TrackerApp

OUT = Path(__file__).resolve().parent.parent / "docs"
TODAY = date(2026, 11, 25)


async def shoot(db: Path, start: str, keys: list[str], name: str) -> None:
    engine = open_register(f"sqlite:///{db}")
    app = TrackerApp(engine=engine, today=TODAY, label="demo register", start=start)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    engine.dispose()
    print(OUT / f"{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.sqlite"
        write_demo(db, today=TODAY)
        await shoot(db, "dashboard", [], "dashboard")
        await shoot(db, "providers", ["slash", *"paris", "enter", "enter",
                                      "right_square_bracket"], "provider-detail")
        await shoot(db, "reminders", [], "reminders")


if __name__ == "__main__":
    asyncio.run(main())
