"""The providers filter over an in-memory index: every provider's folded search text, its
codes and its sort keys, held once and checked against the audit trail's head.

Why: at 100,000 providers the filter in SQL scanned the table with LIKE twice a keystroke
(a ``count(*)`` and the page), 90-130 ms; the same rule over Python strings held in sort
order takes ~10 ms, and a page of 60 is then a slice. Every change to a provider writes an
audit event (the write pipeline, imports, restores), so the head of the trail says when the
index is stale, whoever wrote: this program or another one on the same register. The rule is
the SQL search's (``tracker.app.queries.provider_page``): each word of ``search_key(text)``
must be in the folded legal name or ``provider_search_extra`` (aliases, registration number,
website), or equal the country code, or begin a role, risk tier or status; the order is the
SQL's too (``ORDER BY key, id``, enums in their declared order, descending keeps ids
ascending). ``tests/test_provider_index.py`` holds it to the SQL page for page."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Engine, bindparam, text

from tracker.app.queries import ENUM_ORDER, SORTABLE, ProviderFilter, ProviderRow
from tracker.domain.enums import ProviderRole, ProviderStatus, RiskTier
from tracker.domain.text import search_key
from tracker.gcpause import gc_paused
from tracker.store.models import Provider

# Changed providers read back one by one below this many; above it the whole index is read
# again (an import of thousands costs a second either way, and one read is simpler).
DELTA_LIMIT = 2_000
# How many providers a scan takes at a time before it looks whether a page is full: small
# enough that a common word fills the first page in well under a millisecond, large enough
# that the scan stays in list comprehensions.
CHUNK = 4_096

_COLUMNS = ("id, search_name, search_extra, country, role, risk_tier, status, "
            "archived_at IS NOT NULL, updated_at, legal_name, version")
_ALL = f"SELECT {_COLUMNS} FROM provider"
_SOME = text(f"SELECT {_COLUMNS} FROM provider WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True))
_HEAD = text("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
_EVENT_HASH = text("SELECT hash FROM audit_event WHERE id = :id")
_CHANGED = text("SELECT DISTINCT entity_id FROM audit_event WHERE id > :after "
                "AND entity = 'provider'")
_ENUMS = (("role", ProviderRole), ("risk_tier", RiskTier), ("status", ProviderStatus))


class _Entry(NamedTuple):
    """One provider as the filter sees it and the table shows it (raw database values). A
    tuple of plain values, so the garbage collector stops tracking it: 100,000 of them then
    cost a full collection nothing (a class instance would be scanned every time)."""

    id: int
    text: str  # folded legal name and search extra, one line break between
    search_name: str
    codes: int  # the index of its (country, role, tier, status) in ProviderIndex.codes
    archived: bool
    legal_name: str
    country: str | None
    role: str | None
    risk_tier: str | None
    status: str
    version: int
    updated_at: Any  # as the driver gives it: it sorts as the SQL does


@dataclass(slots=True)
class _Order:
    """Entries in one sort order (ascending by ``ProviderIndex._sort_key``; a descending
    order is read from the end), with their texts and codes beside them as flat lists for
    the scan's comprehensions."""

    entries: list[_Entry]
    texts: list[str]
    codes: list[int]
    descending: bool


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    codes: frozenset[int]  # the codes a word matches by country or by an enum's beginning


@dataclass(slots=True)
class ProviderMatches:
    """The providers one filter matches, in its order, found as far as asked: the first
    page is there before the whole register has been scanned, and ``total`` scans on."""

    _order: _Order
    _words: tuple[_Word, ...]
    _found: list[_Entry] = field(default_factory=list)
    _texts: list[str] = field(default_factory=list)  # beside _found, for a narrower filter
    _codes: list[int] = field(default_factory=list)
    _scanned: int = 0
    _convert: Callable[[Any], Any] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # a page and the count

    @property
    def complete(self) -> bool:
        return not self._words or self._scanned >= len(self._order.entries)

    @property
    def known_total(self) -> int | None:
        """How many match, once the scan has reached the end; None before."""
        if not self._words:
            return len(self._order.entries)
        return len(self._found) if self.complete else None

    def rows(self, offset: int, limit: int) -> list[ProviderRow]:
        if not self._words:  # no filter: a slice of the order itself
            entries, n = self._order.entries, len(self._order.entries)
            if self._order.descending:
                window = entries[max(n - offset - limit, 0):max(n - offset, 0)][::-1]
            else:
                window = entries[offset:offset + limit]
            return [self._row(e) for e in window]
        with self._lock:
            while len(self._found) < offset + limit and not self.complete:
                self._scan_chunk()
            return [self._row(e) for e in self._found[offset:offset + limit]]

    def total(self) -> int:
        if not self._words:
            return len(self._order.entries)
        with self._lock:
            while not self.complete:
                self._scan_chunk(len(self._order.entries))
            return len(self._found)

    def as_order(self) -> _Order:
        """Every match, in order, once counted (``complete``), for a narrower filter to
        scan instead of the register."""
        return _Order(self._found, self._texts, self._codes, False)

    def _scan_chunk(self, size: int = CHUNK) -> None:
        order, n = self._order, len(self._order.entries)
        start, stop = self._scanned, min(self._scanned + size, n)
        if order.descending:  # read from the end
            lo, hi = n - stop, n - start
            entries = order.entries[lo:hi][::-1]
            texts, codes = order.texts[lo:hi][::-1], order.codes[lo:hi][::-1]
        else:
            entries = order.entries[start:stop]
            texts, codes = order.texts[start:stop], order.codes[start:stop]
        first, *others = self._words
        w, matching = first.text, first.codes
        if matching:
            keep = [i for i, t in enumerate(texts) if w in t or codes[i] in matching]
        else:
            keep = [i for i, t in enumerate(texts) if w in t]
        for word in others:  # the rest only over what the first word kept
            w, matching = word.text, word.codes
            if matching:
                keep = [i for i in keep if w in texts[i] or codes[i] in matching]
            else:
                keep = [i for i in keep if w in texts[i]]
        self._found.extend(map(entries.__getitem__, keep))
        self._texts.extend(map(texts.__getitem__, keep))
        self._codes.extend(map(codes.__getitem__, keep))
        self._scanned = stop

    def _row(self, e: _Entry) -> ProviderRow:
        updated = self._convert(e.updated_at) if self._convert else e.updated_at
        return ProviderRow(id=e.id, legal_name=e.legal_name, country=e.country, role=e.role,
                           risk_tier=e.risk_tier, status=e.status, archived=e.archived,
                           version=e.version, updated_at=updated)


_by_id = attrgetter("id")
_by_name = attrgetter("search_name")
_by_update = attrgetter("updated_at")


class ProviderIndex:
    """Every provider's search text, codes and sort keys, for one register. ``search`` is
    answered from memory; ``refresh`` reads what changed since the audit head it last saw
    (one small query when nothing did). Safe to call from worker threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._entries: dict[int, _Entry] = {}
        self._codes: dict[tuple[str | None, ...], int] = {}
        self.codes: list[tuple[str | None, ...]] = []
        self._orders: dict[tuple[str, bool, bool], _Order] = {}
        self._head: tuple[int, str] | None = None
        self._last: tuple[tuple[str, ...], tuple[str, bool, bool], ProviderMatches] | None = None
        # SQLite (as SQL) sorts a missing country first; PostgreSQL last.
        self._null_first = engine.dialect.name == "sqlite"
        # updated_at is read raw (it sorts as stored) and converted as SQLAlchemy would for
        # the few rows a page shows.
        column_type = getattr(Provider, "__table__").c.updated_at.type
        self._convert = column_type.dialect_impl(engine.dialect).result_processor(
            engine.dialect, None)
        self.generation = 0  # moves whenever what the index holds changed

    @property
    def ready(self) -> bool:
        return self._head is not None

    def refresh(self) -> bool:
        """Bring the index up to the register: nothing read when the audit head has not
        moved, the changed providers when it moved a little, everything otherwise. True when
        anything changed."""
        with self._lock, self._engine.connect() as connection:
            found = connection.execute(_HEAD).first()
            head = (int(found[0]), str(found[1])) if found else (0, "")
            if head == self._head:
                return False
            known = self._head
            changed: list[int] | None = None
            if known is not None and known[0] and head[0] > known[0] and connection.execute(
                    _EVENT_HASH, {"id": known[0]}).scalar() == known[1]:
                # the same trail, grown: read the providers its new events name
                names = connection.execute(_CHANGED, {"after": known[0]}).scalars().all()
                ids = [int(n) for n in names if str(n).isdigit()]
                changed = ids if len(ids) <= DELTA_LIMIT else None
            with gc_paused():  # ~10^5 tuples that hold no cycles; see tracker/gcpause.py
                if changed is None:
                    # the driver's own cursor: plain tuples, a third of the time of Rows
                    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    try:
                        cursor.execute(_ALL)
                        self._load_all(cursor.fetchall())
                    finally:
                        cursor.close()
                elif changed:
                    self._load_some(changed, connection.execute(_SOME, {"ids": changed}).all())
            self._head = head
            self.generation += 1
            self._last = None
            return True

    def search(self, flt: ProviderFilter) -> ProviderMatches:
        """The providers ``flt`` matches, in its order, as the index holds them now (the
        caller refreshes first). The same filter asked again gets the same matches object,
        so a second page costs a slice."""
        with self._lock:
            return self._search(flt)

    def search_now(self, flt: ProviderFilter) -> ProviderMatches | None:
        """``search`` without waiting: None while a refresh holds the index (a screen's
        keystroke then asks in a worker instead of freezing)."""
        if not self.ready or not self._lock.acquire(blocking=False):
            return None
        try:
            return self._search(flt)
        finally:
            self._lock.release()

    def _search(self, flt: ProviderFilter) -> ProviderMatches:
        words = tuple(search_key(flt.text).split())
        sort = flt.sort if flt.sort in SORTABLE else "legal_name"
        key = (sort, flt.descending, flt.include_archived)
        last = self._last
        if last is not None and last[0] == words and last[1] == key:
            return last[2]
        parsed = tuple(self._word(w) for w in words)
        if last is not None and last[1] == key and _narrows(last[2], parsed):
            # a keystroke that adds to the filter: only the last matches can match
            order = last[2].as_order()
        else:
            order = self._order(key)
        matches = ProviderMatches(order, parsed, _convert=self._convert)
        self._last = (words, key, matches)
        return matches

    # -- building ----------------------------------------------------------------------
    def _entry(self, r: Any) -> _Entry:
        country = r[3]
        codes_key = (country.lower() if country else None, r[4], r[5], r[6])
        codes = self._codes.get(codes_key)
        if codes is None:
            codes = self._codes[codes_key] = len(self.codes)
            self.codes.append(codes_key)
        name = r[1] or ""
        return _Entry(int(r[0]), f"{name}\n{r[2] or ''}", name, codes, bool(r[7]), r[9],
                      country, r[4], r[5], r[6], int(r[10]), r[8])

    def _load_all(self, rows: Sequence[Any]) -> None:
        self._entries = {e.id: e for e in map(self._entry, rows)}
        self._orders = {}

    def _load_some(self, ids: list[int], rows: Sequence[Any]) -> None:
        """Changed providers replace their old entries in every order kept, each put in its
        place by bisection: no order is sorted again."""
        fresh = [self._entry(r) for r in rows]
        gone = set(ids)
        for provider_id in ids:
            self._entries.pop(provider_id, None)
        self._entries.update((e.id, e) for e in fresh)
        for (sort, descending, archived), order in list(self._orders.items()):
            entries = [e for e in order.entries if e.id not in gone]
            sort_key = self._sort_key(sort, descending)
            for entry in fresh:
                if archived or not entry.archived:
                    entries.insert(bisect_left(entries, sort_key(entry), key=sort_key), entry)
            self._orders[(sort, descending, archived)] = _Order(
                entries, [e.text for e in entries], [e.codes for e in entries], descending)

    def _order(self, key: tuple[str, bool, bool]) -> _Order:
        order = self._orders.get(key)
        if order is None:
            with gc_paused():
                order = self._orders[key] = self._sorted(key)
        return order

    def _sorted(self, key: tuple[str, bool, bool]) -> _Order:
        """Sorted by id, then stably by the column alone: string keys sort several times
        faster than (key, id) tuples, and the ties keep their id order."""
        sort, descending, archived = key
        entries = sorted((e for e in self._entries.values() if archived or not e.archived),
                         key=_by_id, reverse=descending and sort != "id")
        if sort != "id":
            entries.sort(key=self._column_key(sort))
        return _Order(entries, [e.text for e in entries], [e.codes for e in entries],
                      descending)

    def _column_key(self, sort: str) -> Callable[[_Entry], Any]:
        if sort == "legal_name":
            return _by_name
        if sort == "updated_at":
            return _by_update
        if sort == "country":
            missing = "" if self._null_first else "\U0010ffff"
            return lambda e: missing if e.country is None else e.country
        rank = {m.value: i for i, m in enumerate(ENUM_ORDER[sort])}
        unset = len(rank)
        return lambda e: rank.get(getattr(e, sort), unset)

    def _sort_key(self, sort: str, descending: bool) -> Callable[[_Entry], tuple[Any, ...]]:
        """An order's full key, ascending: (column, id), or (column, -id) for a descending
        order, which is read from the end and so gives the SQL's ``key DESC, id ASC``."""
        sign = -1 if descending else 1
        if sort == "id":
            return lambda e: (e.id,)
        column = self._column_key(sort)
        return lambda e: (column(e), sign * e.id)

    def _word(self, word: str) -> _Word:
        """Which codes one word matches: its country exactly, or the beginning of a role,
        risk tier or status value."""
        starts = [{m.value for m in enum_cls if m.value.startswith(word)}
                  for _, enum_cls in _ENUMS]
        matching = frozenset(
            i for i, (country, *values) in enumerate(self.codes)
            if country == word or any(v is not None and v in s
                                       for v, s in zip(values, starts, strict=True)))
        return _Word(word, matching)


def _narrows(before: ProviderMatches, words: tuple[_Word, ...]) -> bool:
    """Whether every provider ``words`` match is among ``before``'s matches: each earlier
    word is inside the new word at its place (a text holding the new one holds it) and the
    new word matches no code the earlier did not, and words may be added. So typing on
    scans the last matches instead of the register; a country code, which must be equal,
    is the case the codes check keeps out ("d" does not match DE, "de" does)."""
    if not before.complete or not before._words or len(words) < len(before._words):
        return False  # (no words before: the register's own order is as quick)
    return all(old.text in new.text and new.codes <= old.codes
               for old, new in zip(before._words, words, strict=False))
