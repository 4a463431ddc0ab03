"""Many rows read back with SQLAlchemy's typed values, as fast as the backend allows.

On SQLite the driver's own rows are taken from the cursor and each selected column whose
type has a result processor (dates, datetimes, booleans, enum members) is converted once
per distinct stored value, column-wise in C: a register repeats its dates, enum values and
flags, and SQLAlchemy's per-row machinery was ~3x the driver's fetch at 100,000 providers
(gap rules' load, an import's match against the stored records). Other backends go
through SQLAlchemy's rows.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

from sqlalchemy import Select
from sqlmodel import Session


def typed_rows(session: Session, statement: Select[Any],
               row_type: type[tuple[Any, ...]] = tuple) -> list[Any]:
    """``statement``'s rows as ``row_type`` tuples (a named tuple, made straight from the
    columns, in C) of the values SQLAlchemy would give. The processors' results are
    immutable, so one object serves every row holding the same stored value. The session
    is flushed first, as ``session.execute`` would autoflush."""
    session.flush()
    connection = session.connection()
    result = connection.execute(statement)
    dialect = connection.dialect
    if dialect.name != "sqlite":
        # .all() fetches the rows in one driver call; iterating the result fetches one at
        # a time through SQLAlchemy's fetchone path
        return [_new(row_type, row) for row in result.all()]
    raw = result.cursor.fetchall()
    result.close()
    if not raw:
        return []
    values = list(zip(*raw, strict=True))
    for index, column in enumerate(statement.selected_columns):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            stored = values[index]
            converted = {value: process(value) for value in set(stored)}
            values[index] = tuple(map(converted.__getitem__, stored))
    return list(map(_new, repeat(row_type), zip(*values, strict=True)))


_new = tuple.__new__
