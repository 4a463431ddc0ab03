"""The fields of a record as a form shows them, read from the entity's schema through the
registry's one ``field_kind``, so one form serves every entity and a new field shows up
without UI code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Literal

from tracker.domain.enums import CitedEnum
from tracker.domain.registry import COMPUTED_FIELDS, field_kind
from tracker.store.models import BASE_MODELS

Kind = Literal["text", "number", "date", "bool", "maybe_bool", "enum", "choice"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    required: bool
    options: list[tuple[str, Any]] = field(default_factory=list)
    # A choice that may be left unset (an optional enum): a field with a default (a
    # provider's status) starts on its default and has no blank to pick.
    optional: bool = True
    default: Any = None


def field_label(entity: str, name: str) -> str:
    """The words a form and a table head a field with (its description)."""
    info = BASE_MODELS[entity].model_fields.get(name)
    described = info.description if info is not None else None
    return described or name.removesuffix("_id").replace("_", " ").capitalize()


def short_label(entity: str, name: str) -> str:
    """The field's label without its citation or explanation ("Critical information
    infrastructure operator (PIPL 40)" -> "Critical information infrastructure operator"):
    for a list of fields beside their values, where the full label would push every value
    across the screen."""
    label = field_label(entity, name)
    return label.split(" (", 1)[0].split(": ", 1)[0].strip() or label


# Fields a form shows first, in this order, before the rest in the schema's order: who the
# provider is (its names, registration number, website) before what it does.
FORM_FIRST = {"provider": ("legal_name", "aliases", "registration_number", "website",
                           "country")}


def _form_order(entity: str) -> list[str]:
    names = list(BASE_MODELS[entity].model_fields)
    first = [n for n in FORM_FIRST.get(entity, ()) if n in names]
    return first + [n for n in names if n not in first]


def field_specs(entity: str, *, hidden: set[str],
                choices: dict[str, list[tuple[str, int]]]) -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    hidden = hidden | COMPUTED_FIELDS.get(entity, frozenset())  # the program fills them
    for name in _form_order(entity):
        info = BASE_MODELS[entity].model_fields[name]
        if name in hidden:
            continue
        kind = field_kind(info.annotation)
        label = field_label(entity, name)
        required = info.is_required()
        if name in choices:
            specs.append(FieldSpec(name, label, "choice", required, list(choices[name])))
        elif name.endswith("_id"):
            continue  # a link the caller did not offer choices for
        elif kind.enum is not None:
            options = [(m.label if isinstance(m, CitedEnum) else str(m.value), m.value)
                       for m in kind.enum]
            default = None if info.is_required() else info.get_default(
                call_default_factory=True)
            specs.append(FieldSpec(name, label, "enum", required and not kind.optional,
                                   options, optional=kind.optional,
                                   default=form_value(default)))
        elif kind.kind == "bool":
            specs.append(FieldSpec(name, label, "maybe_bool" if kind.optional else "bool",
                                   False))
        elif kind.kind == "date":
            specs.append(FieldSpec(name, label, "date", required and not kind.optional))
        elif kind.kind in ("int", "float"):
            specs.append(FieldSpec(name, label, "number", required and not kind.optional))
        else:
            specs.append(FieldSpec(name, label, "text", required))
    return specs


def form_value(value: Any) -> Any:
    """A stored value as the form shows it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
