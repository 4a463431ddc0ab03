"""The batch entry's field-by-field check agrees with ``validate_values``: it accepts only
what the per-record path accepts, with the same cleaned values, and leaves every refusal
to it (so the messages are the per-record path's)."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

import pytest

from tracker.app.batchcheck import RecordCheck
from tracker.app.pipeline import BOOKKEEPING, validate_values
from tracker.domain.registry import field_kind
from tracker.errors import ValidationFailed
from tracker.sheets.mapping import IMPORT_ENTITIES
from tracker.store.models import BASE_MODELS

TODAY = date(2026, 6, 1)


def good(entity: str, name: str) -> list[Any]:
    """Values a planned record typically holds for this field."""
    kind = field_kind(BASE_MODELS[entity].model_fields[name].annotation)
    if kind.enum is not None:
        return list(kind.enum)
    if name.endswith("country"):
        return ["CN", "DE", "US"]
    by_kind: dict[str, list[Any]] = {"bool": [True, False], "int": [3, 12], "float": [2.5],
                                     "date": [date(2025, 2, 14), date(2026, 5, 1)]}
    return by_kind.get(kind.kind, ["Acme"])


def samples(entity: str, name: str) -> list[Any]:
    """Values a file's cell may become for this field: good ones and bad ones."""
    info = BASE_MODELS[entity].model_fields[name]
    kind = field_kind(info.annotation)
    found: list[Any] = [None, "", "  ", "x\x01y", 0, 1, True, 2.5, -3]
    if kind.enum is not None:
        members = list(kind.enum)
        found += [members[0], members[-1], members[0].value, "no such value"]
    if kind.kind == "bool":
        found += [False, "yes", "no", 2]
    if kind.kind == "date":
        found += [date(2025, 2, 14), date(1850, 1, 1), date(2099, 1, 1), "2025-02-14",
                  datetime(2025, 2, 14, 10, 0), "14/02/2025"]
    if kind.kind in {"int", "float"}:
        found += [12, 12.0, 12.5, "12", 10**12, -1]
    if kind.kind == "text":
        found += ["Acme", "  Acme  Ltd ", "two\nlines", "A" * 301, "A" * 20001, "DE", "CN",
                  "de", "Deutschland", "数据科技"]
    return found


@pytest.mark.parametrize("entity", sorted(IMPORT_ENTITIES))
def test_fast_check_agrees_with_the_pipeline(entity: str) -> None:
    base = BASE_MODELS[entity]
    check = RecordCheck(entity)
    names = [n for n in base.model_fields if n not in BOOKKEEPING]
    rng = random.Random(entity)
    accepted = refused = slow_accepted = 0
    for _ in range(1500):
        pick = good if rng.random() < 0.5 else samples
        values: dict[str, Any] = {n: rng.choice(pick(entity, n))
                                  for n in rng.sample(names, k=min(len(names), 4))}
        required = [n for n in names if base.model_fields[n].is_required()]
        for name in required:
            if name not in values and rng.random() < 0.9:
                values[name] = rng.choice(good(entity, name))
        fast = check.clean(values, TODAY)
        try:
            slow = validate_values(entity, base, values, today=TODAY)
        except ValidationFailed:
            assert fast is None, (values, fast)
            refused += 1
            continue
        slow_accepted += 1
        if fast is not None:
            assert {k: (type(v), v) for k, v in fast.items()} == \
                {k: (type(v), v) for k, v in slow.items()}, values
            accepted += 1
    assert refused, "the samples never reached a refusal"
    # the fast path vouches for most of what the pipeline accepts (or for none, on a model
    # it cannot take field by field)
    assert accepted * 2 >= slow_accepted > 0 or check.fields is None, (accepted, slow_accepted)


def test_a_date_accepted_for_one_day_is_checked_again_for_another() -> None:
    """The fields remember the values they accepted, date bounds included, for one day: a
    date in the past today is in the future for an earlier ``today`` (a long import
    running past midnight, or the check reused), and is then refused as the per-record
    path refuses it."""
    from tracker.domain.dates import PAST_DATE_FIELDS

    entity, name = next((e, n) for e in IMPORT_ENTITIES for n in BASE_MODELS[e].model_fields
                        if n in PAST_DATE_FIELDS)
    check = RecordCheck(entity)
    base = {n: good(entity, n)[0] for n, info in BASE_MODELS[entity].model_fields.items()
            if info.is_required() and n not in BOOKKEEPING}
    record = {**base, name: date(2026, 5, 1)}
    accepted = check.clean(record, TODAY)
    assert accepted is not None and accepted[name] == date(2026, 5, 1)
    assert check.clean(record, date(2026, 4, 1)) is None
    with pytest.raises(ValidationFailed):
        validate_values(entity, BASE_MODELS[entity], record, today=date(2026, 4, 1))
    assert check.clean(record, TODAY) == accepted
