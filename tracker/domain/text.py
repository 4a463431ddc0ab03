"""Text at the door and on the way out: normalization for search and natural keys, the one
definition of the characters no register text may hold, and how they are shown when a text
holds them anyway (a register written before they were refused, or edited with raw SQL)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any


def search_key(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: "ＡＣＭＥ  Müller" and "acme müller" meet.

    Why NFKC: full-width Latin letters typed with a Chinese input method must match their
    ordinary forms. Why casefold: it folds ß and Turkish dotted I where lower() does not."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Unpunctuated(dict[int, int | None]):
    """A str.translate table that drops punctuation (Unicode P*) and spaces (Z*, and
    whitespace), filled as characters are met: the table of every code point would cost
    the start-up a fifth of a second. Letters, digits, marks (a Hindi vowel sign) and symbols
    (``+``) are kept, so names that differ by one of them stay apart; ``&`` is punctuation."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        kept = None if unicodedata.category(char)[0] in "PZ" or char.isspace() else code
        self[code] = kept
        return kept


_UNPUNCTUATED = _Unpunctuated()


def provider_name_key(legal_name: str) -> str:
    """The legal name as the import tells providers apart: ``search_key`` without
    punctuation or spaces, so "Acme Data Ltd." and "ACME Data Ltd", or "Co., Ltd." and
    "Co.,Ltd", are one provider and not two (a real register spelled one supplier both
    ways on two sheets). The import names each spelling it took for another."""
    return unicodedata.normalize("NFKC", legal_name).casefold().translate(_UNPUNCTUATED)


# What the providers filter searches besides the legal name (kept folded in the provider's
# search_extra column; the legal name is in search_name, which also sorts).
PROVIDER_SEARCHED = ("aliases", "registration_number", "website")
SEARCH_EXTRA_LENGTH = 3000  # the fields' limits (2000 + 100 + 500) and separators


def provider_search_extra(values: Mapping[str, Any]) -> str:
    """The folded text the providers filter searches beside the legal name: aliases,
    registration number and website, so ``hangzhou`` finds 杭州标注科技有限公司 when its
    alias is "Hangzhou Annotation Technology", and a unified social credit code finds its
    company."""
    parts = [str(values[name]) for name in PROVIDER_SEARCHED if values.get(name)]
    return search_key(" | ".join(parts))[:SEARCH_EXTRA_LENGTH]


# The characters refused in every text that enters the register (record fields through the
# write pipeline, settings, display names, the actor from TRACKER_USER, snooze reasons and
# notes, every cell of an import), and escaped wherever the command line prints:
# - C0 controls other than tab, line feed and carriage return, and DEL: no register text
#   needs them, XML (so xlsx) cannot hold most of them, and on a terminal ESC and BEL begin
#   escape sequences (OSC 52 overwrites the clipboard, OSC 8 forges links, CSI moves the
#   cursor to overwrite what was printed).
# - C1 controls U+0080-U+009F: the 8-bit forms of the same sequences (U+009B is CSI, U+009D
#   OSC), which some terminals obey; in text they only come from a Windows-1252 file read as
#   Latin-1.
# - Bidirectional embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069: they
#   reorder what a screen shows, so a name can read differently from what is stored and
#   compared ("Trojan Source", CVE-2021-42574). The marks U+200E / U+200F, which right-to-left
#   text legitimately uses and which reorder nothing around them, are allowed.
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Line breaks as a terminal or a text viewer may show them (U+0085 is also a C1 control).
LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")

# The fields that name a record (a provider's legal name, a supply's name, an agreement's or
# an own reminder's title; tracker.domain.registry FOLDED_KEY_FIELDS): they are one line in
# every table, listing and audit line. A line break in one is folded into a space, as a
# provider's legal name always was (tracker.store.models), because a spreadsheet wraps a long
# name with Alt+Enter and the import must read it; every other field may hold several lines.
ONE_LINE_FIELDS = frozenset({"legal_name", "name", "title"})
_BREAK_AND_SPACES = re.compile(r"[ \t]*[\n\u2028\u2029][ \t\n\u2028\u2029]*")


def control_problem(text: str, *, one_line: bool = False) -> str | None:
    """Why ``text`` cannot enter the register, naming the first character refused (an
    invisible one could not be found otherwise), or None. ``one_line`` refuses line breaks
    too: for a value typed as one line (a setting, a display name, a user name)."""
    found = CONTROL_CHARACTERS.search(text)
    if found:
        return (f"contains control characters (U+{ord(found.group()):04X} at character "
                f"{found.start() + 1})")
    if one_line:
        found = LINE_BREAKS.search(text)
        if found:
            return f"must be one line (a line break at character {found.start() + 1})"
    return None


def clean_text(text: str, *, one_line: bool = False) -> str | None:
    """Stored text as every writer leaves it: line ends as \\n (spreadsheets and XML turn
    \\r\\n into \\n anyway, so a stored \\r could never survive an export), a line break in
    a one-line field (``ONE_LINE_FIELDS``) folded into a space, no surrounding whitespace,
    and an empty text is no text. Raises ValueError on control characters."""
    problem = control_problem(text)
    if problem:
        raise ValueError(problem)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if one_line:
        text = _BREAK_AND_SPACES.sub(" ", text)
    return text or None


_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_SHOWN_AS_ESCAPES = re.compile(f"{CONTROL_CHARACTERS.pattern}|{LINE_BREAKS.pattern}|\t")
# A carriage return alone sends the cursor back over what was printed: always shown.
_SHOWN_IN_LINES = re.compile(f"{CONTROL_CHARACTERS.pattern}|\r")


def _escape(character: str) -> str:
    named = _NAMED_ESCAPES.get(character)
    if named:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = True) -> str:
    """``text`` with every refused character shown as a visible escape (``\\x1b``,
    ``\\u202e``), so what reaches a terminal or a screen is what is stored, and nothing in
    it can drive the terminal. ``one_line`` also shows line breaks and tabs (``\\n``,
    ``\\t``), for a listing where one record is one line; otherwise line feeds and tabs
    are kept (a carriage return is shown: alone it moves the cursor back over a line)."""
    shown = _SHOWN_AS_ESCAPES if one_line else _SHOWN_IN_LINES
    return shown.sub(lambda m: _escape(m.group()), text)


def counted(n: int, one: str, many: str | None = None) -> str:
    """"1 correction", "2 corrections": a count with its noun in the right number, for every
    line the CLI and the screens print about how many."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def agreement_subject(kind_label: str, title: str | None) -> str:
    """An agreement as a gap or a reminder names it: its kind, and its title when it has
    one (an untitled agreement is not 'Data processing agreement “”')."""
    return f"{kind_label} “{title}”" if title and title.strip() else kind_label
