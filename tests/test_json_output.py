"""The command line's JSON of a list of records: written through the C encoder, it must be
byte for byte what ``json.dumps(indent=2)`` writes (scripts diff it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tracker.cli import output
from tracker.cli.output import json_text


@pytest.mark.parametrize("value", [
    [{"a": 1}],
    [{"uid": "x}", "why": "{\x00}", "n": None, "ok": True, "f": 1.5},
     {"k": "},{", "z": "\u202e 数据 \"quoted\" \\ back"}, {"only": 0}],
    [{"due_on": "2026-11-25", "text": "line\nbreak\ttab\x1b esc \x7f del \x85 nel"}],
    [{"text": "\u2028 \u2029 \u2066 \u2069 \u009f \u00a0 \u200b"}],
])
def test_records_are_written_as_json_dumps_writes_them(
        value: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    fast = json_text(value, indent=2)
    monkeypatch.setattr(output, "_records_json", lambda value: None)
    assert fast == json_text(value, indent=2)  # the general path: json.dumps(indent=2)
    assert json.loads(fast) == value


@pytest.mark.parametrize("value", [[], [{}], [{"nested": {"a": 1}}], {"a": 1}, [1, 2],
                                   [{"list": [1]}]])
def test_other_shapes_take_the_general_path(value: Any) -> None:
    assert json_text(value, indent=2) == json.dumps(value, ensure_ascii=False, indent=2)
