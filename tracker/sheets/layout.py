"""The tracker's own workbook layout: which sheet holds which records, and each column's
header, type and width. The export writes it and the import reads it back, so both come
from this one description and cannot drift apart.

Every record sheet starts with the record's ID; each reference to another record is its ID
followed by a readable name (the provider's legal name beside the provider ID), which the
import ignores except to find a provider when its ID is blank.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from tracker.domain.enums import CitedEnum
from tracker.domain.registry import (
    COUNTRY_FIELDS,
    ENTITIES,
    INSERT_ORDER,
    REFERENCES,
    SHEET_ORDER,
    field_kind,
)
from tracker.store.models import BASE_MODELS

FORMAT_NAME = "tracker-register-export"
# 2: each record carries its version, and the manifest the last audit event it reflects, so
# an old workbook imported back cannot revert what changed since (tracker.app.restore).
FORMAT_VERSION = 2
READABLE_FORMATS = frozenset({1, 2})
MANIFEST_SHEET = "_tracker"  # hidden: format, register identity, scope
LISTS_SHEET = "Lists"  # hidden: the allowed values behind each drop-down
SUMMARY_SHEET = "Summary"
REMINDERS_SHEET = "Reminders"
SETTINGS_SHEET = "Settings"
GAPS_SHEET = "Gaps"

Kind = Literal["id", "ref", "ref_name", "text", "int", "float", "bool", "date", "datetime",
               "enum", "country"]

ENTITY_ORDER = INSERT_ORDER
SHEET_TITLES = {name: ENTITIES[name].sheet_title for name in SHEET_ORDER}
# Every sheet an export can hold (its CSV files are named after them).
EXPORT_TITLES = (SUMMARY_SHEET, *SHEET_TITLES.values(), REMINDERS_SHEET, SETTINGS_SHEET,
                 GAPS_SHEET, LISTS_SHEET, MANIFEST_SHEET)
# A sheet longer than the import reads goes on in "Title (2)", a CSV file in "title-(2).csv".
_PART = re.compile(r"(?P<whole>.+?)(?P<mark> |-)\((?P<part>\d+)\)")


def part_title(title: str, part: int) -> str:
    return title if part == 1 else f"{title} ({part})"


def whole_title(title: str) -> str:
    """The sheet a continuation sheet belongs to: "Reminders (2)" -> "Reminders"."""
    found = _PART.fullmatch(title)
    return found["whole"] if found and found["mark"] == " " else title


def sheet_file_name(title: str) -> str:
    """The CSV file a sheet goes to: "Legal bases" -> legal-bases.csv, "Reminders (2)" ->
    reminders-(2).csv."""
    return title.lower().replace(" ", "-") + ".csv"


def title_of_file(file_name: str) -> str | None:
    """The sheet an export's CSV file holds, or None for a file no export writes."""
    stem = file_name.removesuffix(".csv")
    found = _PART.fullmatch(stem)
    whole, part = (found["whole"], int(found["part"])) if found and found["mark"] == "-" \
        else (stem, 1)
    for title in EXPORT_TITLES:
        if sheet_file_name(title) == f"{whole}.csv":
            return part_title(title, part)
    return None


# Counts of people and sizes in bytes read better as 1,200,000 (a year or an item number not).
GROUPED_NUMBERS = frozenset({"people_concerned", "people_non_sensitive", "people_sensitive",
                             "size_bytes"})
# Timestamps a record keeps beyond its typed fields, exported so a restore is complete.
EXTRA_STAMPS = {name: spec.extra_stamps for name, spec in ENTITIES.items() if spec.extra_stamps}
STAMP_HEADERS = {"archived_at": "Archived at (UTC)", "added_at": "Added at (UTC)"}
# The record's version when it was exported: the import compares it with the register's.
VERSION_HEADER = "Version"
ARCHIVABLE = frozenset(name for name, spec in ENTITIES.items() if spec.archivable)


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # None: a readable helper column the import does not take
    kind: Kind
    width: float
    enum: type[CitedEnum] | None = None
    refers_to: str | None = None
    grouped: bool = False  # a count or size: shown with thousands separators
    spells_out: str | None = None  # the field whose code this helper column puts in words


@dataclass(frozen=True)
class EntitySheet:
    entity: str
    title: str
    columns: tuple[Column, ...]

    @property
    def fields(self) -> list[Column]:
        return [c for c in self.columns if c.field is not None]


def _label(entity: str) -> str:
    return entity.replace("_", " ").capitalize()


def _field_column(entity: str, name: str) -> list[Column]:
    info = BASE_MODELS[entity].model_fields[name]
    header = info.description or name.replace("_", " ").capitalize()
    if name in REFERENCES:
        target = REFERENCES[name]
        named = _label(target) if header in {name, _label(target)} or not info.description \
            else header
        return [Column(f"{named} ID", name, "ref", 11, refers_to=target),
                Column(named, None, "ref_name", 36, refers_to=target)]
    if name in COUNTRY_FIELDS:
        return [Column(header, name, "country", 10)]
    kind = field_kind(info.annotation)
    if kind.enum is not None:
        enum = kind.enum
        assert issubclass(enum, CitedEnum), f"{entity}.{name}: enums carry labels"
        longest = max(len(m.label) for m in enum)
        return [Column(header, name, "enum", min(48, max(14, longest + 2)), enum=enum)]
    if kind.kind == "bool":
        return [Column(header, name, "bool", max(10, min(len(header) + 2, 22)))]
    if kind.kind == "date":
        return [Column(header, name, "date", 12)]
    if kind.kind == "int":
        return [Column(header, name, "int", max(10, min(len(header) + 2, 18)),
                       grouped=name in GROUPED_NUMBERS)]
    if kind.kind == "float":
        return [Column(header, name, "float", max(10, min(len(header) + 2, 18)))]
    limit = max((getattr(m, "max_length", 0) or 0) for m in info.metadata) \
        if info.metadata else 200
    width = 60 if limit >= 2000 else 40 if name in {"legal_name", "name"} else \
        30 if limit > 64 else max(limit + 2, 12)
    return [Column(header, name, "text", width)]


# Codes a workbook reader cannot read: a clause's code and a checklist item's number get
# their text beside them (readable helper columns, not imported; the export fills them).
SPELLED_OUT: dict[tuple[str, str], list[Column]] = {
    ("agreement_clause", "clause"): [
        Column("Clause text", None, "text", 50, spells_out="clause"),
        Column("Article", None, "text", 18, spells_out="clause_article")],
    ("checklist_answer", "item"): [
        Column("Question", None, "text", 60, spells_out="item"),
        Column("Critical", None, "text", 9, spells_out="item_critical")],
}


@functools.cache
def entity_sheet(entity: str) -> EntitySheet:
    base = BASE_MODELS[entity]
    columns: list[Column] = [Column("ID", "id", "id", 8)]
    names = list(base.model_fields)
    # The owning record's reference first, so each sheet reads "which provider, then what".
    owners = [n for n in names if n in REFERENCES and base.model_fields[n].is_required()]
    for name in owners + [n for n in names if n not in owners]:
        columns += _field_column(entity, name)
        columns += SPELLED_OUT.get((entity, name), [])
    for stamp in EXTRA_STAMPS.get(entity, ()):
        columns.append(Column(STAMP_HEADERS[stamp], stamp, "datetime", 20))
    if entity in ARCHIVABLE:
        columns.append(Column(STAMP_HEADERS["archived_at"], "archived_at", "datetime", 20))
    columns.append(Column(VERSION_HEADER, "version", "int", 9))
    return EntitySheet(entity, SHEET_TITLES[entity], tuple(columns))


def entity_sheets() -> list[EntitySheet]:
    return [entity_sheet(entity) for entity in SHEET_ORDER]


def entity_for_title(title: str) -> str | None:
    for entity, known in SHEET_TITLES.items():
        if known == title:
            return entity
    return None


# --- the Reminders sheet: derived, with the user's marks (snoozed, done) -------------------

# Only the key and the mark are read back; the rest is derived, for reading.
REMINDER_COLUMNS: tuple[Column, ...] = (
    Column("Key", "key", "text", 34),
    Column("Due on", None, "date", 12),
    Column("Status", None, "text", 11),
    Column("Kind", None, "text", 30),
    Column("Provider ID", None, "ref", 11, refers_to="provider"),
    Column("Provider", None, "ref_name", 36, refers_to="provider"),
    Column("Subject", None, "text", 40),
    Column("Why", None, "text", 50),
    Column("What to do", None, "text", 50),
    Column("Source", None, "text", 24),
    Column("Marked", "state", "text", 10),
    Column("Marked until", "until", "date", 12),
    Column("Mark reason", "reason", "text", 40),
)

SETTING_COLUMNS: tuple[Column, ...] = (
    Column("Setting", "key", "text", 34),
    Column("Value (JSON)", "value", "text", 30),
    Column("Meaning", None, "text", 70),
)
