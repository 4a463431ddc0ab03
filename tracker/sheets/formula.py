"""Formula-injection neutralisation for every spreadsheet the tracker writes (OWASP, "CSV
Injection"): a text cell that starts with =, +, -, @, a tab or a carriage return is written
with a leading apostrophe, so a spreadsheet shows it as text instead of evaluating it.

A text that already starts with an apostrophe gets one more, so the mapping is reversible:
``restore(neutralize(t)) == t`` for every text, and the import of the tracker's own export
gives back the original value. Numbers are never passed through here: a negative number
stays a number.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralize(text: str) -> str:
    if text.startswith(FORMULA_STARTS) or text.startswith(ESCAPE):
        return ESCAPE + text
    return text


def restore(text: str) -> str:
    """The original text of a cell the tracker wrote with :func:`neutralize`."""
    return text[1:] if text.startswith(ESCAPE) else text
