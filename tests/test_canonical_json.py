"""The audit trail's canonical JSON is the text every event hash covers: whichever encoder
writes it, it must be the text of json's sorted, compact encoder, or a trail written before
would stop verifying."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.store.audit import canonical_json


def reference(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


class Colour(StrEnum):
    RED = "red"


scalars = st.one_of(
    st.text(),  # every code point: controls, U+2028, astral, lone surrogates
    st.integers(),  # past 64 bits too
    st.booleans(), st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(), st.datetimes(), st.just(Colour.RED))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(), inner, max_size=3)), max_leaves=8)


@settings(max_examples=600)
@given(st.dictionaries(st.text(), values, max_size=12))
def test_canonical_json_is_the_reference_text(record: dict[str, Any]) -> None:
    assert canonical_json(record) == reference(record)


@given(st.dictionaries(st.text(), st.one_of(st.text(), st.integers(), st.booleans(),
                                             st.none()), min_size=1, max_size=20))
def test_flat_records_of_the_fast_path_are_the_reference_text(
        record: dict[str, Any]) -> None:
    assert canonical_json(record) == reference(record)


def test_what_the_fast_path_would_write_differently_is_written_by_the_reference() -> None:
    # orjson would write 0.00001, an ISO datetime with a T, and refuse the rest
    for record in ({"f": 1e-05}, {"at": datetime(2026, 1, 2, 3, 4, 5)}, {"d": date(2026, 1, 2)},
                   {"big": 2**70}, {"s": "\ud800"}, {"c": Colour.RED}):
        assert canonical_json(record) == reference(record)
    assert canonical_json({"f": 1e-05}) == '{"f":1e-05}'
    assert canonical_json(None) is None
