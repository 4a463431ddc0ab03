"""A review on one screen: a due-diligence review's 30-item checklist, or an agreement's
clause checklist, as rows with their full text, whether they are critical, their status and
comment, and who answered them when; the statuses a key cycles through; the writes that set
them (through the pipeline, each one audited, stamped with the login and the day); and the
approval with its blockers in an officer's words. Plain functions and views: the screen
only shows them and sends keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from tracker.app.forms import officer_message
from tracker.app.register import Register
from tracker.domain.checklists import ALL_CLAUSES, CHECKLIST_BY_NUMBER
from tracker.domain.derived import is_review
from tracker.domain.enums import AssessmentOutcome, ChecklistStatus, ClauseStatus
from tracker.errors import ValidationFailed

# The order a key cycles a status through: what is asked first, then its answers.
CHECKLIST_CYCLE: tuple[ChecklistStatus, ...] = (ChecklistStatus.OPEN, ChecklistStatus.SATISFIED,
                                                ChecklistStatus.NOT_APPLICABLE)
CLAUSE_CYCLE: tuple[ClauseStatus, ...] = (ClauseStatus.MISSING, ClauseStatus.PRESENT,
                                          ClauseStatus.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One checklist item or clause of the review, as the screen shows it."""

    record_id: int
    version: int
    number: str  # "4" for a checklist item, the clause's article for a clause
    text: str
    sources: str
    critical: bool
    status: Enum
    note: str | None
    answered_by: str | None
    answered_on: date | None

    @property
    def is_open(self) -> bool:
        return self.status in (ChecklistStatus.OPEN, ClauseStatus.MISSING)


@dataclass(frozen=True, slots=True)
class Review:
    """The parent record (an assessment or an agreement) and its rows."""

    entity: str  # "assessment" or "agreement"
    record_id: int
    version: int
    title: str
    provider_id: int
    outcome: AssessmentOutcome | None
    rows: list[ReviewRow]
    is_review: bool = True  # a due-diligence review (others have no checklist)

    @property
    def child(self) -> str:
        return "checklist_answer" if self.entity == "assessment" else "agreement_clause"

    @property
    def cycle(self) -> Sequence[Enum]:
        return CHECKLIST_CYCLE if self.entity == "assessment" else CLAUSE_CYCLE


def _status(entity: str, value: Any) -> Enum:
    enum_cls = ChecklistStatus if entity == "assessment" else ClauseStatus
    return value if isinstance(value, enum_cls) else enum_cls(str(getattr(value, "value",
                                                                          value)))


def load_review(register: Register, entity: str, record_id: int) -> Review:
    """The review (``entity`` "assessment") or the clause check (``entity`` "agreement")."""
    parent = register.get(entity, record_id)
    found = register.provider_file(int(getattr(parent, "provider_id")))
    rows: list[ReviewRow] = []
    if entity == "assessment":
        answers = found.checklist.get(record_id, []) if found else []
        for answer in sorted(answers, key=lambda a: int(a.item)):
            item = CHECKLIST_BY_NUMBER[int(answer.item)]
            rows.append(ReviewRow(int(answer.id), int(answer.version), str(item.number),
                                  item.text, item.sources, item.critical,
                                  _status(entity, answer.status), answer.note,
                                  answer.answered_by, answer.answered_on))
        kind = getattr(parent, "kind")
        on = getattr(parent, "assessed_on")
        title = f"{getattr(kind, 'label', kind)} of {on.isoformat() if on else 'no date'}"
        outcome = getattr(parent, "outcome")
    else:
        clauses = found.clauses.get(record_id, []) if found else []
        order = list(ALL_CLAUSES)
        for clause in sorted(clauses, key=lambda c: order.index(c.clause)
                             if c.clause in ALL_CLAUSES else len(order)):
            known = ALL_CLAUSES.get(str(clause.clause))
            rows.append(ReviewRow(int(clause.id), int(clause.version),
                                  known.article if known else "", known.text if known
                                  else str(clause.clause), known.article if known else "",
                                  True, _status(entity, clause.status), clause.note,
                                  None, None))
        kind = getattr(parent, "kind")
        title = f"{getattr(kind, 'label', kind)} {getattr(parent, 'title') or ''}".strip()
        outcome = None
    return Review(entity, record_id, int(getattr(parent, "version")), title,
                  int(getattr(parent, "provider_id")), outcome, rows,
                  is_review=entity != "assessment" or is_review(parent.values))


def next_status(review: Review, current: Enum) -> Enum:
    cycle = list(review.cycle)
    return cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else cycle[0]


def set_status(register: Register, review: Review, rows: Iterable[ReviewRow], status: Enum,
               *, today: date) -> int:
    """Set ``status`` on each row that does not already have it, each a write of its own
    through the pipeline (audited), a checklist answer stamped with who (the login) and
    when (today). Returns how many changed."""
    actor = register.actor() if review.entity == "assessment" else None
    changed = 0
    for row in rows:
        if row.status == status:
            continue
        changes: dict[str, Any] = {"status": status}
        if review.entity == "assessment":
            changes |= {"answered_by": actor, "answered_on": today}
        register.update(review.child, row.record_id, changes, expected_version=row.version)
        changed += 1
    return changed


def set_note(register: Register, review: Review, row: ReviewRow, note: str, *,
             today: date) -> None:
    changes: dict[str, Any] = {"note": note.strip() or None}
    if review.entity == "assessment":
        changes |= {"answered_by": register.actor(), "answered_on": today}
    register.update(review.child, row.record_id, changes, expected_version=row.version)


def blockers(review: Review) -> list[str]:
    """Why the review cannot be approved as it stands, one sentence per open critical
    item, each named in full."""
    if review.entity != "assessment":
        return []
    return [f"Item {row.number}, “{row.text}” ({row.sources}), is critical and still open."
            for row in review.rows if row.critical and row.is_open]


def progress(review: Review) -> str:
    """``24 of 30 answered · 3 critical open``."""
    answered = sum(not row.is_open for row in review.rows)
    critical = sum(row.critical and row.is_open for row in review.rows)
    noun = "answered" if review.entity == "assessment" else "checked"
    text = f"{answered} of {len(review.rows)} {noun}"
    if review.entity == "assessment":
        text += f" · {critical} critical open" if critical else " · no critical item open"
    return text


def approve(register: Register, review: Review, *,
            outcome: AssessmentOutcome = AssessmentOutcome.APPROVED,
            override: str | None = None) -> list[str]:
    """Approve the review; returns the blockers in words when it is refused (nothing is
    written then), an empty list when it is approved."""
    changes: dict[str, Any] = {"outcome": outcome}
    if override:
        changes["approval_override"] = override
    try:
        register.update("assessment", review.record_id, changes,
                        expected_version=review.version)
    except ValidationFailed as failure:
        listed = blockers(review)
        others = [officer_message("assessment", e) for e in failure.errors
                  if not e.message.startswith("cannot approve while critical")]
        if listed:
            listed.append("Satisfy them or mark them not applicable, or approve with a "
                          "written reason for the override (o).")
        return listed + others or [officer_message("assessment", e) for e in failure.errors]
    return []
