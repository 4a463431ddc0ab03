"""A new record's derived rows (an agreement's clauses, a review's checklist answers),
written in bulk: the one place the import (``batch``) and the restore (``restore_stream``)
both write them through, so either door gives the rows and the event entries the other
does (and the per-record entry does, ``tracker.domain.derived``)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlmodel import Session

from tracker.app.pipeline import derived_summary
from tracker.domain.derived import derived_children
from tracker.domain.registry import PARENT_FIELD
from tracker.store.audit import PendingEvent
from tracker.store.fastinsert import insert_rows
from tracker.store.models import BASE_MODELS, table_of


@functools.cache
def new_record_defaults(entity: str) -> dict[str, Any]:
    """A new record's default values (read-only: callers copy it; pydantic's model_fields
    is slow to walk per row)."""
    return {name: info.get_default(call_default_factory=True)
            for name, info in BASE_MODELS[entity].model_fields.items()
            if not info.is_required()}


def write_derived(session: Session,
                  parents: list[tuple[int, list[tuple[str, dict[str, Any]]], PendingEvent]],
                  now: datetime) -> None:
    """Write (parent id, derived children, the parent's insert event) in one insert per
    child table; each parent's event records its children (``derived_summary``), as the
    per-record entry's does. The import and the restore both write through here."""
    by_child: dict[str, list[dict[str, Any]]] = {}
    owners: list[tuple[PendingEvent, str, int]] = []  # event, child entity, payload index
    for parent_id, kids, event in parents:
        for child, values in kids:
            payload = by_child.setdefault(child, [])
            owners.append((event, child, len(payload)))
            payload.append({**new_record_defaults(child), **values, PARENT_FIELD[child]: parent_id,
                            "version": 1, "created_at": now, "updated_at": now})
    for child, payload in by_child.items():
        for full, new_id in zip(payload, insert_rows(session, table_of(child), payload,
                                                     assign_ids=True), strict=True):
            full["id"] = new_id
    grouped: dict[int, tuple[PendingEvent, list[tuple[str, dict[str, Any]]]]] = {}
    for event, child, index in owners:
        grouped.setdefault(id(event), (event, []))[1].append((child, by_child[child][index]))
    for event, rows in grouped.values():
        assert event.after is not None
        event.after["derived"] = derived_summary(rows)


class ClauseCopies:
    """A new agreement's clause rows depend on its kind alone (``derived_children``): the
    first agreement of each kind gets them through ``write_derived``, and every later one
    a copy of those rows made by SQLite, with its own IDs in the order the generic path
    gives them and its event's ``derived`` entry the first one's with those IDs. Why: at
    100,000 agreements that is 1.3 million rows that were each built, converted and sent
    from Python. A kind whose entry does not have that shape takes the generic path."""

    CHILD = "agreement_clause"

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self.run = session.connection().exec_driver_sql
        self.table = table_of(self.CHILD)
        # kind -> (the agreement whose rows are copied, its first row ID, how many rows,
        # its event's derived entry without the IDs), or None: the generic path
        self.templates: dict[str, tuple[int, int, int, dict[str, Any]] | None] = {}
        self.pending: list[tuple[int, int, int]] = []  # (agreement, template's, ID shift)
        self.next_id: int | None = None
        self.run("DROP TABLE IF EXISTS temp._restore_clause_template")
        self.run("DROP TABLE IF EXISTS temp._restore_clause_copy")
        self.run(f"CREATE TEMP TABLE _restore_clause_template AS SELECT * FROM main."
                 f"{self.table.name} WHERE 0")
        self.run("CREATE TEMP TABLE _restore_clause_copy (agreement INTEGER NOT NULL, "
                 "template INTEGER NOT NULL, shift INTEGER NOT NULL)")
        names = [c.name for c in self.table.columns]
        shown = {"id": "t.id + p.shift", PARENT_FIELD[self.CHILD]: "p.agreement"}
        self.copy_sql = (
            f"INSERT INTO main.{self.table.name} ({', '.join(names)}) SELECT "
            + ", ".join(shown.get(n, f"t.{n}") for n in names)
            + f" FROM _restore_clause_copy p JOIN _restore_clause_template t ON "
            f"t.{PARENT_FIELD[self.CHILD]} = p.template ORDER BY t.id + p.shift")

    def copied(self, record_id: int, full: dict[str, Any], event: PendingEvent) -> bool:
        """Whether this new agreement's clauses were copied (or written as its kind's
        first); False: the caller derives them."""
        kind = full.get("kind")
        if kind is None:
            return False
        key = str(getattr(kind, "value", kind))
        if key not in self.templates:
            return self._first(key, record_id, full, event)
        template = self.templates[key]
        if template is None:
            return False
        source, first, count, entry = template
        if self.next_id is None:
            self.next_id = self._max_id() + 1
        start = self.next_id
        self.next_id += count
        self.pending.append((record_id, source, start - first))
        assert event.after is not None
        event.after["derived"] = {self.CHILD: {**entry, "id": list(range(start,
                                                                         start + count))}}
        return True

    def _first(self, key: str, record_id: int, full: dict[str, Any],
               event: PendingEvent) -> bool:
        self.flush()
        kids = derived_children("agreement", full, {})
        if not kids:
            self.templates[key] = None
            return False
        write_derived(self.session, [(record_id, kids, event)], self.now)
        self.moved()
        assert event.after is not None
        entry = dict(event.after.get("derived", {}).get(self.CHILD, {}))
        ids = entry.pop("id", None)
        parent = PARENT_FIELD[self.CHILD]
        stored = [row[0] for row in self.run(
            f"SELECT id FROM main.{self.table.name} WHERE {parent} = ? ORDER BY id",
            (record_id,))]
        shaped = (set(event.after["derived"]) == {self.CHILD} and isinstance(ids, list)
                  and ids == stored and len(stored) == len(kids)
                  and stored == list(range(stored[0], stored[0] + len(stored))))
        if not shaped:
            self.templates[key] = None  # written; later ones of its kind derive their own
            return True
        self.run(f"INSERT INTO _restore_clause_template SELECT * FROM main.{self.table.name} "
                 f"WHERE {parent} = ?", (record_id,))
        self.templates[key] = (record_id, stored[0], len(stored), entry)
        return True

    def _max_id(self) -> int:
        return int(self.run(f"SELECT coalesce(max(id), 0) FROM main.{self.table.name}")
                   .scalar() or 0)

    def moved(self) -> None:
        """Rows were written by another path: the next ID is looked up again."""
        self.next_id = None

    def flush(self) -> None:
        if not self.pending:
            return
        self.run("INSERT INTO _restore_clause_copy VALUES (?, ?, ?)", self.pending)
        self.run(self.copy_sql)
        self.run("DELETE FROM _restore_clause_copy")
        self.pending = []

    def close(self) -> None:
        self.run("DROP TABLE temp._restore_clause_template")
        self.run("DROP TABLE temp._restore_clause_copy")
