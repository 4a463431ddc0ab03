"""What a form needs beyond the fields themselves, as plain functions the screens call and
the tests call without a screen: typed text read the way the import reads a cell (numbers
with separators, countries by name in any language), the pipeline's and pydantic's field
errors put in an officer's words, which fields a choice hides, the hints the domain gives,
country completion, and the one-line name of a saved record for a notification."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from tracker.app.fields import FieldSpec, field_label
from tracker.app.values import parse_field_values
from tracker.domain.countries import country_name
from tracker.domain.hints import form_hints
from tracker.domain.regimes import basis_fields_not_applying
from tracker.domain.registry import COUNTRY_FIELDS, ENTITIES
from tracker.domain.rules import FieldError
from tracker.errors import ValidationFailed
from tracker.formatting import show
from tracker.store.models import BASE_MODELS

# --- reading what was typed -----------------------------------------------------------------


def is_read_as_typed(spec: FieldSpec) -> bool:
    """Fields whose text is read by the import's parsers before the pipeline sees it: a
    number may be typed ``4,500``, a country ``Germany``, ``中国`` or ``PRC``."""
    return spec.kind == "number" or spec.name in COUNTRY_FIELDS


def read_typed(entity: str, texts: Mapping[str, str | None]) -> tuple[dict[str, Any],
                                                                      list[FieldError]]:
    """The values of typed number and country fields, and the problems of those that could
    not be read (each its own error, so every bad field is marked at once)."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, text in texts.items():
        if text is None or not text.strip():
            values[name] = None
            continue
        try:
            values.update(parse_field_values(entity, {name: text}))
        except ValidationFailed as failure:
            errors += failure.errors
    return values, errors


def country_understood(text: str) -> tuple[str | None, str]:
    """(code, what the form shows under a country field): ``→ Germany (DE)``, or why the
    text is no country."""
    if not text.strip():
        return None, ""
    try:
        values = parse_field_values("provider", {"country": text})
    except ValidationFailed as failure:
        return None, officer_message("provider", failure.errors[0])
    code = str(values["country"])
    return code, f"→ {country_name(code) or code} ({code})"


def _user_locale() -> str | None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "").split(".")[0]
        if value and value not in {"C", "POSIX"}:
            return value
    return None


@lru_cache(maxsize=4)
def _country_completions(locale: str | None) -> tuple[str, ...]:
    from babel import Locale, UnknownLocaleError

    names: list[str] = []
    for language in ("en", "zh", *([locale] if locale else [])):
        try:
            territories = Locale.parse(language).territories
        except (ValueError, UnknownLocaleError):
            continue
        names += [name for code, name in territories.items()
                  if len(code) == 2 and code.isalpha() and country_name(code)]
    return tuple(dict.fromkeys(sorted(names, key=len)))


def country_completions() -> list[str]:
    """Country names a country field completes as it is typed: English, Chinese and the
    user's own language (LANG). Any name the import knows is still read when typed out."""
    return list(_country_completions(_user_locale()))


# --- what a choice hides, what the law hints ------------------------------------------------


def hidden_fields(entity: str, values: Mapping[str, Any]) -> frozenset[str]:
    """Fields that do not apply to what the form now says: a PIPL basis has no GDPR
    Art 6/9 letters, a GDPR basis no PIPL Art 13 item (tracker.domain.regimes)."""
    if entity == "legal_basis":
        return basis_fields_not_applying(values.get("regime"))
    return frozenset()


def hints(entity: str, values: Mapping[str, Any]) -> dict[str, str]:
    return form_hints(entity, values)


# --- errors in an officer's words -----------------------------------------------------------

_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"^is required$", "{required}"),
    (r"^unknown value None\b.*", "{required}"),
    (r"^unknown value (.+?); allowed: .*", "{value} is not one of the choices: pick one "
                                           "from the list"),
    (r"^String should have at most (\d+) characters?$",
     "Too long: at most {0} characters"),
    (r"^String should have at least 1 character$", "Fill this in"),
    (r"^String should have at least (\d+) characters$", "Too short: at least {0} characters"),
    (r"^Input should be greater than or equal to (\S+)$", "Must be {0} or more"),
    (r"^Input should be greater than (\S+)$", "Must be more than {0}"),
    (r"^Input should be less than or equal to (\S+)$", "Must be {0} or less"),
    (r"^Input should be a valid integer.*", "Type a whole number, such as 4500 or 4,500"),
    (r"^Input should be a finite number$", "Type a number, such as 12.5"),
    (r"^Input should be a valid number.*", "Type a number, such as 12.5"),
    (r"^Input should be a valid date.*", "Type a date as YYYY-MM-DD, such as 2026-03-31"),
    (r"^Input should be a valid boolean.*", "Answer yes or no"),
    (r"^'(.*)' is not a whole number$", "“{0}” is not a whole number: type one such as 4500 "
                                        "or 4,500"),
    (r"^'(.*)' is not a number$", "“{0}” is not a number: type digits, such as 4500 or "
                                  "4,500"),
    (r"^'(.*)' is not a country this import knows.*",
     "“{0}” is not a country we know: type its name (Germany, 中国) or its two-letter code "
     "(DE, CN)"),
    (r"^'(.*)' is not an ISO 3166-1 alpha-2 country code.*",
     "“{0}” is not a country code: type the country's name (Germany, 中国) or its "
     "two-letter code (DE, CN)"),
))
_FIELD_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+\b")


def _with_labels(entity: str, message: str) -> str:
    """Field names a rule's message mentions (``approval_override``, ``contains_pi``) as the
    form's labels, quoted."""
    fields = BASE_MODELS[entity].model_fields if entity in BASE_MODELS else {}

    def label(match: re.Match[str]) -> str:
        word = match.group()
        if word in fields and "_" in word:
            return f"“{field_label(entity, word)}”"
        return word
    return _FIELD_NAME.sub(label, message)


def officer_message(entity: str, error: FieldError) -> str:
    """One field error as a sentence an officer reads beside the field: never pydantic's
    wording, never a field's internal name."""
    info = BASE_MODELS[entity].model_fields.get(error.field) if entity in BASE_MODELS \
        else None
    choose = info is not None and _is_choice(info.annotation)
    required = "Required: choose one" if choose else "Required: fill this in"
    text = error.message.strip()
    for pattern, words in _PLAIN:
        found = pattern.match(text)
        if found:
            groups = found.groups()
            value = groups[0] if groups else ""
            text = words.format(*groups, required=required, value=value)
            break
    text = _with_labels(entity, text)
    return text[:1].upper() + text[1:] if text else text


def _is_choice(annotation: Any) -> bool:
    from tracker.domain.registry import field_kind

    return field_kind(annotation).enum is not None


def failure_summary(entity: str, failure: ValidationFailed, shown: set[str]) -> str:
    """The banner above a form that was not saved: how many fields to fix, and in full the
    problems of fields the form does not show."""
    fields = BASE_MODELS[entity].model_fields if entity in BASE_MODELS else {}
    elsewhere = [f"{field_label(entity, e.field) if e.field in fields else e.field}: "
                 f"{officer_message(entity, e)}" for e in failure.errors
                 if e.field not in shown]
    mine = sum(e.field in shown for e in failure.errors)
    parts = []
    if mine:
        parts.append(f"Not saved: {mine} field{'s' if mine > 1 else ''} to fix, marked below")
    else:
        parts.append("Not saved")
    if elsewhere:
        parts.append("; ".join(elsewhere))
    return " — ".join(parts) + "."


# --- saved records, named -------------------------------------------------------------------


def noun(entity: str) -> str:
    """The record's kind in a sentence ("legal basis"), never its class name."""
    spec = ENTITIES.get(entity)
    return spec.label if spec else entity.replace("_", " ")


_NAMING_FIELDS = ("legal_name", "name", "title", "location")


def record_title(record: Any) -> str | None:
    """A record's own name, when it has one (a provider's legal name, a supply's name, an
    agreement's title, an evidence file's location)."""
    for name in _NAMING_FIELDS:
        value = getattr(record, name, None)
        if value:
            return str(value)
    return None


def describe_record(record: Any) -> str:
    """A one-line name for any record, for a notification or a question about it: its own
    name, else its kind and id."""
    for name in (*_NAMING_FIELDS, "clause"):
        value = getattr(record, name, None)
        if value:
            return str(value)
    entity = str(getattr(record, "entity_type", "record"))
    return f"{entity.replace('_', ' ')} {show(getattr(record, 'id', None))}"


def saved_sentence(record: Any, owner_title: str | None, *, created: bool) -> str:
    """The notification after a save, in words: "Saved the legal basis for Speech set",
    "Added the supply Speech set". ``owner_title`` names the record it belongs to."""
    entity = str(getattr(record, "entity_type"))
    what = noun(entity)
    verb = "Added" if created else "Saved"
    own = record_title(record)
    if entity == "checklist_answer":
        what = f"checklist item {getattr(record, 'item', '')}"
    elif entity == "agreement_clause":
        from tracker.domain.checklists import ALL_CLAUSES

        clause = ALL_CLAUSES.get(str(getattr(record, "clause", "")))
        what = f"the clause “{clause.text}”" if clause else "the clause"
        return f"{verb} {what}" + (f" of {owner_title}" if owner_title else "")
    if own:
        return f"{verb} the {what} {own}"
    return f"{verb} the {what}" + (f" for {owner_title}" if owner_title else "")


def owner_reference(entity: str) -> tuple[str, str] | None:
    """(reference field, entity) of the record a record of ``entity`` belongs to: its
    registry owner (a legal basis's supply), else its provider."""
    spec = ENTITIES.get(entity)
    if spec is not None and spec.owner is not None:
        return spec.owner
    if entity in BASE_MODELS and "provider_id" in BASE_MODELS[entity].model_fields:
        return ("provider_id", "provider")
    return None
