"""Every key binding of the app and of the screen underneath, from the bindings
themselves, so the help can never drift from the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from tracker.ui.table import RegisterTable
from tracker.ui.text import plain


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, underneath: Screen[object]) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("[b]Keys[/b]  (ctrl+p opens the command palette; the mouse works too)")
            yield RegisterTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does", "Where")
        seen: set[tuple[str, str]] = set()
        for where, bindings in (("everywhere", self.app.BINDINGS),
                                (screen_name(self.underneath),
                                 self.underneath.BINDINGS)):
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                entry = (binding.key, binding.description)
                if entry in seen:
                    continue
                seen.add(entry)
                key = binding.key_display or binding.key.replace("question_mark", "?") \
                    .replace("slash", "/").replace("left_square_bracket", "[") \
                    .replace("right_square_bracket", "]")
                table.add_row(plain(key), plain(binding.description), plain(where))
        table.add_row(plain("enter"), plain("Open the selected row"), plain("tables"))
        table.add_row(plain("tab"), plain("Move between fields and tables"),
                      plain("everywhere"))
        table.focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def screen_name(screen: Screen[object]) -> str:
    """What the help calls a screen: its HELP_NAME ("provider file"), else its title, never
    its class name."""
    return str(getattr(screen, "HELP_NAME", "") or screen.title or "this screen").lower()
