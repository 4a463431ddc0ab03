"""The gap rules read each table as named tuples loaded on SQLite from the driver's rows
through the column types' own result processors: the same values SQLAlchemy gives, row for
row, archived rows and filters included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from tracker.app.gaps import _core_rows, _row_type, _table
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register
from tracker.store.models import (
    Agreement,
    AgreementClause,
    Assessment,
    Evidence,
    LegalBasis,
    Provider,
    ReviewTrigger,
    Supply,
    Transfer,
)

MODELS = [Provider, Supply, LegalBasis, Agreement, AgreementClause, Transfer, Assessment,
          Evidence, ReviewTrigger]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_rows_are_sqlalchemys_typed_rows(demo_path: Path, model: object) -> None:
    engine = open_register(f"sqlite:///{demo_path}")
    with session_scope(engine) as session:
        # one record of each table archived, so live=True leaves something out
        table = _table(model)
        if "archived_at" in table.c:
            session.execute(text(f"UPDATE {table.name} SET archived_at = '2026-11-20 "
                                 f"08:00:00.000000' WHERE id = (SELECT min(id) FROM "
                                 f"{table.name})"))
        kind, columns = _row_type(model)
        for live in (True, False):
            statement = select(*columns).order_by(table.c.id)
            if live and "archived_at" in table.c:
                statement = statement.where(table.c.archived_at.is_(None))
            expected = [tuple(row) for row in session.execute(statement).all()]
            got = _core_rows(session, model, live=live)
            assert got, f"the demo has {table.name} rows"
            assert [tuple(row) for row in got] == expected
            # the values' types too (an enum member, not its text; a date, not a string)
            assert [[type(v) for v in row] for row in got] == \
                [[type(v) for v in row] for row in expected]
            assert all(type(row) is kind for row in got)
        first_id = got[0].id  # live=False: the archived one
        assert [r.id for r in _core_rows(session, model, table.c.id == first_id,
                                         live=False)] == [first_id]
        session.rollback()


def test_rows_include_what_the_session_has_not_flushed(demo_path: Path) -> None:
    """As session.execute would: a record added in the same session is read."""
    engine = open_register(f"sqlite:///{demo_path}")
    with session_scope(engine) as session:
        before = len(_core_rows(session, Provider))
        session.add(Provider(legal_name="Unflushed Data Ltd", country="DE"))
        names = [row.legal_name for row in _core_rows(session, Provider)]
        assert len(names) == before + 1 and "Unflushed Data Ltd" in names
        session.rollback()
