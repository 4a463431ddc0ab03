"""How the command line prints: results on stdout, messages on stderr, and each kind of
report in one place.

Control characters are refused at the door (tracker.domain.text), but a register written
before that, or edited with raw SQL, may still hold them, and a file name or an error can
quote anything. So nothing reaches the terminal raw: ``out`` and ``say`` show every control
character (ESC, BEL, C1, bidi controls, a lone carriage return) as a visible escape, each
field of a one-line listing goes through ``safe`` (line breaks too: a name cannot forge a
line), and JSON goes through ``out_json``, which writes those characters as ``\\uXXXX``
and leaves Chinese readable."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING, Any

from tracker.domain.text import CONTROL_CHARACTERS, LINE_BREAKS, visible
from tracker.formatting import padded

if TYPE_CHECKING:
    from tracker.app.imports import ImportReport


def safe(text: object) -> str:
    """One field of a one-line listing, safe for a terminal: control characters, bidi
    controls, line breaks and tabs shown as visible escapes (``\\x1b``, ``\\u202e``,
    ``\\n``)."""
    return visible("" if text is None else str(text), one_line=True)


def say(message: str) -> None:
    """A message for the person, not the pipe: stderr."""
    print(visible(message, one_line=False), file=sys.stderr)


def out(text: str) -> None:
    print(visible(text, one_line=False))


# json.dumps escapes C0 controls inside strings, but with ensure_ascii=False it leaves DEL,
# C1, bidi controls and U+2028 / U+2029 raw; those can only be inside strings, so writing
# them as \uXXXX keeps the JSON valid and equal. A C0 character left over is JSON's own
# whitespace (the indent), which stays.
_RAW_IN_JSON = re.compile(f"{CONTROL_CHARACTERS.pattern}|{LINE_BREAKS.pattern}")


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON for scripts and for values shown in a listing, with no raw control character."""
    if indent == 2 and (fast := _records_json(value)) is not None:
        return fast
    return _RAW_IN_JSON.sub(escaped_raw, json.dumps(value, ensure_ascii=False, indent=indent))


def escaped_raw(match: re.Match[str]) -> str:
    char = match.group()
    return char if ord(char) < 0x7F else f"\\u{ord(char):04x}"


@cache
def raw_above_ascii() -> re.Pattern[str]:
    """The characters of ``_RAW_IN_JSON`` that json.dumps leaves raw (DEL and above; it
    escapes every C0 control itself), found once by testing the Basic Multilingual Plane."""
    found = "".join(re.escape(chr(c)) for c in range(0x7F, 0x10000)
                    if _RAW_IN_JSON.match(chr(c)))
    return re.compile(f"[{found}]")


_SCALARS = frozenset({str, int, float, bool, type(None)})
_ITEM = ",\n    "  # a raw line break is never inside a JSON string (it is written \\n)


def _records_json(value: Any) -> str | None:
    """A list of flat records (``--json`` of reminders, gaps) with indent 2, byte for byte
    as ``json.dumps(indent=2)`` writes it and escaped as ``json_text`` escapes, from the C
    encoder: with an indent, json falls back to its pure-Python encoder, which took seconds
    for 400,000 gaps. The C encoder is given the indented item separator; between two
    records it then writes ``},`` + that + ``{`` (no string holds a raw line break), which
    one replacement turns into the record break. None: not that shape."""
    if not isinstance(value, list) or not value or not all(
            type(v) is dict and v for v in value) or not set(
            map(type, chain.from_iterable(map(dict.values, value)))) <= _SCALARS:
        return None
    flat = json.dumps(value, ensure_ascii=False, separators=(_ITEM, ": "))
    body = flat[2:-2].replace("}" + _ITEM + "{", "\n  },\n  {\n    ")
    return raw_above_ascii().sub(escaped_raw, "[\n  {\n    " + body + "\n  }\n]")


def out_json(value: Any) -> None:
    """A result as JSON on stdout (``--json``)."""
    print(json_text(value, indent=2))


def print_import(report: ImportReport) -> None:
    for mapping in report.mappings:
        out(f"sheet '{safe(mapping.sheet)}', header on row {mapping.header_row}:")
        for column in mapping.columns:
            target = column.target or (f"(left out; closest: {column.suggestion}?)"
                                       if column.suggestion else "(left out: no field)")
            reason = f" ({column.reason})" if column.reason else ""
            out(f"  {column.letter:>3}  {padded(safe(column.header), 40)} → {target}{reason}")
    for note in report.notes:
        out(safe(note))
    for sheet in report.left_out_sheets:
        out(f"sheet left out: {safe(sheet)}")
    for entity, counts in report.counts.items():
        if counts.new or counts.changed or counts.unchanged:
            out(f"{entity:<16} {counts.new:>7,} new {counts.changed:>7,} changed "
                f"{counts.unchanged:>7,} unchanged")
    if report.unmatched:
        out(f"{len(report.unmatched)} column(s) left out (map them with --profile, or in the "
            "import screen, if they belong in the register):")
        for left in report.unmatched:  # the suggestion is in the reason already
            out(f"  {safe(replace(left, accepted=None))}")
    if report.problems:
        out(f"{len(report.problems)} problem(s) (the counts above leave out the records "
            "they refuse):")
        for problem in report.problems:
            out(f"  {safe(problem)}")
    if report.conflicts:
        out(f"{len(report.conflicts)} conflict(s): the register changed these since the "
            "workbook's values were current; the register's values were kept:")
        for conflict in report.conflicts:
            out(f"  {safe(conflict)}")
    if report.saved_profile:
        say(f"mapping saved as profile {report.saved_profile.stem} ({safe(report.saved_profile)})")
    if report.written:
        say(f"imported {report.rows_read:,} rows from {safe(report.path.name)}")
    elif not report.problems and not report.dry_run:
        say(f"{report.rows_read:,} rows read from {safe(report.path.name)}: the register already "
            "holds all of it, nothing changed")
    elif report.problems:
        say("nothing was written: fix the problems above and import again")
    else:
        say("dry run: nothing was written")
