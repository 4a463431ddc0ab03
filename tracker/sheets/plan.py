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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from tracker.domain.registry import COUNTRY_FIELDS, ENTITIES, FOLDED_KEY_FIELDS, field_kind
from tracker.domain.text import provider_name_key, search_key
from tracker.sheets import limits
from tracker.sheets.guard import column_number
from tracker.sheets.mapping import (
    IMPORT_ENTITIES,
    ColumnMapping,
    SheetMapping,
    column_letter,
    row_label,
)
from tracker.sheets.readers import CONTROL, Sheet, Workbook
from tracker.sheets.values import (
    DayOrder,
    date_order_evidence,
    has_cell_unit,
    header_day_order,
    is_ambiguous_date,
    is_not_given,
    is_order_sensitive,
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
    accepted: str | None = None  # what the cell would be accepted as

    def __str__(self) -> str:
        where = [self.sheet] + ([f"row {self.row}"] if self.row else []) + \
            ([f"column {self.column}" + (f" ({self.header})" if self.header else "")]
             if self.column else [])
        shown = f" value {self.value!r}:" if self.value not in (None, "") else ""
        accepted = f" (accepted: {self.accepted})" if self.accepted else ""
        return f"{', '.join(where)}:{shown} {self.reason}{accepted}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "header": self.header, "value": self.value, "reason": self.reason,
                "accepted": self.accepted}


@dataclass(slots=True)  # one per record of the file, all held until the write: no __dict__
class PlannedRecord:
    entity: str
    key: Key
    provider_key: Key
    values: dict[str, Any]
    origin: tuple[tuple[str, int], ...] = ()  # the (sheet, row)s it came from


@dataclass
class ImportPlan:
    records: dict[str, dict[Key, PlannedRecord]] = field(
        default_factory=lambda: {e: {} for e in IMPORT_ENTITIES})
    problems: list[Problem] = field(default_factory=list)
    mappings: list[SheetMapping] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    # How each date column's day order was decided (sheet, column letter) -> why.
    date_orders: dict[tuple[str, str], str] = field(default_factory=dict)
    # Rows under or between the data that are no provider (a totals row, a note), each as
    # the import's notes name it: "Suppliers, row 5: 'Total' is a totals row; left out".
    left_out_rows: list[str] = field(default_factory=list)
    # A provider's name written two ways that the import took for one provider (they differ
    # only in punctuation or spaces), each pair once: (this spelling, the first) -> where.
    respelled: dict[tuple[str, str], tuple[str, int, str, int]] = field(
        default_factory=dict)

    def spelling_notes(self) -> list[str]:
        """The names the import took for another spelling, for the import's notes."""
        notes = [f"{sheet}, row {row}: provider {spelled!r} is read as {first!r} of "
                 f"{first_sheet} row {first_row} (the names differ only in punctuation or "
                 "spaces)" for (spelled, first), (sheet, row, first_sheet, first_row)
                 in list(self.respelled.items())[:MAX_SPELLING_NOTES]]
        if len(self.respelled) > MAX_SPELLING_NOTES:
            notes.append(f"{len(self.respelled) - MAX_SPELLING_NOTES:,} more provider names "
                         "read as another spelling of one")
        return notes


MAX_SPELLING_NOTES = 20


def parser_for(entity: str, name: str, order: DayOrder, date1904: bool, *,
               decimal_comma: bool = False, scale: int | None = None) -> Callable[[Any], Any]:
    parse = _parser_for(entity, name, order, date1904, decimal_comma=decimal_comma,
                        scale=scale)
    if parse is parse_text:
        return parse  # "n/a" in a notes column is what the author wrote

    def read(value: Any) -> Any:
        # "n/a", "TBD", "ongoing" in a date, number, country or choice column: no value is
        # known (tracker.sheets.values.NOT_GIVEN), unless the cell reads as one ("-" is no)
        try:
            return parse(value)
        except ValueError:
            if is_not_given(value):
                return None
            if isinstance(value, str) and value.rstrip().endswith(FOOTNOTE_MARKS):
                # "Yes*", "2026-01-31 *": a mark pointing to a note under the data
                return read(value.rstrip().rstrip("".join(FOOTNOTE_MARKS)))
            raise

    return read


# The marks a cell's value carries to point to a footnote.
FOOTNOTE_MARKS = ("*", "†", "‡", "※")


def _parser_for(entity: str, name: str, order: DayOrder, date1904: bool, *,
                decimal_comma: bool, scale: int | None) -> Callable[[Any], Any]:
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
    if kind.kind in {"int", "float"}:
        whole = kind.kind == "int"

        def number(value: Any) -> Any:
            # a unit in the header scales the cell: 3.5 (万人) is 35,000 people
            found = parse_number(value, whole=whole and not scale, decimal_comma=decimal_comma)
            if found is None or not scale or has_cell_unit(value):
                return found
            scaled = found * scale
            if whole and scaled != int(scaled):
                raise ValueError(f"{value!r} x {scale:,} is not a whole number")
            return int(scaled) if whole else scaled

        return number
    return parse_text


def accepted_for(entity: str, name: str) -> str:
    """What a cell of this field is accepted as, in a problem's words."""
    if name in COUNTRY_FIELDS:
        return "an ISO country code (CN, DE) or the country's name in any language (Deutschland)"
    kind = field_kind(BASE_MODELS[entity].model_fields[name].annotation)
    if kind.enum is not None:
        shown = [f"{m.value} / {getattr(m, 'label', m.value)}" for m in kind.enum]
        return "one of " + ", ".join(shown) + " (or an alias in imports/synonyms.json)"
    if kind.kind == "bool":
        return "yes or no: yes/no, ja/nein, oui/non, sí/no, 是/否, ✓/✗, true/false, 1/0"
    if kind.kind == "date":
        return ("a date: a date cell, 2025-02-14, 14/02/2025 or 02/14/2025 (day order from "
                "the column), 14.02.2025, 14 Feb 2025, 2025年2月14日")
    if kind.kind == "int":
        return "a whole number (1234, 1,234, 1.234 in a decimal-comma file)"
    if kind.kind == "float":
        return "a number (12.5; 12,5 in a decimal-comma file)"
    return "text"


def provider_key(values: dict[str, Any]) -> Key:
    return (provider_name_key(values["legal_name"]), values.get("country"))


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
                deadline: limits.Deadline | None = None,
                formula_cells: dict[str, list[str]] | None = None) -> ImportPlan:
    """``formula_cells``: per sheet, the cells holding a formula with no cached value
    (the guard finds them in the sheet's XML; the readers see them as blank)."""
    plan = ImportPlan(mappings=mappings)
    deadline = deadline or limits.Deadline()
    by_sheet = {s.name: s for s in book.sheets}
    for mapping in mappings:
        sheet = by_sheet[mapping.sheet]
        for target, columns in mapping.ambiguous.items():
            plan.problems.append(Problem(
                sheet.name, mapping.header_row, None, None, None,
                f"columns {', '.join(f'{c.letter} ({c.header})' for c in columns)} all look "
                f"like {target}; keep one: leave the others out in the import screen, or "
                "say which in a mapping profile"))
        _plan_sheet(plan, sheet, mapping, order, book, deadline,
                    (formula_cells or {}).get(sheet.name, []))
    _link_by_name(plan)
    return plan


def _link_by_name(plan: ImportPlan) -> None:
    """A workbook with one sheet per entity links them by the provider's name: the
    Providers sheet gives its country, the Agreements or Transfers sheet only the name.
    A provider planned without a country is the one planned with a country under the same
    (folded) name, when there is exactly one: its records join that provider (a transfer
    with no origin starts from its country, as on a sheet with a country column)."""
    providers = plan.records["provider"]
    countries: dict[Any, list[Key]] = {}
    for key in providers:
        if key[1] is not None:
            countries.setdefault(key[0], []).append(key)
    relink = {key: countries[key[0]][0] for key in providers
              if key[1] is None and len(countries.get(key[0], ())) == 1}
    for key, record in providers.items():
        named = countries.get(key[0], ())
        if key[1] is None and len(named) > 1:
            sheet, row = record.origin[0]
            plan.problems.append(Problem(
                sheet, row, None, None, record.values.get("legal_name"),
                f"{len(named)} providers of the file have this name "
                f"({', '.join(sorted(str(k[1]) for k in named))}); give this row their country "
                "to say which", "a provider country column on this sheet"))
    for old, new in relink.items():
        record = providers.pop(old)
        _merge(plan, "provider", new, new, record.values, record.origin, {})
    if not relink:
        return
    for entity, records in plan.records.items():
        if entity == "provider":
            continue
        for key, record in list(records.items()):
            pkey = relink.get(record.provider_key)
            if pkey is None:
                continue
            del records[key]
            if entity == "transfer" and record.values.get("origin_country") is None:
                record.values["origin_country"] = pkey[1]
            _merge(plan, entity, record_key(entity, pkey, record.values), pkey,
                   record.values, record.origin, {})


@dataclass(frozen=True, slots=True)
class _Cell:
    """What the row loop needs of one mapped column, worked out once per sheet."""

    index: int
    column: ColumnMapping
    entity: str
    name: str
    target: str
    parse: Callable[[Any], Any]
    # (type, raw cell) -> how it read: (outcome, the value or the reason it did not read)
    memo: dict[tuple[type, Any], tuple[object, Any]] = field(default_factory=dict)


# A column with this many distinct cells in twice as many rows is one of distinct values
# (names, e-mails): its cells are read each time instead of remembered.
CELL_MEMO = 2_000
_BLANK, _TEXT_PROBLEM, _UNREAD, _READ = object(), object(), object(), object()


def _read_cell(cell: _Cell, raw: Any) -> tuple[object, Any]:
    """How one non-empty cell reads: blank text, refused text (too long, control
    characters), unreadable (with the parser's reason), or its value. Pure."""
    if isinstance(raw, str):
        if not raw.strip():
            return _BLANK, None
        if len(raw) > limits.MAX_CELL_CHARS or CONTROL.search(raw):
            return _TEXT_PROBLEM, None
    try:
        return _READ, cell.parse(raw)
    except ValueError as err:
        return _UNREAD, str(err)


def _column_orders(plan: ImportPlan, sheet: Sheet, mapping: SheetMapping,
                   cells: list[tuple[ColumnMapping, str, str]],
                   start: int | None = None) -> dict[int, str]:
    """Each date column's day order, read off the whole column as a person would: one
    31/01/2025 makes it day-first, one 01/31/2025 month-first; a column holding both, or
    only dates that read either way, is one problem for the column, not one per cell.
    Returns column index -> order, or "undecided" / "mixed" (its problem is planned).
    ``start``: the index of the first row to read (default: the one under the header);
    the rows above it hold no date text that decides or needs an order."""
    orders: dict[int, str] = {}
    undecided: list[tuple[ColumnMapping, tuple[int, Any]]] = []
    dated = [column for column, entity, name in cells
             if field_kind(BASE_MODELS[entity].model_fields[name].annotation).kind == "date"]
    # One pass over the rows for every date column (a workbook's rows are made a row at a
    # time); each distinct text is read once per column.
    seen_in: dict[int, dict[str, tuple[int, Any]]] = {c.index: {} for c in dated}
    ambiguous_in: dict[int, tuple[int, Any]] = {}
    read: dict[int, dict[str, tuple[str | None, bool]]] = {c.index: {} for c in dated}
    indexes = list(seen_in)
    first = mapping.header_row if start is None else start
    if indexes:
        for row_index, row in enumerate(islice(sheet.rows, first, None), start=first):
            width = len(row)
            for index in indexes:
                raw = row[index] if index < width else None
                if not isinstance(raw, str):
                    continue
                known = read[index].get(raw)
                if known is None:
                    evidence = date_order_evidence(raw)
                    known = read[index][raw] = (
                        evidence, evidence is None and is_ambiguous_date(raw))
                if known[0] is not None:
                    seen_in[index].setdefault(known[0], (row_index + 1, raw))
                elif known[1] and index not in ambiguous_in:
                    ambiguous_in[index] = (row_index + 1, raw)
    del read
    for column in dated:
        index = column.index
        seen = seen_in[index]
        ambiguous = ambiguous_in.get(index)
        where = f"column {column.letter} ({column.header})"
        stated = header_day_order(column.header)
        if stated is not None:
            # the header shows the format: its order, unless a date contradicts it
            other = "month-first" if stated == "day-first" else "day-first"
            if other in seen:
                at_row, value = seen[other]
                orders[index] = "mixed"
                plan.problems.append(Problem(
                    sheet.name, at_row, column.letter, column.header, str(value),
                    f"{where} says its dates are {stated}, but {value!r} reads only "
                    f"{other}", f"dates written {stated}, or YYYY-MM-DD"))
            else:
                orders[index] = stated
                plan.date_orders[(sheet.name, column.letter)] = (
                    f"{where}: {stated}, as its header says")
            continue
        if len(seen) == 2:
            (day_row, day), (month_row, month) = seen["day-first"], seen["month-first"]
            orders[index] = "mixed"
            plan.problems.append(Problem(
                sheet.name, None, column.letter, column.header, None,
                f"{where} mixes day-first dates ({day!r}, row {day_row}) and month-first "
                f"dates ({month!r}, row {month_row}); write the column one way (YYYY-MM-DD "
                "reads the same everywhere)", "dates written one way in the whole column"))
        elif seen:
            decided = next(iter(seen))
            at_row, value = seen[decided]
            orders[index] = decided
            plan.date_orders[(sheet.name, column.letter)] = (
                f"{where}: {decided}, as {value!r} on row {at_row} shows")
        elif ambiguous is not None:
            undecided.append((column, ambiguous))
    # A column that decides nothing takes the order every deciding column of the sheet
    # agrees on: one author writes dates one way (as a person reading the sheet would).
    sheet_orders = {orders[c.index] for c, _, _ in cells
                    if orders.get(c.index) in {"day-first", "month-first"}}
    for column, (at_row, value) in undecided:
        where = f"column {column.letter} ({column.header})"
        if len(sheet_orders) == 1:
            decided = next(iter(sheet_orders))
            orders[column.index] = decided
            plan.date_orders[(sheet.name, column.letter)] = (
                f"{where}: {decided}, as the sheet's other date columns are")
            continue
        orders[column.index] = "undecided"
        plan.problems.append(Problem(
            sheet.name, at_row, column.letter, column.header, str(value),
            f"{where} holds ambiguous dates (they read day-first or month-first), and none "
            "of its dates decides which; say which once for the column",
            "--day-first or --month-first (the import screen's 'ambiguous dates' "
            "choice), or dates written YYYY-MM-DD"))
    return orders


def _order_matters(row: list[Any], dated: set[int], sensitive: dict[str, bool]) -> bool:
    """Whether a date column of ``row`` holds a text its column's day order reads
    (``is_order_sensitive``); ``sensitive`` remembers each distinct text."""
    width = len(row)
    for index in dated:
        raw = row[index] if index < width else None
        if isinstance(raw, str):
            found = sensitive.get(raw)
            if found is None:
                found = sensitive[raw] = is_order_sensitive(raw)
            if found:
                return True
    return False


def _cells_of(mapped: list[tuple[ColumnMapping, str, str]], column_orders: dict[int, str],
              order: DayOrder, book: Workbook,
              memos: dict[int, dict[tuple[type, Any], tuple[object, Any]]] | None = None
              ) -> tuple[list[_Cell], set[int]]:
    """Each mapped column's reader under the day orders decided, and the date columns
    whose order is a column problem. ``memos``: the cells read so far, kept (read before
    any text the order decides, so the same under any order)."""
    cells: list[_Cell] = []
    unsettled: set[int] = set()  # date columns whose order is a column problem
    for column, entity, name in mapped:
        found = column_orders.get(column.index)
        column_order: DayOrder = order
        if found in {"mixed", "undecided"}:
            unsettled.add(column.index)
        elif found == "day-first":
            column_order = "day-first"
        elif found == "month-first":
            column_order = "month-first"
        parse = parser_for(entity, name, column_order, book.date1904,
                           decimal_comma=book.decimal_comma, scale=column.scale)
        cell = _Cell(column.index, column, entity, name, f"{entity}.{name}", parse)
        if memos is not None and column.index in memos:
            cell = _Cell(column.index, column, entity, name, f"{entity}.{name}", parse,
                         memos[column.index])
        cells.append(cell)
    return cells, unsettled


def _plan_sheet(plan: ImportPlan, sheet: Sheet, mapping: SheetMapping, order: DayOrder,
                book: Workbook, deadline: limits.Deadline, formulas: list[str]) -> None:
    mapped: list[tuple[ColumnMapping, str, str]] = []
    for column in mapping.mapped:
        if column.target:
            entity, name = column.target.split(".")
            mapped.append((column, entity, name))
    # A date column's day order matters only to a text such as 03/04/2025 (a d/m text whose
    # two numbers differ): the rows are planned in one pass until the first such text, and
    # only then are the orders read off the columns (``_column_orders``, over the rows from
    # there on: the rows before hold no such text, so they decide nothing and read the same
    # under any order). A register whose dates are real dates or ISO text is read once.
    dated = set() if order is not None else {
        column.index for column, entity, name in mapped
        if field_kind(BASE_MODELS[entity].model_fields[name].annotation).kind == "date"}
    sensitive: dict[str, bool] = {}
    first_problem = len(plan.problems)  # where the column problems go (before the rows')
    cells, unsettled = _cells_of(mapped, {}, order, book)
    columns_of = {cell.target: cell.column for cell in cells}
    by_index = {cell.index: cell for cell in cells}
    width = max((c.index for c in mapping.columns), default=-1) + 1
    formula_problems = len(plan.problems)
    for ref in formulas:
        _formula_problem(plan, sheet.name, mapping, by_index, ref)
    percent = _cells_at(book.percent_cells.get(sheet.name, ()))
    formula_problems_end = len(plan.problems)
    footer_rows: set[int] = set()
    beyond = 0
    unique: set[int] = set()  # columns whose cells are not remembered (see CELL_MEMO)
    name_cell = columns_of.get("provider.legal_name")
    in_note = False  # the one-cell lines after a note ("Notes: ...") belong to it
    # one pass over the rows (a workbook's are made a row at a time: tracker.sheets.readers)
    for row_index, row in enumerate(islice(sheet.rows, mapping.header_row, None),
                                    start=mapping.header_row):
        if dated and _order_matters(row, dated, sensitive):
            before = len(plan.problems)
            column_orders = _column_orders(plan, sheet, mapping, mapped, start=row_index)
            found = plan.problems[before:]
            del plan.problems[before:]
            plan.problems[first_problem:first_problem] = found
            cells, unsettled = _cells_of(mapped, column_orders, order, book,
                                         {cell.index: cell.memo for cell in cells})
            dated = set()
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        excel_row = row_index + 1
        footer = None if name_cell is None else _footer_row(plan, sheet.name, excel_row,
                                                            row, name_cell, in_note)
        if footer is not None:
            in_note = footer == "notes"
            footer_rows.add(excel_row)
            continue
        in_note = False
        plan.rows_read += 1
        if plan.rows_read % 5000 == 0:
            deadline.check(f"{sheet.name}, row {excel_row}")
        by_entity: dict[str, dict[str, Any]] = {}
        row_ok = True
        row_width = len(row)
        if row_width > width:
            for extra in range(width, row_width):
                value = row[extra]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                beyond += 1
                row_ok = False
                if beyond <= MAX_BEYOND_PROBLEMS:
                    plan.problems.append(Problem(
                        sheet.name, excel_row, column_letter(extra), None, show_value(value),
                        f"a value beyond the header's last column "
                        f"({column_letter(width - 1) if width else 'none'}): it belongs to "
                        "no column", "give the column a header, or clear the cell"))
        for cell in cells:
            raw = row[cell.index] if cell.index < row_width else None
            if raw is None or raw == "":
                continue
            if percent and (excel_row, cell.index) in percent and isinstance(
                    raw, int | float) and not isinstance(raw, bool):
                raw = percent_text(raw)  # 0.005 styled 0.0% is the 0.5% its author saw
            # A column repeats its values (countries, labels, dates, yes/no): each distinct
            # cell is read once; what it read as, or why not, is the same every time.
            memo = cell.memo
            try:
                key = (raw.__class__, raw)
                read = memo.get(key)
            except TypeError:  # unhashable
                key, read = None, None
            if read is None:
                read = _read_cell(cell, raw)
                if key is not None and cell.index not in unique:
                    memo[key] = read
                    if len(memo) >= CELL_MEMO and plan.rows_read < 2 * CELL_MEMO:
                        unique.add(cell.index)  # a column of distinct values (names):
                        memo.clear()  # remembering them would only hold memory
            outcome, value = read
            if outcome is _BLANK:
                continue
            if outcome is _TEXT_PROBLEM:
                plan.problems.append(_text_problem(sheet.name, excel_row, cell.column, raw))
                row_ok = False
                continue
            if outcome is _UNREAD:
                row_ok = False
                if cell.index in unsettled and is_ambiguous_date(raw):
                    continue  # its column's problem says it once
                plan.problems.append(Problem(sheet.name, excel_row, cell.column.letter,
                                             cell.column.header, show_value(raw), value,
                                             accepted_for(cell.entity, cell.name)))
                continue
            if value is not None:
                by_entity.setdefault(cell.entity, {})[cell.name] = value
        provider = by_entity.pop("provider", {})
        if not provider.get("legal_name"):
            if by_entity or provider:
                name_column = columns_of.get("provider.legal_name")
                plan.problems.append(Problem(
                    sheet.name, excel_row, name_column.letter if name_column else None,
                    name_column.header if name_column else None, None,
                    "the row has no provider legal name", "the provider's legal name"))
            continue
        if not row_ok:
            continue
        pkey = provider_key(provider)
        # one origin for every record of the row (held by each until the write)
        origin = ((sheet.name, excel_row),)
        _merge(plan, "provider", pkey, pkey, provider, origin, columns_of)
        for entity, values in by_entity.items():
            if entity == "transfer" and "origin_country" not in values and provider.get(
                    "country"):
                values["origin_country"] = provider["country"]
            if entity == "supply" and not values.get("name"):
                # A register's "personal data?" / "people concerned" columns describe the
                # data a provider supplies without naming a data set: they land in one
                # supply per provider, named after it, which a second import finds again.
                values["name"] = unnamed_supply(provider["legal_name"])
                if "contains_pi" not in values and "holds_personal_info" in provider:
                    values["contains_pi"] = provider["holds_personal_info"]
            key = record_key(entity, pkey, values)
            _merge(plan, entity, key, pkey, values, origin, columns_of)
    if footer_rows:  # a totals row's formulas are no record's values
        plan.problems[formula_problems:formula_problems_end] = [
            p for p in plan.problems[formula_problems:formula_problems_end]
            if p.row not in footer_rows]
    if beyond > MAX_BEYOND_PROBLEMS:
        plan.problems.append(Problem(
            sheet.name, None, None, None, None,
            f"{beyond - MAX_BEYOND_PROBLEMS:,} more values beyond the header's last column",
            "give those columns a header, or clear them"))


MAX_BEYOND_PROBLEMS = 50


def _footer_row(plan: ImportPlan, sheet: str, excel_row: int, row: list[Any],
                name_cell: ColumnMapping, in_note: bool) -> str | None:
    """A row that is no provider although its name cell holds text: a totals row
    (``Total``, ``合计``), a note under the data (``Notes: ...``, ``Source: ...``, ``* ...``)
    or a line continuing that note (one cell of text): "totals" or "notes", or None for a
    row of data. Left out and named in the import's notes."""
    raw = row[name_cell.index] if name_cell.index < len(row) else None
    label = row_label(raw)
    if label is None:
        if not in_note:
            return None
        filled = [v for v in row if v is not None and not (isinstance(v, str)
                                                           and not v.strip())]
        if len(filled) != 1 or not isinstance(filled[0], str):
            return None
        raw, label = filled[0], "notes"
    shown = show_value(raw if raw is not None else "")
    what = "a totals row" if label == "totals" else "a note under the data"
    plan.left_out_rows.append(f"{sheet}, row {excel_row}: {shown!r} is {what}, "
                              "not a provider; left out")
    return label


def _cells_at(refs: Any) -> set[tuple[int, int]]:
    """Cell references (D2) as (Excel row, column index) pairs."""
    found = set()
    for ref in refs:
        match = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref)
        if match is not None:
            found.add((int(match[2]), column_number(match[1]) - 1))
    return found


def percent_text(number: float) -> str:
    """A number styled as a percentage as its cell shows it: 0.005 is "0.5%"."""
    from decimal import Decimal

    shown = Decimal(repr(number)) * 100
    return f"{shown.normalize():f}%"


def _formula_problem(plan: ImportPlan, sheet: str, mapping: SheetMapping,
                     by_index: dict[int, _Cell], ref: str) -> None:
    """A formula whose result the file does not hold reads as blank: refused by its cell,
    when the cell is one the import reads (a mapped column below the header)."""
    match = re.fullmatch(r"([A-Z]{1,3})(\d+)", ref)
    if match is None:
        return
    index = column_number(match[1]) - 1
    row = int(match[2])
    cell = by_index.get(index)
    if cell is None or row <= mapping.header_row:
        return
    plan.problems.append(Problem(
        sheet, row, match[1], cell.column.header, None,
        f"cell {ref} holds a formula whose result the file does not hold (saved by a program "
        "that does not calculate), so its value is unknown",
        "open the file in Excel or LibreOffice and save it again, or type the value"))


def unnamed_supply(legal_name: str) -> str:
    """The supply a row's data-set columns land in when the file names no data set."""
    return f"Data supplied by {legal_name}"[:300]


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


def _same_name(plan: ImportPlan, entity: str, name: str, value: str, held: PlannedRecord,
               where: tuple[str, int]) -> bool:
    """Whether a name the record's key compares folded is the one held: a title by
    ``search_key``, a provider's legal name also without punctuation or spaces (noted)."""
    first = held.values[name]
    if search_key(value) == search_key(first):
        return True
    if not (entity == "provider" and name == "legal_name"
            and provider_name_key(value) == provider_name_key(first)):
        return False
    first_sheet, first_row = held.origin[0]
    plan.respelled.setdefault((value, first), (*where, first_sheet, first_row))
    return True


def _merge(plan: ImportPlan, entity: str, key: Key, pkey: Key, values: dict[str, Any],
           origin: tuple[tuple[str, int], ...],
           columns_of: dict[str, ColumnMapping]) -> None:
    """The same record on several rows: values combine; differing values are a problem.
    ``values`` is the row's own dict (made for this row, kept as the record's); ``origin``
    the row's (sheet, row), shared by every record the row makes. A name or title the key
    compares folded is the same whatever its case, width or spaces (``ACME Data Ltd`` on
    the row of another agreement, ``（北京）`` and ``(北京)``): the first spelling is kept."""
    held = plan.records[entity].get(key)
    sheet, row = origin[0]
    if held is None:
        plan.records[entity][key] = PlannedRecord(entity, key, pkey, values, origin)
        return
    for name, value in values.items():
        if name in held.values and held.values[name] != value and not (
                name in FOLDED_KEY_FIELDS and isinstance(value, str)
                and isinstance(held.values[name], str)
                and _same_name(plan, entity, name, value, held, origin[0])):
            column = columns_of.get(f"{entity}.{name}")
            first_sheet, first_row = held.origin[0]
            plan.problems.append(Problem(
                sheet, row, column.letter if column else None,
                column.header if column else name, show_value(value),
                f"conflicts with {show_value(held.values[name])!r} for the same {entity} on "
                f"{first_sheet} row {first_row}"))
        elif name not in held.values:
            held.values[name] = value
    held.origin += origin
