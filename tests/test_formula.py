"""The formula neutraliser: every dangerous start escaped, plain numbers left alone, and
always reversible."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.sheets.formula import PLAIN_NUMBER, neutralize, neutralize_csv, restore


def test_dangerous_starts_are_escaped_and_plain_numbers_are_not() -> None:
    for text in ("=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "+",
                 "-1-", "--5", "-1e", "'=already"):
        assert neutralize(text) == "'" + text, text
    for text in ("-42", "-12.50", "+3", "-.5", "-1e6", "42", "Acme", "a=b"):
        assert neutralize(text) == text, text


@given(st.text())
def test_restore_undoes_neutralize(text: str) -> None:
    assert restore(neutralize(text)) == text


# --- CSV: safe whatever separator the spreadsheet's locale splits on ------------------------

STARTERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
DELIMITERS = (",", ";", "\t", "|")
# Texts that start a formula in some cell once a spreadsheet splits them on ; tab | or a line.
LOCALE_BYPASSES = ["x;=1+1;", "＝1+1", "＋cmd", "－2+3", "＠SUM(A1)", "a|@SUM(1)",
                   "a\t=1", "note\n-2+3", "a; =1", 'a;"=1+1"', "a,=HYPERLINK(\"x\")",
                   "ok;\t+1", "x;'=quoted", "''", "a\r\n=1", " =1", '"=1"']


def starts_a_formula(field: str) -> bool:
    """What a spreadsheet could evaluate: past spaces and quotes it may trim, a formula start
    that is not a plain number."""
    stripped = field.lstrip(' "')
    return stripped.startswith(STARTERS) and not PLAIN_NUMBER.fullmatch(stripped)


def csv_line(*texts: str) -> str:
    """One row as the export writes it: each text neutralised, a number as a number."""
    handle = io.StringIO(newline="")
    first, *rest = texts
    csv.writer(handle, lineterminator="\r\n").writerow(
        [neutralize_csv(first, line_start=True), *map(neutralize_csv, rest), -5, 1200])
    return handle.getvalue()


def fields_in_every_locale(written: str) -> list[str]:
    """Every field a spreadsheet may see: csv.reader with each separator, and a naive split
    of each line (a spreadsheet that ignores the quotes)."""
    fields = [f for d in DELIMITERS for row in csv.reader(io.StringIO(written, newline=""),
                                                          delimiter=d) for f in row]
    fields += [f for d in DELIMITERS for line in written.splitlines() for f in line.split(d)]
    return fields


def test_no_field_starts_a_formula_whatever_the_separator() -> None:
    for text in LOCALE_BYPASSES:
        written = csv_line("id-1", text)
        dangerous = [f for f in fields_in_every_locale(written) if starts_a_formula(f)]
        assert not dangerous, (text, written, dangerous)
        [row] = csv.reader(io.StringIO(written, newline=""))
        assert restore(row[1]) == text


def test_text_without_a_cell_start_inside_is_written_as_it_is() -> None:
    for text in ("Acme Ltd", "said, 'hello'", "3-5 days", "a, b; c | d", "price: -5"):
        assert neutralize_csv(text) == text
    assert neutralize_csv("a, -b") == "a, '-b"  # a cell could start at "-b" under ","


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list(",;\t|\n\r\u2028 \"'=+-@＝＋－＠a1.")),
                        max_size=12) | st.text(max_size=12), min_size=1, max_size=3))
def test_csv_fields_are_safe_in_every_locale_and_restore_exactly(texts: list[str]) -> None:
    written = csv_line(*texts)
    assert not [f for f in fields_in_every_locale(written) if starts_a_formula(f)], written
    [row] = csv.reader(io.StringIO(written, newline=""))
    assert [restore(f) for f in row[:len(texts)]] == texts


@given(st.text(), st.booleans())
def test_restore_undoes_neutralize_csv(text: str, line_start: bool) -> None:
    assert restore(neutralize_csv(text, line_start=line_start)) == text


def test_a_number_that_starts_a_line_is_escaped_there_only() -> None:
    assert neutralize_csv("-42") == "-42"
    assert neutralize_csv("-42", line_start=True) == "'-42"
