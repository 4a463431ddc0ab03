"""How values read on screen and in reports: labels for enums, dates, booleans, audit diffs.
No Textual here: the reports use it too."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from enum import Enum
from typing import Any

from tracker.domain.enums import CitedEnum

DASH = "–"


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` terminal cells (a Chinese character takes two), cut
    with an ellipsis."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return text
    if width < 1:
        return ""
    return set_cell_size(text, width - 1).rstrip() + "…"


def padded(text: str, width: int) -> str:
    """``text`` as a column ``width`` cells wide in a terminal list: cut, then padded by
    cells, not characters (``f"{name:<34}"`` pads 北京数据 to 34 characters, 38 cells)."""
    from rich.cells import cell_len

    shown = cut(text, width)
    return shown + " " * (width - cell_len(shown))


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


TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def _value(value: Any) -> str:
    """Stored JSON values as a person reads them: timestamps to the minute (UTC)."""
    if isinstance(value, str):
        match = TIMESTAMP.match(value)
        if match:
            return f"{match.group(1)} {match.group(2)} UTC"
    return show(value)


def audit_diff(before: str | None, after: str | None) -> str:
    """One line per changed field: ``field: old → new``."""
    old: dict[str, Any] = json.loads(before) if before else {}
    new: dict[str, Any] = json.loads(after) if after else {}
    lines = []
    for key in sorted(set(old) | set(new)):
        if key in {"created_at", "updated_at", "version", "search_name", "search_extra"}:
            continue
        if before and after:
            lines.append(f"{key}: {_value(old.get(key))} → {_value(new.get(key))}")
        elif after and new.get(key) not in (None, False, "", 0):
            lines.append(f"{key}: {_value(new.get(key))}")
        elif before and not after and old.get(key) not in (None, False, "", 0):
            lines.append(f"{key}: was {_value(old.get(key))}")
    return "; ".join(lines)
