"""Advice a form gives while a record is typed: not errors (the record may be saved as it
is), but what the law says the officer has probably forgotten. Each hint cites its source.
Kept apart from tracker.domain.rules, which refuse a record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def supply_hints(values: Mapping[str, Any]) -> dict[str, str]:
    hints: dict[str, str] = {}
    if values.get("contains_minors_data") and not values.get("contains_sensitive_pi"):
        # PIPL Art 28: the personal information of minors under 14 is sensitive; Art 31
        # asks for a parent's consent and rules of its own.
        hints["contains_sensitive_pi"] = (
            "Data of minors under 14 is sensitive personal information under PIPL Art 28: "
            "tick sensitive too (Art 31 also needs a parent's consent).")
    if (values.get("contains_sensitive_pi") or values.get("contains_minors_data")) \
            and not values.get("contains_pi"):
        hints["contains_pi"] = ("Sensitive data and data of minors are personal "
                                "information: tick this too.")
    return hints


HINTS = {"supply": supply_hints}


def form_hints(entity: str, values: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> the advice to show under it, for what ``values`` now hold."""
    hint = HINTS.get(entity)
    return hint(values) if hint else {}
