"""Inspect a workbook before any parser touches it.

python-calamine aborts the whole process (a Rust panic, not an exception) on some hostile
files, and openpyxl trusts a sheet's declared dimension (MEASURED.md). So the archive is
checked first, with the standard library, streaming: what kind of file it really is, the
declared sizes and compression ratios of its members (decompression bombs), DTDs in its XML
(entity expansion, external entities), and how far its cells really reach (a cell at
XFD1048576, a million rows). Reading a member is capped at its declared size by zipfile.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tracker.sheets import limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
WIDE_CELL = re.compile(rb"\br=\"([A-Z]{3})(\d+)\"")
# The same two searches starting with a literal, which re finds at memchr speed instead of
# trying the pattern at every "<" or every position (a 100,000-provider export is ~600 MB
# of XML: 11 s against ~2 s). ROW_TAG itself is used only where a prefixed tag may be.
PLAIN_ROW_TAG = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")
WIDE_CELL_AT = re.compile(rb"r=\"([A-Z]{3})(\d+)\"")
WORD_BYTE = re.compile(rb"\w")
DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
DATE1904 = re.compile(rb"date1904=\"(1|true)\"", re.IGNORECASE)
# A cell holding a formula and no cached result (<v>): written by a program that does not
# calculate. The readers see it as blank, so the guard names it.
FORMULA_NO_VALUE = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3}\d+)\"[^>]*>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*"
    rb"</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
# A merged range (after the rows): what calamine's merged_cell_ranges gives, read here so a
# sheet read in pieces (readers.PieceRows) knows its merged header cells.
MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})"
                        rb"(\d+))?\"")
CHUNK = 1024 * 1024
# Number formats that show a number as a percentage: Excel's built-in 0% and 0.00%, and any
# custom format with a % outside quotes. A cell styled so shows 0.5% for the 0.005 it holds.
PERCENT_BUILTIN_FORMATS = frozenset({9, 10})
NUM_FMT = re.compile(rb"<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId=\"(\d+)\"[^>]*?"
                     rb"\bformatCode=\"([^\"]*)\"")
CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
XF_FORMAT = re.compile(rb"\bnumFmtId=\"(\d+)\"")
# A cell's reference and its style index, whichever attribute comes first.
STYLED_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
CELL_REF = re.compile(rb"\br=\"([A-Z]{1,3}\d+)\"")
CELL_STYLE = re.compile(rb"\bs=\"(\d+)\"")


class FileRefused(ValueError):
    """The file is not something the import will read; the message says why and what to do."""


@dataclass
class WorkbookFacts:
    date1904: bool = False
    sheet_rows: dict[str, int] = field(default_factory=dict)  # member name -> last row
    # member name -> cells holding a formula with no cached result
    formulas_without_value: dict[str, list[str]] = field(default_factory=dict)
    sheet_members: dict[str, str] = field(default_factory=dict)  # member name -> sheet name
    # member name -> merged ranges as calamine gives them: ((top, left), (bottom, right)),
    # counted from 0
    merged: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = field(
        default_factory=dict)

    # member name -> cells holding a number shown as a percentage (styled 0.0%)
    percent_cells: dict[str, list[str]] = field(default_factory=dict)

    def percent_cells_of(self) -> dict[str, list[str]]:
        """Sheet name -> cells whose number format shows a percentage."""
        return {self.sheet_members.get(member, member): cells
                for member, cells in self.percent_cells.items() if cells}

    def formula_cells(self) -> dict[str, list[str]]:
        """Sheet name -> cells with a formula and no cached result."""
        return {self.sheet_members.get(member, member): cells
                for member, cells in self.formulas_without_value.items() if cells}


def column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + (ord(char) - 64)
    return number


def check_size(path: Path) -> None:
    check_size_of(path.name, path.stat().st_size)


def check_size_of(name: str, size: int) -> None:
    if size > limits.MAX_FILE_BYTES:
        raise FileRefused(f"{name} is {size / 1e6:.0f} MB; the import reads files up to "
                          f"{limits.MAX_FILE_BYTES / 1e6:.0f} MB")
    if size == 0:
        raise FileRefused(f"{name} is empty")


class PrivateCopy:
    """A file's bytes copied once into a directory only this user can read (``mkdtemp``),
    under the file's own name; ``remove`` deletes it (also when the copy is dropped)."""

    def __init__(self, path: Path, directory: Path) -> None:
        import shutil
        import weakref

        self.path, self.directory = path, directory
        self._finalizer = weakref.finalize(self, shutil.rmtree, directory, ignore_errors=True)

    def remove(self) -> None:
        self._finalizer()


def private_copy(path: Path) -> PrivateCopy:
    """The file at ``path`` copied through one handle, at most the import's size limit read
    (a file growing past it while copied is refused, as a file that large would be)."""
    import tempfile

    check_size(path)
    directory = Path(tempfile.mkdtemp(prefix="tracker-import-"))
    copy = PrivateCopy(directory / (path.name or "workbook.xlsx"), directory)
    try:
        with path.open("rb") as given, copy.path.open("xb") as kept:
            size = 0
            while size <= limits.MAX_FILE_BYTES and (block := given.read(1 << 20)):
                kept.write(block)
                size += len(block)
        check_size_of(path.name, size)
    except BaseException:
        copy.remove()
        raise
    return copy


def inspect_xlsx(path: Path, deadline: limits.Deadline | None = None) -> WorkbookFacts:
    check_size(path)
    deadline = deadline or limits.Deadline()
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(OLE_MAGIC):
            body = head + handle.read(limits.MAX_FILE_BYTES)
            if ENCRYPTED_MARK in body:
                raise FileRefused(f"{path.name} is password-protected (encrypted); open it in "
                                  "Excel, remove the password and save it as .xlsx")
            raise FileRefused(f"{path.name} is a legacy Excel 97-2003 file (.xls), whatever its "
                              "name says; open it in Excel and save it as .xlsx")
    if not head.startswith(b"PK"):
        raise FileRefused(f"{path.name} is not an .xlsx workbook (not a zip archive)")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise FileRefused(f"{path.name} is damaged or truncated ({err}); save it again from "
                          "Excel") from None
    with archive:
        return _inspect_members(path, archive, deadline)


def _inspect_members(path: Path, archive: zipfile.ZipFile,
                     deadline: limits.Deadline) -> WorkbookFacts:
    members = archive.infolist()
    names = {m.filename for m in members}
    if len(names) < len(members):
        seen: set[str] = set()
        twice = sorted({m.filename for m in members if m.filename in seen or seen.add(
            m.filename)})  # type: ignore[func-returns-value]
        raise FileRefused(f"{path.name} holds two parts named {', '.join(twice[:3])}: which "
                          "copy is the workbook cannot be known (a damaged or tampered file); "
                          "save it again from Excel")
    if "xl/workbook.xml" not in names:
        raise FileRefused(f"{path.name} is a zip archive but not an Excel workbook")
    total = sum(m.file_size for m in members)
    if total > limits.MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(f"{path.name} would expand to {total / 1e9:.1f} GB; the import "
                          f"reads at most {limits.MAX_UNCOMPRESSED_BYTES / 1e9:.1f} GB")
    for member in members:
        if member.file_size > 1024 * 1024 and member.compress_size and \
                member.file_size / member.compress_size > limits.MAX_COMPRESSION_RATIO:
            raise FileRefused(f"{path.name}: {member.filename} is compressed "
                              f"{member.file_size // member.compress_size}:1, the mark of a "
                              "decompression bomb; refused")
    facts = WorkbookFacts()
    facts.sheet_members = _sheet_members(archive)
    percent_styles = _percent_styles(archive, path, names)
    try:
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            if member.filename.startswith("xl/worksheets/"):
                last_row, formulas = _scan_sheet(path, archive, member, deadline,
                                                 facts.sheet_members.get(member.filename),
                                                 facts.merged.setdefault(member.filename, []))
                facts.sheet_rows[member.filename] = last_row
                if formulas:
                    facts.formulas_without_value[member.filename] = formulas
                if percent_styles:
                    facts.percent_cells[member.filename] = _styled_cells(
                        archive, member, percent_styles, deadline)
            else:
                text = _read_capped(archive, member)
                if DTD.search(text[:4096]):
                    raise FileRefused(f"{path.name}: {member.filename} declares a DTD or XML "
                                      "entities, which workbooks never need; refused")
                if member.filename == "xl/workbook.xml" and DATE1904.search(text):
                    facts.date1904 = True
    except (zipfile.BadZipFile, EOFError, OSError) as err:
        raise FileRefused(f"{path.name} is damaged or truncated ({err}); save it again from "
                          "Excel") from None
    return facts


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's name, from workbook.xml and its relationships (both
    already passed the DTD check)."""
    from defusedxml import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError):
        return {}  # the readers say what is wrong with the file
    except Exception as err:  # defusedxml's refusal of a DTD or an entity
        raise FileRefused(f"xl/workbook.xml declares a DTD or XML entities ({type(err).__name__}"
                          "), which workbooks never need; refused") from None
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = target
    found: dict[str, str] = {}
    for element in book.iter():
        if element.tag.endswith("}sheet") or element.tag == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                found[targets[rid]] = element.get("name", "")
    return found


def _percent_styles(archive: zipfile.ZipFile, path: Path, names: set[str]) -> frozenset[int]:
    """The cell style indexes (cellXfs) whose number format shows a percentage."""
    if "xl/styles.xml" not in names:
        return frozenset()
    text = _read_capped(archive, archive.getinfo("xl/styles.xml"))
    if DTD.search(text[:4096]):
        raise FileRefused(f"{path.name}: xl/styles.xml declares a DTD or XML entities, which "
                          "workbooks never need; refused")
    percent = set(PERCENT_BUILTIN_FORMATS)
    for number, code in NUM_FMT.findall(text):
        if b"%" in re.sub(rb"&quot;.*?&quot;|\\.", b"", code):
            percent.add(int(number))
    block = CELL_XFS.search(text)
    if block is None:
        return frozenset()
    found = set()
    for index, attributes in enumerate(XF.findall(block[1])):
        fmt = XF_FORMAT.search(attributes)
        if fmt is not None and int(fmt[1]) in percent:
            found.add(index)
    return frozenset(found)


def _styled_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo, styles: frozenset[int],
                  deadline: limits.Deadline) -> list[str]:
    """The cells of one worksheet styled with one of ``styles`` (a second streamed pass,
    made only when the workbook has such a style)."""
    found: list[str] = []
    carried = b""
    marks = tuple(f's="{index}"'.encode() for index in styles)
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(CHUNK)
            deadline.check(f"{member.filename}")
            data = carried + chunk
            if not data:
                break
            cut = data.rfind(b">") + 1 if chunk else len(data)
            data, carried = data[:cut], data[cut:]
            if any(mark in data for mark in marks):
                for attributes in STYLED_CELL.findall(data):
                    style = CELL_STYLE.search(attributes)
                    ref = CELL_REF.search(attributes)
                    if style is not None and ref is not None and int(style[1]) in styles:
                        found.append(ref[1].decode())
            if not chunk:
                break
    return found


def _read_capped(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    with archive.open(member) as stream:
        return stream.read(min(member.file_size, 64 * CHUNK))


def _scan_sheet(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                deadline: limits.Deadline, sheet: str | None = None,
                merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None
                ) -> tuple[int, list[str]]:
    """The last row number and the cells holding a formula with no cached result, refusing
    DTDs, cells beyond the limits and a row number repeated or out of order, in 1 MB chunks;
    the merged ranges are added to ``merged``.
    Each chunk is scanned up to its last whole row; the rest waits for the next chunk, so
    no row is counted twice and no cell is cut in two."""
    named = f"sheet {sheet!r}" if sheet else member.filename
    last_row = 0
    carried = b""
    first = True
    formulas: list[str] = []
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(CHUNK)
            deadline.check(f"{path.name}: {member.filename}")
            data = carried + chunk
            if not data:
                break
            if chunk:
                cut = data.rfind(b"</row>")
                if cut < 0 and len(data) < MAX_CARRY:
                    carried = data
                    continue
                cut = cut + 6 if cut >= 0 else max(data.rfind(b"<"), 1)
                data, carried = data[:cut], data[cut:]
            else:
                carried = b""
            if first and DTD.search(data[:4096]):
                raise FileRefused(f"{path.name}: {member.filename} declares a DTD or XML "
                                  "entities; refused")
            first = False
            wide = _wide_cell(data)
            if wide and column_number(wide[1]) > limits.MAX_COLUMNS:
                raise FileRefused(
                    f"{path.name}: {member.filename} has a cell at {wide[1].decode()}"
                    f"{wide[2].decode()}, column {column_number(wide[1]):,}; the import reads "
                    f"at most {limits.MAX_COLUMNS} columns")
            if b"<f" in data:
                formulas.extend(m.decode() for m in FORMULA_NO_VALUE.findall(data))
            if merged is not None and b"mergeCell" in data:
                for left, top, right, bottom in MERGE_CELL.findall(data):
                    corner = (int(top) - 1, column_number(left) - 1)
                    merged.append((corner, (int(bottom) - 1, column_number(right) - 1)
                                   if right else corner))
            previous = last_row
            rows = (ROW_TAG if b":row" in data else PLAIN_ROW_TAG).findall(data)
            for number in map(int, rows):
                if number <= previous:
                    raise FileRefused(
                        f"{path.name}: {named} holds row {number} "
                        + ("twice" if number == previous else f"after row {previous}")
                        + ": which copy is meant cannot be known (a damaged or hand-edited "
                        "file); save it again from Excel")
                previous = number
            last_row = previous
            if last_row > limits.MAX_ROWS:
                raise FileRefused(
                    f"{path.name}: {member.filename} has rows up to {last_row:,}; the "
                    f"import reads at most {limits.MAX_ROWS:,} rows in a sheet")
            if not chunk:
                break
    return last_row, formulas


def _wide_cell(data: bytes) -> re.Match[bytes] | None:
    """WIDE_CELL's first match: a three-letter column reference whose ``r`` starts a word."""
    for found in WIDE_CELL_AT.finditer(data):
        start = found.start()
        if start == 0 or not WORD_BYTE.match(data, start - 1):
            return found
    return None


MAX_CARRY = 16 * CHUNK  # a row longer than this is scanned in pieces
