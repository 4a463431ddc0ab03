"""The formula neutraliser: every dangerous start escaped, plain numbers left alone, and
always reversible."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.sheets.formula import neutralize, restore


def test_dangerous_starts_are_escaped_and_plain_numbers_are_not() -> None:
    for text in ("=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "+",
                 "-1-", "--5", "-1e", "'=already"):
        assert neutralize(text) == "'" + text, text
    for text in ("-42", "-12.50", "+3", "-.5", "-1e6", "42", "Acme", "a=b"):
        assert neutralize(text) == text, text


@given(st.text())
def test_restore_undoes_neutralize(text: str) -> None:
    assert restore(neutralize(text)) == text
