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


def assessment_hints(values: Mapping[str, Any]) -> dict[str, str]:
    """A due-diligence review's 30-item checklist is filled after the review is saved:
    the approval gate reads it (DOMAIN.md checklist), so a review is saved as Pending,
    answered on the review screen, and approved there."""
    from tracker.domain.derived import is_decided, is_review

    if is_review(values) and is_decided(values) and not values.get("id"):
        return {"outcome": "Save a new review as Pending: its 30-item checklist is then "
                           "filled on the review screen (v), and the review approved there."}
    if is_review(values) and not is_decided(values):
        return {"outcome": "Saving creates the 30-item checklist; fill it on the review "
                           "screen (v on the Assessments tab), then approve it there (A)."}
    return {}


HINTS = {"supply": supply_hints, "assessment": assessment_hints}


def form_hints(entity: str, values: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> the advice to show under it, for what ``values`` now hold."""
    hint = HINTS.get(entity)
    return hint(values) if hint else {}
