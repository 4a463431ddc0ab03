"""The entity registry: what the program knows about each kind of record, declared once.

Every layer reads it instead of keeping a table of its own: the import (which sheet names
mean an entity, its natural key, what it fills), the export's layout (sheet titles and
order, references, archiving), the restore (insert order, owners), the derived children of
the write pipeline, the forms and the tables (one ``field_kind`` for every field type).
The fields themselves (names, types, labels, limits) are the pydantic families in
``tracker.store.models``; ``field_kind`` is the one place a field's type becomes its kind.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

FieldKind = Literal["text", "int", "float", "bool", "date", "datetime", "enum"]


@dataclass(frozen=True, slots=True)
class KindOf:
    """A field's kind: what a cell, an input or a column of it holds."""

    kind: FieldKind
    optional: bool
    enum: type[Enum] | None = None


def field_kind(annotation: Any) -> KindOf:
    """The kind of a field from its type annotation (``date | None`` -> date, optional)."""
    optional = False
    inner = annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        inner = args[0] if len(args) == 1 else str
    if isinstance(inner, type) and issubclass(inner, Enum):
        return KindOf("enum", optional, inner)
    if inner is bool:
        return KindOf("bool", optional)
    if inner is datetime:
        return KindOf("datetime", optional)
    if inner is date:
        return KindOf("date", optional)
    if inner is int:
        return KindOf("int", optional)
    if inner is float:
        return KindOf("float", optional)
    return KindOf("text", optional)


@dataclass(frozen=True, slots=True)
class EntitySpec:
    name: str
    label: str  # in a sentence: "legal basis"
    sheet_title: str  # the export's sheet, and the import's first name for it
    sheet_names: tuple[str, ...] = ()  # more names an officer's workbook gives the sheet
    natural_key: tuple[str, ...] = ()  # besides the provider: how an import finds the record
    owner: tuple[str, str] | None = None  # (reference field, entity) leading to the provider
    archivable: bool = True
    imported: bool = False  # filled by an ordinary spreadsheet import
    children: tuple[str, ...] = ()  # derived on creation (tracker.domain.derived)
    extra_stamps: tuple[str, ...] = ()  # timestamps kept beyond the typed fields
    # Fields that cannot change once the record exists: its derived children depend on them
    # (a DPA's clauses are GDPR Art 28(3)'s; a PIPL Art 21 contract is another record).
    fixed: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)


ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in (
    EntitySpec("provider", "provider", "Providers",
               ("providers", "provider", "suppliers", "vendors", "供应商", "供应商名单",
                "lieferanten", "fournisseurs"),
               natural_key=("legal_name", "country"), imported=True),
    EntitySpec("supply", "supply", "Supplies", ("supplies", "supply", "datasets", "data sets",
                                               "数据集"),
               natural_key=("name",), imported=True),
    EntitySpec("legal_basis", "legal basis", "Legal bases", owner=("supply_id", "supply")),
    EntitySpec("agreement", "agreement", "Agreements",
               ("agreements", "agreement", "contracts", "合同", "协议", "合同台账", "verträge",
                "contrats"),
               natural_key=("kind", "title"), imported=True, children=("agreement_clause",),
               fixed=("kind",)),
    EntitySpec("agreement_clause", "agreement clause", "Agreement clauses",
               owner=("agreement_id", "agreement"), archivable=False),
    EntitySpec("assessment", "assessment", "Assessments",
               ("assessments", "assessment", "reviews", "审查", "评估", "due diligence",
                "尽职调查", "prüfungen", "évaluations"),
               natural_key=("kind", "assessed_on"), imported=True,
               children=("checklist_answer",), fixed=("kind",)),
    EntitySpec("checklist_answer", "checklist answer", "Checklist answers",
               owner=("assessment_id", "assessment"), archivable=False),
    EntitySpec("transfer", "transfer", "Transfers",
               ("transfers", "transfer", "cross-border transfers", "data transfers",
                "international transfers", "出境", "数据出境", "跨境传输", "跨境",
                "übermittlungen", "transferts"),
               natural_key=("origin_country", "destination_country"), imported=True),
    EntitySpec("evidence", "evidence", "Evidence", ("evidence", "证据"),
               natural_key=("location",), imported=True, extra_stamps=("added_at",)),
    EntitySpec("review_trigger", "review trigger", "Review triggers", archivable=False),
    EntitySpec("reminder", "own reminder", "Own reminders", archivable=False),
    # issue 14 reports: the model scope of an AI Act training-content summary
    EntitySpec("ai_model", "AI model", "AI models"),
    # issue 15 questionnaires
    EntitySpec("questionnaire", "questionnaire", "Questionnaires"),
    EntitySpec("questionnaire_response", "questionnaire answer", "Questionnaire answers",
               owner=("questionnaire_id", "questionnaire"), archivable=False),
)}

# Entities in the order their rows can be inserted: each refers only to earlier ones.
INSERT_ORDER = ("provider", "supply", "agreement", "agreement_clause", "assessment",
                "transfer", "evidence", "legal_basis", "checklist_answer", "reminder",
                "review_trigger", "ai_model", "questionnaire", "questionnaire_response")
# The order a person reads them in the workbook.
SHEET_ORDER = ("provider", "supply", "legal_basis", "agreement", "agreement_clause",
               "assessment", "checklist_answer", "transfer", "evidence", "review_trigger",
               "reminder", "ai_model", "questionnaire", "questionnaire_response")
IMPORTED = tuple(name for name in ("provider", "supply", "agreement", "assessment",
                                   "transfer", "evidence") if ENTITIES[name].imported)
# The record a reference field points at (the same field name means the same target in
# every entity).
REFERENCES = {"provider_id": "provider", "supply_id": "supply", "agreement_id": "agreement",
              "assessment_id": "assessment", "transfer_id": "transfer",
              "evidence_id": "evidence", "questionnaire_id": "questionnaire"}
# The parent reference each derived child carries.
def _parent_fields() -> dict[str, str]:
    fields: dict[str, str] = {}
    for spec in ENTITIES.values():
        for child in spec.children:
            owner = ENTITIES[child].owner
            assert owner is not None and owner[1] == spec.name, f"{child} names its parent"
            fields[child] = owner[0]
    return fields


PARENT_FIELD = _parent_fields()
COUNTRY_FIELDS = frozenset({"country", "origin_country", "destination_country"})
# Natural-key fields compared case- and width-folded (tracker.domain.text.search_key):
# "ACME Ltd" and "acme ltd" are one provider; a file path is not folded.
FOLDED_KEY_FIELDS = frozenset({"legal_name", "name", "title"})
# issue 14 reports: fields the program computes and a form does not offer for typing (the
# evidence's SHA-256 and size come from the file, tracker.app.evidence).
COMPUTED_FIELDS: dict[str, frozenset[str]] = {
    "evidence": frozenset({"sha256", "size_bytes", "hashed_on"})}


assert set(INSERT_ORDER) == set(ENTITIES) == set(SHEET_ORDER)
