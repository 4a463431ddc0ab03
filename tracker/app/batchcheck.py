"""The batch entry's fast path through ``validate_values``: the same rules, field by field.

Why: an import validates every record of the file through the pipeline's rules, and
building one pydantic model per record (SQLModel's own ``__init__`` validating twice) was a
third of the write at 100,000 rows. A register's columns repeat their values (a few
countries, enum labels, dates, yes/no), and pydantic's checks of a model without model-level
validators are per field. So each field is checked by a validator built from that field's
own part of the model's core schema (its type, constraints and field validators: the very
rules, not a copy), each distinct value once.

The fast path only ever says yes: a record with anything it cannot vouch for (a value that
fails, a field it does not know, a cross-field or date-bound problem) returns None and the
caller runs ``validate_values`` on it, which names every problem in its usual words. So the
accepted and refused records, their cleaned values and their messages are those of the
per-record entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from pydantic_core import SchemaValidator, ValidationError

from tracker.domain.dates import date_problem
from tracker.domain.rules import check_record
from tracker.domain.text import ONE_LINE_FIELDS, clean_text
from tracker.store.models import BASE_MODELS

# A field with this many distinct values in fewer than twice as many checks is one of
# distinct values: its values are checked each time instead of remembered.
MEMO_LIMIT = 2_000
_FAILED = object()
_MISSING = object()
_NOT_DATES = frozenset({str, int, float, bool, type(None), datetime})


def _self_contained(schema: Any) -> bool:
    """A field schema that can be validated on its own: no references into the model's
    definitions and no validator that reads the other fields (``info.data``)."""
    if isinstance(schema, dict):
        if schema.get("type") in {"definition-ref", "definitions"}:
            return False
        function = schema.get("function")
        if isinstance(function, dict) and function.get("type") != "no-info":
            return False
        return all(_self_contained(value) for value in schema.values())
    if isinstance(schema, list):
        return all(_self_contained(value) for value in schema)
    return True


class _Field:
    """One field's check: blank means its default, text cleaned as every writer cleans
    it, then the field's pydantic schema; each distinct value done once."""

    __slots__ = ("accepted", "blank", "has_blank", "memo", "one_line", "remember", "validate")

    def __init__(self, name: str, validate: Callable[[Any], Any],
                 blank: tuple[bool, Any]) -> None:
        self.validate = validate
        self.one_line = name in ONE_LINE_FIELDS
        self.has_blank, self.blank = blank
        self.memo: dict[tuple[type, Any], Any] = {}
        # the values that passed every check of their own, dates' bounds included, for the
        # day ``RecordCheck.today``: a repeated value costs one look-up
        self.accepted: dict[tuple[type, Any], Any] = {}
        self.remember = True

    def check(self, value: Any, records: int = 0) -> Any:
        """The cleaned value, or ``_FAILED``. ``records``: how many records were checked
        so far (whether this field's values repeat)."""
        try:
            key = (type(value), value)
            return self.memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return self._check(value)
        found = self._check(value)
        if self.remember:
            self.memo[key] = found
            if len(self.memo) >= MEMO_LIMIT and records < 2 * MEMO_LIMIT:
                # a field of distinct values (names, e-mails): remembering them would only
                # hold memory
                self.remember = False
                self.memo.clear()
                self.accepted.clear()
        return found

    def _check(self, value: Any) -> Any:
        if value is None and self.has_blank:
            value = self.blank
        if isinstance(value, str):
            try:
                value = clean_text(value, one_line=self.one_line)
            except ValueError:
                return _FAILED
        try:
            return self.validate(value)
        except ValidationError:
            return _FAILED


class RecordCheck:
    """``validate_values`` for the records of one entity, or None where it would refuse."""

    def __init__(self, entity: str) -> None:
        from tracker.app.pipeline import _defaults_for_blank

        base = BASE_MODELS[entity]
        self.entity = entity
        schema = base.__pydantic_core_schema__
        self.fields: dict[str, _Field] | None = None
        self.records = 0
        self.today: date | None = None  # the day the fields' accepted values are for
        if schema.get("type") != "model" or schema["schema"].get("type") != "model-fields":
            return  # a model-level validator: every record takes the per-record path
        config = schema.get("config")
        blanks = _defaults_for_blank(base)
        fields: dict[str, _Field] = {}
        self.defaults: dict[str, Any] = {}
        for name, spec in schema["schema"]["fields"].items():
            inner = spec["schema"]
            if not _self_contained(inner):
                return
            if inner.get("type") == "default":
                if "default_factory" in inner or inner.get("validate_default"):
                    return  # a value made per record: the model's own path makes it
                self.defaults[name] = inner.get("default")
            validator = SchemaValidator(inner, config)
            fields[name] = _Field(name, validator.validate_python,
                                  (name in blanks, blanks.get(name)))
        self.fields = fields
        self.default_dates = [name for name, value in self.defaults.items()
                              if isinstance(value, date) and not isinstance(value, datetime)]
        self.required = frozenset(fields) - self.defaults.keys()

    def clean(self, values: Mapping[str, Any], today: date) -> dict[str, Any] | None:
        """The record as ``validate_values`` would return it, or None: the caller then
        runs ``validate_values``, which names the problems."""
        fields = self.fields
        if fields is None:
            return None
        self.records += 1
        if today != self.today:
            for field in fields.values():
                field.accepted.clear()
            self.today = today
        clean = dict(self.defaults)
        for name, value in values.items():
            check = fields.get(name)
            if check is None:
                return None  # bookkeeping or unknown: the per-record path decides
            key = (value.__class__, value)
            hashable = True
            try:  # an accepted value's hit, inlined (the common case: a repeated value)
                found = check.accepted.get(key, _MISSING)
            except TypeError:  # unhashable
                hashable, found = False, _MISSING
            if found is not _MISSING:
                clean[name] = found
                continue
            found = check.memo.get(key, _MISSING) if hashable else _MISSING
            if found is _MISSING:
                found = check.check(value, self.records)
            if found is _FAILED:
                return None
            kind = type(found)
            if (kind is date or (kind not in _NOT_DATES and isinstance(found, date)
                                 and not isinstance(found, datetime))) and \
                    _date_problem(name, found, today):
                return None  # date_errors, as validate_values runs it
            if hashable and check.remember:
                check.accepted[key] = found
            clean[name] = found
        if not self.required <= clean.keys():
            return None
        for name in self.default_dates:
            if name not in values and _date_problem(name, clean[name], today):
                return None
        if check_record(self.entity, clean):
            return None
        return clean


@functools.lru_cache(maxsize=65_536)
def _date_problem(name: str, value: date, today: date) -> str | None:
    """``date_problem`` of one field's date (a register repeats its dates)."""
    return date_problem(name, value, today)
