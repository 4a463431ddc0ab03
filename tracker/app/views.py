"""Plain views of stored records for the screens and the command line: values, not ORM rows,
so nothing above the application layer can lazy-load, hold a session or write by accident."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlmodel import SQLModel

from tracker.app.queries import ProviderFile
from tracker.store.models import entity_name


@dataclass(frozen=True, slots=True)
class RecordView:
    """One record's stored values (enums as members, dates as dates), read by attribute
    like the row it was taken from."""

    entity_type: str  # not "entity": an audit event has a field of that name
    values: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def label(self) -> str:
        return f"{self.entity_type.replace('_', ' ')} {self.values.get('id')}"


def view_of(row: SQLModel) -> RecordView:
    return RecordView(entity_name(row), {name: getattr(row, name)
                                          for name in type(row).model_fields})


def _views(value: Any) -> Any:
    if isinstance(value, SQLModel):
        return view_of(value)
    if isinstance(value, list):
        return [_views(v) for v in value]
    if isinstance(value, dict):
        return {k: _views(v) for k, v in value.items()}
    return value


def file_view(found: ProviderFile) -> ProviderFile:
    """The same provider file with every row turned into a RecordView."""
    return replace(found, **{f.name: _views(getattr(found, f.name)) for f in fields(found)})
