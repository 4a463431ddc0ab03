"""Formula-injection neutralisation for every spreadsheet the tracker writes (OWASP, "CSV
Injection"): a text cell that starts with =, +, -, @, a tab or a carriage return is written
with a leading apostrophe, so a spreadsheet shows it as text instead of evaluating it.

A text that already starts with an apostrophe gets one more, so the mapping is reversible:
``restore(neutralize(t)) == t`` for every text, and the import of the tracker's own export
gives back the original value.

Negative numbers stay numbers: numeric fields are written as numbers and never pass through
here, and a text that is nothing but a number ("-42", "-12.50", "+3") is left as it is; a
spreadsheet reads it as a number, never as a formula, so there is nothing to neutralise.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralize(text: str) -> str:
    if text.startswith(ESCAPE):
        return ESCAPE + text
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return ESCAPE + text
    return text


def restore(text: str) -> str:
    """The original text of a cell the tracker wrote with :func:`neutralize`."""
    return text[1:] if text.startswith(ESCAPE) else text
