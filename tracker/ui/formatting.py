"""How values read on screen: labels for enums, dates, booleans, audit diffs."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from tracker.domain.enums import CitedEnum

DASH = "–"


def show(value: Any) -> str:
    if value is None or value == "":
        return DASH
    if isinstance(value, CitedEnum):
        return value.label
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def long_date(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def audit_diff(before: str | None, after: str | None) -> str:
    """One line per changed field: ``field: old → new``."""
    old: dict[str, Any] = json.loads(before) if before else {}
    new: dict[str, Any] = json.loads(after) if after else {}
    lines = []
    for key in sorted(set(old) | set(new)):
        if key in {"created_at", "updated_at", "version", "search_name"}:
            continue
        if before and after:
            lines.append(f"{key}: {show(old.get(key))} → {show(new.get(key))}")
        elif after and new.get(key) not in (None, False, "", 0):
            lines.append(f"{key}: {show(new.get(key))}")
        elif before and not after and old.get(key) not in (None, False, "", 0):
            lines.append(f"{key}: was {show(old.get(key))}")
    return "; ".join(lines)
