"""The dashboard's ranking and its sentences, without a screen (tracker.app.dashboard)."""

from __future__ import annotations

from datetime import date

from tracker.app.dashboard import rank_providers, top_reminders, what_to_do
from tracker.checks.rules import Gap, Severity
from tracker.domain.enums import ReminderKind, ReminderStatus
from tracker.reminders.derive import DerivedReminder, reminder_of

TODAY = date(2026, 11, 25)


def _gap(provider_id: int, severity: Severity) -> Gap:
    return Gap(rule="r", severity=severity, article="", provider_id=provider_id,
               provider=f"P{provider_id}", subject="s", why="w", fix="f")


def _review(provider_id: int, due: date, status: ReminderStatus = ReminderStatus.UPCOMING
            ) -> DerivedReminder:
    return reminder_of(uid=f"rev-{provider_id}-{due}", kind=ReminderKind.PROVIDER_REVIEW,
                           due_on=due, provider_id=provider_id, provider_name=f"P{provider_id}",
                           subject="Due-diligence review", why="cadence",
                           action="Record a due-diligence review", status=status)


def test_critical_gaps_rank_first_then_high_then_all() -> None:
    gaps = ([_gap(1, Severity.HIGH)] * 5 + [_gap(2, Severity.CRITICAL)]
            + [_gap(3, Severity.CRITICAL)] * 2 + [_gap(4, Severity.HIGH)] * 2
            + [_gap(4, Severity.LOW)] + [_gap(5, Severity.HIGH)] * 2)
    ranked = rank_providers(gaps, [_review(5, date(2026, 12, 1)), _review(4, date(2027, 1, 1)),
                                   _review(6, date(2026, 12, 1))])
    assert [(s.provider_id, s.critical, s.high, s.total) for s in ranked] == [
        (3, 2, 0, 2), (2, 1, 0, 1), (1, 0, 5, 5), (4, 0, 2, 3), (5, 0, 2, 2)]
    assert ranked[-1].next_review == date(2026, 12, 1)
    assert ranked[0].gaps_text() == "2 critical"
    assert 6 not in {s.provider_id for s in ranked}, "no gaps, not ranked"


def test_the_next_review_ignores_done_ones_and_takes_the_earliest() -> None:
    ranked = rank_providers([_gap(1, Severity.LOW)], [
        _review(1, date(2026, 10, 1), ReminderStatus.DONE), _review(1, date(2027, 3, 1)),
        _review(1, date(2026, 12, 24))])
    assert ranked[0].next_review == date(2026, 12, 24)


def test_what_to_do_is_an_action_with_its_lateness() -> None:
    late = _review(1, date(2026, 9, 23), ReminderStatus.OVERDUE)
    assert what_to_do(late, TODAY) == "Record a due-diligence review of P1: 63 days overdue."
    notice = reminder_of(uid="n", kind=ReminderKind.AGREEMENT_NOTICE,
                             due_on=date(2026, 11, 30), provider_id=2, provider_name="Acme",
                             subject="Data licence “X”", why="w",
                             action="Decide whether to renew or give notice")
    assert what_to_do(notice, TODAY) == ("Decide whether to renew or give notice for Data "
                                         "licence “X” (Acme): due in 5 days.")
    assert [r.uid for r in top_reminders([notice, late], TODAY)] == [late.uid, "n"]
