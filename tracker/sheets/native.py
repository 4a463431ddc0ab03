"""Read the tracker's own export back: recognised by its hidden manifest sheet, read by the
layout that wrote it (tracker.sheets.layout), with the formula apostrophes removed. Pure: no
database; ``tracker.app.restore`` decides what each row means for the register.

Columns are found by their header, so a person may reorder or delete columns; a deleted
column leaves its field as it is in the register, a blank cell clears it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tracker.domain.enums import ReminderState
from tracker.sheets import limits
from tracker.sheets.formula import restore
from tracker.sheets.guard import column_number
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


def format_problem(manifest: dict[str, str]) -> Problem | None:
    """Why this tracker cannot read the export the manifest describes, or None."""
    version = parse_number(manifest.get("format_version") or 0)
    if version in READABLE_FORMATS:
        return None
    return Problem(MANIFEST_SHEET, None, None, None, str(version),
                   f"written by a tracker with export format {version}; this one reads "
                   f"formats up to {FORMAT_VERSION}")


def read_native(sheets: Iterable[Sheet], manifest: dict[str, str],
                deadline: limits.Deadline | None = None) -> NativeBook:
    """Each sheet is parsed and its raw cells dropped before the next is read."""
    deadline = deadline or limits.Deadline()
    native = NativeBook(manifest=manifest)
    problem = format_problem(manifest)
    if problem is not None:
        native.problems.append(problem)
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
    where_named = f"{sheet.source} ({sheet.name})" if sheet.source else sheet.name
    return list(iter_rows(native, where_named, enumerate(sheet.rows, start=1), entity,
                          layout, deadline))


def iter_rows(native: NativeBook, where_named: str, numbered: Iterable[tuple[int, list[Any]]],
              entity: str, layout: tuple[Column, ...],
              deadline: limits.Deadline) -> Iterator[NativeRow]:
    """The sheet's rows parsed one at a time, from (Excel row number, cells) with the header
    row first: a streamed restore holds a chunk of them, never the sheet. Every row of a
    sheet shares one ``columns`` dict."""
    numbered = iter(numbered)
    first = next(numbered, None)
    if first is None:
        return
    by_header = {c.header: c for c in layout if c.field is not None}
    found: list[tuple[int, Column]] = []
    for index, header in enumerate(first[1]):
        column = by_header.get(str(header).strip()) if header not in (None, "") else None
        if column is not None:
            found.append((index, column))
    present = {c.field for _, c in found}
    native.versioned = native.versioned or "version" in present
    key_field = "key" if entity in {"setting", "reminder_mark"} else "id"
    if key_field not in present:
        header = next(c.header for c in layout if c.field == key_field)
        native.problems.append(Problem(where_named, first[0], None, None, None,
                                       f"the {header!r} column is missing; the import needs "
                                       "it to know which record each row is"))
        return
    parsers: list[tuple[int, str, str, Callable[[Any], Any], dict[tuple[type, Any], Any]]] = [
        (index, column.field or "", column.header, _parser(column), {})
        for index, column in found]
    where = {c.field or "": (column_letter(i), c.header) for i, c in found}
    marks = entity == "reminder_mark"
    for number, raw_row in numbered:
        if all(v is None or v == "" for v in raw_row):
            continue
        native.rows_read += 1
        if native.rows_read % 5000 == 0:
            deadline.check(f"{where_named}, row {number}")
        values: dict[str, Any] = {}
        ok = True
        width = len(raw_row)
        for index, name, header, parse, memo in parsers:
            raw = raw_row[index] if index < width else None
            if raw is None or raw == "":  # most cells of a register: no parser call
                values[name] = None
                continue
            # A column's repeated cell (a choice, a date, a yes/no) is parsed once; the
            # readers' cells are hashable (text, numbers, dates), and 1, 1.0 and True are
            # three cells.
            key = (raw.__class__, raw)
            if key in memo:
                values[name] = memo[key]
                continue
            try:
                values[name] = value = parse(raw)
                if len(memo) < _MEMO_LIMIT:
                    memo[key] = value  # parsers are pure and their values immutable
            except ValueError as err:
                native.problems.append(Problem(where_named, number, column_letter(index),
                                               header, _shown(raw), str(err)))
                ok = False
        if ok and marks and values.get("state") is None:
            if "state" in values and values.get("key"):  # a Marked column, left blank
                native.unmarked.add(str(values["key"]))
            continue
        if ok:
            record_id = values.pop("id", None)
            version = values.pop("version", None)
            yield NativeRow(entity, where_named, number, record_id, values, where, version)


_MEMO_LIMIT = 2_000  # parsed cells remembered per column


def _shown(raw: Any) -> str:
    text = raw.isoformat() if isinstance(raw, date) else str(raw)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text):,} characters)"


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _parser(column: Column) -> Callable[[Any], Any]:
    """The cell's parser for the column's kind, chosen once per column (called per cell)."""
    kind = column.kind
    if column.field == "state":  # the Reminders sheet's mark
        return lambda raw: None if _blank(raw) else parse_enum(raw, ReminderState)
    enum = column.enum
    convert: Callable[[Any], Any]
    if kind == "text":
        convert = _text
    elif kind in {"id", "ref"}:
        convert = _record_id
    elif kind == "int":
        convert = parse_number
    elif kind == "float":
        convert = lambda raw: parse_number(raw, whole=False)  # noqa: E731
    elif kind == "bool":
        convert = parse_bool
    elif kind == "date":
        convert = parse_date
    elif kind == "datetime":
        convert = _timestamp
    elif kind == "country":
        convert = parse_country
    elif kind == "enum":
        assert enum is not None
        convert = lambda raw: parse_enum(raw, enum)  # noqa: E731
    else:
        def convert(raw: Any) -> Any:
            raise AssertionError(f"no parser for {kind}")

    def parse(raw: Any) -> Any:
        return None if _blank(raw) else convert(raw)

    return parse


def _record_id(raw: Any) -> Any:
    number = parse_number(raw)
    if number is not None and number < 1:
        raise ValueError("an ID is a whole number from 1")
    return number


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


# --- the Reminders sheet, read for its marks only -----------------------------------------

_MARK_FIELDS = ("key", "state", "until", "reason")
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_FIRST_ROW = re.compile(rb"<row\b.*?</row>", re.DOTALL)


def reminder_mark_rows(path: Path, member: str, *, date1904: bool = False
                       ) -> tuple[list[tuple[int, list[Any]]], int] | None:
    """The header row and the rows with a mark of a Reminders sheet (its worksheet part
    ``member``), as (Excel row number, cells), found by a byte search for cells in the Marked
    column: a 100,000-provider export holds ~445,000 reminders of which a handful are
    marked, and every other column is derived. None when the sheet is not laid out as the
    tracker writes it (prefixed tags, cells without a reference, shared strings): the
    caller reads it whole instead. Also returns how many rows the sheet holds. Only after
    the guard has passed the file."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        data = stream.read(1 << 20)
        first = _FIRST_ROW.search(data)
        while first is None and len(data) < (16 << 20):
            more = stream.read(1 << 20)
            if not more:
                break
            data += more
            first = _FIRST_ROW.search(data)
        if first is None:
            return None
        header = _row_cells(first[0], date1904, set())
        if header is None:
            return None
        letters = {str(text).strip(): letter for letter, text in header[1].items()}
        wanted = {field: letters.get(column.header) for column in REMINDER_COLUMNS
                  if (field := column.field) in _MARK_FIELDS}
        if wanted["key"] is None:
            return None  # the caller's reader names the missing column
        width = max(column_number(letter) for letter in header[1]) if header[1] else 0
        found: list[tuple[int, list[Any]]] = [(header[0], _as_list(header[1], width))]
        marked = wanted["state"]  # no Marked column: nothing is marked
        pattern = None if marked is None else re.compile(rb'r="' + marked.encode() + rb'\d+"')
        dates = {wanted["until"]} - {None}
        total = 1
        data = data[first.end():]
        while True:
            cut = data.rfind(b"</row>")
            whole, data = (data[:cut + 6], data[cut + 6:]) if cut >= 0 else (b"", data)
            if b":row" in whole or b":c " in whole:
                return None
            total += whole.count(b"</row>")
            seen = -1
            for hit in pattern.finditer(whole) if pattern is not None else ():
                start = whole.rfind(b"<row", 0, hit.start())
                end = whole.find(b"</row>", hit.end())
                if start == seen:
                    continue  # the same row again (a text holding 'r="K5"')
                seen = start
                row = _row_cells(whole[start:end + 6], date1904, dates)
                if row is None:
                    return None
                found.append((row[0], _as_list(row[1], width)))
            more = stream.read(1 << 20)
            if not more:
                return (found, total) if b"<row" not in data else None
            data += more


def _as_list(cells: dict[str, Any], width: int) -> list[Any]:
    row: list[Any] = [None] * width
    for letter, value in cells.items():
        index = column_number(letter) - 1
        if index < width:
            row[index] = value
    return row


def _row_cells(xml: bytes, date1904: bool, dates: set[str | None]
               ) -> tuple[int, dict[str, Any]] | None:
    """(row number, column letter -> value) of one ``<row>`` element, or None when a cell
    is written in a way this reader leaves to the full reader."""
    from xml.etree import ElementTree

    try:
        element = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    number = element.get("r")
    if number is None or not number.isdigit():
        return None
    cells: dict[str, Any] = {}
    for cell in element:
        ref = _CELL_REF.fullmatch(cell.get("r") or "")
        kind = cell.get("t", "n")
        if ref is None or ref[2] != number or kind == "s":
            return None
        letter = ref[1]
        if kind == "inlineStr":
            # the element alone carries no namespace: the sheet declares it on <worksheet>
            value: Any = "".join(t.text or "" for t in cell.iter("t"))
            if cell.find("is/rPh") is not None:
                return None  # phonetic runs: left to the full reader
        else:
            v = cell.find("v")
            text = v.text if v is not None else None
            if text is None:
                value = None
            elif kind in {"str", "e", "d"}:
                value = text
            elif kind == "b":
                value = text.strip() == "1"
            else:
                try:
                    number_value = float(text)
                except ValueError:
                    return None
                value = int(number_value) if number_value.is_integer() else number_value
                if letter in dates:
                    value = parse_date(number_value, date1904=date1904)
        cells[letter] = value
    return int(number), cells
