"""``--json`` of reminders and gaps, streamed: byte for byte what ``out_json`` prints for the
list of their dicts (``json.dumps(indent=2, ensure_ascii=False)``, raw control characters
escaped), written by orjson in chunks of records straight to stdout's binary buffer.

At 100,000 providers these are ~445,000 reminders or ~447,000 gaps (~200 MB). The former
writer built each record with an f-string of per-field encoded texts and wrote through the
text layer; measured in one process on the 100k register, the gaps took 2.43 s to format
plus 0.45 s to encode to UTF-8, against 0.35 s for their dicts plus 0.56 s for
orjson's indented dump, byte-identical. orjson writes the indent, the separators and the
string escapes (``\\"``, ``\\\\``, ``\\n``, ``\\u001b``) as json does; what json_text adds
(DEL, C1, bidi controls and the line separators as ``\\uXXXX``) is done on the bytes, only
in a chunk that holds one: UTF-8 never puts those bytes inside another character, and the
JSON around the strings is ASCII (``tests/test_records_json.py`` holds it to
``out_json``)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import cache
from itertools import groupby, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from tracker.cli.forked_half import PARALLEL_FROM, SecondHalf
from tracker.reminders.derive import reminder_of

if TYPE_CHECKING:
    from tracker.checks.rules import Gap
    from tracker.domain.enums import ReminderKind
    from tracker.reminders.derive import DerivedReminder

_CHUNK = 5_000  # records dumped and written at a time

# What json_text escapes and json leaves raw (tracker.cli.output.raw_above_ascii), as UTF-8:
# DEL, C1 (U+0080-U+009F), U+2028-U+202E and U+2066-U+2069. Each alternative starts with a
# literal byte; a chunk is searched for them first (below), the rare one holding any
# rewritten.
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_BIDI_AND_LINES = re.compile(rb"\xe2(?:\x80[\xa8-\xae]|\x81[\xa6-\xa9])")
_ANY_RAW_UTF8 = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def _escaped(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode())


@cache
def reminder_fields(kind: ReminderKind) -> tuple[str, str, str, bool]:
    """What every reminder of a kind says the same (~445,000 reminders, a dozen kinds)."""
    cited = reminder_of("", kind, date.min, None, "", "", "", "")
    return kind.value, kind.label, cited.article, cited.secondary_source


def _reminder_dicts(reminders: Iterable[DerivedReminder]) -> Iterator[dict[str, Any]]:
    """Each reminder's record, the fields in the order the README documents. The tuple is
    unpacked in its field order, not read by a dozen attribute lookups, and the status
    member goes to orjson as it is (it writes an enum's value): ~338,000 records shown
    at 100,000 providers."""
    days: dict[date, str] = {}
    kinds = _KIND_FIELDS
    for (uid, kind, due, provider_id, provider, render, source, status, snoozed, note,
         _entity, _entity_id) in reminders:
        subject, why, action = render(source)
        fields = kinds.get(kind)
        if fields is None:
            fields = kinds[kind] = reminder_fields(kind)
        name, title, article, secondary = fields
        due_on = days.get(due)
        if due_on is None:
            due_on = days[due] = due.isoformat()
        yield {"uid": uid, "key": f"{uid}@{due_on}", "kind": name, "title": title,
               "due_on": due_on, "status": status, "provider_id": provider_id,
               "provider": provider, "subject": subject, "why": why,
               "action": action, "article": article, "secondary_source": secondary,
               "note": note,
               "snoozed_until": None if snoozed is None else snoozed.isoformat()}


_KIND_FIELDS: dict[ReminderKind, tuple[str, str, str, bool]] = {}


def gap_dicts(gaps: Iterable[Gap]) -> Iterator[dict[str, Any]]:
    """``Gap.as_dict`` inlined: a gap is a named tuple, unpacked in its field order."""
    for (rule, severity, article, provider_id, provider, subject, why, fix, entity,
         entity_id, secondary_source) in gaps:
        # the severity is a StrEnum: orjson writes its value
        yield {"rule": rule, "severity": severity, "article": article,
               "secondary_source": secondary_source, "provider_id": provider_id,
               "provider": provider, "subject": subject, "why": why, "fix": fix,
               "entity": entity, "entity_id": entity_id}


def _chunk_json(records: list[dict[str, Any]]) -> bytes:
    """The records two-space indented and comma-separated, without the list's brackets."""
    dumped = orjson.dumps(records, option=orjson.OPT_INDENT_2)[2:-2]
    # DEL and the C1 lead byte by memchr (~0.02 s per 200 MB); the two three-byte ranges
    # in one search from their lead byte (one pass: 0.16-0.18 s for two, 0.08-0.10 s for
    # one over the 100k register's ~200 MB of reminders)
    if b"\x7f" in dumped or (b"\xc2" in dumped and _C1.search(dumped)) or (
            _BIDI_AND_LINES.search(dumped)):
        dumped = _ANY_RAW_UTF8.sub(_escaped, dumped)
    return dumped


def _write(records: Sequence[Any], as_dicts: Callable[[Iterable[Any]], Iterator[dict[str, Any]]],
           stream: TextIO) -> None:
    """``[``, the records, ``]`` and a line end, as ``print(json.dumps(list, indent=2))``;
    ``[]`` for none. A stream with a binary buffer (stdout) gets the bytes as made; when it
    is a file descriptor and the records are many, a forked process renders the second half
    meanwhile (``tracker.cli.forked_half``) and writes it after the first."""
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        stream.flush()

    def put(data: bytes) -> None:
        if binary is not None:
            binary.write(data)
        else:
            stream.write(data.decode())

    half = len(records) // 2
    second = SecondHalf.beside(stream, lambda: (
        b"", chunks(as_dicts(islice(records, half, None)), opened=True))) \
        if len(records) >= PARALLEL_FROM else None
    split = len(records) if second is None else half
    opened = False
    try:
        for data in chunks(as_dicts(islice(records, split)), opened=False):
            put(data)
            opened = True
        if binary is not None:
            binary.flush()
    except BaseException:
        if second is not None:
            second.cancel()
        raise
    if second is not None and not second.write_now():
        # it failed before writing a byte: the second half is written here instead
        for data in chunks(as_dicts(islice(records, split, None)), opened=opened):
            put(data)
    put(b"\n]\n" if records else b"[]\n")
    if binary is not None:
        binary.flush()


def chunks(records: Iterator[dict[str, Any]], *, opened: bool) -> Iterator[bytes]:
    """The records' JSON in chunks, each after the separator of what came before it."""
    while chunk := list(islice(records, _CHUNK)):  # gathered in C, not a loop of appends
        yield (b",\n" if opened else b"[\n") + _chunk_json(chunk)
        opened = True


def write_reminders(reminders: Sequence[DerivedReminder], stream: TextIO | None = None) -> None:
    """The reminders as JSON, one record each (the fields the README documents), as
    ``out_json`` prints the list of their dicts (``tests/test_records_json.py``)."""
    _write(reminders, _reminder_dicts, stream or sys.stdout)


def write_gaps(gaps: Sequence[Gap], stream: TextIO | None = None) -> None:
    """The gaps as ``out_json([g.as_dict() for g in gaps])`` prints them."""
    _write(gaps, gap_dicts, stream or sys.stdout)


def _by_day(reminders: Sequence[DerivedReminder]) -> dict[date, list[DerivedReminder]]:
    """The reminders of each due date, in their order (the list is in date order)."""
    return {day: list(group) for day, group in groupby(reminders, key=itemgetter(2))}


def _segment(reminders: Iterable[DerivedReminder]) -> bytes:
    """The reminders' records, comma-separated, without the list's brackets."""
    records = _reminder_dicts(reminders)
    return b",\n".join(_chunk_json(chunk) for chunk in iter(
        lambda: list(islice(records, _CHUNK)), []))


def day_segments(reminders: Sequence[DerivedReminder]) -> dict[date, bytes]:
    return {day: _segment(group) for day, group in _by_day(reminders).items()}
