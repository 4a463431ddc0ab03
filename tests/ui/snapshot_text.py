"""A snapshot mismatch told in text: the rows of the screen that differ between the stored
SVG and the one just taken, so a failure on CI (where the HTML report cannot be opened)
says what changed on the screen, not only that something did."""

from __future__ import annotations

import difflib
import html
import re

_STYLE = re.compile(r"\.terminal-(?:\d+-)?(r\d+) \{([^}]*)\}")
_BACKGROUND = re.compile(r'<rect fill="(#[0-9a-fA-F]+)" x="([\d.]+)" y="([\d.]+)" '
                         r'width="([\d.]+)"')
_TEXT = re.compile(r'<text class="([\w-]+)"[^>]*?clip-path="url\(#[\w-]*?line-(\d+)\)"[^>]*>'
                   r'([^<]*)</text>')


def screen_rows(svg: str) -> tuple[list[str], list[str]]:
    """The screen's rows as text, and the same rows with each run's style spelled out and
    the background cells' colours (so a change of colour alone still shows as a differing
    row: the class names themselves are numbered per picture and say nothing)."""
    styles = {name: " ".join(rule.split()) for name, rule in _STYLE.findall(svg)}
    texts: dict[int, list[str]] = {}
    styled: dict[int, list[str]] = {}
    for style, row, content in _TEXT.findall(svg):
        text = html.unescape(content)
        texts.setdefault(int(row), []).append(text)
        rule = styles.get(style.rsplit("-", 1)[-1], style)
        styled.setdefault(int(row), []).append(f"[{rule}]{text}")
    for fill, x, y, width in _BACKGROUND.findall(svg):
        row = round((float(y) - 1.5) / 24.4)
        styled.setdefault(row, []).append(f" bg{fill}@{float(x):.0f}+{float(width):.0f}")
    last = max(texts, default=-1)
    return ([("".join(texts.get(n, []))).rstrip() for n in range(last + 1)],
            ["".join(styled.get(n, [])) for n in range(last + 1)])


def mismatch_report(expected_svg: str, actual_svg: str) -> str:
    """Unified diff of the screen text; when the text is the same, of the styled rows."""
    expected, expected_styled = screen_rows(expected_svg)
    actual, actual_styled = screen_rows(actual_svg)
    diff = list(difflib.unified_diff(expected, actual, "stored snapshot", "this run",
                                     lineterm="", n=1))
    if not diff:
        diff = ["(the text is the same: the styles differ)", *difflib.unified_diff(
            expected_styled, actual_styled, "stored snapshot", "this run", lineterm="", n=0)]
    return "\n".join(diff)
