"""From a read workbook and a mapping to the records an import would write, and every
problem of reading with where it is. Pure: no database, so it is tested on rows alone. The
records' own rules are the write pipeline's, run by its batch entry (``tracker.app.batch``).

How a row finds the record it updates is each entity's natural key in the registry
(tracker.domain.registry): a provider by folded legal name + country (name alone when the
file gives no country), the others by their provider plus e.g. kind + folded title for an
agreement, kind + date for an assessment, origin + destination for a transfer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.domain.registry import COUNTRY_FIELDS, ENTITIES, FOLDED_KEY_FIELDS, field_kind
from tracker.domain.text import search_key
from tracker.sheets import limits
from tracker.sheets.mapping import IMPORT_ENTITIES, ColumnMapping, SheetMapping
from tracker.sheets.readers import CONTROL, Sheet, Workbook
from tracker.sheets.values import (
    DayOrder,
    parse_bool,
    parse_country,
    parse_date,
    parse_enum,
    parse_number,
    parse_text,
)
from tracker.store.models import BASE_MODELS

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    header: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.sheet] + ([f"row {self.row}"] if self.row else []) + \
            ([f"column {self.column} ({self.header})"] if self.column else [])
        shown = f" value {self.value!r}:" if self.value not in (None, "") else ""
        return f"{', '.join(where)}:{shown} {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "header": self.header, "value": self.value, "reason": self.reason}


@dataclass
class PlannedRecord:
    entity: str
    key: Key
    provider_key: Key
    values: dict[str, Any]
    origin: list[tuple[str, int]] = field(default_factory=list)  # (sheet, row) it came from


@dataclass
class ImportPlan:
    records: dict[str, dict[Key, PlannedRecord]] = field(
        default_factory=lambda: {e: {} for e in IMPORT_ENTITIES})
    problems: list[Problem] = field(default_factory=list)
    mappings: list[SheetMapping] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    rows_read: int = 0


def parser_for(entity: str, name: str, order: DayOrder, date1904: bool) -> Callable[[Any], Any]:
    if name in COUNTRY_FIELDS:
        return parse_country
    kind = field_kind(BASE_MODELS[entity].model_fields[name].annotation)
    if kind.enum is not None:
        enum_cls = kind.enum
        return lambda v: parse_enum(v, enum_cls)
    if kind.kind == "bool":
        return parse_bool
    if kind.kind == "date":
        return lambda v: parse_date(v, order=order, date1904=date1904)
    if kind.kind == "int":
        return parse_number
    if kind.kind == "float":
        return lambda v: parse_number(v, whole=False)
    return parse_text


def provider_key(values: dict[str, Any]) -> Key:
    return (search_key(values["legal_name"]), values.get("country"))


@functools.cache
def _default(entity: str, name: str) -> Any:
    info = BASE_MODELS[entity].model_fields[name]
    return None if info.is_required() else info.get_default(call_default_factory=True)


def _with_default(entity: str, values: dict[str, Any], name: str) -> Any:
    """A key field the file left out takes the default the stored record gets, so the same
    file finds the same record the second time."""
    value = values.get(name)
    return _default(entity, name) if value is None else value


def record_key(entity: str, pkey: Key, values: dict[str, Any]) -> Key:
    """The provider's key plus the entity's natural key (tracker.domain.registry); names
    and titles compare folded, a kind the file leaves out is the stored default."""
    if entity == "provider":
        return pkey
    parts: list[Any] = [pkey]
    for name in ENTITIES[entity].natural_key:
        value = _with_default(entity, values, name) if name == "kind" else values.get(name)
        parts.append(search_key(value or "") if name in FOLDED_KEY_FIELDS else value)
    return tuple(parts)


def plan_import(book: Workbook, mappings: list[SheetMapping], *, order: DayOrder,
                deadline: limits.Deadline | None = None) -> ImportPlan:
    plan = ImportPlan(mappings=mappings)
    deadline = deadline or limits.Deadline()
    by_sheet = {s.name: s for s in book.sheets}
    for mapping in mappings:
        sheet = by_sheet[mapping.sheet]
        for target, columns in mapping.ambiguous.items():
            plan.problems.append(Problem(
                sheet.name, mapping.header_row, None, None, None,
                f"columns {', '.join(f'{c.letter} ({c.header})' for c in columns)} all look "
                f"like {target}; keep one, or say which in a mapping profile"))
        _plan_sheet(plan, sheet, mapping, order, book.date1904, deadline)
    return plan


@dataclass(frozen=True, slots=True)
class _Cell:
    """What the row loop needs of one mapped column, worked out once per sheet."""

    index: int
    column: ColumnMapping
    entity: str
    name: str
    target: str
    parse: Callable[[Any], Any]


def _plan_sheet(plan: ImportPlan, sheet: Sheet, mapping: SheetMapping, order: DayOrder,
                date1904: bool, deadline: limits.Deadline) -> None:
    cells: list[_Cell] = []
    for column in mapping.mapped:
        if column.target:
            entity, name = column.target.split(".")
            cells.append(_Cell(column.index, column, entity, name, column.target,
                               parser_for(entity, name, order, date1904)))
    columns_of = {cell.target: cell.column for cell in cells}
    for row_index in range(mapping.header_row, len(sheet.rows)):
        row = sheet.rows[row_index]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        excel_row = row_index + 1
        plan.rows_read += 1
        if plan.rows_read % 5000 == 0:
            deadline.check(f"{sheet.name}, row {excel_row}")
        by_entity: dict[str, dict[str, Any]] = {}
        row_ok = True
        width = len(row)
        for cell in cells:
            raw = row[cell.index] if cell.index < width else None
            if raw is None or raw == "":
                continue
            if isinstance(raw, str):
                if not raw.strip():
                    continue
                if len(raw) > limits.MAX_CELL_CHARS or CONTROL.search(raw):
                    plan.problems.append(_text_problem(sheet.name, excel_row, cell.column, raw))
                    row_ok = False
                    continue
            try:
                value = cell.parse(raw)
            except ValueError as err:
                plan.problems.append(Problem(sheet.name, excel_row, cell.column.letter,
                                             cell.column.header, show_value(raw), str(err)))
                row_ok = False
                continue
            if value is not None:
                by_entity.setdefault(cell.entity, {})[cell.name] = value
        provider = by_entity.pop("provider", {})
        if not provider.get("legal_name"):
            if by_entity or provider:
                plan.problems.append(Problem(sheet.name, excel_row, None, None, None,
                                             "the row has no provider legal name"))
            continue
        if not row_ok:
            continue
        pkey = provider_key(provider)
        _merge(plan, "provider", pkey, pkey, provider, sheet.name, excel_row, columns_of)
        for entity, values in by_entity.items():
            if entity == "transfer" and "origin_country" not in values and provider.get(
                    "country"):
                values["origin_country"] = provider["country"]
            key = record_key(entity, pkey, values)
            _merge(plan, entity, key, pkey, values, sheet.name, excel_row, columns_of)


def _text_problem(sheet: str, row: int, column: ColumnMapping, raw: str) -> Problem:
    if len(raw) > limits.MAX_CELL_CHARS:
        return Problem(sheet, row, column.letter, column.header, raw[:40] + "…",
                       f"the cell holds {len(raw):,} characters; a cell holds at most "
                       f"{limits.MAX_CELL_CHARS:,}")
    return Problem(sheet, row, column.letter, column.header, repr(raw)[:60],
                   "contains control characters")


def show_value(raw: Any) -> str:
    """A value as a problem quotes it: dates as ISO, long text shortened."""
    text = raw.isoformat() if isinstance(raw, date) else str(raw)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text):,} characters)"


def _merge(plan: ImportPlan, entity: str, key: Key, pkey: Key, values: dict[str, Any],
           sheet: str, row: int, columns_of: dict[str, ColumnMapping]) -> None:
    """The same record on several rows: values combine; differing values are a problem."""
    held = plan.records[entity].get(key)
    if held is None:
        plan.records[entity][key] = PlannedRecord(entity, key, pkey, dict(values),
                                                  [(sheet, row)])
        return
    for name, value in values.items():
        if name in held.values and held.values[name] != value:
            column = columns_of.get(f"{entity}.{name}")
            first_sheet, first_row = held.origin[0]
            plan.problems.append(Problem(
                sheet, row, column.letter if column else None,
                column.header if column else name, show_value(value),
                f"conflicts with {show_value(held.values[name])!r} for the same {entity} on "
                f"{first_sheet} row {first_row}"))
        else:
            held.values[name] = value
    held.origin.append((sheet, row))
