"""The per-provider gap cache (tracker.app.gaps.GapCache) and the reminder cache give the
same answer as a cold computation: after a write of every kind through the application
layer, after an import and a restore, after a setting changes, and on every day up to and
past each provider's valid-until date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker.app.gaps import GapCache, register_gaps
from tracker.app.register import Register
from tracker.app.reminders import current_reminders
from tracker.checks.rules import Gap
from tracker.domain.enums import ReviewTriggerKind
from tracker.store.engine import session_scope
from tracker.store.migrate import create_register, open_register

from .conftest import TODAY

SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"


def _cold(register: Register, today: date) -> list[Gap]:
    with session_scope(register.engine, write=False) as session:
        return register_gaps(session, today)


def _same(register: Register, today: date = TODAY) -> int:
    """Asserts the caches agree with a cold computation; returns how many providers the
    gap cache recomputed to answer."""
    assert register.gaps(today) == _cold(register, today)
    recomputed = register._gap_cache.recomputed
    assert register.gap_count(today) == len(_cold(register, today))
    with session_scope(register.engine, write=False) as session:
        assert register.reminders(today) == current_reminders(session, today)
    return recomputed


@pytest.fixture
def demo(demo_path: Path) -> Register:
    return Register(open_register(f"sqlite:///{demo_path}"))


def _first(register: Register, entity: str) -> tuple[int, int]:
    with session_scope(register.engine, write=False) as session:
        row = session.execute(text(f"SELECT id, version FROM {entity} ORDER BY id")).first()
    assert row is not None
    return int(row[0]), int(row[1])


def test_a_write_of_every_kind_moves_only_what_it_changes(demo: Register) -> None:
    assert _same(demo) > 1, "the first call computes every provider"
    assert _same(demo) == 0, "nothing changed: nothing recomputed"
    provider_id, version = _first(demo, "provider")
    demo.update("provider", provider_id, {"risk_tier": None}, expected_version=version)
    assert _same(demo) == 1
    supply = demo.create("supply", {"provider_id": provider_id, "name": "New corpus",
                                    "modality": "text", "source_category": "licensed_private",
                                    "contains_pi": True, "people_concerned": 10})
    _same(demo)
    basis = demo.create("legal_basis", {"supply_id": supply.id, "regime": "gdpr",
                                        "gdpr_art6": "f_legitimate_interests"})
    _same(demo)
    demo.archive("legal_basis", int(basis.id), expected_version=int(basis.version))
    _same(demo)
    for entity in ("agreement", "transfer", "evidence", "assessment"):
        record_id, version = _first(demo, entity)
        demo.archive(entity, record_id, expected_version=version)
        _same(demo)
        demo.restore(entity, record_id, expected_version=version + 1)
        _same(demo)
    agreement_id, version = _first(demo, "agreement")
    demo.update("agreement", agreement_id, {"expires_on": TODAY - timedelta(days=3)},
                expected_version=version)
    _same(demo)
    clause_id, version = _first(demo, "agreement_clause")
    demo.update("agreement_clause", clause_id, {"status": "missing"}, expected_version=version)
    _same(demo)
    demo.record_trigger(str(provider_id), ReviewTriggerKind.DOJ_ONWARD_BREACH,
                        occurred_on=TODAY - timedelta(days=30), note=None)
    _same(demo)
    moved, version = _first(demo, "transfer")
    with session_scope(demo.engine, write=False) as session:
        other = session.execute(text("SELECT max(id) FROM provider")).scalar()
    demo.update("transfer", moved, {"provider_id": other, "supply_id": None,
                                    "agreement_id": None}, expected_version=version)
    assert _same(demo) == 2  # a record moved: both providers recomputed
    demo.archive("provider", provider_id, expected_version=_first(demo, "provider")[1])
    _same(demo)
    demo.change_setting("review_cadence_months.low", "6")
    _same(demo)
    demo.change_setting("organisation_markets", '["CN", "DE"]')
    _same(demo)
    reminder = demo.reminders(TODAY)[0]
    demo.snooze(reminder.uid, until=date.today() + timedelta(days=9), reason="waiting",
                today=TODAY)
    _same(demo)
    demo.close()


def test_a_failed_write_changes_nothing(demo: Register) -> None:
    _same(demo)
    before = demo.gaps(TODAY)
    provider_id, version = _first(demo, "provider")
    with pytest.raises(Exception):  # noqa: B017 - any refusal: a stale version here
        demo.update("provider", provider_id, {"risk_tier": None}, expected_version=version + 5)
    assert demo.gaps(TODAY) is before
    demo.close()


def test_import_and_restore_are_followed(tmp_path: Path, demo: Register) -> None:
    empty = Register(create_register(f"sqlite:///{tmp_path / 'restored.sqlite'}"))
    _same(empty)
    workbook = demo.export(tmp_path / "demo.xlsx", today=TODAY).path
    report = empty.import_file(workbook, profile=None, order=None, dry_run=False)
    assert report.written and not report.problems
    _same(empty)
    assert empty.gap_count(TODAY) > 0
    demo.import_file(SAMPLE, profile=None, order=None, dry_run=False)
    _same(demo)
    empty.close()
    demo.close()


def test_another_register_behind_the_same_cache_is_computed_afresh(
        demo: Register, tmp_path: Path) -> None:
    """A cache keeps its head: a trail that does not continue it (a restored copy, another
    file) is recomputed whole, never patched."""
    cache = GapCache()
    with session_scope(demo.engine, write=False) as session:
        cache.gaps(session, TODAY)
    other = Register(create_register(f"sqlite:///{tmp_path / 'other.sqlite'}"))
    other.create("provider", {"legal_name": "Elsewhere Ltd", "country": "DE"})
    with session_scope(other.engine, write=False) as session:
        assert cache.gaps(session, TODAY) == register_gaps(session, TODAY)
    other.close()
    demo.close()


def test_the_cache_holds_until_valid_until_and_is_recomputed_after(demo: Register) -> None:
    """On each day from TODAY, the cache (filled on TODAY and recomputing only the providers
    whose valid-until has come) equals a cold computation of that day; the days tried are
    every valid-until date, the day before it, and one day a week for three years."""
    cache = GapCache()
    with session_scope(demo.engine, write=False) as session:
        cache.gaps(session, TODAY)
        days = {TODAY + timedelta(days=n) for n in range(0, 3 * 366, 7)}
        days |= {h.valid_until for h in cache.providers.values() if h.valid_until < date.max}
        days |= {d - timedelta(days=1) for d in set(days)}
        moved = 0
        for day in sorted(d for d in days if d >= TODAY):
            assert cache.gaps(session, day) == register_gaps(session, day), day
            moved += cache.recomputed
        assert moved, "some provider's gaps came up for recomputation"
        # and the date going back is recomputed too
        assert cache.gaps(session, TODAY) == register_gaps(session, TODAY)
    demo.close()


def test_a_covered_dealing_leaving_the_look_back_is_seen_on_its_day(demo: Register) -> None:
    """The gap of a covered DOJ dealing (28 CFR 202) ends when the dealing leaves the
    12-month look-back. A cache asked every day (as a TUI left open is) must drop it that day,
    not keep it until the next date it happens to recheck (it once kept it until 1 January)."""
    with session_scope(demo.engine, write=False) as session:
        dealt = [d for (d,) in session.execute(text(
            "SELECT doj_transaction_on FROM supply WHERE doj_transaction_on IS NOT NULL"))]
    assert dealt, "the demo holds covered dealings"
    ends = {date.fromisoformat(str(d)[:10]).replace(year=date.fromisoformat(
        str(d)[:10]).year + 1) for d in dealt}
    compared = {end + timedelta(days=n) for end in ends for n in range(-6, 7)}
    cache = GapCache()
    with session_scope(demo.engine, write=False) as session:
        day = TODAY
        while day <= max(compared):
            held = cache.gaps(session, day)
            if day in compared:
                assert held == register_gaps(session, day), day
            day += timedelta(days=1)
    demo.close()


def _every_date_in(row: object) -> set[date]:
    """Reference reading of a loaded row: every value that is a date (a datetime's day)."""
    from datetime import datetime

    return {value.date() if isinstance(value, datetime) else value
            for value in row if isinstance(value, date)}  # type: ignore[attr-defined]


def test_valid_until_is_the_first_later_day_among_every_date_the_records_hold(
        demo: Register) -> None:
    """valid_until reads a loaded row's dates by column position: on every demo provider,
    and on days around each of its dates, it gives the first day after today among every
    date its rows hold (each one and the day after), as reading every value would."""
    from tracker.app.gaps import (
        FIXED_DATES,
        LOOKBACK_MARGIN,
        ONE_DAY,
        _dates_in,
        attach_reminders,
        load_records,
        organisation,
        valid_until,
    )
    from tracker.app.reminders import reminder_policy
    from tracker.domain import doj
    from tracker.reminders.derive import due_moves_with_today, plus_months

    with session_scope(demo.engine, write=False) as session:
        records = load_records(session, organisation(session))
        policy = reminder_policy(session)
    checked = 0
    for r in records.values():
        rows = [r.provider, *r.agreements, *r.transfers, *r.assessments, *r.evidence,
                *r.triggers, *(b for bases in r.legal_bases.values() for b in bases),
                *(c for clauses in r.clauses.values() for c in clauses)]
        held = set().union(*map(_every_date_in, rows))
        assert held == set().union(*(set(_dates_in(row)) for row in rows))
        for s in r.supplies:  # a covered dealing's look-back ends, a few days either side
            for day in _every_date_in(s):
                end = plus_months(day, doj.LOOKBACK_MONTHS)
                held |= {day, *(end + timedelta(days=offset) for offset in
                                range(-LOOKBACK_MARGIN, LOOKBACK_MARGIN + 1))}
        for day in sorted(held)[:6]:
            for today in (day - ONE_DAY, day, day + ONE_DAY):
                duties = attach_reminders({r.provider.id: r}, policy, today)
                candidates = held | {date(today.year + 1, 1, 1), *FIXED_DATES} | {
                    d.due_on for d in duties if not due_moves_with_today(d)}
                expected = min((c for d in candidates if d >= today
                                for c in (d, d + ONE_DAY) if c > today), default=date.max)
                got = valid_until(r, duties, today)
                assert got == expected, (r.provider.id, today)
                checked += 1
    assert checked > 20
