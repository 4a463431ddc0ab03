"""The register read for an export: every record of one entity as typed values, streamed in
id order, for the whole register or one provider's file, and the readable names other
records are referred to by."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from tracker.domain.enums import CitedEnum
from tracker.domain.registry import ENTITIES
from tracker.store.models import table_of

# Which provider a record belongs to, for entities that do not carry a provider_id.
_OWNER_PATH = {name: spec.owner for name, spec in ENTITIES.items() if spec.owner}
_STREAM_ROWS = 2000


def provider_filter(entity: str, provider_id: int) -> ColumnElement[bool]:
    table = table_of(entity)
    if entity == "provider":
        return table.c.id == provider_id
    if entity in _OWNER_PATH:
        column, parent = _OWNER_PATH[entity]
        owner = table_of(parent)
        return table.c[column].in_(select(owner.c.id).where(owner.c.provider_id == provider_id))
    return table.c.provider_id == provider_id


def naive_utc(value: datetime) -> datetime:
    """A timestamp as a spreadsheet can hold it: UTC, no zone, whole seconds."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def record_rows(session: Session, entity: str, fields: list[str],
                provider_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Each record's ``fields`` with their Python types, streamed in id order."""
    table = table_of(entity)
    statement = select(*(table.c[name] for name in fields)).order_by(table.c.id)
    if provider_id is not None:
        statement = statement.where(provider_filter(entity, provider_id))
    result = session.connection().execution_options(
        stream_results=True, yield_per=_STREAM_ROWS).execute(statement)
    for row in result:
        values = dict(zip(fields, row, strict=True))
        for name, value in values.items():
            if isinstance(value, datetime):
                values[name] = naive_utc(value)
        yield values


def _describe(entity: str, row: Any) -> str:
    if entity == "provider":
        return str(row.legal_name)
    if entity == "supply":
        return str(row.name)
    if entity == "agreement":
        kind = row.kind.label if isinstance(row.kind, CitedEnum) else str(row.kind)
        return f"{kind}: {row.title}" if row.title else kind
    if entity == "assessment":
        kind = row.kind.label if isinstance(row.kind, CitedEnum) else str(row.kind)
        return f"{kind}, {row.assessed_on.isoformat()}" if row.assessed_on else kind
    if entity == "transfer":
        return f"{row.origin_country} → {row.destination_country}"
    if entity == "evidence":
        return str(row.location)
    if entity == "questionnaire":  # issue 15 questionnaires
        return f"Questionnaire sent {row.sent_on.isoformat()}"
    raise ValueError(f"{entity} records are not referred to by name")


_NAME_COLUMNS = {"provider": ("legal_name",), "supply": ("name",),
                 "agreement": ("kind", "title"), "assessment": ("kind", "assessed_on"),
                 "transfer": ("origin_country", "destination_country"),
                 "evidence": ("location",),
                 "questionnaire": ("sent_on",)}  # issue 15 questionnaires


def reference_names(session: Session, entity: str,
                    provider_id: int | None = None) -> dict[int, str]:
    """id -> the name a person recognises the record by (a provider's legal name)."""
    table = table_of(entity)
    statement = select(table.c.id, *(table.c[n] for n in _NAME_COLUMNS[entity]))
    if provider_id is not None:
        statement = statement.where(provider_filter(entity, provider_id))
    return {row.id: _describe(entity, row) for row in session.execute(statement)}


def count_records(session: Session, entity: str,
                  provider_id: int | None = None) -> tuple[int, int]:
    """(all records, archived records) of one entity."""
    table = table_of(entity)
    archivable = "archived_at" in table.c
    statement = select(func.count(), *([func.count(table.c.archived_at)] if archivable
                                       else [])).select_from(table)
    if provider_id is not None:
        statement = statement.where(provider_filter(entity, provider_id))
    counts = session.execute(statement).one()
    return int(counts[0]), int(counts[1]) if archivable else 0
