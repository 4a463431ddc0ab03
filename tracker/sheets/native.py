"""Read the tracker's own export back: recognised by its hidden manifest sheet, read by the
layout that wrote it (tracker.sheets.layout), with the formula apostrophes removed. Pure: no
database; ``tracker.app.restore`` decides what each row means for the register.

Columns are found by their header, so a person may reorder or delete columns; a deleted
column leaves its field as it is in the register, a blank cell clears it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tracker.domain.enums import ReminderState
from tracker.sheets import limits
from tracker.sheets.formula import restore
from tracker.sheets.layout import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_SHEET,
    READABLE_FORMATS,
    REMINDER_COLUMNS,
    REMINDERS_SHEET,
    SETTING_COLUMNS,
    SETTINGS_SHEET,
    Column,
    entity_for_title,
    entity_sheet,
    whole_title,
)
from tracker.sheets.mapping import column_letter
from tracker.sheets.plan import Problem
from tracker.sheets.readers import CONTROL, Sheet
from tracker.sheets.values import (
    parse_bool,
    parse_country,
    parse_date,
    parse_enum,
    parse_number,
    parse_text,
)


@dataclass
class NativeRow:
    entity: str
    sheet: str
    row: int  # as Excel numbers it
    id: int | None
    values: dict[str, Any]  # only the fields whose columns are in the sheet
    columns: dict[str, tuple[str, str]]  # field -> (column letter, header): where it is
    version: int | None = None  # the record's version when it was exported


@dataclass
class NativeBook:
    manifest: dict[str, str]
    rows: dict[str, list[NativeRow]] = field(default_factory=dict)
    settings: list[NativeRow] = field(default_factory=list)
    marks: list[NativeRow] = field(default_factory=list)  # reminders marked snoozed or done
    unmarked: set[str] = field(default_factory=set)  # reminder keys with a blank mark
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    left_out: list[str] = field(default_factory=list)
    versioned: bool = False  # a record sheet carries the Version column (format 2 on)

    @property
    def format_version(self) -> int:
        try:
            number = parse_number(self.manifest.get("format_version") or 0)
        except ValueError:
            return 0
        return int(number) if isinstance(number, int) else 0

    @property
    def register_id(self) -> str:
        return self.manifest.get("register_id", "")

    @property
    def last_event(self) -> int | None:
        """The newest audit event the export reflects: every later event is a change the
        workbook cannot know of (format 2 on; format 1 only says when it was exported)."""
        try:
            number = parse_number(self.manifest.get("audit_last_event") or None)
        except ValueError:
            return None
        return number if isinstance(number, int) and number >= 0 else None

    @property
    def exported_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.manifest.get("exported_at", ""))
        except ValueError:
            return None


def manifest_of(sheet: Sheet | None) -> dict[str, str] | None:
    """The manifest when ``sheet`` is the hidden sheet of the tracker's own export."""
    if sheet is None or sheet.name != MANIFEST_SHEET:
        return None
    found = {str(r[0]): restore(str(r[1])) if len(r) > 1 and r[1] not in (None, "") else ""
             for r in sheet.rows[1:] if r and r[0]}
    return found if found.get("format") == FORMAT_NAME else None


def read_native(sheets: Iterable[Sheet], manifest: dict[str, str],
                deadline: limits.Deadline | None = None) -> NativeBook:
    """Each sheet is parsed and its raw cells dropped before the next is read."""
    deadline = deadline or limits.Deadline()
    native = NativeBook(manifest=manifest)
    version = parse_number(manifest.get("format_version") or 0)
    if version not in READABLE_FORMATS:
        native.problems.append(Problem(MANIFEST_SHEET, None, None, None, str(version),
                                       f"written by a tracker with export format {version}; "
                                       f"this one reads formats up to {FORMAT_VERSION}"))
        return native
    for sheet in sheets:
        title = sheet.name
        base_title = whole_title(title)
        entity = entity_for_title(base_title)
        if entity is not None:
            native.rows.setdefault(entity, []).extend(
                _read_rows(native, sheet, entity, entity_sheet(entity).columns, deadline))
        elif base_title == REMINDERS_SHEET:
            native.marks += _read_rows(native, sheet, "reminder_mark", REMINDER_COLUMNS,
                                       deadline)
        elif base_title == SETTINGS_SHEET:
            native.settings += _read_rows(native, sheet, "setting", SETTING_COLUMNS, deadline)
        elif title != MANIFEST_SHEET:
            native.left_out.append(f"{title} (derived or for reading only)")
        sheet.rows = []
    return native


def _read_rows(native: NativeBook, sheet: Sheet, entity: str, layout: tuple[Column, ...],
               deadline: limits.Deadline) -> list[NativeRow]:
    if not sheet.rows:
        return []
    where_named = f"{sheet.source} ({sheet.name})" if sheet.source else sheet.name
    by_header = {c.header: c for c in layout if c.field is not None}
    found: list[tuple[int, Column]] = []
    for index, header in enumerate(sheet.rows[0]):
        column = by_header.get(str(header).strip()) if header not in (None, "") else None
        if column is not None:
            found.append((index, column))
    present = {c.field for _, c in found}
    native.versioned = native.versioned or "version" in present
    key_field = "key" if entity in {"setting", "reminder_mark"} else "id"
    if key_field not in present:
        header = next(c.header for c in layout if c.field == key_field)
        native.problems.append(Problem(where_named, 1, None, None, None,
                                       f"the {header!r} column is missing; the import needs "
                                       "it to know which record each row is"))
        return []
    parsers = [(index, column, _parser(column)) for index, column in found]
    where = {c.field or "": (column_letter(i), c.header) for i, c in found}
    rows: list[NativeRow] = []
    for number, raw_row in enumerate(sheet.rows[1:], start=2):
        if all(v is None or v == "" for v in raw_row):
            continue
        native.rows_read += 1
        if native.rows_read % 5000 == 0:
            deadline.check(f"{where_named}, row {number}")
        values: dict[str, Any] = {}
        ok = True
        for index, column, parse in parsers:
            raw = raw_row[index] if index < len(raw_row) else None
            try:
                values[column.field or ""] = parse(raw)
            except ValueError as err:
                native.problems.append(Problem(where_named, number, column_letter(index),
                                               column.header, _shown(raw), str(err)))
                ok = False
        if ok and entity == "reminder_mark" and values.get("state") is None:
            if "state" in values and values.get("key"):  # a Marked column, left blank
                native.unmarked.add(str(values["key"]))
            continue
        if ok:
            record_id = values.pop("id", None)
            version = values.pop("version", None)
            rows.append(NativeRow(entity, where_named, number, record_id, values, where,
                                  version))
    return rows


def _shown(raw: Any) -> str:
    text = raw.isoformat() if isinstance(raw, date) else str(raw)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text):,} characters)"


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _parser(column: Column) -> Callable[[Any], Any]:
    kind = column.kind

    def parse(raw: Any) -> Any:
        if _blank(raw):
            return None
        if kind == "text":
            return _text(raw)
        if kind in {"id", "ref"}:
            number = parse_number(raw)
            if number is not None and number < 1:
                raise ValueError("an ID is a whole number from 1")
            return number
        if kind == "int":
            return parse_number(raw)
        if kind == "float":
            return parse_number(raw, whole=False)
        if kind == "bool":
            return parse_bool(raw)
        if kind == "date":
            return parse_date(raw)
        if kind == "datetime":
            return _timestamp(raw)
        if kind == "country":
            return parse_country(raw)
        if kind == "enum":
            assert column.enum is not None
            return parse_enum(raw, column.enum)
        raise AssertionError(f"no parser for {kind}")

    if column.field == "state":  # the Reminders sheet's mark
        return lambda raw: None if _blank(raw) else parse_enum(raw, ReminderState)
    return parse


def _text(raw: Any) -> str | None:
    if isinstance(raw, str):
        if len(raw) > limits.MAX_CELL_CHARS:
            raise ValueError(f"the cell holds {len(raw):,} characters; a cell holds at most "
                             f"{limits.MAX_CELL_CHARS:,}")
        if CONTROL.search(raw):
            raise ValueError("contains control characters")
        return restore(raw)
    return parse_text(raw)


def _timestamp(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, date):
        value = datetime(raw.year, raw.month, raw.day)
    else:
        text = str(raw).strip().removesuffix("Z").removesuffix(" UTC")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{raw!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # A time with an offset is stored as the UTC instant it names, as every stamp is.
    value = value.astimezone(UTC) if value.year > 1 else value
    # A workbook stores time as a fraction of a day: round off the float's last digits.
    try:
        return (value + _HALF_SECOND).replace(microsecond=0)
    except OverflowError:
        raise ValueError(f"{raw!r} is past the last date a register holds") from None


_HALF_SECOND = datetime.min.replace(microsecond=500_000) - datetime.min
