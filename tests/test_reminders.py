"""Deriving reminders from dates: cadences, lead times, triggers, transfers, actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    ProviderStatus,
    ReminderKind,
    ReminderState,
    ReminderStatus,
    ReviewTriggerKind,
    RiskTier,
    TransferMechanism,
)
from tracker.reminders.derive import (
    ActionMark,
    AgreementDates,
    AssessmentDates,
    DerivedReminder,
    ProviderDates,
    RegisterDates,
    ReminderPolicy,
    TransferDates,
    TriggerDates,
    derive_reminders,
    status_of,
    visible,
)

D = date.fromisoformat
POLICY = ReminderPolicy(cadence_months={RiskTier.CRITICAL: 12, RiskTier.HIGH: 12,
                                        RiskTier.MEDIUM: 24, RiskTier.LOW: 36},
                        lead_days=(90, 30, 7))


def register(tier: RiskTier | None = RiskTier.HIGH, **kinds: Any) -> RegisterDates:
    data = RegisterDates(providers={1: ProviderDates(1, "Acme", tier, ProviderStatus.ACTIVE,
                                                     False)})
    for name, rows in kinds.items():
        setattr(data, name, rows)
    return data


def review(on: str, *, next_on: str | None = None,
           outcome: AssessmentOutcome = AssessmentOutcome.APPROVED) -> AssessmentDates:
    return AssessmentDates(7, 1, AssessmentKind.DUE_DILIGENCE, outcome, D(on),
                           D(next_on) if next_on else None, None)


def of_kind(reminders: list[DerivedReminder], kind: ReminderKind) -> list[DerivedReminder]:
    return [r for r in reminders if r.kind == kind]


@pytest.mark.parametrize(("tier", "last", "expected"), [
    (RiskTier.HIGH, "2025-01-31", "2026-01-31"),
    (RiskTier.MEDIUM, "2024-02-29", "2026-02-28"),   # leap day + 24 months
    (RiskTier.LOW, "2024-02-29", "2027-02-28"),
    (RiskTier.CRITICAL, "2027-02-28", "2028-02-28"),
])
def test_review_cadence_by_tier(tier: RiskTier, last: str, expected: str) -> None:
    reminders = derive_reminders(register(tier, assessments=[review(last)]), POLICY,
                                 D("2025-06-01"))
    [due] = of_kind(reminders, ReminderKind.PROVIDER_REVIEW)
    assert due.due_on == D(expected)


def test_month_end_cadence_setting_of_one_month() -> None:
    policy = ReminderPolicy(cadence_months=dict.fromkeys(RiskTier, 1))
    reminders = derive_reminders(register(assessments=[review("2025-01-31")]), policy,
                                 D("2025-01-31"))
    assert of_kind(reminders, ReminderKind.PROVIDER_REVIEW)[0].due_on == D("2025-02-28")
    reminders = derive_reminders(register(assessments=[review("2024-01-31")]), policy,
                                 D("2024-01-31"))
    assert of_kind(reminders, ReminderKind.PROVIDER_REVIEW)[0].due_on == D("2024-02-29")


def test_never_reviewed_is_due_now_and_untiered_uses_the_strictest_cadence() -> None:
    today = D("2026-11-25")
    [due] = of_kind(derive_reminders(register(None), POLICY, today),
                    ReminderKind.PROVIDER_REVIEW)
    assert (due.due_on, due.status) == (today, ReminderStatus.DUE)
    [due] = of_kind(derive_reminders(register(None, assessments=[review("2026-01-10")]),
                                     POLICY, today), ReminderKind.PROVIDER_REVIEW)
    assert due.due_on == D("2027-01-10") and "strictest cadence (12 months)" in (due.note or "")


def test_a_pending_review_does_not_count_and_an_earlier_next_date_wins() -> None:
    pending = review("2026-06-01", outcome=AssessmentOutcome.PENDING)
    reminders = derive_reminders(register(assessments=[review("2025-01-01"), pending]),
                                 POLICY, D("2026-11-25"))
    assert of_kind(reminders, ReminderKind.PROVIDER_REVIEW)[0].due_on == D("2026-01-01")
    conditional = review("2026-03-01", next_on="2026-09-01")
    reminders = derive_reminders(register(assessments=[conditional]), POLICY, D("2026-05-01"))
    assert of_kind(reminders, ReminderKind.PROVIDER_REVIEW)[0].due_on == D("2026-09-01")


@pytest.mark.parametrize(("due", "today", "status"), [
    ("2026-12-01", "2026-12-02", ReminderStatus.OVERDUE),
    ("2026-12-01", "2026-12-01", ReminderStatus.DUE),
    ("2026-12-01", "2026-11-24", ReminderStatus.DUE),       # 7 days ahead: shortest lead
    ("2026-12-01", "2026-11-23", ReminderStatus.UPCOMING),  # 8 days ahead
])
def test_status_follows_the_lead_times(due: str, today: str, status: ReminderStatus) -> None:
    assert status_of(D(due), D(today), (90, 30, 7), None)[0] == status


def test_snoozed_until_a_date_then_back_and_done_stays_done() -> None:
    snooze = ActionMark(ReminderState.SNOOZED, D("2026-12-10"), "waiting for legal")
    assert status_of(D("2026-12-01"), D("2026-12-05"), (7,), snooze) == (
        ReminderStatus.SNOOZED, D("2026-12-10"))
    assert status_of(D("2026-12-01"), D("2026-12-10"), (7,), snooze)[0] == \
        ReminderStatus.OVERDUE
    done = ActionMark(ReminderState.DONE, None, None)
    assert status_of(D("2026-12-01"), D("2027-06-01"), (7,), done)[0] == ReminderStatus.DONE


def test_a_mark_applies_to_one_due_date_only() -> None:
    agreement = AgreementDates(3, 1, AgreementKind.DPA, "DPA", D("2026-12-31"), None, False)
    data = register(agreements=[agreement], actions={
        "agreement-3-expiry@2026-12-31": ActionMark(ReminderState.DONE, None, None)})
    [expiry] = of_kind(derive_reminders(data, POLICY, D("2026-12-01")),
                       ReminderKind.AGREEMENT_EXPIRY)
    assert expiry.status == ReminderStatus.DONE
    renewed = AgreementDates(3, 1, AgreementKind.DPA, "DPA", D("2027-12-31"), None, False)
    data.agreements = [renewed]
    [expiry] = of_kind(derive_reminders(data, POLICY, D("2026-12-01")),
                       ReminderKind.AGREEMENT_EXPIRY)
    assert (expiry.status, expiry.uid) == (ReminderStatus.UPCOMING, "agreement-3-expiry")


def test_agreement_expiry_and_notice_deadline_noting_auto_renewal() -> None:
    agreement = AgreementDates(3, 1, AgreementKind.DATA_LICENCE, "Archive", D("2027-03-31"),
                               90, True)
    reminders = derive_reminders(register(agreements=[agreement]), POLICY, D("2026-11-25"))
    [notice] = of_kind(reminders, ReminderKind.AGREEMENT_NOTICE)
    assert notice.due_on == D("2026-12-31")
    assert "renews automatically" in notice.why


@pytest.mark.parametrize("kind", list(ReviewTriggerKind))
def test_every_event_makes_the_review_due_until_a_review_follows(
        kind: ReviewTriggerKind) -> None:
    trigger = TriggerDates(4, 1, kind, D("2026-11-20"), "what happened")
    data = register(assessments=[review("2026-06-01")], triggers=[trigger])
    [due] = of_kind(derive_reminders(data, POLICY, D("2026-11-25")),
                    ReminderKind.REVIEW_TRIGGERED)
    assert (due.due_on, due.status) == (D("2026-11-20"), ReminderStatus.OVERDUE)
    assert kind.label in due.why
    data.assessments = [review("2026-06-01"), review("2026-11-22")]
    assert of_kind(derive_reminders(data, POLICY, D("2026-11-25")),
                   ReminderKind.REVIEW_TRIGGERED) == []


def transfer(**values: Any) -> TransferDates:
    base: dict[str, Any] = {
        "id": 5, "provider_id": 1, "origin_country": "CN", "destination_country": "DE",
        "mechanism": TransferMechanism.CN_STANDARD_CONTRACT, "count_year": 2026,
        "people_non_sensitive": 0, "people_sensitive": 0, "effective_on": None,
        "filed_on": None, "filing_number": None, "filing_expires_on": None}
    return TransferDates(**{**base, **values})


def test_standard_contract_filing_within_10_working_days() -> None:
    data = register(transfers=[transfer(effective_on=D("2026-02-10"))])
    [filing] = of_kind(derive_reminders(data, POLICY, D("2026-02-11")),
                       ReminderKind.STANDARD_CONTRACT_FILING)
    assert filing.due_on == D("2026-03-02")
    data.transfers = [transfer(effective_on=D("2026-02-10"), filed_on=D("2026-02-12"))]
    assert of_kind(derive_reminders(data, POLICY, D("2026-02-11")),
                   ReminderKind.STANDARD_CONTRACT_FILING) == []


def test_cac_extension_window_opens_60_working_days_before_expiry() -> None:
    data = register(transfers=[transfer(mechanism=TransferMechanism.CAC_SECURITY_ASSESSMENT,
                                        filing_expires_on=D("2026-12-31"))])
    reminders = derive_reminders(data, POLICY, D("2026-06-01"))
    [window] = of_kind(reminders, ReminderKind.CAC_EXTENSION_WINDOW)
    # The 60 working days before 31 Dec 2026: Oct 9-30 (17, Sat Oct 10 worked), November
    # (21), Dec 1-30 (22). The window opens on the first of them.
    assert window.due_on == D("2026-10-09") and window.note is None
    [expiry] = of_kind(reminders, ReminderKind.FILING_EXPIRY)
    assert expiry.due_on == D("2026-12-31") and "window closes" in expiry.why


def test_cac_extension_beyond_the_known_calendar_says_so() -> None:
    data = register(transfers=[transfer(mechanism=TransferMechanism.CAC_SECURITY_ASSESSMENT,
                                        filing_expires_on=D("2099-06-30"))])
    [window] = of_kind(derive_reminders(data, POLICY, D("2026-06-01")),
                       ReminderKind.CAC_EXTENSION_WINDOW)
    assert window.due_on == D("2099-03-22")
    assert window.note and "not in the installed holidays data" in window.note


def test_crossing_into_a_stricter_class_makes_a_reminder_and_a_review_due() -> None:
    crossing = transfer(mechanism=None, people_non_sensitive=100_000)
    today = D("2026-11-25")
    reminders = derive_reminders(register(assessments=[review("2026-10-01")],
                                          transfers=[crossing]), POLICY, today)
    [volume] = of_kind(reminders, ReminderKind.VOLUME_CLASS)
    assert "Standard contract or PI certification" in volume.why
    assert volume.due_on == today
    [provider_review] = of_kind(reminders, ReminderKind.PROVIDER_REVIEW)
    assert provider_review.due_on == today and "threshold" in provider_review.why
    below = transfer(mechanism=None, people_non_sensitive=99_999)
    assert of_kind(derive_reminders(register(transfers=[below]), POLICY, today),
                   ReminderKind.VOLUME_CLASS) == []


def test_last_years_count_does_not_carry_into_the_new_year() -> None:
    old = transfer(mechanism=None, people_sensitive=50_000, count_year=2025)
    assert of_kind(derive_reminders(register(transfers=[old]), POLICY, D("2026-01-01")),
                   ReminderKind.VOLUME_CLASS) == []
    assert of_kind(derive_reminders(register(transfers=[old]), POLICY, D("2025-12-31")),
                   ReminderKind.VOLUME_CLASS) != []


def test_offboarded_and_archived_providers_need_no_review_but_keep_retention() -> None:
    data = register(assessments=[AssessmentDates(7, 1, AssessmentKind.PIPIA,
                                                 AssessmentOutcome.APPROVED, D("2024-01-01"),
                                                 None, D("2027-01-01"))])
    data.providers[1] = ProviderDates(1, "Gone", RiskTier.HIGH, ProviderStatus.OFFBOARDED, True)
    kinds = {r.kind for r in derive_reminders(data, POLICY, D("2026-11-25"))}
    assert kinds == {ReminderKind.RETENTION_END}


def test_visible_lists_within_the_horizon_and_hides_closed() -> None:
    agreement = AgreementDates(3, 1, AgreementKind.DPA, "DPA", D("2027-03-31"), 30, False)
    data = register(agreements=[agreement], assessments=[review("2026-10-01")])
    reminders = derive_reminders(data, POLICY, D("2026-11-25"))
    assert [r.uid for r in visible(reminders, D("2026-11-25"), 90)] == []
    assert [r.uid for r in visible(reminders, D("2026-11-25"), 120)] == ["agreement-3-notice"]


def test_reminders_come_by_due_date_and_same_day_ones_in_the_order_derived() -> None:
    """The list is joined per due date, not sorted: the order within a day must still be
    the order of derivation (review, then agreements in id order, expiry before notice)."""
    day = D("2026-12-31")
    agreements = [AgreementDates(9, 1, AgreementKind.DPA, "B", day, None, False),
                  AgreementDates(3, 1, AgreementKind.DPA, "A", D("2027-01-30"), 30, False),
                  AgreementDates(5, 1, AgreementKind.DPA, "C", D("2026-06-30"), None, False)]
    data = register(assessments=[review("2025-12-31")], agreements=agreements)
    reminders = derive_reminders(data, POLICY, D("2026-11-25"))
    assert [(r.uid, r.due_on.isoformat()) for r in reminders] == [
        ("agreement-5-expiry", "2026-06-30"), ("review-1", "2026-12-31"),
        ("agreement-9-expiry", "2026-12-31"), ("agreement-3-notice", "2026-12-31"),
        ("agreement-3-expiry", "2027-01-30")]


def test_marks_apply_to_their_keys_among_many_reminders() -> None:
    """Marks are applied after the derivation, to the reminders whose uid has one: a
    snooze in force shows its date, one past shows the date's status, done stays done."""
    agreements = [AgreementDates(i, 1, AgreementKind.DPA, None, D("2026-12-01"), None, False)
                  for i in range(1, 5)]
    today = D("2026-11-25")
    data = register(agreements=agreements, actions={
        "agreement-1-expiry@2026-12-01": ActionMark(ReminderState.SNOOZED, D("2026-12-20"), "x"),
        "agreement-2-expiry@2026-12-01": ActionMark(ReminderState.SNOOZED, D("2026-11-20"), "x"),
        "agreement-3-expiry@2026-12-01": ActionMark(ReminderState.DONE, None, None),
        "agreement-4-expiry@2025-12-01": ActionMark(ReminderState.DONE, None, None)})
    expiries = of_kind(derive_reminders(data, POLICY, today), ReminderKind.AGREEMENT_EXPIRY)
    assert [(r.uid, r.status, r.snoozed_until) for r in expiries] == [
        ("agreement-1-expiry", ReminderStatus.SNOOZED, D("2026-12-20")),
        ("agreement-2-expiry", ReminderStatus.DUE, None),
        ("agreement-3-expiry", ReminderStatus.DONE, None),
        ("agreement-4-expiry", ReminderStatus.DUE, None)]
    assert [r.uid for r in visible(expiries, today, 30)] == ["agreement-2-expiry",
                                                            "agreement-4-expiry"]
    assert [r.uid for r in visible(expiries, today, 0, include_closed=True)] == [
        "agreement-1-expiry", "agreement-3-expiry"]


def test_a_dated_review_with_no_outcome_is_owed_now_not_never_reviewed() -> None:
    """A register's "Last review" column lands as a review with its date and no outcome:
    the reminder says so, due today (it does not count as a review), instead of reading
    "never reviewed", which the register contradicts; a decided review later wins."""
    undecided = review("2025-03-14", outcome=AssessmentOutcome.PENDING)
    today = D("2026-11-25")
    [due] = of_kind(derive_reminders(register(assessments=[undecided]), POLICY, today),
                    ReminderKind.PROVIDER_REVIEW)
    assert due.due_on == today
    assert "review of 2025-03-14 has no recorded outcome" in due.why
    assert "never reviewed" not in due.why
    [decided] = of_kind(derive_reminders(register(assessments=[undecided, review("2026-01-10")]),
                                         POLICY, today), ReminderKind.PROVIDER_REVIEW)
    assert decided.due_on == D("2027-01-10")
