"""Hermetic fixtures: every test gets its own register, data dir and user, and a fixed today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.app.register import Register
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.delenv("TRACKER_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "register.sqlite"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = open_register(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def register(engine: Engine) -> Register:
    return Register(engine)


@pytest.fixture
def today() -> date:
    return TODAY
