"""A due-diligence review cannot be approved with a critical checklist item open, unless an
override with a reason is recorded (and audited); a new review carries the last answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tracker.app import pipeline as svc
from tracker.app.gaps import register_gaps
from tracker.checks.rules import Severity
from tracker.cli import main
from tracker.domain.enums import ChecklistStatus
from tracker.errors import ValidationFailed
from tracker.store.models import AuditEvent

from .conftest import TODAY
from .helpers import make_provider


def answer_all(session: Session, assessment_id: int, *, open_items: set[int]) -> None:
    for answer in svc.checklist_answers.list(session=session, assessment_id=assessment_id):
        status = "open" if answer.item in open_items else "satisfied"
        if answer.status != status:
            assert answer.id
            svc.checklist_answers.update(session=session, record_id=answer.id,
                                         changes={"status": status},
                                         expected_version=answer.version, actor="t")


def new_review(session: Session, provider_id: int, **values: object) -> int:
    review = svc.assessments.create(session=session, data={
        "provider_id": provider_id, "kind": "due_diligence", "assessed_on": "2026-11-01",
        **values}, actor="t")
    assert review.id
    return review.id


def test_approval_is_refused_while_a_critical_item_is_open(session: Session) -> None:
    provider = make_provider(session)
    assert provider.id
    earlier = new_review(session, provider.id, assessed_on="2026-10-01")
    answer_all(session, earlier, open_items={1})
    with pytest.raises(ValidationFailed) as refusal:  # item 1 would be carried in open
        new_review(session, provider.id, outcome="approved")
    assert refusal.value.errors[0].field == "outcome"
    assert "1 (Legal entity" in refusal.value.errors[0].message
    review_id = new_review(session, provider.id)
    answer_all(session, review_id, open_items={8, 10})  # neither is critical
    review = svc.assessments.get(session=session, record_id=review_id)
    approved = svc.assessments.update(session=session, record_id=review_id,
                                      changes={"outcome": "approved"},
                                      expected_version=review.version, actor="t")
    assert approved.outcome == "approved"


def test_a_review_decided_with_nothing_to_carry_is_history_and_a_gap(
        session: Session) -> None:
    provider = make_provider(session)
    assert provider.id
    review_id = new_review(session, provider.id, outcome="approved")
    assert svc.checklist_answers.list(session=session, assessment_id=review_id) == []
    gaps = [g for g in register_gaps(session, TODAY, provider.id)
            if g.rule == "review-checklist-not-recorded"]
    assert [(g.severity, g.entity_id) for g in gaps] == [(Severity.HIGH, review_id)]
    follow_up = new_review(session, provider.id, assessed_on="2026-11-20")
    carried = [a.status for a in svc.checklist_answers.list(session=session,
                                                            assessment_id=follow_up)]
    assert carried == [ChecklistStatus.OPEN] * 30  # nothing recorded is nothing to carry
    still = [g for g in register_gaps(session, TODAY, provider.id)
             if g.rule == "review-checklist-not-recorded"]
    assert len(still) == 1  # the new review is pending: the history is still the basis
    answer_all(session, follow_up, open_items=set())
    current = svc.assessments.get(session=session, record_id=follow_up)
    svc.assessments.update(session=session, record_id=follow_up,
                           changes={"outcome": "approved"},
                           expected_version=current.version, actor="t")
    assert not [g for g in register_gaps(session, TODAY, provider.id)
                if g.rule == "review-checklist-not-recorded"]


def test_an_override_with_a_reason_is_accepted_and_audited(session: Session) -> None:
    provider = make_provider(session)
    assert provider.id
    review_id = new_review(session, provider.id)
    answer_all(session, review_id, open_items={9})
    review = svc.assessments.get(session=session, record_id=review_id)
    with pytest.raises(ValidationFailed, match=r"9 \(Illegal-content sampling"):
        svc.assessments.update(session=session, record_id=review_id,
                               changes={"outcome": "approved_with_conditions",
                                        "approval_override": "   "},
                               expected_version=review.version, actor="t")
    svc.assessments.update(session=session, record_id=review_id,
                           changes={"outcome": "approved_with_conditions",
                                    "approval_override": "sampling report due in two weeks"},
                           expected_version=review.version, actor="dpo")
    event = session.exec(select(AuditEvent).where(col(AuditEvent.entity) == "assessment",
                                                  col(AuditEvent.action) == "update")).one()
    assert json.loads(event.after or "")["approval_override"] == \
        "sampling report due in two weeks"
    assert event.actor == "dpo"


def test_a_new_review_carries_the_last_answers(session: Session) -> None:
    provider = make_provider(session)
    assert provider.id
    first = new_review(session, provider.id)
    answer_all(session, first, open_items={9})
    second = new_review(session, provider.id, assessed_on="2026-11-20")
    statuses = {a.item: a.status for a in svc.checklist_answers.list(session=session,
                                                                     assessment_id=second)}
    assert statuses[9] == "open" and statuses[1] == "satisfied" and len(statuses) == 30


def test_completing_a_review_reminder_needs_the_override_when_items_stay_open(
        demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--db", str(demo_path), "reminders", "done", "review-2", "--outcome", "approved",
            "--today", TODAY.isoformat()]
    assert main(args) == 2
    assert "critical checklist items are open: 9" in capsys.readouterr().err
    assert main([*args, "--override", "re-sampling accepted by the DPO"]) == 0
    assert "recorded due-diligence review" in capsys.readouterr().out
