"""Files found in the hostile-input sweep of the import: each was read wrongly without a
word (a stray quote, a DOS code page, an invisible character), and now is read as a person
reads it or refused by its place in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tracker.app.imports import run_import
from tracker.errors import TrackerError
from tracker.store.engine import session_scope
from tracker.store.models import Provider


def refusal(engine: Engine, path: Path) -> str:
    with pytest.raises(TrackerError) as caught:
        run_import(engine, path, profile=None, order=None, dry_run=True)
    return str(caught.value)


def providers(engine: Engine) -> list[tuple[str, str | None]]:
    with session_scope(engine, write=False) as session:
        return [(p.legal_name, p.country) for p in
                session.exec(select(Provider).order_by(col(Provider.id))).all()]


@pytest.mark.parametrize(("text", "line"), [
    ('Supplier,Country\nAcme,DE\n"Beta"Co",FR\n', 3),  # a quote inside a quoted cell
    ('Supplier,Country\nAcme,DE\n"Beta Co,FR\n', 3),  # a quote never closed
])
def test_a_csv_quote_out_of_place_is_refused_by_its_line(engine: Engine, tmp_path: Path,
                                                         text: str, line: int) -> None:
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    message = refusal(engine, path)
    assert f"q.csv: line {line}" in message and "quote" in message, message
    assert "expected" not in message  # the csv module's words stay out
    assert providers(engine) == []
