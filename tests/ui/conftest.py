"""The app built as the CLI builds it, on a fresh demo register or an empty one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tracker.demo import write_demo
from tracker.store.migrate import open_register
from tracker.ui.app import TrackerApp

from ..conftest import TODAY

SIZE = (120, 36)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    write_demo(path, today=TODAY)
    return path


@pytest.fixture
def demo_engine(demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_template.read_bytes())
    engine = open_register(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


@pytest.fixture
def demo_app(demo_engine: Engine) -> TrackerApp:
    return TrackerApp(engine=demo_engine, today=TODAY)


@pytest.fixture
def empty_app(engine: Engine) -> TrackerApp:
    return TrackerApp(engine=engine, today=TODAY)
