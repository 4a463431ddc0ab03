"""A report as data (title, sections of paragraphs and tables) and its renderers, so each
report is written once and comes out as Markdown, printable HTML or a workbook.

Every text in a report is data, never markup: it may hold a provider's name or a note, typed
by anyone or put there by an import. So each renderer escapes it for its format (HTML
entities in HTML and in Markdown, whose readers render raw HTML; Markdown's own punctuation
in Markdown; formula starts in a workbook), and shows a control character by its picture
(tracker/files.py) instead of failing on it. The files are written atomically."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker import files
from tracker.errors import TrackerError
from tracker.formatting import show
from tracker.sheets.formula import neutralize


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Document:
    title: str
    stamp: list[str]  # when it was made, from which register
    sections: list[Section] = field(default_factory=list)

    def section(self, heading: str) -> Section:
        new = Section(heading)
        self.sections.append(new)
        return new


def _cell(value: Any) -> str:
    return files.shown_in_file(show(value))


# Markdown's inline punctuation: emphasis, code, links and images, tables, strikethrough.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]|~])")
# What makes a block (heading, list, rule, setext underline) when it starts a line.
# (CommonMark: the marker must be followed by a space or end the line, or repeat: "---".)
_MARKDOWN_BLOCK = re.compile(r"^(\s*)([#+=-](?=[\s#+=-]|$)|\d{1,9}(?=[.)](?:\s|$)))")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def markdown_text(text: str) -> str:
    """``text`` as Markdown shows it literally, on one line: HTML as entities (a Markdown
    reader renders raw HTML: ``<script>``, ``<svg onload=...>``), Markdown punctuation
    backslash-escaped, line breaks as spaces, control characters as their pictures."""
    one_line = _LINE_BREAKS.sub(" ", text)
    safe = html.escape(files.shown_in_file(one_line), quote=False)
    inline = _MARKDOWN_INLINE.sub(r"\\\1", safe)
    return _MARKDOWN_BLOCK.sub(_escape_block, inline, count=1)


def _escape_block(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():  # "1. x": the full stop after the number makes the list
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def to_markdown(doc: Document) -> str:
    escape = markdown_text
    lines = [f"# {escape(doc.title)}", "", *[f"*{escape(line)}*  " for line in doc.stamp],
             ""]
    for section in doc.sections:
        lines += [f"## {escape(section.heading)}", ""]
        for paragraph in section.paragraphs:
            lines += [escape(paragraph), ""]
        for table in section.tables:
            lines.append("| " + " | ".join(escape(h) for h in table.headers) + " |")
            lines.append("|" + "---|" * len(table.headers))
            for row in table.rows:
                lines.append("| " + " | ".join(escape(_cell(v)) for v in row) + " |")
            lines.append("")
    return "\n".join(lines)


CSS = """
body { font-family: "Noto Sans", "Helvetica Neue", Arial, "Noto Sans CJK SC", sans-serif;
       margin: 2.2em auto; max-width: 72em; color: #1b1f24; font-size: 10.5pt; }
h1 { font-size: 1.6em; border-bottom: 2px solid #24476b; padding-bottom: .3em; }
h2 { font-size: 1.2em; color: #24476b; margin-top: 1.6em; page-break-after: avoid; }
.stamp { color: #555; font-size: .9em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1.2em; font-size: .92em; }
th, td { border: 1px solid #c9d1d9; padding: .3em .5em; text-align: left;
         vertical-align: top; }
th { background: #eef3f8; }
tr { page-break-inside: avoid; }
td.mono { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; word-break: break-all; }
@media print { body { margin: 0; } }
"""


def _html(text: str) -> str:
    return html.escape(files.shown_in_file(text))


def to_html(doc: Document) -> str:
    parts = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{_html(doc.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{_html(doc.title)}</h1>"]
    parts += [f'<p class="stamp">{_html(line)}</p>' for line in doc.stamp]
    for section in doc.sections:
        parts.append(f"<h2>{_html(section.heading)}</h2>")
        parts += [f"<p>{_html(p)}</p>" for p in section.paragraphs]
        for table in section.tables:
            parts.append("<table><thead><tr>" + "".join(
                f"<th>{_html(h)}</th>" for h in table.headers) + "</tr></thead><tbody>")
            for row in table.rows:
                cells = []
                for value in row:
                    text = _cell(value)
                    css = ' class="mono"' if len(text) == 64 and text.isalnum() else ""
                    cells.append(f"<td{css}>{html.escape(text)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def to_xlsx(doc: Document, path: Path) -> None:
    """One sheet per table, after a cover sheet with the title and stamp (write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook(write_only=True)
    cover = book.create_sheet("About")
    cover.append([_safe(doc.title)])
    for line in doc.stamp:
        cover.append([_safe(line)])
    for section in doc.sections:  # prose goes on the cover, tables on sheets of their own
        for paragraph in section.paragraphs:
            cover.append([_safe(f"{section.heading}: {paragraph}")])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF3F8")
    titles: set[str] = {"about"}
    for number, section in enumerate(doc.sections, start=1):
        for part, table in enumerate(section.tables, start=1):
            title = _sheet_title(f"{number} {section.heading}", part, titles)
            sheet = book.create_sheet(title)
            sheet.freeze_panes = "A2"
            widths = [min(60, max(12, len(h) + 2)) for h in table.headers]
            for index, width in enumerate(widths):
                sheet.column_dimensions[chr(65 + index)].width = width
            header = []
            for name in table.headers:
                cell = WriteOnlyCell(sheet, value=_safe(name))
                cell.font, cell.fill = bold, fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                header.append(cell)
            sheet.append(header)
            for row in table.rows:
                sheet.append([_safe(v) for v in row])
            sheet.auto_filter.ref = f"A1:{chr(64 + len(table.headers))}{len(table.rows) + 1}"
    book.save(path)


_SHEET_TITLE_REFUSED = re.compile(r"[\\/*?:\[\]]")


def _sheet_title(text: str, part: int, taken: set[str]) -> str:
    """A title Excel accepts: none of \\ / * ? : [ ], no control character, 31 characters
    at most, and unique (Excel compares titles case-blind); a section's second table is on
    "… (2)"."""
    base = _SHEET_TITLE_REFUSED.sub("-", files.shown_in_file(text))
    title = base[:31] if part == 1 else f"{base[:31 - len(f' ({part})')]} ({part})"
    while title.casefold() in taken:
        part += 1
        title = f"{base[:31 - len(f' ({part})')]} ({part})"
    taken.add(title.casefold())
    return title


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return neutralize(files.shown_in_file(value))
    if value is None or isinstance(value, int | float):
        return value
    return neutralize(_cell(value))


def write(doc: Document, path: Path, *, force: bool = False) -> None:
    """Write ``doc`` in the format ``path``'s extension names, atomically (tracker/files.py);
    an existing file is replaced only with ``force``."""
    suffix = path.suffix.lower()
    if suffix in {".md", ".markdown"}:
        files.write_bytes(path, to_markdown(doc).encode("utf-8"), force=force)
    elif suffix in {".html", ".htm"}:
        files.write_bytes(path, to_html(doc).encode("utf-8"), force=force)
    elif suffix == ".xlsx":
        with files.replacing(path, force=force) as temporary:
            to_xlsx(doc, temporary)
    else:
        raise TrackerError(f"{path.name}: write reports as .md, .html or .xlsx")
