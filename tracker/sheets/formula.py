"""Formula-injection neutralisation for every spreadsheet the tracker writes (OWASP, "CSV
Injection"): text that a spreadsheet would read as the start of a formula is written with an
apostrophe in front, so it shows as text instead of being evaluated.

What starts a formula: =, +, -, @ (and their full-width forms ＝ ＋ － ＠, which some
spreadsheets and input methods treat alike), a tab or a carriage return.

Where a cell starts:

- in a workbook, only at the start of the text (``neutralize``): a cell is a cell;
- in a CSV file, also after every , ; tab | and line break in the text (``neutralize_csv``),
  because a spreadsheet that opens the file with another separator than the tracker's comma
  (";" in most European locales, tab, "|") splits the text there and starts a new cell with
  what follows. Spaces and double quotes right after such a break are skipped first (a
  spreadsheet may trim or unquote them), so ``x;=1+1`` and ``x; "=1+1"`` are both caught.

Every rule is reversible by one function, ``restore``, whichever file the text came from, so
the import of the tracker's own export gives back exactly the original text:

- at the very start of the text an apostrophe is always doubled (``'quoted'`` becomes
  ``''quoted'``), and ``restore`` removes one leading apostrophe;
- at a cell start inside the text, apostrophes followed by a starter get one more
  (``x;'=y`` becomes ``x;''=y``), in both writers, and ``restore`` removes one apostrophe
  wherever apostrophes are followed by a starter there.

Negative numbers stay numbers: numeric fields are written as numbers and never pass through
here, and a text that is nothing but a number ("-42", "-12.50", "+3") is left as it is: a
spreadsheet reads it as a number, never as a formula. Except in a CSV file's first column:
split on another separator, "-42,x" is no longer a number (the export's first columns are
IDs and keys, so this is rare). Inside a text, after a separator, nothing is exempt.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
ESCAPE = "'"
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# Where a cell may start inside a text: after what splits a CSV line into cells in some
# spreadsheet's locale (, ; tab |) or starts a row (a line break, including the rarer ones a
# text viewer or a script's splitlines() breaks at), past what a spreadsheet may trim or
# unquote (spaces, double quotes); and at the text's start past those.
_BREAKS = ",;\t|\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_STARTS = "=+\\-@\t\r＝＋－＠"
_CELL_START = re.compile(f'^[ "]+|[{_BREAKS}][ "]*')
_STARTER = re.compile(f"[{_STARTS}]")
_APOSTROPHES_THEN_STARTER = re.compile(f"'+[{_STARTS}]")
_ADDED_APOSTROPHE = re.compile(f'(^[ "]+|[{_BREAKS}][ "]*)' f"'(?='*[{_STARTS}])")
# A cell start followed by a formula start or an apostrophe: without one, nothing to do (the
# common case, found at C speed).
_BREAK_AT_RISK = re.compile(f'[{_BREAKS}][ "]*[{_STARTS}\']')


def neutralize(text: str) -> str:
    """A workbook cell's text: safe at its start, apostrophes kept reversible inside."""
    return _escape(text, every_cell=False)


def neutralize_csv(text: str, *, line_start: bool = False) -> str:
    """A CSV field's text: safe at its start and at every place a cell may start inside.

    ``line_start``: the field starts a line (the first column), so a spreadsheet splitting
    on another separator sees it run on into the next fields (``-42,x``): there even a
    plain number is escaped."""
    return _escape(text, every_cell=True, numbers_too=line_start)


def restore(text: str) -> str:
    """The original text of a cell the tracker wrote with :func:`neutralize` or
    :func:`neutralize_csv`."""
    if text.startswith(ESCAPE):
        text = text[1:]
    if ESCAPE not in text:
        return text
    return _ADDED_APOSTROPHE.sub(r"\1", text)


def _escape(text: str, *, every_cell: bool, numbers_too: bool = False) -> str:
    if (every_cell or ESCAPE in text) and (
            (text and text[0] in ' "') or _BREAK_AT_RISK.search(text)):
        def mark(match: re.Match[str]) -> str:
            at = match.end()
            if _APOSTROPHES_THEN_STARTER.match(text, at) or (
                    every_cell and _STARTER.match(text, at)):
                return match.group(0) + ESCAPE
            return match.group(0)

        inner = _CELL_START.sub(mark, text)
    else:
        inner = text
    # The very start: an apostrophe is always doubled there (as the first release did), and
    # a text that is nothing but a number stays as it is.
    if text.startswith(ESCAPE) or (text.startswith(FORMULA_STARTS)
                                   and (numbers_too or not PLAIN_NUMBER.fullmatch(text))):
        return ESCAPE + inner
    return inner
