"""The providers table: filtered as you type, sorted by any column, a window of rows at a
time so it stays quick with 100,000 providers (MEASURED.md: a DataTable takes ~230 µs a
row). The first page comes from the database; the filter then runs over the register's
in-memory index (tracker.app.provider_index), on the keystroke itself: the page is painted
first and the count of matches follows. A timer looks at the audit trail's head, so a write
by another program shows within a few seconds."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static
from textual.widgets.data_table import ColumnKey

from tracker.app.queries import SORTABLE, ProviderFilter, ProviderRow
from tracker.domain.enums import ProviderRole, ProviderStatus, RiskTier
from tracker.ui.footer import FittedFooter
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.table import RegisterTable
from tracker.ui.text import plain

if TYPE_CHECKING:  # named in annotations only: the gaps and reminders behind the standings
    # are imported by the threads that compute them, after the first page is painted
    from tracker.app.dashboard import ProviderStanding
    from tracker.app.provider_index import ProviderMatches

# Each DataTable row costs ~230 µs to add (MEASURED.md): a new filter builds only the rows
# the table can show, and more rows, a page at a time, load as the cursor nears the end.
PAGE = 60
FIRST_PAGE_MIN = 10
COLUMNS = (("legal_name", "Legal name"), ("risk_tier", "Risk tier"), ("status", "Status"),
           ("country", "Country"), ("role", "Role"), ("updated_at", "Updated"))
# Filled when the register's gaps arrive (a second worker: at 100,000 providers they take
# seconds the first time, and the page must not wait for them).
# Fixed widths: a cell updated later does not widen its column ("3 (2 crit)", a date).
LATE_COLUMNS = (("gaps", "Gaps", 10), ("next_review", "Next review", 11))
# How often the screen asks whether the register changed under it (one small query).
HEAD_CHECK_SECONDS = 2.0
# The index and the gaps wait for the first page to be painted, at most this long (a page
# that failed to load must not hold them back for ever).
PAINT_WAIT_SECONDS = 5.0


class ProvidersScreen(TrackerScreen):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="providers.filter"),
        Binding("n", "new", "New", id="providers.new"),
        Binding("e", "edit", "Edit", id="providers.edit"),
        Binding("a", "archive", "Archive", id="providers.archive"),
        Binding("s", "cycle_sort", "Sort", id="providers.sort"),
        Binding("x", "toggle_archived", "Archived", id="providers.archived"),
    ]

    class StandingsLoaded(Message):
        """Every provider's open gaps and next review arrived."""

        def __init__(self, standings: dict[int, ProviderStanding]) -> None:
            super().__init__()
            self.standings = standings

    class PageLoaded(Message):
        """A window of providers arrived; ``total`` is None while the matches are counted."""

        def __init__(self, rows: list[ProviderRow], total: int | None, flt: ProviderFilter,
                     append: bool) -> None:
            super().__init__()
            self.rows, self.total, self.filter, self.append = rows, total, flt, append

    class MatchesCounted(Message):
        """How many providers a filter matches, after its first page was shown."""

        def __init__(self, total: int, flt: ProviderFilter) -> None:
            super().__init__()
            self.total, self.filter = total, flt

    class RegisterMoved(Message):
        """The audit trail's head moved: someone changed the register."""

    def __init__(self) -> None:
        super().__init__()
        self.filter = ProviderFilter()
        self.shown_filter: ProviderFilter | None = None  # the filter the table now shows
        self.total: int | None = 0  # None while counting
        self.loaded = 0
        self._debounce: Timer | None = None
        self._typing = False
        self._open_when_loaded = False
        self.standings: dict[int, ProviderStanding] | None = None
        # Set once the first page is on screen. Building the index and computing the gaps
        # (seconds of Python at 100,000 providers) start in threads at mount, but wait for
        # it: under the GIL they would otherwise slow the first paint they do not serve.
        self.first_painted = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="/ filter: name, alias, registration no., website, country, "
                              "tier, status",
                        id="filter")
            yield Static("", id="match-count")
        yield RegisterTable(id="providers-table", cursor_type="row", zebra_stripes=True)
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Providers"
        table = self.query_one(DataTable)
        for key, label in COLUMNS[:1]:
            table.add_column(label, key=key)
        for key, label, width in LATE_COLUMNS:
            table.add_column(label, key=key, width=width)
        for key, label in COLUMNS[1:]:
            table.add_column(label, key=key)
        table.focus()
        self.reload()
        self.load_standings()
        self._head_timer = self.set_interval(HEAD_CHECK_SECONDS, self.check_head)

    def on_screen_resume(self) -> None:
        self._head_timer.resume()
        if self.loaded:
            self.reload(keep_cursor=True)
            self.load_standings()

    def on_screen_suspend(self) -> None:
        self._head_timer.pause()

    @work(thread=True, exclusive=True, group="provider-head", exit_on_error=False)
    def check_head(self) -> None:
        index = self.register.provider_index
        if index.ready and index.refresh():
            self.post_message(self.RegisterMoved())

    def on_providers_screen_register_moved(self) -> None:
        self.reload(keep_cursor=True)
        self.load_standings()

    def on_resize(self) -> None:
        """Below 120 columns the legal name gives up room, so every column stays on screen
        at 80x24 (a long name is cut, never the columns after it)."""
        table = self.query_one(DataTable)
        column = table.columns.get(ColumnKey("legal_name"))
        if column is None:
            return
        narrow = self.size.width < 120
        column.auto_width = not narrow
        if narrow:
            column.width = max(self.size.width - 60, 14)
        table._require_update_dimensions = True
        table.refresh(layout=True)

    @work(thread=True, exclusive=True, group="provider-standings", exit_on_error=False)
    def load_standings(self) -> None:
        self.first_painted.wait(PAINT_WAIT_SECONDS)
        self.post_message(self.StandingsLoaded(self.register.standings(self.today)))

    def on_providers_screen_standings_loaded(self, message: StandingsLoaded) -> None:
        self.standings = message.standings
        table = self.query_one(DataTable)
        for row_key in list(table.rows):
            if row_key.value is not None:
                gaps, review = self._late_cells(int(row_key.value))
                table.update_cell(row_key, "gaps", gaps)
                table.update_cell(row_key, "next_review", review)

    def _late_cells(self, provider_id: int) -> tuple[Text, Text]:
        if self.standings is None:
            return plain("…"), plain("…")
        standing = self.standings.get(provider_id)
        if standing is None:
            return plain("–"), plain("–")
        gaps = plain(f"{standing.total} ({standing.critical} crit)" if standing.critical
                     else str(standing.total) if standing.total else "–",
                     "bold red" if standing.critical else "")
        review = plain(standing.next_review.isoformat() if standing.next_review else "–",
                       "bold" if standing.next_review and standing.next_review < self.today
                       else "")
        return gaps, review

    # -- loading ---------------------------------------------------------------------
    def reload(self, *, keep_cursor: bool = False) -> None:
        self._typing = False
        self._keep_cursor = keep_cursor
        limit = self._first_page()
        if keep_cursor:  # the row the cursor is on comes back too
            limit = max(limit, min(self.loaded, self.query_one(DataTable).cursor_row + PAGE))
        self.load_page(self.filter, 0, limit, append=False)

    def _first_page(self) -> int:
        """As many rows as the table shows, and a few more (the first paint, before the
        layout, takes a full page)."""
        height = self.query_one(DataTable).size.height
        return min(PAGE, height + 2) if height >= FIRST_PAGE_MIN else PAGE

    @work(thread=True, exclusive=True, group="providers", exit_on_error=False)
    def load_page(self, flt: ProviderFilter, offset: int, limit: int = PAGE, *,
                  append: bool) -> None:
        index = self.register.provider_index
        if not index.ready:
            # the first page from the database; the index is built after it is shown
            page = self.register.provider_page(flt, offset=offset, limit=limit)
            self.post_message(self.PageLoaded(page.rows, page.total, flt, append))
            self.first_painted.wait(PAINT_WAIT_SECONDS)
            index.refresh()
            return
        index.refresh()
        matches = index.search(flt)
        self.post_message(self.PageLoaded(matches.rows(offset, limit), matches.known_total,
                                          flt, append))
        if matches.known_total is None:
            self.post_message(self.MatchesCounted(matches.total(), flt))

    def on_providers_screen_page_loaded(self, message: PageLoaded) -> None:
        if message.filter != self.filter:
            return  # the user typed on: a newer query is coming
        self._show(message.rows, message.total, message.filter, append=message.append)

    def on_providers_screen_matches_counted(self, message: MatchesCounted) -> None:
        if message.filter == self.filter and self.shown_filter == self.filter:
            self.total = message.total
            self._show_count()

    def _show(self, rows: list[ProviderRow], total: int | None, flt: ProviderFilter, *,
              append: bool) -> None:
        table = self.query_one(DataTable)
        previous = table.cursor_row
        if not append:
            table.clear()
            self.loaded = 0
        for row in rows:
            name = f"{row.legal_name} (archived)" if row.archived else row.legal_name
            table.add_row(plain(name), *self._late_cells(row.id),
                          plain(RiskTier(row.risk_tier).label if row.risk_tier else "–"),
                          plain(ProviderStatus(row.status).label),
                          plain(row.country or "–"),
                          plain(ProviderRole(row.role).label if row.role else "–"),
                          plain(row.updated_at.strftime("%Y-%m-%d")), key=str(row.id))
        self.loaded += len(rows)
        if total is not None or not append:
            self.total = total
        self.shown_filter = flt
        if not self.first_painted.is_set():
            self.call_after_refresh(self.first_painted.set)
        if self._open_when_loaded and not append:
            self.call_after_refresh(self._open_single)
        if getattr(self, "_keep_cursor", False) and not append:
            table.move_cursor(row=min(previous, max(self.loaded - 1, 0)))
        self._show_count()

    def _show_count(self) -> None:
        direction = "↓" if not self.filter.descending else "↑"
        sort_label = dict(COLUMNS).get(self.filter.sort, self.filter.sort)
        found = ("counting matches" if self.total is None else
                 f"{self.total:,} match{'es' if self.total != 1 else ''}")
        self.query_one("#match-count", Static).update(
            f"{found} · showing {self.loaded:,} · sort {sort_label} {direction}"
            + (" · incl. archived" if self.filter.include_archived else ""))

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        more = self.total is None or self.loaded < self.total
        if event.cursor_row >= self.loaded - 5 and more:
            self.load_page(self.filter, self.loaded, append=True)

    # -- filtering -------------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = replace(self.filter, text=event.value)
        self._typing = True  # a reload is pending
        if self._debounce is not None:
            self._debounce.stop()
        if self.register.provider_index.ready:
            # after the messages already queued: keystrokes that came together filter once
            self.call_later(self._filter_now)
        else:
            self._debounce = self.set_timer(0.015, self.reload)

    def _filter_now(self) -> None:
        """The keystroke's filter over the in-memory index, here rather than in a worker:
        it takes milliseconds, and a thread hand-off would cost more under a busy GIL.
        While a refresh holds the index, the worker waits for it instead."""
        if not self._typing:
            return  # an earlier call already showed this filter
        flt = self.filter
        matches = self.register.provider_index.search_now(flt)
        if matches is None:
            self.reload()
            return
        self._typing = False
        self._keep_cursor = False
        self._show(matches.rows(0, self._first_page()), matches.known_total, flt,
                   append=False)
        if matches.known_total is None:
            self.call_after_refresh(self._count, matches, flt)

    def _count(self, matches: ProviderMatches, flt: ProviderFilter) -> None:
        if flt == self.filter and self.shown_filter == flt:
            self.total = matches.total()
            self._show_count()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        """Enter in the filter: one match opens at once; more, and the table takes the
        keys. A page still loading for what was typed decides when it arrives."""
        self.query_one(DataTable).focus()
        if self.shown_filter == self.filter and not self._typing:
            self._open_single()
        else:
            self._open_when_loaded = True

    def _open_single(self) -> None:
        self._open_when_loaded = False
        if self.total == 1 and self.filter.text.strip():
            provider_id = self.selected_id()
            if provider_id is not None:
                self.tracker.open_provider(provider_id)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def key_escape(self) -> None:
        if self.focused is self.query_one("#filter", Input):
            self.query_one(DataTable).focus()
        elif self.filter.text:
            self.query_one("#filter", Input).value = ""
        else:
            self.app.switch_mode("dashboard")

    def action_cycle_sort(self) -> None:
        keys = [k for k, _ in COLUMNS]
        if self.filter.sort in keys and not self.filter.descending:
            self.filter = replace(self.filter, descending=True)
        else:
            index = (keys.index(self.filter.sort) + 1) % len(keys) if self.filter.sort in keys \
                else 0
            self.filter = replace(self.filter, sort=keys[index], descending=False)
        self.reload()

    @on(DataTable.HeaderSelected)
    def _sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key in SORTABLE:
            descending = self.filter.sort == key and not self.filter.descending
            self.filter = replace(self.filter, sort=key, descending=descending)
            self.reload()

    def action_toggle_archived(self) -> None:
        self.filter = replace(self.filter, include_archived=not self.filter.include_archived)
        self.reload()

    # -- records ---------------------------------------------------------------------
    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.tracker.open_provider(int(event.row_key.value))

    def action_new(self) -> None:
        self.tracker.edit_record("provider", None, on_saved=lambda _row: self.reload())

    def action_edit(self) -> None:
        provider_id = self.selected_id()
        if provider_id is not None:
            self.tracker.edit_record("provider", provider_id,
                                     on_saved=lambda _row: self.reload(keep_cursor=True))

    def action_archive(self) -> None:
        provider_id = self.selected_id()
        if provider_id is not None:
            self.tracker.archive_record("provider", provider_id,
                                        on_done=lambda: self.reload(keep_cursor=True))
