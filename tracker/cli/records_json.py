"""``--json`` of reminders and gaps, streamed: each record written by a per-field template
from the reminder or gap itself, byte for byte what ``out_json`` prints for the list of
their dicts (``json.dumps(indent=2, ensure_ascii=False)``, raw control characters escaped).

At 100,000 providers these are 338,000 reminders or 447,000 gaps (~200 MB): a dict per
record, one giant string from json and a pass over it to turn its separators into the
indented form took longer than deriving them. Here each string field goes through json's
own C string encoder, what a kind, a status or a severity says is encoded once, and the
text goes out in chunks of records (``tests/test_records_json.py`` holds it to
``out_json``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import cache
from json.encoder import encode_basestring  # json's C string encoder (ensure_ascii=False)
from typing import TYPE_CHECKING, TextIO

from tracker.cli.output import escaped_raw, raw_above_ascii
from tracker.reminders.derive import reminder_of

if TYPE_CHECKING:
    from tracker.checks.rules import Gap
    from tracker.domain.enums import ReminderKind
    from tracker.reminders.derive import DerivedReminder

_encoded: Callable[[str], str] = encode_basestring
_CHUNK = 2_000  # records joined and written at a time


def _text(value: str) -> str:
    """A JSON string as ``json_text`` writes it. json leaves DEL, C1, bidi controls and the
    line separators raw; an ASCII string (a flag CPython keeps, no scan) can only hold DEL,
    so only the other strings go through the escaping pattern, one field at a time: over
    the whole 200 MB text it cost more than the encoding."""
    if value.isascii():
        encoded = _encoded(value)
        return encoded if "\x7f" not in encoded else encoded.replace("\x7f", "\\u007f")
    return raw_above_ascii().sub(escaped_raw, _encoded(value))


class _Encoded(dict[str, str]):
    """Each text encoded once: a hit is a dict lookup in C, no Python call."""

    def __missing__(self, value: str) -> str:
        self[value] = found = _text(value)
        return found


@cache
def reminder_fields(kind: ReminderKind) -> tuple[str, str, str, bool]:
    """What every reminder of a kind says the same (~340,000 reminders, a dozen kinds)."""
    cited = reminder_of("", kind, date.min, None, "", "", "", "")
    return kind.value, kind.label, cited.article, cited.secondary_source


@cache
def _kind_texts(kind: ReminderKind) -> tuple[str, str, str, str]:
    """A kind's value, title, article and secondary-source mark, encoded once."""
    value, title, article, secondary = reminder_fields(kind)
    return _text(value), _text(title), _text(article), "true" if secondary else "false"


def _reminder_records(reminders: Iterable[DerivedReminder]) -> Iterator[str]:
    """Per reminder only what is its own; what repeats is encoded once: a kind's texts, a
    status, a due date, a provider's name, and the texts themselves (an action is one per
    kind, a subject or a reason mostly a date's: 338,000 reminders, a few thousand of
    each). Each record is one f-string of its encoded parts (the %-template it replaces
    parsed its sixteen fields anew for every record)."""
    kinds: dict[object, tuple[str, str]] = {}
    statuses: dict[object, str] = {}
    days: dict[object, str] = {}
    encoded = _Encoded()  # providers' names, subjects, reasons and actions seen
    for r in reminders:
        subject, why, action = r.texts
        fields = kinds.get(r.kind)
        if fields is None:
            value, title, article, secondary = _kind_texts(r.kind)
            fields = kinds[r.kind] = (
                f"{value},\n    \"title\": {title}",
                f"{article},\n    \"secondary_source\": {secondary}")
        status = statuses.get(r.status)
        if status is None:
            status = statuses[r.status] = _text(r.status.value)
        due_on = days.get(r.due_on)
        if due_on is None:
            due_on = days[r.due_on] = r.due_on.isoformat()
        uid = _text(r.uid)
        pid, note, snoozed = r.provider_id, r.note, r.snoozed_until
        yield (f"  {{\n    \"uid\": {uid},\n    \"key\": {uid[:-1]}@{due_on}\",\n"
               f"    \"kind\": {fields[0]},\n    \"due_on\": \"{due_on}\",\n"
               f"    \"status\": {status},\n"
               f"    \"provider_id\": {'null' if pid is None else int.__repr__(pid)},\n"
               f"    \"provider\": {encoded[r.provider_name]},\n"
               f"    \"subject\": {encoded[subject]},\n"
               f"    \"why\": {encoded[why]},\n    \"action\": {encoded[action]},\n"
               f"    \"article\": {fields[1]},\n"
               f"    \"note\": {'null' if note is None else _text(note)},\n"
               f"    \"snoozed_until\": "
               f"{'null' if snoozed is None else chr(34) + snoozed.isoformat() + chr(34)}\n  }}")


_GAP = ("  {\n    \"rule\": %s,\n    \"severity\": %s,\n    \"article\": %s,\n"
        "    \"secondary_source\": %s,\n    \"provider_id\": %s,\n    \"provider\": %s,\n"
        "    \"subject\": %s,\n    \"why\": %s,\n    \"fix\": %s,\n    \"entity\": %s,\n"
        "    \"entity_id\": %s\n  }")


def _gap_records(gaps: Iterable[Gap]) -> Iterator[str]:
    """Per gap only its subject and IDs are its own more often than not: at 100,000
    providers 447,000 gaps hold 11 rules, 12 articles, 13 fixes, ~3,700 whys, ~61,000
    subjects and a provider's name on each of its gaps in a row, so every text is encoded
    once instead of six times a gap. A gap is a named tuple: unpacked in its field order."""
    encoded = _Encoded()
    severities: dict[object, str] = {}
    for (rule, severity, article, provider_id, provider, subject, why, fix, entity,
         entity_id, secondary_source) in gaps:
        said = severities.get(severity)
        if said is None:
            said = severities[severity] = _text(severity.value)
        yield _GAP % (
            encoded[rule], said, encoded[article], "true" if secondary_source else "false",
            "null" if provider_id is None else int.__repr__(provider_id),
            "null" if provider is None else encoded[provider], encoded[subject],
            encoded[why], encoded[fix], "null" if entity is None else encoded[entity],
            "null" if entity_id is None else int.__repr__(entity_id))


def _write(records: Iterator[str], stream: TextIO) -> None:
    """``[``, the records two-space indented and comma-separated, ``]`` and a line end,
    as ``print(json.dumps(list, indent=2))``; ``[]`` for none."""
    opened = False
    while True:
        chunk: list[str] = []
        for record in records:
            chunk.append(record)
            if len(chunk) == _CHUNK:
                break
        if not chunk:
            break
        text = ",\n".join(chunk)
        stream.write(",\n" + text if opened else "[\n" + text)
        opened = True
    stream.write("\n]\n" if opened else "[]\n")


def write_reminders(reminders: Iterable[DerivedReminder], stream: TextIO | None = None) -> None:
    """The reminders as JSON, one record each (the fields the README documents), as
    ``out_json`` prints the list of their dicts (``tests/test_records_json.py``)."""
    _write(_reminder_records(reminders), stream or sys.stdout)


def write_gaps(gaps: Iterable[Gap], stream: TextIO | None = None) -> None:
    """The gaps as ``out_json([g.as_dict() for g in gaps])`` prints them."""
    _write(_gap_records(gaps), stream or sys.stdout)
