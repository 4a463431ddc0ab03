"""Data is never markup: every text that comes from the register, a file, the environment
or the user reaches Textual through here.

Textual parses a ``str`` as markup wherever it renders one: a DataTable cell, a Static or
Label, a Select option, a notification. A stored name reading ``ACME [UK] Ltd`` would lose
its ``[UK]``, ``shared drive [/contracts/2026] folder`` would raise a MarkupError that ends
the app, and ``[@click=app.screenshot()]x[/]`` would run an action when clicked. So screens
hand Textual a ``rich.text.Text`` built here, which is never parsed, with the screen's own
styling given as styles, not as markup. Control characters a register written before they
were refused may still hold are shown as visible escapes (tracker.domain.text.visible), so
nothing stored can reach the terminal as an escape sequence.
"""

from __future__ import annotations

from rich.text import Text

from tracker.domain.text import visible

# A piece of ``styled``: data as it is, or (text, style) where the style is the screen's own.
Part = str | tuple[str, str]


def shown(value: object) -> str:
    """Data as a plain ``str`` for the few places that take no ``Text`` and parse no markup
    (a screen's title, an Input's value): control characters visible, line feeds kept."""
    return visible("" if value is None else str(value), one_line=False)


def plain(value: object, style: str = "") -> Text:
    """Data shown exactly as it is, never parsed as markup."""
    return Text(shown(value), style=style, end="")


def styled(*parts: Part) -> Text:
    """A line of the screen's own styling around data: ``styled(("Imported", "bold"), " ",
    name)`` shows the name literally whatever brackets it holds."""
    text = Text(end="")
    for part in parts:
        if isinstance(part, tuple):
            text.append(shown(part[0]), style=part[1])
        else:
            text.append(shown(part))
    return text
