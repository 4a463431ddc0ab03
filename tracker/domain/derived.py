"""What a new record brings with it, decided once for every door (form, command line,
import, restore): an agreement its statutory clause checklist, a due-diligence review its
30-item checklist. The application layer writes these rows; this module only says which.

A new review carries the answers of the provider's review before it in time, and the
approval gate reads them. A review that is history (decided, and dated before the day it is
written: typed in after the fact, or imported from the officer's old workbook) with no
earlier review to carry from gets no checklist rows rather than 30 "open" ones: its answers
were never recorded, the gate has nothing to check, and the high gap
"review-checklist-not-recorded" says so, instead of refusing the history or passing it
silently. No rows rather than 30 rows marked "not recorded": an imported register of 100,000
reviews would otherwise hold three million rows that say nothing. A review done today is
not history: its items start open and the gate applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tracker.domain.checklists import DUE_DILIGENCE_CHECKLIST, clauses_for
from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    ChecklistStatus,
    ClauseStatus,
)

Values = Mapping[str, Any]
CARRIED_FIELDS = ("status", "note", "evidence_id", "answered_by", "answered_on")


def is_review(values: Values) -> bool:
    """A due-diligence review (the default kind of assessment)."""
    kind = values.get("kind") or AssessmentKind.DUE_DILIGENCE
    return str(getattr(kind, "value", kind)) == AssessmentKind.DUE_DILIGENCE.value


def is_history(values: Values, today: date) -> bool:
    """A review entered after the fact: decided, and dated before the day it is written. A
    review done today (or undated) is a live review: its checklist is open until answered,
    and the approval gate applies."""
    on = values.get("assessed_on")
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            return False
    return is_decided(values) and isinstance(on, date) and on < today


def is_decided(values: Values) -> bool:
    outcome = values.get("outcome") or AssessmentOutcome.PENDING
    return str(getattr(outcome, "value", outcome)) != AssessmentOutcome.PENDING.value


def derived_children(entity: str, values: Values,
                     previous_answers: Mapping[int, Values] | None = None, *,
                     today: date | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The (child entity, values) rows a new record of ``entity`` arrives with, without the
    parent reference (the writer adds it). ``previous_answers``: the provider's latest
    earlier review's answers by item number, carried into a new review. ``today``: the
    real date of the write; only a review dated before it can be history."""
    if entity == "agreement":
        kind = values.get("kind")
        if kind is None:
            return []
        return [("agreement_clause", {"clause": clause.code, "status": ClauseStatus.MISSING,
                                      "note": None})
                for clause in clauses_for(AgreementKind(str(getattr(kind, "value", kind))))]
    if entity == "assessment" and is_review(values):
        if is_history(values, today or date.today()) and not previous_answers:
            return []  # history: its checklist was never recorded
        previous = previous_answers or {}
        rows: list[tuple[str, dict[str, Any]]] = []
        for item in DUE_DILIGENCE_CHECKLIST:
            carried = previous.get(item.number)
            answer: dict[str, Any] = {"item": item.number, "status": ChecklistStatus.OPEN,
                                      "note": None, "evidence_id": None,
                                      "answered_by": None, "answered_on": None}
            if carried is not None:
                answer.update({name: carried.get(name) for name in CARRIED_FIELDS})
            rows.append(("checklist_answer", answer))
        return rows
    return []


def open_items(children: list[tuple[str, dict[str, Any]]]) -> list[int]:
    """The checklist items of derived children that are still open, for the approval gate."""
    return [values["item"] for entity, values in children if entity == "checklist_answer"
            and str(getattr(values["status"], "value", values["status"]))
            == ChecklistStatus.OPEN.value]


def is_sensitive_pi(supply: Any) -> bool:
    """Sensitive PI as PIPL counts it: flagged so, or the PI of minors under 14, which Art 28
    makes sensitive whether or not the flag is ticked. One definition for the rules, the
    reports and the dossier (a report once said "Sensitive: no" for children's data)."""
    return bool(supply.contains_sensitive_pi or supply.contains_minors_data)
