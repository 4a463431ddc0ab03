"""Typed text to field values, for the command line: each value is read the way the import
reads a spreadsheet cell of that field (tracker.sheets.plan.parser_for), so `2026-03-31`,
`yes`, `Germany` and `Data processing agreement` mean the same on every door."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.domain.rules import FieldError
from tracker.errors import ValidationFailed
from tracker.sheets.plan import parser_for
from tracker.store.models import BASE_MODELS


def parse_field_values(entity: str, texts: Mapping[str, str]) -> dict[str, Any]:
    """Every field's value from its text; every problem at once, each naming its field. A
    blank text clears the field."""
    if entity not in BASE_MODELS:
        raise ValidationFailed(entity, [FieldError("record", f"no such kind of record; "
                                                   f"known: {', '.join(BASE_MODELS)}")])
    fields = BASE_MODELS[entity].model_fields
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, text in texts.items():
        if name not in fields:
            errors.append(FieldError(name, f"is not a field of this record; fields: "
                                           f"{', '.join(fields)}"))
            continue
        if not text.strip():
            values[name] = None
            continue
        try:
            values[name] = parser_for(entity, name, None, False)(text)
        except ValueError as err:
            errors.append(FieldError(name, str(err)))
    if errors:
        raise ValidationFailed(entity, errors)
    return values
