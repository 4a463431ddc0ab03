"""What the dashboard says, as plain functions over the register's gaps and reminders (tested
without a screen): which providers are worst (open gaps, critical first, then high), when
each is next reviewed, and what to do next for the reminders at the top, as a sentence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.checks.rules import Gap, Severity
from tracker.domain.enums import ReminderStatus, RiskTier
from tracker.reminders.derive import DerivedReminder

# The risk tiers from the most to the least severe: the order a table sorts them in (not
# the alphabet, which puts Low above Medium).
TIER_RANK = {tier.value: index for index, tier in enumerate(RiskTier)}
CLOSED = frozenset({ReminderStatus.DONE, ReminderStatus.SNOOZED})


@dataclass(frozen=True, slots=True)
class ProviderStanding:
    """One provider's open gaps by severity and its next review."""

    provider_id: int
    name: str
    critical: int = 0
    high: int = 0
    other: int = 0
    next_review: date | None = None

    @property
    def total(self) -> int:
        return self.critical + self.high + self.other

    def gaps_text(self) -> str:
        """``2 critical · 3 high · 1 other``: the counts that are not zero."""
        parts = [f"{n} {label}" for n, label in ((self.critical, "critical"),
                                                 (self.high, "high"), (self.other, "other"))
                 if n]
        return " · ".join(parts) or "none"


def next_reviews(reminders: Iterable[DerivedReminder]) -> dict[int, date]:
    """Each provider's next review: the earliest open review reminder's date."""
    found: dict[int, date] = {}
    for reminder in reminders:
        if reminder.is_review and reminder.provider_id is not None \
                and reminder.status not in CLOSED:
            current = found.get(reminder.provider_id)
            if current is None or reminder.due_on < current:
                found[reminder.provider_id] = reminder.due_on
    return found


def standings(gaps: Iterable[Gap], reminders: Iterable[DerivedReminder]) -> dict[int,
                                                                                 ProviderStanding]:
    """Every provider with an open gap or a review to come, by id."""
    counts: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for gap in gaps:
        row = counts.setdefault(gap.provider_id, [0, 0, 0])
        names[gap.provider_id] = gap.provider
        row[0 if gap.severity == Severity.CRITICAL else 1 if gap.severity == Severity.HIGH
            else 2] += 1
    reminders = list(reminders)
    reviews = next_reviews(reminders)
    for reminder in reminders:
        if reminder.provider_id is not None:
            names.setdefault(reminder.provider_id, reminder.provider_name)
    found: dict[int, ProviderStanding] = {}
    for pid in set(counts) | set(reviews):
        critical, high, other = counts.get(pid, [0, 0, 0])
        found[pid] = ProviderStanding(pid, names.get(pid, str(pid)), critical, high, other,
                                      next_review=reviews.get(pid))
    return found


def rank_providers(gaps: Iterable[Gap], reminders: Iterable[DerivedReminder], *,
                   limit: int | None = None) -> list[ProviderStanding]:
    """Providers with open gaps, the worst first: most critical gaps, then most high, then
    most in all; an earlier next review breaks a tie (it is the sooner chance to fix them)."""
    ranked = sorted((s for s in standings(gaps, reminders).values() if s.total),
                    key=lambda s: (-s.critical, -s.high, -s.total,
                                   s.next_review or date.max, s.name))
    return ranked[:limit] if limit is not None else ranked


def _when(reminder: DerivedReminder, today: date) -> str:
    days = (reminder.due_on - today).days
    if reminder.status == ReminderStatus.OVERDUE or days < 0:
        late = -days
        return f"{late} day{'s' if late != 1 else ''} overdue" if late else "due today"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"


def what_to_do(reminder: DerivedReminder, today: date) -> str:
    """The next step for a reminder, as a sentence: what to do, about what, for whom, and
    how late it is. "Record a due-diligence review of Pacific Legal Texts LLC (63 days
    overdue)"."""
    action = reminder.action.rstrip(".")
    subject = reminder.subject
    if reminder.is_review:
        about = f" of {reminder.provider_name}" if reminder.provider_name else ""
    else:
        about = f" for {subject}" + (f" ({reminder.provider_name})"
                                     if reminder.provider_name else "")
    return f"{action}{about}: {_when(reminder, today)}."


def top_reminders(reminders: Sequence[DerivedReminder], today: date, *,
                  within_days: int = 30) -> list[DerivedReminder]:
    """Open reminders overdue or due within ``within_days``, the most urgent first."""
    chosen = [r for r in reminders if r.status not in CLOSED
              and (r.status == ReminderStatus.OVERDUE or (r.due_on - today).days <= within_days)]
    return sorted(chosen, key=lambda r: (r.status != ReminderStatus.OVERDUE, r.due_on,
                                         r.provider_name))
