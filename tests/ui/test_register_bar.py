"""Which register is open, on every screen: the title bar names it and marks a demo; a
read-only register says so in the title bar and in a line above every screen, and a save
there is refused with the one line the command line gives."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import Select, Static
from textual.widgets._header import HeaderTitle

from tracker.store.migrate import open_register
from tracker.ui.app import ReadOnlyBanner, TrackerApp
from tracker.ui.screens.provider_detail import ProviderDetailScreen
from tracker.ui.screens.record_form import RecordForm

from ..conftest import TODAY
from ..helpers import copy_register
from .conftest import SIZE
from .helpers import settle, until


def title_bar(app: TrackerApp) -> str:
    return str(app.screen.query_one(HeaderTitle).render())


async def test_the_title_bar_names_the_demo_and_marks_it(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert title_bar(demo_app).endswith("· demo.sqlite  DEMO ")
        assert not demo_app.screen.query(ReadOnlyBanner)
        await pilot.press("p")
        await settle(pilot)
        assert "demo.sqlite  DEMO" in title_bar(demo_app)


async def test_a_live_register_has_no_demo_badge(empty_app: TrackerApp) -> None:
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert title_bar(empty_app).endswith("· register.sqlite")


async def test_the_register_name_is_shown_as_it_is_never_as_markup(
        empty_template: Path, tmp_path: Path) -> None:
    name = "[bold]ACME [@click=app.quit]x.sqlite"  # (a name holds no slash)
    engine = open_register(f"sqlite:///{copy_register(empty_template, tmp_path / name)}")
    app = TrackerApp(engine=engine, today=TODAY)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert title_bar(app).endswith(f"· {name}")
    finally:
        engine.dispose()


@pytest.fixture
def read_only_engine(demo_path: Path) -> Iterator[Engine]:
    demo_path.chmod(0o444)
    engine = open_register(f"sqlite:///{demo_path}")
    yield engine
    engine.dispose()
    demo_path.chmod(0o600)


async def test_a_read_only_register_says_so_everywhere_and_refuses_a_save(
        read_only_engine: Engine, demo_path: Path) -> None:
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    app = TrackerApp(engine=read_only_engine, today=TODAY)
    banner = "read-only: file mode 0444; nothing can be saved"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one(ReadOnlyBanner).render()) == banner
        assert title_bar(app).endswith("demo.sqlite  DEMO   READ-ONLY ")
        await pilot.press("p", "slash", *"nordic", "enter")
        await until(pilot, lambda: isinstance(app.screen, ProviderDetailScreen),
                    "the single match to open")
        assert isinstance(app.screen, ProviderDetailScreen)  # the one match, opened
        assert str(app.screen.query_one(ReadOnlyBanner).render()) == banner
        assert str(app.screen.query_one(ReadOnlyBanner).render()) == banner
        assert title_bar(app).endswith("READ-ONLY ")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#input-risk_tier", Select).value = "critical"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open: nothing was saved
        shown = str(form.query_one("#form-banner", Static).render())
        assert shown == (f"the register at {demo_path} is read-only (file mode 0444); "
                         "nothing was changed")
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before
