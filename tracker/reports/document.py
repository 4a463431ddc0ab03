"""A report as data (title, sections of paragraphs and tables) and its renderers, so each
report is written once and comes out as Markdown, printable HTML or a workbook.

Every text in a report is data, never markup: it may hold a provider's name or a note, typed
by anyone or put there by an import. So each renderer escapes it for its format (HTML
entities in HTML and in Markdown, whose readers render raw HTML; Markdown's own punctuation
in Markdown; formula starts in a workbook), and shows a control character by its picture
(tracker/files.py) instead of failing on it. The files are written atomically."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from tracker import files
from tracker.domain.footnotes import CHECK_MARK, FOOTNOTES, marked_citations
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
    stamp: list[str]  # when it was made, from which register (its name, never its path)
    sections: list[Section] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)  # topics (tracker.domain.footnotes)
    data: dict[str, Any] | None = None  # a structured form for --format json, if any

    def section(self, heading: str) -> Section:
        new = Section(heading)
        self.sections.append(new)
        return new

    def cite(self, topic: str) -> str:
        """The marker of the footnote on ``topic`` (added once): "[1]"."""
        if topic not in self.footnotes:
            self.footnotes.append(topic)
        return f"[{self.footnotes.index(topic) + 1}]"


def document_location(location: str | None) -> str | None:
    """A file's place as a document shows it: a relative path or a URI as recorded, an
    absolute path by its file name only (a document names no machine's folders)."""
    if not location:
        return location
    if "://" in location and not location.startswith("file://"):
        return location
    bare = location.removeprefix("file://")
    for flavour in (PurePosixPath, PureWindowsPath):
        path = flavour(bare)
        if path.is_absolute() or bare.startswith("~"):
            return path.name
    return bare


# An absolute path in a text (an audit diff quoting an evidence file's place, a note):
# a POSIX path of at least one folder, or a Windows one with its drive or share.
_ABSOLUTE_PATH = re.compile(
    r"(?<![\w:/.~-])(?:~/|/)(?:[^\s/'\",;|]+/)+(?P<posix>[^\s/'\",;|]+)"
    r"|(?<![\w])(?:[A-Za-z]:|\\\\[^\s\\]+)\\(?:[^\s\\'\",;|]+\\)*(?P<win>[^\s\\'\",;|]+)")


def without_paths(text: str) -> str:
    """``text`` with every absolute path cut to its file name: a document names no
    machine's folders (issue 14)."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group("posix") or m.group("win") or "", text)


def _footnoted(doc: Document, value: Any) -> Any:
    if isinstance(value, str):
        value = without_paths(value)
    if not isinstance(value, str) or CHECK_MARK[:-1] not in value:
        return value
    marks = marked_citations(value)
    if not marks:
        return value
    parts, previous = [], 0
    for start, end, topic in marks:
        parts += [value[previous:start], " " + doc.cite(topic)]
        previous = end
    parts.append(value[previous:])
    return "".join(parts)


def finished(doc: Document) -> Document:
    """``doc`` with every working mark of a secondary source ("[check]", from an enum's
    article or a gap rule's source) turned into a footnote on its topic, so no document
    prints the mark, and every absolute path cut to its file name (issue 14). Idempotent."""
    def fix(value: Any) -> Any:
        return _footnoted(doc, value)

    doc.title = fix(doc.title)
    doc.stamp = [fix(line) for line in doc.stamp]
    for section in doc.sections:
        section.heading = fix(section.heading)
        section.paragraphs = [fix(p) for p in section.paragraphs]
        for table in section.tables:
            table.headers = [fix(h) for h in table.headers]
            table.rows = [[fix(v) for v in row] for row in table.rows]
    return doc


def footnote_lines(doc: Document) -> list[str]:
    return [f"[{n}] {FOOTNOTES[topic].text} (Source: {FOOTNOTES[topic].source}.)"
            for n, topic in enumerate(doc.footnotes, start=1) if topic in FOOTNOTES]


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
    doc = finished(doc)
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
    if doc.footnotes:
        lines += ["## Notes", ""]
        for line in footnote_lines(doc):
            lines += [escape(line), ""]
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
    doc = finished(doc)
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
    if doc.footnotes:
        parts.append('<h2>Notes</h2><ol class="notes">')
        parts += [f"<li>{_html(line.split('] ', 1)[1])}</li>" for line in footnote_lines(doc)]
        parts.append("</ol>")
    parts.append("</body></html>")
    return "\n".join(parts)


def to_xlsx(doc: Document, path: Path) -> None:
    """One sheet per table, after a cover sheet with the title and stamp (write-only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    doc = finished(doc)
    book = Workbook(write_only=True)
    cover = book.create_sheet("About")
    cover.append([_safe(doc.title)])
    for line in doc.stamp:
        cover.append([_safe(line)])
    for section in doc.sections:  # prose goes on the cover, tables on sheets of their own
        for paragraph in section.paragraphs:
            cover.append([_safe(f"{section.heading}: {paragraph}")])
    for line in footnote_lines(doc):
        cover.append([_safe(line)])
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


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, str):
        return files.shown_in_file(value)
    return value


def to_json(doc: Document) -> str:
    """The document as JSON: its structured form when it has one (the AI Act summary's
    sections and what is still missing), else its sections, paragraphs and tables; the
    footnotes either way."""
    doc = finished(doc)
    body: dict[str, Any] = {"title": doc.title, "stamp": doc.stamp}
    if doc.data is not None:
        body.update(doc.data)
    else:
        body["sections"] = [{"heading": s.heading, "paragraphs": s.paragraphs,
                             "tables": [{"headers": t.headers, "rows": t.rows}
                                        for t in s.tables]} for s in doc.sections]
    body["notes"] = [{"number": n, "topic": topic, "text": FOOTNOTES[topic].text,
                      "source": FOOTNOTES[topic].source}
                     for n, topic in enumerate(doc.footnotes, start=1) if topic in FOOTNOTES]
    return json.dumps(_json_value(body), ensure_ascii=False, indent=2) + "\n"


FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".xlsx": "xlsx",
           ".json": "json"}


def write(doc: Document, path: Path, *, force: bool = False,
          format: str | None = None) -> None:
    """Write ``doc`` in ``format`` (md, html, xlsx or json; default: the one ``path``'s
    extension names), atomically (tracker/files.py); an existing file is replaced only
    with ``force``."""
    chosen = format or FORMATS.get(path.suffix.lower())
    suffix = {"md": ".md", "html": ".html", "xlsx": ".xlsx", "json": ".json"}.get(
        chosen or "", path.suffix.lower())
    if suffix == ".json":
        files.write_bytes(path, to_json(doc).encode("utf-8"), force=force)
    elif suffix in {".md", ".markdown"}:
        files.write_bytes(path, to_markdown(doc).encode("utf-8"), force=force)
    elif suffix in {".html", ".htm"}:
        files.write_bytes(path, to_html(doc).encode("utf-8"), force=force)
    elif suffix == ".xlsx":
        with files.replacing(path, force=force) as temporary:
            to_xlsx(doc, temporary)
    else:
        raise TrackerError(f"{path.name}: write reports as .md, .html, .xlsx or .json "
                           "(or name one with --format)")
