"""Every path the program uses, in one place, on platformdirs."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_data_path

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


def default_backup_path(source: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return backups_dir() / f"{source.stem}-{stamp}.sqlite"


def database_url(db: str | None) -> str:
    """``--db`` takes a file path or a SQLAlchemy URL (postgresql+psycopg://...);
    TRACKER_DB does the same when --db is absent."""
    chosen = db or os.environ.get("TRACKER_DB")
    if chosen and "://" in chosen:
        return chosen
    path = Path(chosen).expanduser() if chosen else default_register()
    return f"sqlite:///{path.resolve()}"
