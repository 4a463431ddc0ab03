"""A report as data (title, sections of paragraphs and tables) and its renderers, so each
report is written once and comes out as Markdown, printable HTML or a workbook."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    return show(value)


def to_markdown(doc: Document) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"# {doc.title}", "", *[f"*{line}*  " for line in doc.stamp], ""]
    for section in doc.sections:
        lines += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
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


def to_html(doc: Document) -> str:
    parts = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(doc.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(doc.title)}</h1>"]
    parts += [f'<p class="stamp">{html.escape(line)}</p>' for line in doc.stamp]
    for section in doc.sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        for table in section.tables:
            parts.append("<table><thead><tr>" + "".join(
                f"<th>{html.escape(h)}</th>" for h in table.headers) + "</tr></thead><tbody>")
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
    cover.append([doc.title])
    for line in doc.stamp:
        cover.append([line])
    for section in doc.sections:  # prose goes on the cover, tables on sheets of their own
        for paragraph in section.paragraphs:
            cover.append([f"{section.heading}: {paragraph}"])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF3F8")
    for number, section in enumerate(doc.sections, start=1):
        for table in section.tables:
            sheet = book.create_sheet(f"{number} {section.heading}"[:31].replace("/", "-"))
            sheet.freeze_panes = "A2"
            widths = [min(60, max(12, len(h) + 2)) for h in table.headers]
            for index, width in enumerate(widths):
                sheet.column_dimensions[chr(65 + index)].width = width
            header = []
            for name in table.headers:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font, cell.fill = bold, fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                header.append(cell)
            sheet.append(header)
            for row in table.rows:
                sheet.append([_safe(v) for v in row])
            sheet.auto_filter.ref = f"A1:{chr(64 + len(table.headers))}{len(table.rows) + 1}"
    book.save(path)


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return neutralize(value)
    return show(value) if value is not None and not isinstance(value, int | float) else value


def write(doc: Document, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in {".md", ".markdown"}:
        path.write_text(to_markdown(doc), encoding="utf-8")
    elif suffix in {".html", ".htm"}:
        path.write_text(to_html(doc), encoding="utf-8")
    elif suffix == ".xlsx":
        to_xlsx(doc, path)
    else:
        from tracker.errors import TrackerError

        raise TrackerError(f"{path.name}: write reports as .md, .html or .xlsx")
