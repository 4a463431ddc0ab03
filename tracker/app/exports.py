"""Export the register (or one provider's file) to a workbook or a directory of CSV files,
in one read transaction, so the file is one consistent view even while others write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tracker.app.export_content import build_export
from tracker.errors import TrackerError
from tracker.sheets.content import ExportScope
from tracker.sheets.writers import write_csv, write_xlsx
from tracker.store.audit import current_actor
from tracker.store.engine import session_scope


@dataclass
class ExportResult:
    path: Path
    rows: dict[str, int]  # sheet title -> data rows written
    scope: ExportScope
    seconds: float


def run_export(engine: Engine, path: Path, *, provider_id: int | None = None,
               as_csv: bool = False, today: date | None = None,
               force: bool = False) -> ExportResult:
    """Export, written atomically (tracker/files.py); an existing target is replaced only
    with ``force``."""
    if not as_csv and path.suffix.lower() != ".xlsx":
        raise TrackerError(f"{path.name}: export to an .xlsx file, or to a directory with "
                           "--csv")
    if as_csv and path.exists() and not path.is_dir():
        raise TrackerError(f"{path} is a file; --csv writes one file per sheet into a "
                           "directory")
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        # One snapshot for every sheet: PostgreSQL's default (read committed) would let a
        # record written between two sheets' queries appear in one and not the other.
        # SQLite's read transaction is a snapshot already.
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with session_scope(engine, write=False) as session:
        scope = ExportScope()
        if provider_id is not None:
            from tracker.store.models import Provider

            provider = session.get(Provider, provider_id)
            if provider is None:
                raise TrackerError(f"no provider with ID {provider_id}")
            scope = ExportScope(provider_id, provider.legal_name)
        content = build_export(session, scope=scope, today=today or date.today(),
                               actor=current_actor(session))
        rows = (write_csv(content, path, force=force) if as_csv
                else write_xlsx(content, path, force=force))
    return ExportResult(path, rows, scope, time.perf_counter() - started)
