"""Every path the program uses, in one place, on platformdirs."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_data_path

from tracker.errors import TrackerError

APP_NAME = "tracker"


def data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False, ensure_exists=False)


def default_register() -> Path:
    return data_dir() / "register.sqlite"


def demo_register() -> Path:
    """Kept apart from the user's own register, so the demo never mixes with real data."""
    return data_dir() / "demo.sqlite"


def backups_dir() -> Path:
    return data_dir() / "backups"


def reports_dir() -> Path:
    return data_dir() / "reports"


def exports_dir() -> Path:
    return data_dir() / "exports"


def own_folders() -> tuple[Path, ...]:
    """The folders the program itself names and may create when missing (0700); every other
    folder a file is written into must exist already (tracker/files.py)."""
    return (data_dir(), backups_dir(), reports_dir(), exports_dir())


def default_backup_path(source: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return backups_dir() / f"{source.stem}-{stamp}.sqlite"


def shown_path(path: Path) -> str:
    """A path as an officer reads and types it: one under the home folder starts with
    ``~`` (``given_path`` expands it back), so a prefilled field shows where in the
    user's own files it goes instead of a long absolute prefix cut off at the left."""
    try:
        inside = path.relative_to(Path.home())
    except ValueError:
        return str(path)
    return str(Path("~") / inside)


def given_path(text: str, *, option: str) -> Path:
    """A path the user typed (with ``option``), made absolute without following a symlink
    at its last part: a writer's target is that name itself (a symlink there is refused
    like any existing name, or replaced with --force), never the file it points to. The
    folders above are resolved, so messages name the real place. An empty one is refused:
    a script's unset variable must not mean "the default"."""
    if not text.strip():
        raise TrackerError(f"{option} is empty: give a file name, or leave {option} out")
    path = Path(text).expanduser()
    return path.parent.resolve() / path.name if path.name else path.resolve()


def database_url(db: str | None) -> str:
    """``--db`` takes a file path or a SQLAlchemy URL (postgresql+psycopg://...);
    TRACKER_DB does the same when --db is absent. An empty --db is a mistake (a script's
    unset variable), refused rather than read as "my own register"; an empty TRACKER_DB is
    unset. A file path keeps its last part as given (``given_path``): ``tracker init``
    creates that name, and opening a register follows a symlink there itself."""
    from_env = os.environ.get("TRACKER_DB", "")
    option, chosen = ("--db", db) if db is not None else (
        "TRACKER_DB", from_env if from_env.strip() else None)
    if chosen is None:
        return f"sqlite:///{default_register().absolute()}"
    if "://" in chosen:
        return chosen
    return f"sqlite:///{given_path(chosen, option=option)}"
