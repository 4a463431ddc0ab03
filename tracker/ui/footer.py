"""The footer's key hints, prioritised to fit the width: at 80 columns a screen's own keys
come first, then the app's, and `? Help` always shows (it lists every key); hints that do
not fit are left out instead of being cut mid-word."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ALWAYS = "question_mark"


def _width(widget: Widget) -> int:
    if isinstance(widget, FooterKey):
        return len(widget.key_display) + len(widget.description) + 3
    return 0


class FittedFooter(Footer):
    fitted_to = 0  # the width the shown hints were chosen for

    def compose(self) -> ComposeResult:
        self.fitted_to = self.app.size.width
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = [w for w in widgets if w not in palette]
        budget = (self.app.size.width or 80) - sum(_width(w) + 2 for w in palette) - 1
        chosen: set[int] = set()
        # the help key first (it lists all the others), then in the order the screen and
        # the app declare their keys: the screen's own come first
        for widget in sorted(keys, key=lambda w: not (isinstance(w, FooterKey)
                                                      and w.key == ALWAYS)):
            cost = _width(widget)
            if cost <= budget:
                chosen.add(id(widget))
                budget -= cost
        yield from (w for w in widgets if id(w) in chosen or w in palette)

    def on_resize(self) -> None:
        if self.app.size.width != self.fitted_to:
            self.call_after_refresh(self.recompose)
