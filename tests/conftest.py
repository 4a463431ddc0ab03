"""Hermetic fixtures: every test gets its own register, data dir and user, and a fixed today.

Registers are copied, not built: running every Alembic migration on a new file, or writing
the demo through the services, is done once per session into a template (each template is
made by the real code: ``create_register``, ``write_demo``), and each test gets a copy of
the file with an identity of its own (tests/helpers.py ``copy_register``). ``open_register``
on a copy finds it at head and does nothing. Tests of creating a register (its file mode, its
migrations) use ``fresh_engine``, which does build one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.app.register import Register
from tracker.store.engine import session_scope
from tracker.store.migrate import create_register, open_register

from .helpers import copy_demo, copy_register

TODAY = date(2026, 11, 25)


def _hermetic_env(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    # HOME too: a path the screens show under it reads ~/..., the same in every test
    # whatever pytest numbered its tmp_path (a snapshot once caught "form_exp1").
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.delenv("TRACKER_DB", raising=False)


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _hermetic_env(monkeypatch, tmp_path)


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register migrated to head, once per session; tests get copies (``engine``)."""
    where = tmp_path_factory.mktemp("empty-template")
    path = where / "register.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        _hermetic_env(patch, where)
        create_register(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register, written once per session with ``write_demo`` (its evidence files
    beside it); tests get copies (``demo_path``)."""
    from tracker.app.demo import write_demo

    where = tmp_path_factory.mktemp("demo-template")
    path = where / "demo.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        _hermetic_env(patch, where)
        write_demo(path, today=TODAY)
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """This test's own demo register (tmp_path/demo.sqlite, and tmp_path/demo-evidence)."""
    return copy_demo(demo_template, tmp_path)


@pytest.fixture
def demo_engine(demo_path: Path) -> Iterator[Engine]:
    """An engine on this test's own demo register (``demo_path``)."""
    engine = open_register(f"sqlite:///{demo_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "register.sqlite"


@pytest.fixture
def engine(empty_template: Path, db_path: Path) -> Iterator[Engine]:
    """An empty register at db_path (a copy of the session's migrated template)."""
    copy_register(empty_template, db_path)
    engine = open_register(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_engine(db_path: Path) -> Iterator[Engine]:
    """A register created at db_path by ``create_register`` itself: every migration runs."""
    engine = create_register(f"sqlite:///{db_path}")
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


@pytest.fixture
def demo_export(demo_engine: Engine, tmp_path: Path) -> Path:
    """The demo register exported to a workbook, as a restore reads it."""
    from tracker.app.exports import run_export

    out = tmp_path / "register.xlsx"
    run_export(demo_engine, out, today=TODAY)
    return out


@pytest.fixture
def empty_engine(empty_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A new, empty register to restore into."""
    engine = open_register(f"sqlite:///{copy_register(empty_template, tmp_path / 'e.sqlite')}")
    yield engine
    engine.dispose()
