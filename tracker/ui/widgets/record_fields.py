"""Which input stands for which field, read from the entity's schema (its pydantic fields),
so one form serves every entity and a new field shows up without UI code."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Literal

from sqlmodel import SQLModel

from tracker.domain.enums import CitedEnum

Kind = Literal["text", "number", "date", "bool", "maybe_bool", "enum", "choice"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    required: bool
    options: list[tuple[str, Any]] = field(default_factory=list)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The inner type and whether None is allowed."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else str), True
    return annotation, False


def field_specs(base: type[SQLModel], *, hidden: set[str],
                choices: dict[str, list[tuple[str, int]]]) -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    for name, info in base.model_fields.items():
        if name in hidden:
            continue
        inner, optional = _unwrap(info.annotation)
        label = info.description or name.removesuffix("_id").replace("_", " ").capitalize()
        required = info.is_required()
        if name in choices:
            specs.append(FieldSpec(name, label, "choice", required, list(choices[name])))
        elif name.endswith("_id"):
            continue  # a link the caller did not offer choices for
        elif isinstance(inner, type) and issubclass(inner, Enum):
            options = [(m.label if isinstance(m, CitedEnum) else str(m.value), m.value)
                       for m in inner]
            specs.append(FieldSpec(name, label, "enum", required and not optional, options))
        elif inner is bool:
            specs.append(FieldSpec(name, label, "maybe_bool" if optional else "bool", False))
        elif inner is date:
            specs.append(FieldSpec(name, label, "date", required and not optional))
        elif inner in (int, float):
            specs.append(FieldSpec(name, label, "number", required and not optional))
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
